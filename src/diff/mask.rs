//! Secrets' values hidden the way kubectl's diff hides them: every value under `data` becomes
//! `***`, and a value that the apply would change becomes `*** (before)` on the live side and
//! `*** (after)` on the merged side, so the diff says which keys change and nothing more.
//! Unlike kubectl, kz also masks the values in the last-applied annotation, which holds the
//! configuration, values and all.

use serde_json::{Map, Value};

use crate::apply::last_applied::ANNOTATION;

const MASK: &str = "***";
const MASK_BEFORE: &str = "*** (before)";
const MASK_AFTER: &str = "*** (after)";

/// Whether the object is a core Secret, whose values are masked.
pub fn is_secret(object: &Value) -> bool {
    object["apiVersion"] == "v1" && object["kind"] == "Secret"
}

/// Masks the `data` values of the live object and of the merged one.
pub fn mask(mut live: Option<&mut Value>, merged: &mut Value) {
    if let Some(live) = live.as_deref_mut() {
        mask_last_applied(live);
    }
    mask_last_applied(merged);
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

/// Masks every value of the `data` and `stringData` of the configuration in the
/// last-applied annotation; an annotation that is not JSON is masked whole.
fn mask_last_applied(object: &mut Value) {
    let Some(annotation) = object
        .get_mut("metadata")
        .and_then(|metadata| metadata.get_mut("annotations"))
        .and_then(|annotations| annotations.get_mut(ANNOTATION))
    else {
        return;
    };
    let text = annotation.as_str().unwrap_or_default();
    let masked = match serde_json::from_str::<Value>(text) {
        Ok(mut configuration) => {
            for field in ["data", "stringData"] {
                if let Some(values) = configuration.get_mut(field).and_then(Value::as_object_mut) {
                    values.values_mut().for_each(|value| *value = MASK.into());
                }
            }
            let newline = if text.ends_with('\n') { "\n" } else { "" };
            format!("{configuration}{newline}")
        }
        Err(_) => MASK.to_owned(),
    };
    *annotation = Value::String(masked);
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
    fn the_last_applied_configuration_is_masked_too() {
        let configuration = r#"{"data":{"a":"YQ=="},"kind":"Secret","stringData":{"b":"c"}}"#;
        let mut merged =
            json!({"metadata": {"annotations": {ANNOTATION: format!("{configuration}\n")}}});
        mask(None, &mut merged);
        assert_eq!(
            merged["metadata"]["annotations"][ANNOTATION],
            "{\"data\":{\"a\":\"***\"},\"kind\":\"Secret\",\"stringData\":{\"b\":\"***\"}}\n"
        );
        let mut odd = json!({"metadata": {"annotations": {ANNOTATION: "not json"}}});
        mask(None, &mut odd);
        assert_eq!(odd["metadata"]["annotations"][ANNOTATION], "***");
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
