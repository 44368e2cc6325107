//! The `scale` subresource requests, the way kubectl's scaler makes them: a merge patch of
//! `spec.replicas` when there is no precondition; otherwise read the Scale, check it, and
//! write it back with its resourceVersion (a Conflict means it changed meanwhile: read and
//! check again). `--timeout` then waits until the status shows the new size.

use std::time::Duration;

use anyhow::{Context as _, Result, anyhow};
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::api::{JSON_ACCEPT, ListQuery, ListRequest, Query, Subresource, Watcher, object_path};
use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::error::{self, Reason, ServerError, Status};

/// How many times a precondition update is tried when the Scale changes under it.
const CONFLICT_ATTEMPTS: usize = 5;

/// One object to scale.
#[derive(Debug, Clone)]
pub struct Subject {
    pub rt: ResourceType,
    pub namespace: Option<String>,
    pub name: String,
}

/// `--current-replicas` and `--resource-version`: what the Scale must say before it is
/// changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Precondition {
    pub replicas: Option<i64>,
    pub resource_version: Option<String>,
}

impl Precondition {
    /// kubectl's `PreconditionError` when `scale` does not match.
    pub fn check(&self, scale: &Value) -> Result<()> {
        let replicas = scale["spec"]["replicas"].as_i64().unwrap_or(0);
        if let Some(expected) = self.replicas
            && expected != replicas
        {
            return Err(anyhow!(
                "Expected replicas to be {expected}, was {replicas}"
            ));
        }
        let version = scale["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if let Some(expected) = &self.resource_version
            && expected != version
        {
            return Err(anyhow!(
                "Expected resource version to be {expected}, was {version}"
            ));
        }
        Ok(())
    }
}

/// Sets the subject's replicas to `replicas`; `dry_run` asks the server not to keep it.
pub async fn scale(
    client: &ApiClient,
    subject: &Subject,
    replicas: u32,
    precondition: Option<&Precondition>,
    dry_run: bool,
) -> Result<()> {
    if !subject.rt.has_subresource("scale") {
        return Err(no_scale_subresource());
    }
    let path = scale_path(subject, dry_run);
    let Some(precondition) = precondition else {
        let patch = json!({"spec": {"replicas": replicas}});
        return send(client, http::Method::PATCH, &path, &patch).await;
    };
    let mut attempt = 1;
    loop {
        let mut scale = read(client, subject).await?;
        precondition.check(&scale)?;
        scale["spec"]["replicas"] = json!(replicas);
        match send(client, http::Method::PUT, &path, &scale).await {
            Err(err) if error::reason(&err) == Some(Reason::Conflict) => {
                if attempt == CONFLICT_ATTEMPTS {
                    return Err(err);
                }
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// What the API server answers for a type without a scale subresource (kubectl sends the
/// request; discovery already knows the answer).
fn no_scale_subresource() -> anyhow::Error {
    ServerError {
        status: Status {
            kind: "Status".to_owned(),
            message: "the server could not find the requested resource".to_owned(),
            reason: "NotFound".to_owned(),
            code: 404,
            details: None,
        },
    }
    .into()
}

fn scale_path(subject: &Subject, dry_run: bool) -> String {
    let path = object_path(
        &subject.rt,
        subject.namespace.as_deref(),
        &subject.name,
        Some(Subresource::Scale),
    );
    let query = Query::new().pair("dryRun", dry_run.then_some("All"));
    format!("{path}{query}")
}

/// The subject's Scale as it is now.
async fn read(client: &ApiClient, subject: &Subject) -> Result<Value> {
    let path = scale_path(subject, false);
    client.get(&path, JSON_ACCEPT).await?.json()
}

async fn send(client: &ApiClient, method: http::Method, path: &str, body: &Value) -> Result<()> {
    let content_type = if method == http::Method::PATCH {
        "application/merge-patch+json"
    } else {
        "application/json"
    };
    let body = serde_json::to_vec(body).context("encoding the scale request")?;
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(ACCEPT, JSON_ACCEPT)
        .header(CONTENT_TYPE, content_type)
        .body(body)
        .with_context(|| format!("building the request for {path}"))?;
    client.send(request).await?;
    Ok(())
}

/// Whether a Scale is done with `replicas`: its status shows them, or something else has set
/// another size since (kubectl's `scaleHasDesiredReplicas`).
pub fn settled(scale: &Value, replicas: u32) -> bool {
    let desired = i64::from(replicas);
    let spec = scale["spec"]["replicas"].as_i64().unwrap_or(0);
    let status = scale["status"]["replicas"].as_i64().unwrap_or(0);
    spec != desired || status == desired
}

/// Waits up to `timeout` until the subject's Scale is [`settled`], reading it again whenever
/// its object changes; `progress` hears the status replicas each time they are read.
pub async fn wait(
    client: &ApiClient,
    subject: &Subject,
    replicas: u32,
    timeout: Duration,
    progress: impl Fn(i64),
) -> Result<()> {
    let until_settled = async {
        let field_selector = format!("metadata.name={}", subject.name);
        let mut watcher = Watcher::start(
            client,
            ListRequest {
                rt: subject.rt.clone(),
                namespace: subject.namespace.clone(),
                query: ListQuery {
                    field_selector: Some(field_selector),
                    ..ListQuery::default()
                },
                accept: JSON_ACCEPT,
            },
        );
        loop {
            let scale = read(client, subject).await?;
            if settled(&scale, replicas) {
                return Ok(());
            }
            progress(scale["status"]["replicas"].as_i64().unwrap_or(0));
            watcher.next().await?;
        }
    };
    match tokio::time::timeout(timeout, until_settled).await {
        Ok(outcome) => outcome,
        Err(_elapsed) => Err(anyhow!(
            "timed out waiting for {:?} to be synced",
            subject.name
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scale(spec: i64, status: i64, version: &str) -> Value {
        json!({
            "metadata": {"resourceVersion": version},
            "spec": {"replicas": spec},
            "status": {"replicas": status},
        })
    }

    #[test]
    fn preconditions_word_mismatches_like_kubectl() {
        let current = scale(3, 3, "17");
        let replicas = Precondition {
            replicas: Some(1),
            resource_version: None,
        };
        assert_eq!(
            replicas.check(&current).unwrap_err().to_string(),
            "Expected replicas to be 1, was 3"
        );
        let version = Precondition {
            replicas: None,
            resource_version: Some("12".into()),
        };
        assert_eq!(
            version.check(&current).unwrap_err().to_string(),
            "Expected resource version to be 12, was 17"
        );
        let both = Precondition {
            replicas: Some(3),
            resource_version: Some("17".into()),
        };
        assert!(both.check(&current).is_ok());
    }

    #[test]
    fn replicas_are_checked_before_the_version() {
        let both = Precondition {
            replicas: Some(2),
            resource_version: Some("1".into()),
        };
        assert_eq!(
            both.check(&scale(3, 3, "17")).unwrap_err().to_string(),
            "Expected replicas to be 2, was 3"
        );
    }

    #[test]
    fn settled_when_the_status_reaches_the_size_or_the_size_changed() {
        assert!(!settled(&scale(3, 1, "1"), 3));
        assert!(settled(&scale(3, 3, "1"), 3));
        assert!(settled(&scale(0, 0, "1"), 0));
        // Someone set another size meanwhile: nothing left to wait for.
        assert!(settled(&scale(5, 1, "1"), 3));
    }

    #[test]
    fn dry_runs_ask_the_server_not_to_keep_the_change() {
        let subject = Subject {
            rt: crate::discovery::tests::fixture_catalog()
                .resolve_one("deployments")
                .expect("deployments")
                .clone(),
            namespace: Some("shop".into()),
            name: "web".into(),
        };
        assert_eq!(
            scale_path(&subject, true),
            "/apis/apps/v1/namespaces/shop/deployments/web/scale?dryRun=All"
        );
        assert_eq!(
            scale_path(&subject, false),
            "/apis/apps/v1/namespaces/shop/deployments/web/scale"
        );
    }
}
