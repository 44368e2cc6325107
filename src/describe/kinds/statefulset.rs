//! `kubectl describe statefulset`: replicas, update strategy, its pods by phase, pod
//! template and volume claim templates.

use anyhow::Result;
use serde_json::Value;

use super::pod_template;
use super::workload::{self, PodCounts, int, int_or_string};
use crate::describe::fields::{
    annotations, labels, labels_with_indent, rfc1123z, selector_string, text,
};
use crate::describe::quantity::canonical;
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

/// The annotation that named a claim's storage class before `storageClassName`.
const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

pub struct StatefulSet;

impl Describer for StatefulSet {
    fn fetches(&self, object: &Value) -> Vec<Fetch> {
        vec![workload::pods_fetch(
            object,
            &selector_string(&object["spec"]["selector"]),
        )]
    }

    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let (meta, spec, status) = (&object["metadata"], &object["spec"], &object["status"]);
        // kubectl describes nothing of a StatefulSet whose pods it cannot list.
        let counts = PodCounts::of(workload::items_or_error(fetched, 0)?, text(&meta["uid"]));
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(
            w,
            0,
            "CreationTimestamp:\t{}\n",
            rfc1123z(&meta["creationTimestamp"])
        );
        put!(w, 0, "Selector:\t{}\n", selector_string(&spec["selector"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(
            w,
            0,
            "Replicas:\t{} desired | {} total\n",
            int(&spec["replicas"]),
            int(&status["replicas"])
        );
        let strategy = &spec["updateStrategy"];
        put!(w, 0, "Update Strategy:\t{}\n", text(&strategy["type"]));
        let partition = &strategy["rollingUpdate"]["partition"];
        // kubectl shows maxUnavailable only along with a partition.
        if !partition.is_null() {
            put!(w, 1, "Partition:\t{}\n", int(partition));
            let max_unavailable = &strategy["rollingUpdate"]["maxUnavailable"];
            if !max_unavailable.is_null() {
                put!(
                    w,
                    1,
                    "MaxUnavailable:\t{}\n",
                    int_or_string(max_unavailable)
                );
            }
        }
        put!(w, 0, "Pods Status:\t{}\n", counts.line());
        pod_template::describe_pod_template(&spec["template"], w);
        volume_claim_templates(w, &spec["volumeClaimTemplates"]);
        workload::events(fetched, settings, w);
        Ok(())
    }
}

/// kubectl's `describeVolumeClaimTemplates`.
fn volume_claim_templates(w: &mut PrefixWriter, templates: &Value) {
    let templates = templates.as_array().map(Vec::as_slice).unwrap_or_default();
    if templates.is_empty() {
        w.write(0, "Volume Claims:\t<none>\n");
        return;
    }
    w.write(0, "Volume Claims:\n");
    for claim in templates {
        let (meta, spec) = (&claim["metadata"], &claim["spec"]);
        put!(w, 1, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 1, "StorageClass:\t{}\n", storage_class(claim));
        labels_with_indent(w, "  ", "Labels", "\t", &meta["labels"]);
        labels_with_indent(w, "  ", "Annotations", "\t", &meta["annotations"]);
        match spec["resources"]["requests"]["storage"].as_str() {
            Some(capacity) => put!(w, 1, "Capacity:\t{}\n", canonical(capacity)),
            None => w.write(1, "Capacity:\t<default>\n"),
        }
        let modes: Vec<&str> = spec["accessModes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        put!(w, 1, "Access Modes:\t[{}]\n", modes.join(" "));
    }
}

/// A claim's storage class (`storageutil.GetPersistentVolumeClaimClass`): the beta
/// annotation first, then `storageClassName`.
fn storage_class(claim: &Value) -> &str {
    match claim["metadata"]["annotations"][BETA_STORAGE_CLASS].as_str() {
        Some(class) => class,
        None => text(&claim["spec"]["storageClassName"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volume_claim_templates_like_kubectl() {
        let mut w = PrefixWriter::new();
        volume_claim_templates(
            &mut w,
            &json!([
                {"metadata": {"name": "data", "labels": {"app": "db"}},
                 "spec": {"storageClassName": "fast", "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
                          "resources": {"requests": {"storage": "1Gi"}}}},
                {"metadata": {"name": "logs", "annotations": {BETA_STORAGE_CLASS: "slow"}},
                 "spec": {"storageClassName": "fast"}},
            ]),
        );
        assert_eq!(
            w.finish(),
            "Volume Claims:\n  Name:          data\n  StorageClass:  fast\n  Labels:        app=db\n  Annotations:   <none>\n  Capacity:      1Gi\n  Access Modes:  [ReadWriteOnce ReadOnlyMany]\n  Name:          logs\n  StorageClass:  slow\n  Labels:        <none>\n  Annotations:   volume.beta.kubernetes.io/storage-class=slow\n  Capacity:      <default>\n  Access Modes:  []\n"
        );
    }
}
