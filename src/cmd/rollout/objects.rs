//! The objects a `rollout` subcommand's arguments name, fetched in order: kubectl's builder
//! with `ContinueOnError`, so what cannot be fetched becomes an error to report after the
//! rest was handled.

use anyhow::Result;
use serde_json::Value;

use crate::api::ListQuery;
use crate::api::{get_object, list_objects};
use crate::cli::rollout::ObjectArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::describe::fields::selector_string;
use crate::discovery::ResourceType;
use crate::resource::{Objects, Plan, Scope, Target, Verb};
use crate::rollout::change::Workload;

/// One object, with the type it is of.
pub struct Subject {
    pub rt: ResourceType,
    pub object: Value,
}

impl Subject {
    pub fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.object["metadata"]["namespace"].as_str()
    }

    /// `deployments.apps`: how kubectl names the resource in its per-object errors.
    pub fn resource(&self) -> String {
        if self.rt.group.is_empty() {
            self.rt.resource.clone()
        } else {
            format!("{}.{}", self.rt.resource, self.rt.group)
        }
    }
}

/// The builder's plan for the flags (pure).
pub fn plan(args: &ObjectArgs) -> Result<Plan> {
    args.builder(Verb::Rollout).parse()
}

/// The objects found, and the errors of those that were not (in the arguments' order).
pub struct Fetched {
    pub subjects: Vec<Subject>,
    pub errors: Vec<anyhow::Error>,
}

/// Resolves the plan in the context's namespace and fetches every object it names.
pub fn fetch(ctx: &mut Context, client: &ApiClient, plan: Plan) -> Result<Fetched> {
    let scope = Scope {
        namespace: ctx.namespace()?,
        explicit: ctx.global.namespace.is_some(),
    };
    let mut discovery = ctx.discovery()?;
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    ctx.block_on(fetch_targets(client, targets))?
}

async fn fetch_targets(client: &ApiClient, targets: Vec<Result<Target>>) -> Result<Fetched> {
    let mut fetched = Fetched {
        subjects: Vec::new(),
        errors: Vec::new(),
    };
    for target in targets {
        let target = match target {
            Ok(target) => target,
            Err(err) => {
                fetched.errors.push(err);
                continue;
            }
        };
        let namespace = target.namespace.as_deref();
        let names = match &target.objects {
            Objects::Names(names) => names.clone(),
            Objects::Manifest(manifest) => vec![manifest.name.clone()],
            Objects::Collection(selectors) => {
                let query = ListQuery {
                    label_selector: selectors.label.clone(),
                    field_selector: selectors.field.clone(),
                    ..ListQuery::default()
                };
                for object in list_objects(client, &target.rt, namespace, query).await? {
                    fetched.subjects.push(Subject {
                        rt: target.rt.clone(),
                        object,
                    });
                }
                continue;
            }
        };
        for name in names {
            match get_object(client, &target.rt, namespace, &name).await {
                Ok(object) => fetched.subjects.push(Subject {
                    rt: target.rt.clone(),
                    object,
                }),
                Err(err) => fetched.errors.push(err),
            }
        }
    }
    Ok(fetched)
}

/// The objects a workload's revisions are kept in, those of its namespace its selector
/// matches: ReplicaSets for a Deployment, ControllerRevisions otherwise (which of them the
/// workload controls is for the caller to see).
pub async fn revisions(
    client: &ApiClient,
    subject: &Subject,
    workload: Workload,
) -> Result<Vec<Value>> {
    let rt = match workload {
        Workload::Deployment => apps_v1("replicasets", "ReplicaSet"),
        Workload::StatefulSet | Workload::DaemonSet => {
            apps_v1("controllerrevisions", "ControllerRevision")
        }
    };
    let query = ListQuery {
        label_selector: Some(selector_string(&subject.object["spec"]["selector"])),
        ..ListQuery::default()
    };
    list_objects(client, &rt, subject.namespace(), query).await
}

/// A namespaced `apps/v1` type the rollout helpers read without asking discovery
/// (ReplicaSets, ControllerRevisions), as kubectl's typed clients do.
pub fn apps_v1(resource: &str, kind: &str) -> ResourceType {
    ResourceType {
        group: "apps".to_owned(),
        version: "v1".to_owned(),
        resource: resource.to_owned(),
        singular: kind.to_lowercase(),
        kind: kind.to_owned(),
        namespaced: true,
        verbs: Vec::new(),
        short_names: Vec::new(),
        categories: Vec::new(),
        subresources: Vec::new(),
    }
}
