//! A YAML document read as kubectl reads it: sigs.k8s.io/yaml decodes with go-yaml (YAML 1.1)
//! and turns every map key into text. A plain key resolves like any scalar first, so `y`, `on`
//! and `off` are booleans and become `"true"` and `"false"`, `0x1F` and `1_000` are numbers
//! and become `"31"` and `"1000"`, `1e3` becomes `"1000"`; a quoted key stays as written. A
//! null key is an error, as in kubectl.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::print::gofmt;

/// One document's value.
pub struct Document(pub Value);

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor).map(Document)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    /// A float with no fraction is an integer in JSON, as Go's `json.Marshal` writes a
    /// `float64` (and `-0` reads back as the integer 0): `replicas: 1.0` and `replicas: 1e1`
    /// reach the server as `1` and `10`.
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact
        if f.fract() == 0.0 && f.abs() < EXACT {
            return Ok(Value::Number((f as i64).into()));
        }
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| E::custom(format!("{f} has no JSON form")))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Document::deserialize(deserializer).map(|document| document.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(Document(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(Key(key)) = map.next_key()? {
            let Document(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A map key as sigs.k8s.io/yaml writes it in JSON.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor).map(Key)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, number or boolean as a key")
    }

    fn visit_bool<E>(self, b: bool) -> Result<String, E> {
        Ok(b.to_string())
    }

    fn visit_i64<E>(self, n: i64) -> Result<String, E> {
        Ok(n.to_string())
    }

    fn visit_u64<E>(self, n: u64) -> Result<String, E> {
        Ok(n.to_string())
    }

    fn visit_f64<E>(self, f: f64) -> Result<String, E> {
        Ok(gofmt::format_float32(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<String, E> {
        Ok(s.to_owned())
    }

    fn visit_string<E>(self, s: String) -> Result<String, E> {
        Ok(s)
    }

    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Err(E::custom("a null key (kubectl reads no such map)"))
    }

    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        self.visit_unit()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// kubectl v1.32's `create --dry-run=client -o jsonpath='{.data}'` of a ConfigMap with
    /// each key.
    #[test]
    fn keys_read_as_kubectl_reads_them() {
        let cases = [
            ("y", "true"),
            ("Yes", "true"),
            ("ON", "true"),
            ("off", "false"),
            ("n", "false"),
            ("\"y\"", "y"),
            ("'on'", "on"),
            ("1.5", "1.5"),
            ("1e3", "1000"),
            ("1.0", "1"),
            ("0x1F", "31"),
            ("1_000", "1000"),
            ("+5", "5"),
            ("0o17", "15"),
            ("010", "8"),
            ("123456789", "123456789"),
            ("plain", "plain"),
        ];
        for (key, want) in cases {
            let value = super::super::from_str(&format!("{key}: v\n")).expect("parsed");
            assert_eq!(value, json!({ want: "v" }), "{key}");
        }
        let err = super::super::from_str("~: v\n").expect_err("a null key");
        assert!(err.to_string().contains("a null key"), "{err}");
    }

    #[test]
    fn values_are_read_as_before() {
        let value = super::super::from_str(
            "a: [1, -2, 2.5, true, null, text]\nb: {c: d}\nc: [1.0, 1e3, 010, 0o17, 0x1F, 1e30, -0.0]\n",
        )
        .expect("parsed");
        // kubectl v1.32's `create --dry-run=client -o json` of the same text.
        assert_eq!(
            value,
            json!({"a": [1, -2, 2.5, true, null, "text"], "b": {"c": "d"}, "c": [1, 1000, 8, 15, 31, 1e30, 0]})
        );
    }
}
