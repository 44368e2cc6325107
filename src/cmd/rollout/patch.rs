//! `pause`, `resume` and `restart`: fetch the objects, compute every patch first (as kubectl
//! does, so `pause web web` pauses twice), then send them one by one and print each result.
//! Objects that could not be fetched or patched are reported after the rest.

use anyhow::{Context as _, Result, anyhow};
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::objects::{self, Subject};
use super::output::Output;
use crate::api::{JSON_ACCEPT, Query, object_path};
use crate::cli::PrintArgs;
use crate::cli::rollout::ObjectArgs;
use crate::client::ApiClient;
use crate::context::Context;
use crate::print::gofmt::quote;
use crate::resource::{Plan, UsageError};
use crate::rollout::change::{Operation, restart_too_soon, rfc3339};

const STRATEGIC_MERGE_PATCH: &str = "application/strategic-merge-patch+json";

/// The validated options of one of the patching subcommands.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub operation: Operation,
    pub plan: Plan,
    pub field_manager: String,
    pub output: Output,
}

impl Options {
    pub fn new(
        operation: Operation,
        objects: &ObjectArgs,
        field_manager: String,
        print: &PrintArgs,
    ) -> Result<Options> {
        Ok(Options {
            operation,
            plan: objects::plan(objects)?,
            field_manager,
            output: Output::from_args(print)?,
        })
    }
}

pub fn run(options: Options, ctx: &mut Context) -> Result<()> {
    let client = ctx.client()?;
    let namespace = ctx.namespace()?;
    let fetched = objects::fetch(ctx, &client, options.plan.clone())?;
    let mut errors = fetched.errors;
    if fetched.subjects.is_empty() && errors.is_empty() {
        ctx.flush()?;
        ctx.err
            .line(format!("No resources found in {namespace} namespace."));
        return Ok(());
    }
    let now = rfc3339(&jiff::Zoned::now());
    let patches: Vec<(Subject, Result<Option<Value>, String>)> = fetched
        .subjects
        .into_iter()
        .map(|subject| {
            let patch =
                options
                    .operation
                    .patch(&subject.rt.group, &subject.rt.kind, &subject.object, &now);
            (subject, patch)
        })
        .collect();
    for (subject, patch) in patches {
        let patch = match patch {
            Ok(Some(patch)) => patch,
            Ok(None) => {
                // Only a restart within the same second comes to nothing.
                errors.push(anyhow!(restart_too_soon(subject.name())));
                continue;
            }
            Err(reason) => {
                // kubectl's text carries its own `error: `, kept when several errors print.
                let line = format!(
                    "error: {} {} {reason}",
                    subject.resource(),
                    quote(subject.name())
                );
                errors.push(UsageError(line).into());
                continue;
            }
        };
        let sent = ctx.block_on(send(&client, &subject, &patch, &options.field_manager))?;
        match sent {
            Ok(object) => {
                // kubectl makes its printer only now, and goes on to the next object
                // when it has none for the format.
                if let Err(err) = options.output.check() {
                    errors.push(err);
                    continue;
                }
                let done = options.operation.done();
                options
                    .output
                    .print(&subject.rt, object, done, &mut ctx.out)?;
            }
            Err(err) => errors.push(anyhow!(
                "failed to patch: {}",
                crate::error::describe_chain(&err)
            )),
        }
    }
    crate::cmd::report_errors(&ctx.err, errors)
}

/// `PATCH` with a strategic merge patch; the object as the server now has it.
async fn send(
    client: &ApiClient,
    subject: &Subject,
    patch: &Value,
    field_manager: &str,
) -> Result<Value> {
    let query = Query::new().pair("fieldManager", Some(field_manager));
    let path = object_path(&subject.rt, subject.namespace(), subject.name(), None);
    let request = Request::patch(format!("{path}{query}"))
        .header(ACCEPT, JSON_ACCEPT)
        .header(CONTENT_TYPE, STRATEGIC_MERGE_PATCH)
        .body(serde_json::to_vec(patch)?)
        .with_context(|| format!("building the request for {path}"))?;
    let object = client.send(request).await?.json()?;
    Ok(object)
}
