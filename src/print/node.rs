//! A JSON value read straight out of its text: keys and strings without escapes are slices
//! of that text, and each object's fields are one vector in the order they came — no map, no
//! `String` per key or per name.
//!
//! `-o json` and `-o yaml` print every item of a list through one of these. Building a
//! [`serde_json::Value`] for a pod allocates a string per key and per value and a B-tree per
//! object only to walk it once and drop it; a `Node` costs a vector per object and array. The
//! printers put each object's fields in their order (Go's byte order for JSON, go-yaml's for
//! YAML) as they reach it, keeping the last of repeated keys as Go's decoder into a map does.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

/// A JSON value borrowing what it can from the text it was read from (or from a `Value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(Fields<'a>),
}

/// An object's fields, in the order they were read until a printer sorts them.
pub type Fields<'a> = Vec<(Cow<'a, str>, Node<'a>)>;

impl<'a> Node<'a> {
    /// Reads one JSON value from `text`, borrowing from it.
    pub fn parse(text: &'a str) -> serde_json::Result<Node<'a>> {
        serde_json::from_str(text)
    }

    /// The value of `key` if this is an object that has it (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// As [`Node::get`], to change the value.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node<'a>> {
        match self {
            Node::Object(fields) => fields
                .iter_mut()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }

    /// The string at `keys` (`["metadata", "name"]`), if there is one.
    pub fn str_at(&self, keys: &[&str]) -> Option<&str> {
        keys.iter()
            .try_fold(self, |node, key| node.get(key))
            .and_then(Node::as_str)
    }

    /// Removes every field `key` of this object.
    pub fn remove(&mut self, key: &str) {
        if let Node::Object(fields) = self {
            fields.retain(|(k, _)| k != key);
        }
    }

    /// Sets field `key` of this object, replacing what it had.
    pub fn set(&mut self, key: &'a str, value: Node<'a>) {
        if let Node::Object(fields) = self {
            fields.retain(|(k, _)| k != key);
            fields.push((Cow::Borrowed(key), value));
        }
    }
}

/// Puts `fields` in `order`, keeping only the last of repeated keys (as decoding into a map
/// does). Fields already in order (a `Value`'s, say) are checked, not moved.
pub fn sort_fields(fields: &mut Fields<'_>, order: fn(&str, &str) -> Ordering) {
    let in_order = fields
        .windows(2)
        .all(|pair| order(&pair[0].0, &pair[1].0) == Ordering::Less);
    if in_order {
        return;
    }
    // Stable: repeated keys stay in the order they came, the last one last.
    fields.sort_by(|a, b| order(&a.0, &b.0));
    if fields.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        let mut kept: Fields<'_> = Vec::with_capacity(fields.len());
        for field in fields.drain(..) {
            if kept.last().is_some_and(|(key, _)| *key == field.0) {
                kept.pop();
            }
            kept.push(field);
        }
        *fields = kept;
    }
}

impl<'a> From<&'a Value> for Node<'a> {
    fn from(value: &'a Value) -> Node<'a> {
        match value {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Number(n.clone()),
            Value::String(s) => Node::String(Cow::Borrowed(s)),
            Value::Array(items) => Node::Array(items.iter().map(Node::from).collect()),
            Value::Object(map) => Node::Object(
                map.iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_str()), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<Node<'_>> for Value {
    fn from(node: Node<'_>) -> Value {
        match node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(b),
            Node::Number(n) => Value::Number(n),
            Node::String(s) => Value::String(s.into_owned()),
            Node::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
            Node::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(k, v)| (k.into_owned(), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Node<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node<'de>, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(i.into()))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(u.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Node<'de>, E> {
        // As serde_json's own Value: a float JSON cannot hold is null.
        Ok(Number::from_f64(f).map_or(Node::Null, Node::Number))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Borrowed(s)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s.to_owned())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(s)))
    }

    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node<'de>, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key_seed(Key)? {
            fields.push((key, map.next_value()?));
        }
        Ok(Node::Object(fields))
    }
}

/// An object's key, borrowed when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a `Value` holds of `node`, for comparing the two readings of one text.
    fn to_value(node: &Node) -> Value {
        Value::from(node.clone())
    }

    #[test]
    fn recorded_responses_read_as_the_same_values() {
        let responses = crate::print::recorded_json_responses();
        for (path, text, value) in &responses {
            let node = Node::parse(text).expect("a Node reads what a Value reads");
            assert_eq!(to_value(&node), *value, "{}", path.display());
            assert_eq!(Node::from(value), {
                let mut sorted = node.clone();
                sort_all(&mut sorted);
                sorted
            });
        }
        assert!(
            responses.len() > 10,
            "only {} recorded responses read",
            responses.len()
        );
    }

    fn sort_all(node: &mut Node) {
        match node {
            Node::Array(items) => items.iter_mut().for_each(sort_all),
            Node::Object(fields) => {
                sort_fields(fields, str::cmp);
                fields.iter_mut().for_each(|(_, v)| sort_all(v));
            }
            _ => {}
        }
    }

    #[test]
    fn plain_text_is_borrowed_and_escaped_text_copied() {
        let text = r#"{"plain": "web", "esc\u0061ped": "a\nb", "n": [1, -2, 2.5, null, true]}"#;
        let node = Node::parse(text).expect("json");
        let Node::Object(fields) = &node else {
            panic!("not an object: {node:?}");
        };
        assert!(matches!(fields[0].0, Cow::Borrowed("plain")));
        assert!(matches!(fields[0].1, Node::String(Cow::Borrowed("web"))));
        assert!(matches!(&fields[1].0, Cow::Owned(k) if k == "escaped"));
        assert!(matches!(&fields[1].1, Node::String(Cow::Owned(v)) if v == "a\nb"));
        assert_eq!(to_value(&fields[2].1), json!([1, -2, 2.5, null, true]));
    }

    #[test]
    fn sorting_keeps_the_last_of_repeated_keys_as_a_map_does() {
        let text = r#"{"b": 1, "a": 2, "b": 3, "c": {"z": 1, "y": 2}}"#;
        let Node::Object(mut fields) = Node::parse(text).expect("json") else {
            panic!("not an object");
        };
        sort_fields(&mut fields, str::cmp);
        let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_ref()).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(fields[1].1, Node::Number(3.into()));
        // Only the object given is sorted; nested ones when the printer reaches them.
        assert_eq!(
            fields[2].1,
            Node::parse(r#"{"z": 1, "y": 2}"#).expect("json")
        );
        let value: Value = serde_json::from_str(text).expect("json");
        assert_eq!(value["b"], 3);
    }

    #[test]
    fn fields_are_read_changed_and_removed_by_key() {
        let mut node =
            Node::parse(r#"{"metadata": {"name": "web", "managedFields": []}}"#).expect("json");
        assert_eq!(node.str_at(&["metadata", "name"]), Some("web"));
        assert_eq!(node.str_at(&["metadata", "namespace"]), None);
        node.set("kind", Node::String(Cow::Borrowed("Pod")));
        node.set("kind", Node::String(Cow::Borrowed("Service")));
        assert_eq!(node.str_at(&["kind"]), Some("Service"));
        if let Some(meta) = node.get_mut("metadata") {
            meta.remove("managedFields");
        }
        assert_eq!(
            to_value(&node),
            json!({"metadata": {"name": "web"}, "kind": "Service"})
        );
    }
}
