//! What PersistentVolumes and PersistentVolumeClaims share (kubectl's `storageutil`).

use serde_json::Value;

use crate::describe::fields::text;

/// The storage class annotation that wins over `spec.storageClassName`.
const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// Access modes abbreviated, in the fixed order RWO, ROX, RWX, RWOP (`RWO,RWX`).
pub fn access_modes(modes: &Value) -> String {
    let modes: Vec<&str> = modes.as_array().into_iter().flatten().map(text).collect();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .into_iter()
    .filter(|(mode, _)| modes.contains(mode))
    .map(|(_, short)| short)
    .collect::<Vec<_>>()
    .join(",")
}

/// An object's storage class: the beta annotation, else `spec.storageClassName`.
pub fn storage_class(object: &Value) -> &str {
    match object["metadata"]["annotations"].get(BETA_CLASS) {
        Some(class) => text(class),
        None => text(&object["spec"]["storageClassName"]),
    }
}

/// `storage` of a resource list (capacity, requests) as Go prints a Quantity: `0` when unset.
pub fn storage(resources: &Value) -> &str {
    resources["storage"].as_str().unwrap_or("0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn access_modes_are_abbreviated_in_a_fixed_order() {
        assert_eq!(
            access_modes(&json!(["ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce"])),
            "RWO,RWX"
        );
        assert_eq!(access_modes(&Value::Null), "");
    }

    #[test]
    fn the_beta_annotation_names_the_class_first() {
        let pv = json!({"metadata": {"annotations": {BETA_CLASS: ""}},
            "spec": {"storageClassName": "fast"}});
        assert_eq!(storage_class(&pv), "");
        assert_eq!(
            storage_class(&json!({"spec": {"storageClassName": "fast"}})),
            "fast"
        );
    }
}
