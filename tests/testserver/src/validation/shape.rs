//! Where a value sits in its type's schema, as far as the unknown-field walk needs to know:
//! which keys an object may have and what its lists hold.
//!
//! Built-in kinds use the embedded OpenAPI v3 documents ([`schema::Node`], parsed once and
//! resolved lazily, so a step costs a map lookup, never a pass over a document); custom
//! resources use the structural schema stored in their CRD.

use serde_json::Value;

use crate::patch::schema::{self, ListType, Node};

/// A position in a schema.
#[derive(Clone)]
pub enum Shape<'a> {
    /// Anything goes here and below (`x-kubernetes-preserve-unknown-fields`, free-form objects,
    /// types without a schema).
    Any,
    /// A built-in kind's schema.
    Builtin(Node),
    /// A CRD's structural schema; `resource` for the root and embedded resources, which may
    /// always have `apiVersion`, `kind` and `metadata`.
    Custom { schema: &'a Value, resource: bool },
    /// An object with exactly these fields, each of any value (a JSON patch operation).
    Fields(&'static [&'static str]),
    /// A JSON patch: a list of operations.
    JsonPatch,
}

impl<'a> Shape<'a> {
    /// The shape of a built-in kind, or `Any` when the documents do not describe it.
    pub fn builtin(api_version: &str, kind: &str) -> Shape<'static> {
        schema::for_kind(api_version, kind).map_or(Shape::Any, Shape::Builtin)
    }

    /// The shape of a custom resource at `version`, from its stored CRD.
    pub fn custom(crd: &'a Value, version: &str) -> Shape<'a> {
        if crd["spec"]["preserveUnknownFields"] == true {
            return Shape::Any;
        }
        let schema = crd["spec"]["versions"]
            .as_array()
            .and_then(|versions| versions.iter().find(|v| v["name"] == version))
            .and_then(|v| v["schema"].get("openAPIV3Schema"));
        match schema {
            Some(schema) => Shape::Custom {
                schema,
                resource: true,
            },
            None => Shape::Any,
        }
    }

    /// The shape of field `key` of an object here, or `None` when the schema has no such field.
    pub fn field(&self, key: &str) -> Option<Shape<'a>> {
        match self {
            Shape::Any | Shape::JsonPatch => Some(Shape::Any),
            Shape::Fields(names) => names.contains(&key).then_some(Shape::Any),
            Shape::Builtin(node) => {
                if node.has_property(key) {
                    return Some(node.field(key).map_or(Shape::Any, Shape::Builtin));
                }
                if let Some(values) = node.map_values() {
                    return Some(Shape::Builtin(values));
                }
                // Structs reject other keys; free-form objects (RawExtension, JSON) take any.
                (!node.is_struct()).then_some(Shape::Any)
            }
            Shape::Custom { schema, resource } => custom_field(schema, *resource, key),
        }
    }

    /// The shape of a list's items here.
    pub fn items(&self) -> Shape<'a> {
        match self {
            Shape::Builtin(node) => node.items().map_or(Shape::Any, Shape::Builtin),
            Shape::Custom { schema, .. } => match schema.get("items") {
                Some(items) if items.is_object() => Shape::Custom {
                    schema: items,
                    resource: is_embedded(items),
                },
                _ => Shape::Any,
            },
            Shape::JsonPatch => Shape::Fields(&["op", "path", "from", "value"]),
            Shape::Any | Shape::Fields(_) => Shape::Any,
        }
    }

    /// The key fields of a list here that identifies its items by them (`listType: map`).
    pub fn list_map_keys(&self) -> Vec<String> {
        match self {
            Shape::Builtin(node) => match node.list_type() {
                ListType::Map(keys) => keys,
                ListType::Set | ListType::Atomic => Vec::new(),
            },
            Shape::Custom { schema, .. } if schema["x-kubernetes-list-type"] == "map" => {
                schema["x-kubernetes-list-map-keys"]
                    .as_array()
                    .map(|keys| {
                        keys.iter()
                            .filter_map(Value::as_str)
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

fn is_embedded(schema: &Value) -> bool {
    schema["x-kubernetes-embedded-resource"] == true
}

/// Structural pruning's rules: declared properties, then `additionalProperties`, then
/// `x-kubernetes-preserve-unknown-fields`; an object with none of them keeps no field.
fn custom_field<'a>(schema: &'a Value, resource: bool, key: &str) -> Option<Shape<'a>> {
    if let Some(property) = schema["properties"].get(key) {
        return Some(Shape::Custom {
            schema: property,
            resource: is_embedded(property),
        });
    }
    if resource {
        match key {
            "apiVersion" | "kind" => return Some(Shape::Any),
            "metadata" => return Some(object_meta()),
            _ => {}
        }
    }
    match schema.get("additionalProperties") {
        Some(values) if values.is_object() => {
            return Some(Shape::Custom {
                schema: values,
                resource: is_embedded(values),
            });
        }
        Some(Value::Bool(true)) => return Some(Shape::Any),
        _ => {}
    }
    (schema["x-kubernetes-preserve-unknown-fields"] == true).then_some(Shape::Any)
}

/// ObjectMeta, which every resource's `metadata` is checked against.
fn object_meta() -> Shape<'static> {
    schema::for_kind("v1", "Namespace")
        .and_then(|ns| ns.field("metadata"))
        .map_or(Shape::Any, Shape::Builtin)
}
