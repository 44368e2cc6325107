//! PersistentVolumes: class, status, claim, policy, capacity, node affinity, and the volume
//! source in kubectl's words for each kind of source.

use anyhow::Result;
use serde_json::Value;

use super::storage::{access_modes, storage, storage_class};
use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, go_list, go_value, labels, since, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct PersistentVolume;

impl Describer for PersistentVolume {
    fn describe(
        &self,
        pv: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &pv["metadata"];
        let spec = &pv["spec"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Finalizers:\t{}\n", go_list(&meta["finalizers"]));
        put!(w, 0, "StorageClass:\t{}\n", storage_class(pv));
        if meta["deletionTimestamp"].is_string() {
            put!(
                w,
                0,
                "Status:\tTerminating (lasts {})\n",
                since(&meta["deletionTimestamp"], settings.now)
            );
        } else {
            put!(w, 0, "Status:\t{}\n", text(&pv["status"]["phase"]));
        }
        let claim = &spec["claimRef"];
        if claim.is_object() {
            put!(
                w,
                0,
                "Claim:\t{}/{}\n",
                text(&claim["namespace"]),
                text(&claim["name"])
            );
        } else {
            w.write(0, "Claim:\t\n");
        }
        put!(
            w,
            0,
            "Reclaim Policy:\t{}\n",
            text(&spec["persistentVolumeReclaimPolicy"])
        );
        put!(
            w,
            0,
            "Access Modes:\t{}\n",
            access_modes(&spec["accessModes"])
        );
        if let Some(mode) = spec["volumeMode"].as_str() {
            put!(w, 0, "VolumeMode:\t{mode}\n");
        }
        put!(w, 0, "Capacity:\t{}\n", storage(&spec["capacity"]));
        node_affinity(w, &spec["nodeAffinity"]);
        put!(w, 0, "Message:\t{}\n", text(&pv["status"]["message"]));
        w.write(0, "Source:\n");
        source(w, spec);
        match &fetched.events {
            Some(Ok(events)) => describe_events(events, settings.now, w),
            // kubectl ignores the error and describes the (empty) list it was filling.
            Some(Err(_)) => describe_events(&[], settings.now, w),
            None => {}
        }
        Ok(())
    }
}

/// kubectl's `printVolumeNodeAffinity`.
fn node_affinity(w: &mut PrefixWriter, affinity: &Value) {
    w.write(0, "Node Affinity:\t");
    let required = &affinity["required"];
    if !required.is_object() {
        w.line("<none>");
        return;
    }
    w.line("");
    w.write(1, "Required Terms:\t");
    let terms = required["nodeSelectorTerms"].as_array().map(Vec::as_slice);
    let terms = terms.unwrap_or_default();
    if terms.is_empty() {
        w.line("<none>");
        return;
    }
    w.line("");
    for (i, term) in terms.iter().enumerate() {
        put!(w, 2, "Term {i}:\t");
        let expressions = term["matchExpressions"].as_array().map(Vec::as_slice);
        let expressions = expressions.unwrap_or_default();
        if expressions.is_empty() {
            w.line("<none>");
            continue;
        }
        for (j, expression) in expressions.iter().enumerate() {
            if j != 0 {
                w.write(2, "\t");
            }
            let values: Vec<&str> = expression["values"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect();
            let mut line = format!(
                "{} {}",
                text(&expression["key"]),
                text(&expression["operator"]).to_lowercase()
            );
            if !values.is_empty() {
                line.push_str(&format!(" [{}]", values.join(", ")));
            }
            put!(w, 0, "{line}\n");
        }
    }
}

/// How one field of a source is printed (Go's `%v` of its type when missing).
#[derive(Clone, Copy)]
enum Field {
    Text(&'static str, &'static str),
    Flag(&'static str, &'static str),
    Number(&'static str, &'static str),
}

/// The sources kubectl prints field by field: the spec key, kubectl's `Type` line, and the
/// fields in order.
const SOURCES: &[(&str, &str, &[Field])] = &[
    (
        "gcePersistentDisk",
        "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
        &[
            Field::Text("PDName", "pdName"),
            Field::Text("FSType", "fsType"),
            Field::Number("Partition", "partition"),
            Field::Flag("ReadOnly", "readOnly"),
        ],
    ),
    (
        "awsElasticBlockStore",
        "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
        &[
            Field::Text("VolumeID", "volumeID"),
            Field::Text("FSType", "fsType"),
            Field::Number("Partition", "partition"),
            Field::Flag("ReadOnly", "readOnly"),
        ],
    ),
    (
        "nfs",
        "NFS (an NFS mount that lasts the lifetime of a pod)",
        &[
            Field::Text("Server", "server"),
            Field::Text("Path", "path"),
            Field::Flag("ReadOnly", "readOnly"),
        ],
    ),
    (
        "quobyte",
        "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)",
        &[
            Field::Text("Registry", "registry"),
            Field::Text("Volume", "volume"),
            Field::Flag("ReadOnly", "readOnly"),
        ],
    ),
    (
        "vsphereVolume",
        "vSphereVolume (a Persistent Disk resource in vSphere)",
        &[
            Field::Text("VolumePath", "volumePath"),
            Field::Text("FSType", "fsType"),
            Field::Text("StoragePolicyName", "storagePolicyName"),
        ],
    ),
    (
        "photonPersistentDisk",
        "PhotonPersistentDisk (a Persistent Disk resource in photon platform)",
        &[Field::Text("PdID", "pdID"), Field::Text("FSType", "fsType")],
    ),
    (
        "portworxVolume",
        "PortworxVolume (a Portworx Volume resource)",
        &[Field::Text("VolumeID", "volumeID")],
    ),
    (
        "local",
        "LocalVolume (a persistent volume backed by local storage on a node)",
        &[Field::Text("Path", "path")],
    ),
];

/// The `Source:` lines, for the first source the spec has in kubectl's order of checks.
fn source(w: &mut PrefixWriter, spec: &Value) {
    if spec["hostPath"].is_object() {
        let host_path = &spec["hostPath"];
        let kind = host_path["type"].as_str().unwrap_or("<none>");
        put!(
            w,
            2,
            "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{kind}\n",
            text(&host_path["path"])
        );
        return;
    }
    if let Some((key, title, fields)) = SOURCES.iter().find(|(key, _, _)| spec[*key].is_object()) {
        let source = &spec[*key];
        put!(w, 2, "Type:\t{title}\n");
        for field in fields.iter() {
            let (label, value) = match *field {
                Field::Text(label, key) => (label, text(&source[key]).to_string()),
                Field::Flag(label, key) => {
                    (label, source[key].as_bool().unwrap_or(false).to_string())
                }
                Field::Number(label, key) => (label, source[key].as_i64().unwrap_or(0).to_string()),
            };
            put!(w, 0, "    {label}:\t{value}\n");
        }
        return;
    }
    if spec["fc"].is_object() {
        let fc = &spec["fc"];
        let wwns: Vec<&str> = fc["targetWWNs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let lun = fc["lun"]
            .as_i64()
            .map_or("<none>".to_string(), |lun| lun.to_string());
        put!(
            w,
            2,
            "Type:\tFC (a Fibre Channel disk)\n    TargetWWNs:\t{}\n    LUN:\t{lun}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
            wwns.join(", "),
            text(&fc["fsType"]),
            fc["readOnly"].as_bool().unwrap_or(false)
        );
        return;
    }
    if spec["csi"].is_object() {
        let csi = &spec["csi"];
        put!(
            w,
            2,
            "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    VolumeHandle:\t{}\n    ReadOnly:\t{}\n",
            text(&csi["driver"]),
            text(&csi["fsType"]),
            text(&csi["volumeHandle"]),
            csi["readOnly"].as_bool().unwrap_or(false)
        );
        csi_attributes(w, &csi["volumeAttributes"]);
        return;
    }
    // The rarer in-tree sources (iSCSI, Glusterfs, RBD, Cinder, AzureDisk, ScaleIO, CephFS,
    // StorageOS, AzureFile, FlexVolume, Flocker) are named, not detailed.
    const NAMED: &[(&str, &str)] = &[
        ("iscsi", "ISCSI"),
        ("glusterfs", "Glusterfs"),
        ("rbd", "RBD"),
        ("cinder", "Cinder"),
        ("azureDisk", "AzureDisk"),
        ("scaleIO", "ScaleIO"),
        ("cephfs", "CephFS"),
        ("storageos", "StorageOS"),
        ("azureFile", "AzureFile"),
        ("flexVolume", "FlexVolume"),
        ("flocker", "Flocker"),
    ];
    match NAMED.iter().find(|(key, _)| spec[*key].is_object()) {
        Some((_, name)) => put!(w, 2, "Type:\t{name}\n"),
        None => w.write(1, "<unknown>\n"),
    }
}

/// kubectl's `printCSIPersistentVolumeAttributesMultiline`: `key=value` a line, long ones cut.
fn csi_attributes(w: &mut PrefixWriter, attributes: &Value) {
    const MAX_LEN: usize = 140;
    w.write(2, "VolumeAttributes:\t");
    let attributes = attributes.as_object().filter(|a| !a.is_empty());
    let Some(attributes) = attributes else {
        w.line("<none>");
        return;
    };
    for (i, (key, value)) in attributes.iter().enumerate() {
        if i != 0 {
            w.write(2, "");
            w.write(2, "\t");
        }
        let line = format!("{key}={}", go_value(value));
        if line.len() > MAX_LEN {
            put!(
                w,
                2,
                "{}\n",
                crate::describe::fields::shorten(&line, MAX_LEN)
            );
        } else {
            put!(w, 2, "{line}\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::settings;
    use serde_json::json;

    fn describe(pv: &Value) -> String {
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Ok(Vec::new())),
        };
        crate::describe::render(&PersistentVolume, pv, &fetched, &settings()).expect("text")
    }

    #[test]
    fn a_bound_host_path_volume_reads_like_kubectl() {
        let pv = json!({
            "metadata": {"name": "pv-1", "finalizers": ["kubernetes.io/pv-protection"]},
            "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
                "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual",
                "volumeMode": "Filesystem", "hostPath": {"path": "/data/pv-1", "type": ""},
                "claimRef": {"namespace": "shop", "name": "data"}},
            "status": {"phase": "Bound"},
        });
        assert_eq!(
            describe(&pv),
            "Name:            pv-1\n\
             Labels:          <none>\n\
             Annotations:     <none>\n\
             Finalizers:      [kubernetes.io/pv-protection]\n\
             StorageClass:    manual\n\
             Status:          Bound\n\
             Claim:           shop/data\n\
             Reclaim Policy:  Retain\n\
             Access Modes:    RWO\n\
             VolumeMode:      Filesystem\n\
             Capacity:        5Gi\n\
             Node Affinity:   <none>\n\
             Message:         \n\
             Source:\n    \
             Type:          HostPath (bare host directory volume)\n    \
             Path:          /data/pv-1\n    \
             HostPathType:  \n\
             Events:            <none>\n"
        );
    }

    #[test]
    fn node_affinity_and_csi_sources() {
        let pv = json!({
            "metadata": {"name": "pv-2"},
            "spec": {"capacity": {"storage": "1Gi"},
                "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-1", "node-2"]},
                    {"key": "disk", "operator": "Exists"}]}]}},
                "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1",
                    "volumeAttributes": {"b": "2", "a": "1"}}},
            "status": {"phase": "Available"},
        });
        let text = describe(&pv);
        assert!(
            text.contains(
                "Node Affinity:     \n  \
                 Required Terms:  \n    \
                 Term 0:        kubernetes.io/hostname in [node-1, node-2]\n                   \
                 disk exists\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "    Type:              CSI (a Container Storage Interface (CSI) volume source)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("    VolumeAttributes:      a=1\n                           b=2\nEvents:                <none>\n"),
            "{text}"
        );
    }
}
