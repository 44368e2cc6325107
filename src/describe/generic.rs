//! kubectl's generic describer: name, namespace, labels, annotations, then every other field
//! of the object in key order with "smart" labels (`apiVersion` → `API Version`), then its
//! events. It serves custom resources and every kind without a describer of its own.

use anyhow::Result;
use serde_json::{Map, Value};

use super::events::describe_events;
use super::fields::{annotations, go_value, labels, text};
use super::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

/// The fields printed above the rest (or never).
const SKIPPED: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

pub struct Generic;

impl Describer for Generic {
    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        if let Some(fields) = object.as_object() {
            unstructured(w, 0, fields, "");
        }
        // The generic describer shows events only when they could be read.
        if let Some(Ok(events)) = &fetched.events {
            describe_events(events, settings.now, w);
        }
        Ok(())
    }
}

/// kubectl's `printUnstructuredContent`.
fn unstructured(w: &mut PrefixWriter, level: usize, fields: &Map<String, Value>, prefix: &str) {
    let mut keys: Vec<&String> = fields.keys().collect();
    keys.sort();
    for key in keys {
        let path = format!("{prefix}.{key}");
        if SKIPPED.contains(&path.as_str()) {
            continue;
        }
        let label = smart_label(key);
        match &fields[key.as_str()] {
            Value::Object(map) => {
                put!(w, level, "{label}:\n");
                unstructured(w, level + 1, map, &path);
            }
            Value::Array(items) => {
                put!(w, level, "{label}:\n");
                for item in items {
                    match item {
                        Value::Object(map) => unstructured(w, level + 1, map, &path),
                        other => put!(w, level + 1, "{}\n", go_value(other)),
                    }
                }
            }
            other => put!(w, level, "{label}:\t{}\n", go_value(other)),
        }
    }
}

/// `apiVersion` → `API Version`, `podIP` → `Pod IP`, `replicas` → `Replicas`; a field with
/// characters other than letters and `-` is left as it is (kubectl's `smartLabelFor`).
pub fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: &[&str] = &["API", "URL", "UID", "OSB", "GUID"];
    camel_case_words(field)
        .into_iter()
        .filter(|part| part != "_")
        .map(|part| {
            let upper = part.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                title(&part)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Go's `strings.Title`: the first letter of each word upper-cased.
fn title(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut at_start = true;
    for c in word.chars() {
        if at_start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric() && c != '\'';
    }
    out
}

/// fatih/camelcase's `Split`: runs of lower-case, upper-case, digits and other characters;
/// an upper-case run followed by lower-case gives its last letter to the next word
/// (`HTTPServer` → `HTTP`, `Server`).
fn camel_case_words(text: &str) -> Vec<String> {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Lower,
        Upper,
        Digit,
        Other,
    }
    let class = |c: char| {
        if c.is_lowercase() {
            Class::Lower
        } else if c.is_uppercase() {
            Class::Upper
        } else if c.is_numeric() {
            Class::Digit
        } else {
            Class::Other
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last: Option<Class> = None;
    for c in text.chars() {
        let current = class(c);
        match runs.last_mut() {
            Some(run) if last == Some(current) => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = Some(current);
    }
    // An upper-case run followed by a lower-case one: its last letter starts the next word.
    for i in 0..runs.len().saturating_sub(1) {
        let upper_then_lower = runs[i].first().is_some_and(|c| c.is_uppercase())
            && runs[i + 1].first().is_some_and(|c| c.is_lowercase());
        if upper_then_lower && let Some(moved) = runs[i].pop() {
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter()
        .filter(|run| !run.is_empty())
        .map(|run| run.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn smart_labels_like_kubectl() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("podIP"), "Pod IP");
        assert_eq!(smart_label("HTTPServer"), "HTTP Server");
        assert_eq!(smart_label("node-role"), "Node - Role");
        assert_eq!(smart_label("x.y"), "x.y");
        assert_eq!(smart_label("v1"), "v1");
    }

    #[test]
    fn a_custom_resource_matches_kubectls_generic_layout() {
        let gizmo = json!({
            "apiVersion": "example.org/v1",
            "kind": "Gizmo",
            "metadata": {
                "name": "sprocket", "namespace": "shop",
                "creationTimestamp": "2026-11-22T03:51:18Z", "generation": 1,
                "resourceVersion": "870", "uid": "4928679d-fb3f-48c3-9a48-68fc9dd232eb",
                "managedFields": [{"manager": "kubectl"}],
            },
            "spec": {"flavor": "vanilla", "replicas": 2},
        });
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Ok(Vec::new())),
        };
        let settings = Settings {
            show_events: true,
            now: jiff::Timestamp::now(),
        };
        let text = super::super::render(&Generic, &gizmo, &fetched, &settings).expect("text");
        let recorded = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/kubectl/describe-gizmo-generic.txt"
        ))
        .expect("fixture");
        let stdout = recorded
            .split_once("# --- stdout\n")
            .and_then(|(_, rest)| rest.split_once("# --- stderr"))
            .expect("stdout")
            .0;
        assert_eq!(text, stdout);
    }
}
