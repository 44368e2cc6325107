//! The `-f` input that `apply` and `diff` act on, read and checked as a whole before any
//! object is sent: every document must be readable, have a kind that discovery knows (or
//! that a CRD of the same input defines), a name, and obey the namespace rules. Any error
//! and the command requests nothing; the errors are all printed, with where each object is.

use anyhow::{Result, anyhow};

use super::order;
use crate::context::Context;
use crate::discovery::ResourceType;
use crate::error;
use crate::print::kind_label;
use crate::resource::{
    Manifest, ManifestError, Objects, Plan, Scope, Target, UnknownManifestKind, manifest_namespace,
};
use crate::selector::LabelSelector;

/// One object of the input, typed.
#[derive(Debug, Clone)]
pub struct Item {
    pub rt: ResourceType,
    pub manifest: Manifest,
    /// The input's CRD that defines the object's type, which must be established first.
    pub crd: Option<String>,
}

impl Item {
    /// `deployment.apps/web`, as kubectl names the object in its messages.
    pub fn label(&self) -> String {
        format!("{}/{}", kind_label(&self.rt), self.manifest.name)
    }

    /// Objects with the same identity are the same object on the server.
    pub fn identity(&self) -> (String, String, Option<String>, String) {
        (
            self.rt.group.clone(),
            self.rt.resource.clone(),
            self.manifest.namespace.clone(),
            self.manifest.name.clone(),
        )
    }
}

/// What a command would have done with a valid input, for the line that says it did nothing:
/// `nothing was {done}: … (kz checks every document before {doing} any)`.
#[derive(Debug, Clone, Copy)]
pub struct Refusal {
    /// The command's name.
    pub verb: &'static str,
    pub done: &'static str,
    pub doing: &'static str,
}

/// `-l`: kubectl's words for a selector that does not parse; empty selects everything.
pub fn selector(text: Option<&str>) -> Result<Option<LabelSelector>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => LabelSelector::parse(text)
            .map(Some)
            .map_err(|err| anyhow!("the provided selector {text:?} is not valid: {err}")),
    }
}

/// Reads `plan`'s files and returns the objects `selector` selects, in input order. With any
/// invalid document every error is printed on stderr, then a line saying that nothing was
/// done, and the result is `AlreadyReported`.
pub fn read(
    ctx: &mut Context,
    plan: &Plan,
    selector: Option<&LabelSelector>,
    refusal: Refusal,
) -> Result<Vec<Item>> {
    let scope = Scope {
        namespace: ctx.namespace()?,
        explicit: ctx.global.namespace.is_some(),
    };
    let mut discovery = ctx.discovery()?;
    let plan = plan.clone();
    let targets =
        ctx.block_on(plan.resolve(&mut discovery, &scope, &mut std::io::stdin().lock()))??;
    let items = match checked(targets, &scope, refusal.verb) {
        Ok(items) => items,
        Err(errors) => {
            let count = errors.len();
            for err in &errors {
                ctx.err.line(error::message(err).trim_end_matches('\n'));
            }
            ctx.err.line(format!(
                "error: nothing was {}: {count} {} in the input (kz checks every document before {} any)",
                refusal.done,
                if count == 1 { "error" } else { "errors" },
                refusal.doing,
            ));
            return Err(error::AlreadyReported.into());
        }
    };
    Ok(match selector {
        Some(selector) => items
            .into_iter()
            .filter(|item| selector.matches_object(&item.manifest.body))
            .collect(),
        None => items,
    })
}

/// The objects of the input, or every error of the input: an unreadable or unparsable
/// document, one without kind or name, of a kind neither discovery nor the input's CRDs know,
/// or in the wrong namespace.
fn checked(
    targets: Vec<Result<Target>>,
    scope: &Scope,
    verb: &str,
) -> Result<Vec<Item>, Vec<anyhow::Error>> {
    let mut items = Vec::new();
    let mut unknown: Vec<(usize, Box<Manifest>)> = Vec::new();
    let mut errors = Vec::new();
    for target in targets {
        match target {
            Ok(Target {
                rt,
                objects: Objects::Manifest(manifest),
                ..
            }) => items.push(Item {
                rt,
                manifest: *manifest,
                crd: None,
            }),
            Ok(target) => errors.push(anyhow!(
                "{verb} takes objects from files only, not {}",
                target.rt.resource
            )),
            Err(err) => match err
                .chain()
                .find_map(|cause| cause.downcast_ref::<UnknownManifestKind>())
            {
                Some(kind) => unknown.push((items.len(), kind.manifest.clone())),
                None => errors.push(with_origin(err)),
            },
        }
    }
    // Objects of kinds the input's own CRDs define take their place in the input order.
    for (offset, (position, manifest)) in unknown.into_iter().enumerate() {
        match defined_by_input(&items, &manifest, scope) {
            Ok(item) => items.insert(position + offset, item),
            Err(err) => errors.push(err),
        }
    }
    if errors.is_empty() {
        Ok(items)
    } else {
        Err(errors)
    }
}

/// An object of a kind that a CRD of the input defines, typed by that CRD.
fn defined_by_input(items: &[Item], manifest: &Manifest, scope: &Scope) -> Result<Item> {
    let defined = items
        .iter()
        .filter(|item| order::is_crd(&item.rt))
        .find_map(|crd| {
            order::defined_type(&crd.manifest.body, &manifest.api_version, &manifest.kind)
                .map(|rt| (rt, crd.manifest.name.clone()))
        });
    let Some((rt, crd)) = defined else {
        let unknown = UnknownManifestKind {
            manifest: Box::new(manifest.clone()),
        };
        return Err(anyhow!("{}: {unknown}", manifest.origin));
    };
    let mut manifest = manifest.clone();
    let namespace = manifest_namespace(&rt, &manifest, scope, false)
        .map_err(|err| anyhow!("{}: {err}", manifest.origin))?;
    manifest.set_namespace(namespace);
    Ok(Item {
        rt,
        manifest,
        crd: Some(crd),
    })
}

/// A manifest object's error, preceded by where the object is (file, document, line).
fn with_origin(err: anyhow::Error) -> anyhow::Error {
    let origin = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<ManifestError>())
        .map(|found| found.origin.clone());
    match origin {
        Some(origin) if error::server_error(&err).is_none() => {
            anyhow!("{origin}: {}", error::describe_chain(&err))
        }
        _ => err,
    }
}
