//! StorageClasses: default or not, provisioner, parameters, policies, allowed topologies.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{map_selector, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct StorageClass;

/// The annotations that make a class the default one.
const DEFAULT_CLASS: [&str; 2] = [
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
];

impl Describer for StorageClass {
    fn describe(
        &self,
        sc: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let annotations = &sc["metadata"]["annotations"];
        let default = DEFAULT_CLASS
            .iter()
            .any(|key| annotations[*key].as_str() == Some("true"));
        put!(w, 0, "Name:\t{}\n", text(&sc["metadata"]["name"]));
        put!(
            w,
            0,
            "IsDefaultClass:\t{}\n",
            if default { "Yes" } else { "No" }
        );
        put!(w, 0, "Annotations:\t{}\n", map_selector(annotations));
        put!(w, 0, "Provisioner:\t{}\n", text(&sc["provisioner"]));
        put!(w, 0, "Parameters:\t{}\n", map_selector(&sc["parameters"]));
        let expansion = match sc["allowVolumeExpansion"].as_bool() {
            Some(true) => "True",
            Some(false) => "False",
            None => "<unset>",
        };
        put!(w, 0, "AllowVolumeExpansion:\t{expansion}\n");
        let options = sc["mountOptions"].as_array().map(Vec::as_slice);
        match options.unwrap_or_default() {
            [] => w.write(0, "MountOptions:\t<none>\n"),
            options => {
                w.write(0, "MountOptions:\n");
                for option in options {
                    put!(w, 1, "{}\n", text(option));
                }
            }
        }
        if let Some(policy) = sc["reclaimPolicy"].as_str() {
            put!(w, 0, "ReclaimPolicy:\t{policy}\n");
        }
        if let Some(mode) = sc["volumeBindingMode"].as_str() {
            put!(w, 0, "VolumeBindingMode:\t{mode}\n");
        }
        if let Some(topologies) = sc["allowedTopologies"].as_array() {
            allowed_topologies(w, topologies);
        }
        match &fetched.events {
            Some(Ok(events)) => describe_events(events, settings.now, w),
            // kubectl ignores the error and describes the (empty) list it was filling.
            Some(Err(_)) => describe_events(&[], settings.now, w),
            None => {}
        }
        Ok(())
    }
}

/// kubectl's `printAllowedTopologies`.
fn allowed_topologies(w: &mut PrefixWriter, topologies: &[Value]) {
    w.write(0, "AllowedTopologies:\t");
    if topologies.is_empty() {
        w.line("<none>");
        return;
    }
    w.line("");
    for (i, term) in topologies.iter().enumerate() {
        put!(w, 1, "Term {i}:\t");
        let requirements = term["matchLabelExpressions"].as_array().map(Vec::as_slice);
        let requirements = requirements.unwrap_or_default();
        if requirements.is_empty() {
            w.line("<none>");
            continue;
        }
        for (j, requirement) in requirements.iter().enumerate() {
            if j != 0 {
                w.write(1, "\t");
            }
            let values: Vec<&str> = requirement["values"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            let mut line = format!("{} in", text(&requirement["key"]));
            if !values.is_empty() {
                line.push_str(&format!(" [{}]", values.join(", ")));
            }
            put!(w, 0, "{line}\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::settings;
    use serde_json::json;

    #[test]
    fn a_storage_class_reads_like_kubectl() {
        let sc = json!({
            "metadata": {"name": "fast", "annotations": {
                "storageclass.kubernetes.io/is-default-class": "true", "team": "infra"}},
            "provisioner": "kubernetes.io/no-provisioner",
            "parameters": {"type": "ssd", "fsType": "ext4"},
            "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
            "mountOptions": ["noatime"],
            "allowedTopologies": [{"matchLabelExpressions": [
                {"key": "topology.kubernetes.io/zone", "values": ["a", "b"]}]}],
        });
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Err(anyhow::anyhow!("forbidden"))),
        };
        let text =
            crate::describe::render(&StorageClass, &sc, &fetched, &settings()).expect("text");
        assert_eq!(
            text,
            "Name:                  fast\n\
             IsDefaultClass:        Yes\n\
             Annotations:           storageclass.kubernetes.io/is-default-class=true,team=infra\n\
             Provisioner:           kubernetes.io/no-provisioner\n\
             Parameters:            fsType=ext4,type=ssd\n\
             AllowVolumeExpansion:  <unset>\n\
             MountOptions:\n  \
             noatime\n\
             ReclaimPolicy:      Delete\n\
             VolumeBindingMode:  WaitForFirstConsumer\n\
             AllowedTopologies:  \n  \
             Term 0:           topology.kubernetes.io/zone in [a, b]\n\
             Events:             <none>\n"
        );
    }
}
