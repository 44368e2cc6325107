//! The hashes controllers put in names and labels.
//!
//! StatefulSet revisions use the real `HashControllerRevision`: 32-bit FNV-1 over the
//! revision's JSON (as Go's encoding/json writes it: sorted keys, HTML-escaped) followed by the
//! decimal collision count, so the names match a real cluster's. Deployments and DaemonSets
//! hash a Go struct dump in the real controllers; here they hash a canonical JSON of the pod
//! template with 32-bit FNV-1a plus the collision count, which gives names of the same shape.
//! Both are written with `SafeEncodeString` over the decimal hash.

use serde_json::Value;

use crate::gofmt;

/// The alphabet of generated names and hashes: no vowels, no look-alike characters.
pub const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// The `pod-template-hash` of a Deployment's (or DaemonSet's) pod template.
pub fn pod_template_hash(template: &Value, collision_count: Option<i64>) -> String {
    let mut hash = fnv1a(FNV_OFFSET, canonical_json(template).as_bytes());
    if let Some(count) = collision_count {
        // Written as a little-endian uint32, like the real ComputeHash.
        hash = fnv1a(hash, &(count as u32).to_le_bytes());
    }
    safe_encode(&hash.to_string())
}

/// The hash in a ControllerRevision's name, from its data and the owner's collision count.
pub fn controller_revision_hash(data: &Value, collision_count: Option<i64>) -> String {
    let mut hash = fnv1(FNV_OFFSET, canonical_json(data).as_bytes());
    if let Some(count) = collision_count {
        hash = fnv1(hash, count.to_string().as_bytes());
    }
    safe_encode(&hash.to_string())
}

/// Maps every character into the vowel-free alphabet, like `rand.SafeEncodeString`.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| char::from(ALPHANUMS[usize::from(b) % ALPHANUMS.len()]))
        .collect()
}

fn fnv1(mut hash: u32, bytes: &[u8]) -> u32 {
    for b in bytes {
        hash = hash.wrapping_mul(FNV_PRIME) ^ u32::from(*b);
    }
    hash
}

fn fnv1a(mut hash: u32, bytes: &[u8]) -> u32 {
    for b in bytes {
        hash = (hash ^ u32::from(*b)).wrapping_mul(FNV_PRIME);
    }
    hash
}

/// Compact JSON with object keys sorted and `<`, `>`, `&` escaped, as Go's json.Marshal writes
/// a map. Independent of serde_json's key-order feature.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push_str(&gofmt::html_safe(&Value::String(s.to_string()).to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statefulset_revision_hash_matches_a_real_cluster() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../../fixtures/http/053-list-controllerrevisions.json"
        ))
        .expect("fixture");
        let items = fixture["items"].as_array().expect("items");
        let cache = items
            .iter()
            .find(|r| r["metadata"]["name"] == "cache-68d979c6b")
            .expect("cache revision");
        assert_eq!(
            controller_revision_hash(&cache["data"], Some(0)),
            "68d979c6b"
        );
    }

    #[test]
    fn safe_encoding_maps_digits_into_the_alphabet() {
        // 1049623076 is the decimal hash behind the real "548fb674cb".
        assert_eq!(safe_encode("1049623076"), "548fb674cb");
    }

    #[test]
    fn template_hash_depends_on_content_and_collisions_only() {
        let a = json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}});
        let b = json!({"spec": {"containers": []}, "metadata": {"labels": {"app": "web"}}});
        assert_eq!(pod_template_hash(&a, None), pod_template_hash(&b, None));
        assert_ne!(pod_template_hash(&a, None), pod_template_hash(&a, Some(1)));
        assert!(
            pod_template_hash(&a, None)
                .bytes()
                .all(|c| ALPHANUMS.contains(&c))
        );
    }

    #[test]
    fn canonical_json_escapes_like_go() {
        assert_eq!(
            canonical_json(&json!({"b": "<&>", "a": 1})),
            r#"{"a":1,"b":"\u003c\u0026\u003e"}"#
        );
    }
}
