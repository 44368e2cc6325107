//! The unknown-field walks: over a JSON text as the strict JSON decoder reads it (document
//! order, duplicates), over an applied configuration as structured-merge-diff types it, and
//! the pruning every write does.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::gofmt::quote;
use super::shape::Shape;

/// The strict decoder stops recording after this many problems, as sigs.k8s.io/json does.
const MAX_PROBLEMS: usize = 100;

/// One strict decoding error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Problem {
    Unknown(String),
    Duplicate(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Unknown(path) => write!(f, "unknown field {}", quote(path)),
            Problem::Duplicate(path) => write!(f, "duplicate field {}", quote(path)),
        }
    }
}

/// The problems of one decode, in the order met, each once.
#[derive(Debug, Default)]
struct Found {
    problems: Vec<Problem>,
    seen: HashSet<Problem>,
}

impl Found {
    fn push(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS && self.seen.insert(problem.clone()) {
            self.problems.push(problem);
        }
    }
}

/// The unknown and duplicate fields of a JSON text, with the decoder's paths
/// (`spec.template.spec.containers[0].foo`), in document order; `None` if it is not JSON.
pub fn scan(text: &str, shape: &Shape) -> Option<Vec<Problem>> {
    let mut found = Found::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Scan {
        shape: shape.clone(),
        path: String::new(),
        found: &mut found,
    };
    seed.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(found.problems)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

struct Scan<'f, 'a> {
    shape: Shape<'a>,
    path: String,
    found: &'f mut Found,
}

impl<'de> DeserializeSeed<'de> for Scan<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let items = self.shape.items();
        let mut index = 0;
        loop {
            let seed = Scan {
                shape: items.clone(),
                path: format!("{}[{index}]", self.path),
                found: &mut *self.found,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            let Some(shape) = self.shape.field(&key) else {
                self.found.push(Problem::Unknown(path));
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            if !keys.insert(key) {
                self.found.push(Problem::Duplicate(path.clone()));
            }
            map.next_value_seed(Scan {
                shape,
                path,
                found: &mut *self.found,
            })?;
        }
        Ok(())
    }
}

/// Drops the fields the schema does not know, as decoding does.
pub fn prune(value: &mut Value, shape: &Shape) {
    match value {
        Value::Object(fields) => fields.retain(|key, child| match shape.field(key) {
            Some(child_shape) => {
                prune(child, &child_shape);
                true
            }
            None => false,
        }),
        Value::Array(items) => {
            let item_shape = shape.items();
            for item in items {
                prune(item, &item_shape);
            }
        }
        _ => {}
    }
}

/// The unknown fields of an applied configuration as structured-merge-diff names them
/// (`.spec.template.spec.containers[name="web"].foo`). Like its validator, the walk stops
/// reading an object at its first undeclared field; the validator visits keys in Go's random
/// map order, this walk in key order.
pub fn undeclared(value: &Value, shape: &Shape) -> Vec<String> {
    let mut paths = Vec::new();
    walk_undeclared(value, shape, "", &mut paths);
    paths
}

fn walk_undeclared(value: &Value, shape: &Shape, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                let child_path = format!("{path}.{key}");
                let Some(child_shape) = shape.field(key) else {
                    out.push(child_path);
                    return;
                };
                walk_undeclared(child, &child_shape, &child_path, out);
            }
        }
        Value::Array(items) => {
            let item_shape = shape.items();
            let keys = shape.list_map_keys();
            for (index, item) in items.iter().enumerate() {
                let element = list_element(item, &keys).unwrap_or_else(|| format!("[{index}]"));
                walk_undeclared(item, &item_shape, &format!("{path}{element}"), out);
            }
        }
        _ => {}
    }
}

/// `[name="web"]` or `[containerPort=80,protocol="TCP"]`: an associative list's item by its keys.
fn list_element(item: &Value, keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        return None;
    }
    let mut keys: Vec<&String> = keys.iter().collect();
    keys.sort();
    let parts: Option<Vec<String>> = keys
        .iter()
        .map(|key| Some(format!("{key}={}", item.get(key.as_str())?)))
        .collect();
    Some(format!("[{}]", parts?.join(",")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn deployment() -> Shape<'static> {
        Shape::builtin("apps/v1", "Deployment")
    }

    fn problems(text: &str, shape: &Shape) -> Vec<String> {
        scan(text, shape)
            .expect("JSON")
            .iter()
            .map(Problem::to_string)
            .collect()
    }

    #[test]
    fn finds_unknown_fields_in_document_order_with_the_decoders_paths() {
        let body = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"any":"key"},"bogus":1},
            "spec":{"foo":1,"replicas":2,"bar":{"deep":true},
                "template":{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","imagePullPolicyx":"Always","ports":[{"containerPort":80,"nope":1}]}]}}}}"#;
        assert_eq!(
            problems(body, &deployment()),
            [
                r#"unknown field "metadata.bogus""#,
                r#"unknown field "spec.foo""#,
                r#"unknown field "spec.bar""#,
                r#"unknown field "spec.template.spec.containers[1].imagePullPolicyx""#,
                r#"unknown field "spec.template.spec.containers[1].ports[0].nope""#,
            ]
        );
    }

    #[test]
    fn finds_duplicates_of_known_fields_and_map_keys_once() {
        let body =
            r#"{"kind":"ConfigMap","kind":"ConfigMap","data":{"a":"1","a":"2"},"x":1,"x":2}"#;
        assert_eq!(
            problems(body, &Shape::builtin("v1", "ConfigMap")),
            [
                r#"duplicate field "kind""#,
                r#"duplicate field "data.a""#,
                r#"unknown field "x""#,
            ]
        );
    }

    #[test]
    fn free_form_values_take_anything() {
        let crd = r#"{"spec":{"versions":[{"name":"v1","schema":{"openAPIV3Schema":{"type":"object","default":{"anything":1},"x-whatever":1}}}]}}"#;
        let shape = Shape::builtin("apiextensions.k8s.io/v1", "CustomResourceDefinition");
        assert_eq!(
            problems(crd, &shape),
            [r#"unknown field "spec.versions[0].schema.openAPIV3Schema.x-whatever""#]
        );
        assert_eq!(
            problems(r#"{"a":{"b":[1,{"c":2}]}}"#, &Shape::Any),
            Vec::<String>::new()
        );
    }

    fn gizmo_crd() -> Value {
        json!({"spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": {
        "type": "object",
        "properties": {
            "spec": {"type": "object", "properties": {
                "size": {"type": "integer"},
                "parts": {"type": "array", "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": true,
                    "properties": {"known": {"type": "object", "properties": {}}}},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                    "properties": {}},
                "empty": {"type": "object"}
            }},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
        }}}}]}})
    }

    #[test]
    fn custom_resources_follow_their_structural_schema() {
        let crd = gizmo_crd();
        let shape = Shape::custom(&crd, "v1");
        let body = json!({"apiVersion": "example.org/v1", "kind": "Gizmo",
            "metadata": {"name": "g", "colour": "red"},
            "spec": {"size": 1, "foo": 1,
                "parts": [{"name": "a", "weight": 2}],
                "labels": {"any": "x"},
                "config": {"free": {"form": 1}, "known": {"inner": 1}},
                "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}},
                "empty": {"dropped": 1}},
            "status": {"whatever": [1]}});
        assert_eq!(
            problems(&body.to_string(), &shape),
            [
                r#"unknown field "metadata.colour""#,
                r#"unknown field "spec.config.known.inner""#,
                r#"unknown field "spec.empty.dropped""#,
                r#"unknown field "spec.foo""#,
                r#"unknown field "spec.parts[0].weight""#,
                r#"unknown field "spec.template.spec""#,
            ]
        );
        assert_eq!(
            undeclared(&body, &shape),
            [
                ".metadata.colour",
                ".spec.config.known.inner",
                ".spec.empty.dropped",
                ".spec.foo",
            ]
        );
        assert!(problems(&body.to_string(), &Shape::custom(&crd, "v2")).is_empty());
    }

    #[test]
    fn pruning_keeps_only_what_the_schema_knows() {
        let mut object = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "x": 1},
            "spec": {"containers": [{"name": "c", "image": "i", "foo": 1}], "bar": 2},
            "status": {"phase": "Running"}});
        prune(&mut object, &Shape::builtin("v1", "Pod"));
        assert_eq!(
            object,
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "i"}]},
                "status": {"phase": "Running"}})
        );
    }

    #[test]
    fn names_applied_list_items_by_their_keys() {
        let applied = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "web", "ports": [{"containerPort": 80, "protocol": "TCP", "bar": 1}], "zzz": 1, "zzzz": 2}
        ]}}, "selector": {"matchLabels": {"a": "b"}, "matchExpressions": [{"key": "k", "x": 1}]}}});
        assert_eq!(
            undeclared(&applied, &deployment()),
            [
                ".spec.selector.matchExpressions[0].x",
                ".spec.template.spec.containers[name=\"web\"].ports[containerPort=80,protocol=\"TCP\"].bar",
                ".spec.template.spec.containers[name=\"web\"].zzz",
            ],
            "the walk stops at an object's first undeclared field"
        );
    }

    #[test]
    fn json_patch_operations_have_four_fields() {
        let patch = r#"[{"op":"add","path":"/a","value":{"free":1}},{"op":"remove","path":"/b","frm":"x"}]"#;
        assert_eq!(
            problems(patch, &Shape::JsonPatch),
            [r#"unknown field "[1].frm""#]
        );
        assert!(scan("{not json", &Shape::Any).is_none());
    }
}
