//! Objects and helpers the go-template tests share.

use serde_json::{Value, json};

use super::{GoTemplate, GoTemplateError};

pub(super) fn deployment() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/http/088-get-deployment.json"
    ))
    .expect("fixture")
}

pub(super) fn pods() -> Value {
    serde_json::from_str(include_str!(
        "../../../tests/fixtures/http/029-list-pods.json"
    ))
    .expect("fixture")
}

/// The object the behaviour below was checked on with kubectl v1.32
/// (`kubectl annotate --local -f obj.json foo=bar -o go-template=…`).
pub(super) fn thing() -> Value {
    json!({
        "kind": "Thing",
        "metadata": {"name": "x", "annotations": {"foo": "bar", "kubernetes.io/change-cause": "a<b&c>"}},
        "things": [
            {"a": 1, "b": "two", "c": [1, 2, 3]},
            {"a": 2.5, "b": null, "m": {"z": 1, "a": [true]}}
        ],
        "n": 1000000,
        "f": 1.5,
        "big": 1e21
    })
}

pub(super) fn run(template: &str, data: &Value) -> Result<String, GoTemplateError> {
    let template = GoTemplate::parse(template)?;
    let mut out = Vec::new();
    template.execute(data, &mut out)?;
    Ok(String::from_utf8(out).expect("utf-8"))
}

pub(super) fn ok(template: &str, data: &Value) -> String {
    run(template, data).unwrap_or_else(|err| panic!("{template}: {err}"))
}

pub(super) fn err(template: &str, data: &Value) -> String {
    match run(template, data) {
        Ok(out) => panic!("{template}: expected an error, got {out:?}"),
        Err(err) => err.to_string(),
    }
}
