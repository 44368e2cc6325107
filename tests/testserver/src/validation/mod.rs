//! Server-side field validation (`fieldValidation=Strict|Warn|Ignore`) of creates, updates,
//! patches and server-side applies, as kube-apiserver v1.33 does it.
//!
//! Bodies are checked against the type's schema (built-in kinds: the OpenAPI v3 documents;
//! custom resources: the CRD's structural schema) for unknown and duplicate fields:
//! - `Strict`: the write fails, worded as the real decoder words it (400 for create and update,
//!   422 `patch: Invalid value` for merge, JSON and strategic merge patches);
//! - `Warn` (also when the parameter is absent, for every verb): one `Warning` header per
//!   problem (see [`crate::warning`]);
//! - `Ignore`: nothing said.
//!
//! Unknown fields are dropped from what is stored in every mode. Server-side apply is
//! different: structured-merge-diff refuses an applied configuration with undeclared fields
//! in every mode, with a reason-less 500.
//!
//! Known differences from kube-apiserver: duplicate keys are found in JSON bodies only (YAML
//! ones are refused by the YAML parser in every mode, where the real server keeps the last
//! value and answers `error strict decoding YAML` under `Strict`); YAML bodies' unknown fields
//! are listed in key order, not document order; server-side apply names the first undeclared
//! field of each object in key order, where the real validator's map order is random; the
//! patched object quoted in a strict patch error is the test server's stored object, which
//! differs in details (defaults, status) from the real one; the 4 KiB cap on warning headers
//! is not modelled.

mod shape;
mod walk;

use serde_json::{Value, json};

use shape::Shape;
use walk::{Problem, prune, scan, undeclared};

use crate::gofmt;
use crate::registry::{ResourceType, split_group_version};
use crate::router::Target;
use crate::server::{ApiRequest, Shared};
use crate::status::ApiError;
use crate::store::ObjectKey;

/// What the client asked for in `fieldValidation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    Ignore,
    Warn,
    Strict,
}

impl Directive {
    /// The request's directive; `Warn` when absent. `options` names the options kind the real
    /// server validates the parameter as (`CreateOptions`, `UpdateOptions`, `PatchOptions`).
    pub fn of(req: &ApiRequest, options: &str) -> Result<Directive, ApiError> {
        match req.param("fieldValidation").unwrap_or_default() {
            "" | "Warn" => Ok(Directive::Warn),
            "Ignore" => Ok(Directive::Ignore),
            "Strict" => Ok(Directive::Strict),
            other => Err(unsupported_directive(options, other)),
        }
    }
}

/// The 422 for a `fieldValidation` value that is none of the three.
fn unsupported_directive(options: &str, value: &str) -> ApiError {
    let message = format!(
        "Unsupported value: {}: supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"",
        gofmt::quote(value)
    );
    ApiError::new(
        422,
        "Invalid",
        format!("{options}.meta.k8s.io \"\" is invalid: fieldValidation: {message}"),
    )
    .with_details(json!({
        "group": "meta.k8s.io",
        "kind": options,
        "causes": [{"reason": "FieldValueNotSupported", "message": message, "field": "fieldValidation"}],
    }))
}

/// The schema a write to `target` is checked against: the kind's, or `Scale`'s for the
/// scale subresource.
fn shape_of<'a>(rt: &ResourceType, target: &Target, crd: Option<&'a Value>) -> Shape<'a> {
    if is_scale(target) {
        return Shape::builtin("autoscaling/v1", "Scale");
    }
    match crd {
        Some(crd) => Shape::custom(crd, &rt.version),
        None => Shape::builtin(&rt.api_version(), &rt.kind),
    }
}

/// The stored CRD that serves a custom resource type.
fn crd_of(shared: &Shared, rt: &ResourceType) -> Option<std::sync::Arc<Value>> {
    rt.custom.as_ref()?;
    let name = format!("{}.{}", rt.resource, rt.group);
    shared.store.get(&ObjectKey::new(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "",
        &name,
    ))
}

/// The problems of a body, in the order the real decoder reports them: JSON bodies in document
/// order; custom resources' unknown fields sorted, those of `metadata` first, after duplicates.
fn problems(text: &str, object: &Value, shape: &Shape, custom: bool) -> Vec<Problem> {
    let mut found = scan(text, shape)
        .or_else(|| scan(&object.to_string(), shape))
        .unwrap_or_default();
    if custom {
        found.sort_by_key(|problem| match problem {
            Problem::Duplicate(_) => (0, String::new()),
            Problem::Unknown(path) if path.starts_with("metadata.") => (1, path.clone()),
            Problem::Unknown(path) => (2, path.clone()),
        });
    }
    found
}

fn strict_decoding_error(problems: &[Problem]) -> String {
    let list: Vec<String> = problems.iter().map(Problem::to_string).collect();
    format!("strict decoding error: {}", list.join(", "))
}

/// Checks the body of a create (POST) or update (PUT) and returns it without unknown fields.
pub fn decoded(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
    mut object: Value,
) -> Result<Value, ApiError> {
    let options = if req.method == "PUT" {
        "UpdateOptions"
    } else {
        "CreateOptions"
    };
    let directive = Directive::of(req, options)?;
    let crd = crd_of(shared, rt);
    let shape = shape_of(rt, target, crd.as_deref());
    if directive != Directive::Ignore {
        let text = std::str::from_utf8(&req.body).unwrap_or_default();
        let found = problems(text, &object, &shape, crd.is_some());
        if !found.is_empty() && directive == Directive::Strict {
            let (kind, version) = body_kind(rt, target, &object);
            return Err(ApiError::bad_request(format!(
                "{kind} in version {} cannot be handled as a {}: {}",
                gofmt::quote(&version),
                type_kind(rt, target),
                strict_decoding_error(&found)
            )));
        }
        for problem in &found {
            req.warnings.add(problem.to_string());
        }
    }
    prune(&mut object, &shape);
    Ok(object)
}

/// The kind the decoder read from the body (or the URL's, when the body names none).
fn body_kind(rt: &ResourceType, target: &Target, object: &Value) -> (String, String) {
    let kind = object["kind"]
        .as_str()
        .filter(|k| !k.is_empty())
        .unwrap_or(type_kind(rt, target))
        .to_string();
    let default_version = if is_scale(target) { "v1" } else { &rt.version };
    let version = object["apiVersion"]
        .as_str()
        .filter(|v| !v.is_empty())
        .map_or(default_version, |v| split_group_version(v).1)
        .to_string();
    (kind, version)
}

fn is_scale(target: &Target) -> bool {
    target.subresource.as_deref() == Some("scale")
}

/// The kind the handler decodes into.
fn type_kind<'a>(rt: &'a ResourceType, target: &Target) -> &'a str {
    if is_scale(target) { "Scale" } else { &rt.kind }
}

/// Checks a merge, JSON or strategic merge patch (`patch` is its text) and the object it
/// produced, and returns that object without unknown fields.
pub fn patched(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
    patch: &str,
    mut object: Value,
) -> Result<Value, ApiError> {
    let directive = Directive::of(req, "PatchOptions")?;
    let crd = crd_of(shared, rt);
    let shape = shape_of(rt, target, crd.as_deref());
    if directive != Directive::Ignore {
        let json_patch = req.content_type.starts_with("application/json-patch+json");
        let patch_shape = if json_patch {
            Shape::JsonPatch
        } else {
            Shape::Any
        };
        // The patch's own problems (duplicates; a JSON patch's unknown operation fields) first.
        let mut errors: Vec<String> = scan(patch, &patch_shape)
            .unwrap_or_default()
            .iter()
            .map(|problem| match json_patch {
                true => format!("json patch {problem}"),
                false => problem.to_string(),
            })
            .collect();
        let found = problems(&object.to_string(), &object, &shape, crd.is_some());
        errors.extend(found.iter().map(Problem::to_string));
        if !errors.is_empty() && directive == Directive::Strict {
            let strict = format!("strict decoding error: {}", errors.join(", "));
            let strategic = req
                .content_type
                .starts_with("application/strategic-merge-patch+json");
            let value = match serde_json::from_str::<Value>(patch) {
                Ok(patch) if strategic => gofmt::go_value(&patch),
                _ => gofmt::json(&object),
            };
            return Err(invalid_patch(&value, &strict));
        }
        for error in errors {
            req.warnings.add(error);
        }
    }
    prune(&mut object, &shape);
    Ok(object)
}

/// `"" is invalid: patch: Invalid value: "…": strict decoding error: …`, the 422 of a strict
/// patch.
fn invalid_patch(value: &str, detail: &str) -> ApiError {
    let message = format!("Invalid value: {}: {detail}", gofmt::quote(value));
    ApiError::new(
        422,
        "Invalid",
        format!(" \"\" is invalid: patch: {message}"),
    )
    .with_details(json!({
        "causes": [{"reason": "FieldValueInvalid", "message": message, "field": "patch"}],
    }))
}

/// Checks an applied configuration: undeclared fields fail the apply whatever the directive.
pub fn applied(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
    applied: &Value,
) -> Result<(), ApiError> {
    Directive::of(req, "PatchOptions")?;
    let crd = crd_of(shared, rt);
    let shape = shape_of(rt, target, crd.as_deref());
    let paths = undeclared(applied, &shape);
    if paths.is_empty() {
        return Ok(());
    }
    let errors: Vec<String> = paths
        .iter()
        .map(|path| format!("{path}: field not declared in schema"))
        .collect();
    let errors = if errors.len() == 1 {
        errors[0].clone()
    } else {
        format!("errors:\n  {}", errors.join("\n  "))
    };
    let meta = &applied["metadata"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let (group, version) = split_group_version(applied["apiVersion"].as_str().unwrap_or_default());
    Err(ApiError::new(
        500,
        "",
        format!(
            "failed to create typed patch object ({}/{}; {group}/{version}, Kind={}): {errors}",
            text(&meta["namespace"]),
            text(&meta["name"]),
            text(&applied["kind"]),
        ),
    ))
}
