//! Applying one object: read it (one GET), take it over from kubectl's client-side apply if
//! needed (one JSON patch, rarely), then one server-side apply PATCH. Whether it was
//! `created`, `configured` or `unchanged` comes from what the GET found and how the object
//! the server answered differs from it. `dry_run` sends the same requests as a server dry run
//! and returns the object before and after, for `kz diff`.

use anyhow::{Context as _, Result};
use http::Request;
use http::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::conflict::ApplyConflict;
use super::last_applied;
use super::migrate;
use super::unknown_fields;
use crate::api::{JSON_ACCEPT, Query, object_path};
use crate::cli::DryRun;
use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::error::{self, Reason};
use crate::print::kind_label;
use crate::resource::Manifest;

/// How many times the migration patch is retried when the object changed under it
/// (kubectl's `maxPatchRetry`).
const MIGRATION_ATTEMPTS: usize = 5;

/// How many times an apply is sent again without the unknown fields the server named (it
/// names the first of each object only).
const UNKNOWN_FIELD_ROUNDS: usize = 16;

/// `--validate`: what the server does with fields the type does not have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Validation {
    #[default]
    Strict,
    Warn,
    Ignore,
}

impl Validation {
    /// kubectl's `--validate` values: strict (or true), warn, ignore (or false).
    pub fn parse(text: &str) -> Result<Validation> {
        match text.to_ascii_lowercase().as_str() {
            "strict" | "true" => Ok(Validation::Strict),
            "warn" => Ok(Validation::Warn),
            "ignore" | "false" => Ok(Validation::Ignore),
            _ => anyhow::bail!(
                "invalid - validate option {text:?}; must be one of: strict (or true), warn, ignore (or false)"
            ),
        }
    }

    /// The `fieldValidation` query value.
    pub fn query_value(self) -> &'static str {
        match self {
            Validation::Strict => "Strict",
            Validation::Warn => "Warn",
            Validation::Ignore => "Ignore",
        }
    }
}

/// What every object is applied with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub field_manager: String,
    pub force_conflicts: bool,
    pub dry_run: DryRun,
    pub validation: Validation,
}

/// What applying did to the object, in kubectl's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Configured,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Configured => "configured",
            Change::Unchanged => "unchanged",
        }
    }
}

/// An applied object: what changed, and the object as the server answered (as it would be
/// sent, for a client dry run).
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub change: Change,
    pub object: Value,
    /// Fields of the manifest the type does not have, left out under `--validate=warn|ignore`
    /// (`spec.template.spec.containers[0].foo`).
    pub unknown_fields: Vec<String>,
}

/// Applies `manifest` (of type `rt`); errors name the manifest's source like kubectl's.
pub async fn apply(
    client: &ApiClient,
    rt: &ResourceType,
    manifest: &Manifest,
    settings: &Settings,
) -> Result<Applied> {
    let path = object_path(rt, manifest.namespace.as_deref(), &manifest.name, None);
    let configuration = last_applied::annotate(&manifest.body);
    let live = read_live(client, &path, manifest).await?;
    if settings.dry_run == DryRun::Client {
        let change = if live.is_some() {
            Change::Configured
        } else {
            Change::Created
        };
        return Ok(Applied {
            change,
            object: configuration,
            unknown_fields: Vec::new(),
        });
    }
    let sent = send(client, rt, manifest, settings, &path, configuration, live).await?;
    let change = match &sent.before {
        None => Change::Created,
        Some(before) if unchanged(before, &sent.answer) => Change::Unchanged,
        Some(_) => Change::Configured,
    };
    Ok(Applied {
        change,
        object: sent.answer,
        unknown_fields: sent.unknown_fields,
    })
}

/// What applying `manifest` with `settings` would make of the object, by a server dry run of
/// the request `apply` sends: the live object (`None` when there is none) and the object as
/// the server would keep it. Nothing is changed on the server.
pub async fn dry_run(
    client: &ApiClient,
    rt: &ResourceType,
    manifest: &Manifest,
    settings: &Settings,
) -> Result<(Option<Value>, Value)> {
    let settings = Settings {
        dry_run: DryRun::Server,
        ..settings.clone()
    };
    let path = object_path(rt, manifest.namespace.as_deref(), &manifest.name, None);
    let configuration = last_applied::annotate(&manifest.body);
    let live = read_live(client, &path, manifest).await?;
    // A server dry run never migrates: the object before is the one read.
    let sent = send(client, rt, manifest, &settings, &path, configuration, live).await?;
    Ok((sent.before, sent.answer))
}

/// The live object before applying, with kubectl's words when it cannot be read.
async fn read_live(client: &ApiClient, path: &str, manifest: &Manifest) -> Result<Option<Value>> {
    read(client, path).await.map_err(|err| {
        error::with_source(
            err,
            "retrieving current configuration of",
            &manifest.origin.source,
        )
    })
}

/// What `send` did.
struct Sent {
    /// The object before the apply PATCH (migrated, if it was), `None` when there was none.
    before: Option<Value>,
    answer: Value,
    unknown_fields: Vec<String>,
}

/// Takes the object over from kubectl's client-side apply if needed, then sends the
/// server-side apply PATCH.
async fn send(
    client: &ApiClient,
    rt: &ResourceType,
    manifest: &Manifest,
    settings: &Settings,
    path: &str,
    configuration: Value,
    mut live: Option<Value>,
) -> Result<Sent> {
    let source = &manifest.origin.source;
    // A dry run cannot keep a migration for the apply that follows: taking the fields over
    // by force gives the same result as migrating first, but for removed fields, which the
    // dry run then still shows.
    let mut force = settings.force_conflicts;
    if let Some(current) = &live
        && migrate::upgrade_patch(current, &settings.field_manager).is_some()
    {
        if settings.dry_run == DryRun::Server {
            force = true;
        } else {
            live = Some(
                take_over(client, path, current.clone(), &settings.field_manager)
                    .await
                    .map_err(|err| error::with_source(err, "migrating", source))?,
            );
        }
    }
    let sent = send_known_fields(client, path, configuration.clone(), settings, force).await;
    let sent = match sent {
        // Another applier of kubectl's annotation (kubectl's server-side apply keeps it too)
        // is no reason to stop: the configuration applied now is the last applied one.
        Err(err) if !force && only_the_annotation_conflicts(&err) => {
            send_known_fields(client, path, configuration, settings, true).await
        }
        sent => sent,
    };
    let (answer, unknown_fields) = sent.map_err(|err| apply_error(err, rt, manifest))?;
    Ok(Sent {
        before: live,
        answer,
        unknown_fields,
    })
}

/// The fields of an object that its type does not have, under `--validate=strict`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("strict decoding error: {}", .0.iter().map(|f| format!("unknown field {f:?}")).collect::<Vec<_>>().join(", "))]
pub struct UnknownFields(pub Vec<String>);

/// Sends the apply; when the server refuses fields the type does not have, leaves them out
/// and sends it again (`--validate=warn|ignore`), or fails naming them all (`strict`: the
/// server names one per object at a time, so the next ones are found with server dry runs,
/// which write nothing). Returns the answer and the fields left out.
async fn send_known_fields(
    client: &ApiClient,
    path: &str,
    mut configuration: Value,
    settings: &Settings,
    force: bool,
) -> Result<(Value, Vec<String>)> {
    let mut left_out = Vec::new();
    let mut settings = settings.clone();
    for _ in 0..UNKNOWN_FIELD_ROUNDS {
        let err = match send_apply(client, path, &configuration, &settings, force).await {
            Ok(_) if settings.validation == Validation::Strict && !left_out.is_empty() => {
                return Err(UnknownFields(left_out).into());
            }
            Ok(answer) => return Ok((answer, left_out)),
            Err(err) => err,
        };
        let paths = error::server_error(&err)
            .map(|server| unknown_fields::undeclared_paths(&server.status.message))
            .unwrap_or_default();
        let mut trimmed = configuration.clone();
        let removed: Vec<String> = paths
            .iter()
            .filter_map(|path| unknown_fields::remove(&mut trimmed, path))
            .collect();
        if removed.is_empty() && left_out.is_empty() {
            return Err(err);
        }
        if removed.is_empty() {
            // Strict, and the dry run without the unknown fields failed for another reason:
            // the unknown fields are what to fix first.
            return Err(UnknownFields(left_out).into());
        }
        if settings.validation == Validation::Strict {
            settings.dry_run = DryRun::Server;
        }
        configuration = trimmed;
        left_out.extend(removed);
    }
    anyhow::bail!("the server kept refusing fields of the object as unknown")
}

/// The live object, or `None` when there is none.
async fn read(client: &ApiClient, path: &str) -> Result<Option<Value>> {
    match client.get(path, JSON_ACCEPT).await {
        Ok(response) => response.json().map(Some),
        Err(err) if error::reason(&err) == Some(Reason::NotFound) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Moves kubectl's client-side managers' fields to kz's manager (see `migrate`), reading the
/// object again when it changed in between; returns the object as migrated.
async fn take_over(
    client: &ApiClient,
    path: &str,
    mut live: Value,
    manager: &str,
) -> Result<Value> {
    let mut attempt = 1;
    loop {
        let Some(patch) = migrate::upgrade_patch(&live, manager) else {
            return Ok(live);
        };
        let query = Query::new().pair("fieldManager", Some(manager));
        let request = Request::patch(format!("{path}{query}"))
            .header(ACCEPT, JSON_ACCEPT)
            .header(CONTENT_TYPE, "application/json-patch+json")
            .body(serde_json::to_vec(&patch).context("encoding the migration patch")?)
            .with_context(|| format!("building the request for {path}"))?;
        match client.send(request).await {
            Ok(response) => return response.json(),
            Err(err)
                if error::reason(&err) == Some(Reason::Conflict)
                    && attempt < MIGRATION_ATTEMPTS =>
            {
                attempt += 1;
                match read(client, path).await? {
                    Some(current) => live = current,
                    None => return Err(err),
                }
            }
            Err(err) => return Err(err),
        }
    }
}

/// The server-side apply PATCH.
async fn send_apply(
    client: &ApiClient,
    path: &str,
    configuration: &Value,
    settings: &Settings,
    force: bool,
) -> Result<Value> {
    let query = Query::new()
        .pair(
            "dryRun",
            (settings.dry_run == DryRun::Server).then_some("All"),
        )
        .pair("fieldManager", Some(&settings.field_manager))
        .pair("fieldValidation", Some(settings.validation.query_value()))
        .pair("force", force.then_some("true"));
    let body = serde_json::to_vec(configuration).context("encoding the configuration")?;
    let request = Request::patch(format!("{path}{query}"))
        .header(ACCEPT, JSON_ACCEPT)
        .header(CONTENT_TYPE, "application/apply-patch+yaml")
        .body(body)
        .with_context(|| format!("building the request for {path}"))?;
    client.send(request).await?.json()
}

/// Whether `err` is an apply conflict on the last-applied annotation alone.
fn only_the_annotation_conflicts(err: &anyhow::Error) -> bool {
    let field = format!(".metadata.annotations.{}", last_applied::ANNOTATION);
    error::server_error(err)
        .and_then(|server| ApplyConflict::of(&server.status, String::new(), ""))
        .is_some_and(|conflict| conflict.fields.iter().all(|(path, _)| *path == field))
}

/// A conflict becomes kz's explanation of it; other errors name the manifest's source.
fn apply_error(err: anyhow::Error, rt: &ResourceType, manifest: &Manifest) -> anyhow::Error {
    let object = format!("{}/{}", kind_label(rt), manifest.name);
    if let Some(server) = error::server_error(&err)
        && let Some(conflict) = ApplyConflict::of(&server.status, object, &manifest.origin.source)
    {
        return conflict.into();
    }
    error::with_source(err, "applying", &manifest.origin.source)
}

/// Whether the apply left the object as it was: everything the same but who manages what,
/// its resourceVersion and its status (which controllers may change at any moment, and a
/// server dry run never moves the resourceVersion).
fn unchanged(before: &Value, after: &Value) -> bool {
    let strip = |object: &Value| {
        let mut object = object.clone();
        if let Some(fields) = object.as_object_mut() {
            fields.remove("status");
        }
        if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            metadata.remove("managedFields");
            metadata.remove("resourceVersion");
        }
        object
    };
    strip(before) == strip(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validate_takes_kubectls_values() {
        assert_eq!(Validation::parse("strict").ok(), Some(Validation::Strict));
        assert_eq!(Validation::parse("true").ok(), Some(Validation::Strict));
        assert_eq!(Validation::parse("Warn").ok(), Some(Validation::Warn));
        assert_eq!(Validation::parse("false").ok(), Some(Validation::Ignore));
        assert_eq!(
            Validation::parse("maybe").unwrap_err().to_string(),
            "invalid - validate option \"maybe\"; must be one of: strict (or true), warn, ignore (or false)"
        );
    }

    #[test]
    fn unchanged_ignores_owners_versions_and_status() {
        let before = json!({"metadata": {"resourceVersion": "5", "managedFields": [1]},
            "data": {"a": "1"}, "status": {"ready": 1}});
        let others = json!({"metadata": {"resourceVersion": "6", "managedFields": [2]},
            "data": {"a": "1"}, "status": {"ready": 2}});
        let changed = json!({"metadata": {"resourceVersion": "5"}, "data": {"a": "2"}});
        assert!(unchanged(&before, &others));
        assert!(!unchanged(&before, &changed));
    }
}
