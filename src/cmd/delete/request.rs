//! The DELETE requests, as kubectl's delete makes them: DeleteOptions in the body with the
//! propagation policy, the grace period and the dry run; and the wait until a deleted object
//! is gone (NotFound, or another object of the same name, with another uid).

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::api::{JSON_ACCEPT, get_object, object_path};
use crate::cli::DryRun;
use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::error::{self, Reason};
use crate::streams::Stderr;

use super::Options;

/// The longest pause between two looks at an object that is going away.
const MAX_POLL: Duration = Duration::from_secs(1);

/// How long the wait rides out a server that refuses connections (restarting) before it
/// gives up: kubectl's watch retries until its timeout.
const UNANSWERED_FOR: Duration = Duration::from_secs(30);

/// `--cascade`: what happens to the object's dependents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    /// kubectl's `GetCascadingStrategy`: the three policies, and the deprecated booleans
    /// with their warning.
    pub fn parse(value: &str) -> Result<(Propagation, Option<String>)> {
        let deprecated = |replacement: &str| {
            Some(format!(
                "warning: --cascade={value} is deprecated (boolean value) and can be replaced with --cascade={replacement}."
            ))
        };
        Ok(match value {
            "background" => (Propagation::Background, None),
            "foreground" => (Propagation::Foreground, None),
            "orphan" => (Propagation::Orphan, None),
            "1" | "t" | "T" | "true" | "TRUE" | "True" => {
                (Propagation::Background, deprecated("background"))
            }
            "0" | "f" | "F" | "false" | "FALSE" | "False" => {
                (Propagation::Orphan, deprecated("orphan"))
            }
            other => bail!(
                "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            ),
        })
    }

    /// The DeleteOptions `propagationPolicy`.
    fn as_str(self) -> &'static str {
        match self {
            Propagation::Background => "Background",
            Propagation::Foreground => "Foreground",
            Propagation::Orphan => "Orphan",
        }
    }
}

/// One object to delete.
#[derive(Debug, Clone)]
pub struct Subject {
    pub rt: ResourceType,
    pub namespace: Option<String>,
    pub name: String,
    /// The file it was read from, for kubectl's `error when deleting "FILE"`.
    pub source: Option<String>,
}

impl Subject {
    /// `err` as kubectl reports a server error for an object of a file.
    pub fn with_source(&self, err: anyhow::Error) -> anyhow::Error {
        let (Some(source), Some(server)) = (&self.source, error::server_error(&err)) else {
            return err;
        };
        let mut server = server.clone();
        server.status.message = format!(
            "error when deleting \"{source}\": {}",
            server.status.message
        );
        server.into()
    }
}

/// The DeleteOptions kubectl sends for `options`.
fn delete_options(options: &Options) -> Value {
    let mut body = json!({
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "propagationPolicy": options.propagation.as_str(),
    });
    if let Some(seconds) = options.grace_period {
        body["gracePeriodSeconds"] = json!(seconds);
    }
    if options.dry_run == DryRun::Server {
        body["dryRun"] = json!(["All"]);
    }
    body
}

/// Deletes `subject` (a client dry run sends nothing); `Ok` holds the uid of what the server
/// deleted, when it says.
pub async fn delete(
    client: &ApiClient,
    subject: &Subject,
    options: &Options,
) -> Result<Result<Option<String>>> {
    if options.dry_run == DryRun::Client {
        return Ok(Ok(None));
    }
    let path = object_path(
        &subject.rt,
        subject.namespace.as_deref(),
        &subject.name,
        None,
    );
    let body = serde_json::to_vec(&delete_options(options)).context("encoding DeleteOptions")?;
    let request = Request::builder()
        .method(http::Method::DELETE)
        .uri(&path)
        .header(ACCEPT, JSON_ACCEPT)
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .with_context(|| format!("building the request for {path}"))?;
    let answer = match client.send(request).await {
        Ok(answer) => answer,
        Err(err) => return Ok(Err(err)),
    };
    let answer: Value = answer.json().unwrap_or(Value::Null);
    // The deleted object itself, or a Status with the uid in its details.
    let uid = answer["metadata"]["uid"]
        .as_str()
        .or_else(|| answer["details"]["uid"].as_str())
        .map(String::from);
    Ok(Ok(uid))
}

/// Waits until `subject` is gone: not found, or replaced by an object with another uid than
/// `uid`. A terminal on stderr is told what is being waited for.
pub async fn wait_gone(
    client: &ApiClient,
    subject: &Subject,
    uid: Option<&str>,
    progress: Option<&Stderr>,
) -> Result<Result<()>> {
    let mut pause = Duration::from_millis(50);
    let mut told = false;
    // When the server started refusing connections, if it has.
    let mut unanswered_since: Option<Instant> = None;
    loop {
        match get_object(
            client,
            &subject.rt,
            subject.namespace.as_deref(),
            &subject.name,
        )
        .await
        {
            Ok(object) => {
                unanswered_since = None;
                let current = object["metadata"]["uid"].as_str();
                if uid.is_some() && current != uid {
                    return Ok(Ok(()));
                }
            }
            Err(err) if error::reason(&err) == Some(Reason::NotFound) => return Ok(Ok(())),
            Err(err)
                if is_unanswered(&err)
                    && unanswered_since.get_or_insert_with(Instant::now).elapsed()
                        < UNANSWERED_FOR => {}
            Err(err) => return Ok(Err(err)),
        }
        if let Some(stderr) = progress
            && !told
        {
            stderr.line(progress_line(subject));
            told = true;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_POLL);
    }
}

/// Whether `err` says the server is away (its port refused the connection, as while it
/// restarts). Answers that broke off were retried by the request layer already, and a
/// `--request-timeout` is the user's bound: those end the wait.
fn is_unanswered(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|cause| cause.downcast_ref::<error::ConnectError>())
        .any(|connect| connect.cause == error::ConnectCause::Refused)
}

/// The line a terminal sees while an object is still there.
fn progress_line(subject: &Subject) -> String {
    format!(
        "Waiting for {}/{} to be deleted",
        crate::print::kind_label(&subject.rt),
        subject.name
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cascade_values_read_like_kubectl() {
        assert_eq!(
            Propagation::parse("orphan").unwrap(),
            (Propagation::Orphan, None)
        );
        let (policy, warning) = Propagation::parse("false").unwrap();
        assert_eq!(policy, Propagation::Orphan);
        assert_eq!(
            warning.as_deref(),
            Some(
                "warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan."
            )
        );
        assert_eq!(
            Propagation::parse("bogus").unwrap_err().to_string(),
            "invalid cascade value (bogus). Must be \"background\", \"foreground\", or \"orphan\""
        );
    }
}
