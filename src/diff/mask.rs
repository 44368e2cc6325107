//! Secrets' values hidden the way kubectl's diff hides them: every value under `data` becomes
//! `***`, and a value that the apply would change becomes `*** (before)` on the live side and
//! `*** (after)` on the merged side, so the diff says which keys change and nothing more.

use serde_json::{Map, Value};

const MASK: &str = "***";
const MASK_BEFORE: &str = "*** (before)";
const MASK_AFTER: &str = "*** (after)";

/// Whether the object is a core Secret, whose values are masked.
pub fn is_secret(object: &Value) -> bool {
    object["apiVersion"] == "v1" && object["kind"] == "Secret"
}

/// Masks the `data` values of the live object and of the merged one.
pub fn mask(live: Option<&mut Value>, merged: &mut Value) {
    let before = live.and_then(data);
    let after = data(merged);
    match (before, after) {
        (Some(before), Some(after)) => {
            for (key, old) in before.iter_mut() {
                match after.get_mut(key) {
                    Some(new) if new != old => {
                        *old = MASK_BEFORE.into();
                        *new = MASK_AFTER.into();
                    }
                    Some(new) => {
                        *old = MASK.into();
                        *new = MASK.into();
                    }
                    None => *old = MASK.into(),
                }
            }
            for (key, new) in after.iter_mut() {
                if !before.contains_key(key) {
                    *new = MASK.into();
                }
            }
        }
        (Some(only), None) | (None, Some(only)) => {
            only.values_mut().for_each(|value| *value = MASK.into());
        }
        (None, None) => {}
    }
}

fn data(object: &mut Value) -> Option<&mut Map<String, Value>> {
    object.get_mut("data").and_then(Value::as_object_mut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changed_values_say_before_and_after_and_others_are_stars() {
        let mut live = json!({"data": {"same": "YQ==", "changed": "Yg==", "dropped": "Yw=="}});
        let mut merged = json!({"data": {"same": "YQ==", "changed": "eg==", "added": "ZA=="}});
        mask(Some(&mut live), &mut merged);
        assert_eq!(
            live,
            json!({"data": {"same": "***", "changed": "*** (before)", "dropped": "***"}})
        );
        assert_eq!(
            merged,
            json!({"data": {"same": "***", "changed": "*** (after)", "added": "***"}})
        );
    }

    #[test]
    fn a_new_secret_is_all_stars() {
        let mut merged = json!({"apiVersion": "v1", "kind": "Secret", "data": {"key": "dg=="}});
        assert!(is_secret(&merged));
        mask(None, &mut merged);
        assert_eq!(merged["data"], json!({"key": "***"}));
        assert!(!is_secret(
            &json!({"apiVersion": "v1", "kind": "ConfigMap"})
        ));
    }
}
