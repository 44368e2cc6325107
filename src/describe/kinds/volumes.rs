//! The `Volumes:` section of pods and pod templates (kubectl's `describeVolumes`): each
//! volume's name, then its source — one layout per volume type, the type's description
//! first — or `<unknown>` for a source kubectl does not know.

use serde_json::{Map, Value};

use super::pod_template::{go_list, int, items, quantity_text};
use crate::describe::PrefixWriter;
use crate::describe::fields::{go_value, shorten, text};
use crate::put;

/// Longer CSI volume attributes are cut to this (kubectl's `maxAnnotationLen`).
const MAX_ATTRIBUTE_LEN: usize = 140;

/// `Volumes:` and every volume; `space` is `"  "` inside a pod template.
pub fn describe_volumes(volumes: &Value, w: &mut PrefixWriter, space: &str) {
    let volumes = items(volumes);
    if volumes.is_empty() {
        put!(w, 0, "{space}Volumes:\t<none>\n");
        return;
    }
    put!(w, 0, "{space}Volumes:\n");
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in volumes {
        put!(w, 1, "{name_indent}{}:\n", text(&volume["name"]));
        describe_source(volume, w);
    }
}

/// The first source kubectl knows, in kubectl's order.
fn describe_source(volume: &Value, w: &mut PrefixWriter) {
    let source = |field: &str| volume[field].as_object();
    if let Some(s) = source("hostPath") {
        let kind = s.get("type").map_or("<none>", text);
        fields(
            w,
            "HostPath (bare host directory volume)",
            &[("Path", get(s, "path")), ("HostPathType", kind.to_string())],
        );
    } else if let Some(s) = source("emptyDir") {
        let size = s
            .get("sizeLimit")
            .map(quantity_text)
            .filter(|q| q != "0" && !q.starts_with('-'))
            .unwrap_or_else(|| "<unset>".to_string());
        fields(
            w,
            "EmptyDir (a temporary directory that shares a pod's lifetime)",
            &[("Medium", get(s, "medium")), ("SizeLimit", size)],
        );
    } else if let Some(s) = source("gcePersistentDisk") {
        fields(
            w,
            "GCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)",
            &[
                ("PDName", get(s, "pdName")),
                ("FSType", get(s, "fsType")),
                ("Partition", get_int(s, "partition")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("awsElasticBlockStore") {
        fields(
            w,
            "AWSElasticBlockStore (a Persistent Disk resource in AWS)",
            &[
                ("VolumeID", get(s, "volumeID")),
                ("FSType", get(s, "fsType")),
                ("Partition", get_int(s, "partition")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("gitRepo") {
        fields(
            w,
            "GitRepo (a volume that is pulled from git when the pod is created)",
            &[
                ("Repository", get(s, "repository")),
                ("Revision", get(s, "revision")),
            ],
        );
    } else if let Some(s) = source("secret") {
        fields(
            w,
            "Secret (a volume populated by a Secret)",
            &[
                ("SecretName", get(s, "secretName")),
                ("Optional", get_bool(s, "optional")),
            ],
        );
    } else if let Some(s) = source("configMap") {
        fields(
            w,
            "ConfigMap (a volume populated by a ConfigMap)",
            &[
                ("Name", get(s, "name")),
                ("Optional", get_bool(s, "optional")),
            ],
        );
    } else if let Some(s) = source("nfs") {
        fields(
            w,
            "NFS (an NFS mount that lasts the lifetime of a pod)",
            &[
                ("Server", get(s, "server")),
                ("Path", get(s, "path")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("iscsi") {
        iscsi(s, w);
    } else if let Some(s) = source("glusterfs") {
        fields(
            w,
            "Glusterfs (a Glusterfs mount on the host that shares a pod's lifetime)",
            &[
                ("EndpointsName", get(s, "endpoints")),
                ("Path", get(s, "path")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("persistentVolumeClaim") {
        fields(
            w,
            "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
            &[
                ("ClaimName", get(s, "claimName")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("ephemeral") {
        w.write(2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n");
        if let Some(template) = s.get("volumeClaimTemplate").filter(|t| t.is_object()) {
            claim_template(template, w);
        }
    } else if let Some(s) = source("rbd") {
        fields(
            w,
            "RBD (a Rados Block Device mount on the host that shares a pod's lifetime)",
            &[
                ("CephMonitors", go_list(field(s, "monitors"))),
                ("RBDImage", get(s, "image")),
                ("FSType", get(s, "fsType")),
                ("RBDPool", get(s, "pool")),
                ("RadosUser", get(s, "user")),
                ("Keyring", get(s, "keyring")),
                ("SecretRef", go_ref(field(s, "secretRef"))),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("quobyte") {
        fields(
            w,
            "Quobyte (a Quobyte mount on the host that shares a pod's lifetime)",
            &[
                ("Registry", get(s, "registry")),
                ("Volume", get(s, "volume")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("downwardAPI") {
        w.write(
            2,
            "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
        );
        for item in items(field(s, "items")) {
            let path = text(&item["path"]);
            if item["fieldRef"].is_object() {
                put!(w, 3, "{} -> {path}\n", text(&item["fieldRef"]["fieldPath"]));
            }
            if item["resourceFieldRef"].is_object() {
                put!(
                    w,
                    3,
                    "{} -> {path}\n",
                    text(&item["resourceFieldRef"]["resource"])
                );
            }
        }
    } else if let Some(s) = source("azureDisk") {
        fields(
            w,
            "AzureDisk (an Azure Data Disk mount on the host and bind mount to the pod)",
            &[
                ("DiskName", get(s, "diskName")),
                ("DiskURI", get(s, "diskURI")),
                ("Kind: ", get(s, "kind")),
                ("FSType", get(s, "fsType")),
                ("CachingMode", get(s, "cachingMode")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("vsphereVolume") {
        fields(
            w,
            "vSphereVolume (a Persistent Disk resource in vSphere)",
            &[
                ("VolumePath", get(s, "volumePath")),
                ("FSType", get(s, "fsType")),
                ("StoragePolicyName", get(s, "storagePolicyName")),
            ],
        );
    } else if let Some(s) = source("cinder") {
        fields(
            w,
            "Cinder (a Persistent Disk resource in OpenStack)",
            &[
                ("VolumeID", get(s, "volumeID")),
                ("FSType", get(s, "fsType")),
                ("ReadOnly", get_bool(s, "readOnly")),
                ("SecretRef", go_ref(field(s, "secretRef"))),
            ],
        );
    } else if let Some(s) = source("photonPersistentDisk") {
        fields(
            w,
            "PhotonPersistentDisk (a Persistent Disk resource in photon platform)",
            &[("PdID", get(s, "pdID")), ("FSType", get(s, "fsType"))],
        );
    } else if let Some(s) = source("portworxVolume") {
        fields(
            w,
            "PortworxVolume (a Portworx Volume resource)",
            &[("VolumeID", get(s, "volumeID"))],
        );
    } else if let Some(s) = source("scaleIO") {
        fields(
            w,
            "ScaleIO (a persistent volume backed by a block device in ScaleIO)",
            &[
                ("Gateway", get(s, "gateway")),
                ("System", get(s, "system")),
                ("Protection Domain", get(s, "protectionDomain")),
                ("Storage Pool", get(s, "storagePool")),
                ("Storage Mode", get(s, "storageMode")),
                ("VolumeName", get(s, "volumeName")),
                ("FSType", get(s, "fsType")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("cephfs") {
        fields(
            w,
            "CephFS (a CephFS mount on the host that shares a pod's lifetime)",
            &[
                ("Monitors", go_list(field(s, "monitors"))),
                ("Path", get(s, "path")),
                ("User", get(s, "user")),
                ("SecretFile", get(s, "secretFile")),
                ("SecretRef", go_ref(field(s, "secretRef"))),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("storageos") {
        fields(
            w,
            "StorageOS (a StorageOS Persistent Disk resource)",
            &[
                ("VolumeName", get(s, "volumeName")),
                ("VolumeNamespace", get(s, "volumeNamespace")),
                ("FSType", get(s, "fsType")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("fc") {
        let wwns: Vec<&str> = items(field(s, "targetWWNs")).iter().map(text).collect();
        let lun = s
            .get("lun")
            .and_then(Value::as_i64)
            .map_or_else(|| "<none>".to_string(), |l| l.to_string());
        fields(
            w,
            "FC (a Fibre Channel disk)",
            &[
                ("TargetWWNs", wwns.join(", ")),
                ("LUN", lun),
                ("FSType", get(s, "fsType")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("azureFile") {
        fields(
            w,
            "AzureFile (an Azure File Service mount on the host and bind mount to the pod)",
            &[
                ("SecretName", get(s, "secretName")),
                ("ShareName", get(s, "shareName")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
    } else if let Some(s) = source("flexVolume") {
        fields(
            w,
            "FlexVolume (a generic volume resource that is provisioned/attached using an exec based plugin)",
            &[
                ("Driver", get(s, "driver")),
                ("FSType", get(s, "fsType")),
                ("SecretRef", go_ref(field(s, "secretRef"))),
                ("ReadOnly", get_bool(s, "readOnly")),
                ("Options", go_map(field(s, "options"))),
            ],
        );
    } else if let Some(s) = source("flocker") {
        fields(
            w,
            "Flocker (a Flocker volume mounted by the Flocker agent)",
            &[
                ("DatasetName", get(s, "datasetName")),
                ("DatasetUUID", get(s, "datasetUUID")),
            ],
        );
    } else if let Some(s) = source("projected") {
        projected(s, w);
    } else if let Some(s) = source("csi") {
        fields(
            w,
            "CSI (a Container Storage Interface (CSI) volume source)",
            &[
                ("Driver", get(s, "driver")),
                ("FSType", get(s, "fsType")),
                ("ReadOnly", get_bool(s, "readOnly")),
            ],
        );
        csi_attributes(field(s, "volumeAttributes"), w);
    } else if let Some(s) = source("image") {
        fields(
            w,
            "Image (a container image or OCI artifact)",
            &[
                ("Reference", get(s, "reference")),
                ("PullPolicy", get(s, "pullPolicy")),
            ],
        );
    } else {
        w.write(1, "<unknown>\n");
    }
}

/// `Type:  <description>` then `Label:  value` lines, as kubectl's one-`Write` layouts.
fn fields(w: &mut PrefixWriter, description: &str, lines: &[(&str, String)]) {
    put!(w, 2, "Type:\t{description}\n");
    for (label, value) in lines {
        put!(w, 2, "{label}:\t{value}\n");
    }
}

fn iscsi(s: &Map<String, Value>, w: &mut PrefixWriter) {
    let initiator = s
        .get("initiatorName")
        .and_then(Value::as_str)
        .unwrap_or("<none>");
    put!(
        w,
        2,
        "Type:\tISCSI (an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod)\n"
    );
    let lines = [
        ("TargetPortal:", get(s, "targetPortal")),
        ("IQN:", get(s, "iqn")),
        ("Lun:", get_int(s, "lun")),
        // kubectl writes this label without its colon.
        ("ISCSIInterface", get(s, "iscsiInterface")),
        ("FSType:", get(s, "fsType")),
        ("ReadOnly:", get_bool(s, "readOnly")),
        ("Portals:", go_list(field(s, "portals"))),
        ("DiscoveryCHAPAuth:", get_bool(s, "chapAuthDiscovery")),
        ("SessionCHAPAuth:", get_bool(s, "chapAuthSession")),
        ("SecretRef:", go_ref(field(s, "secretRef"))),
        ("InitiatorName:", initiator.to_string()),
    ];
    for (label, value) in lines {
        put!(w, 2, "{label}\t{value}\n");
    }
}

fn projected(s: &Map<String, Value>, w: &mut PrefixWriter) {
    w.write(
        2,
        "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
    );
    for source in items(field(s, "sources")) {
        let optional = |reference: &Value| reference["optional"].as_bool().unwrap_or(false);
        if source["secret"].is_object() {
            put!(w, 2, "SecretName:\t{}\n", text(&source["secret"]["name"]));
            put!(w, 2, "Optional:\t{}\n", optional(&source["secret"]));
        } else if source["downwardAPI"].is_object() {
            w.write(2, "DownwardAPI:\ttrue\n");
        } else if source["configMap"].is_object() {
            put!(
                w,
                2,
                "ConfigMapName:\t{}\n",
                text(&source["configMap"]["name"])
            );
            put!(w, 2, "Optional:\t{}\n", optional(&source["configMap"]));
        } else if source["serviceAccountToken"].is_object() {
            put!(
                w,
                2,
                "TokenExpirationSeconds:\t{}\n",
                int(&source["serviceAccountToken"]["expirationSeconds"])
            );
        }
    }
}

/// `VolumeAttributes:  key=value`, one a line, sorted (kubectl's
/// `printCSIPersistentVolumeAttributesMultilineIndent`, which indents every piece it writes).
fn csi_attributes(attributes: &Value, w: &mut PrefixWriter) {
    w.write(2, "VolumeAttributes:\t");
    let Some(map) = attributes.as_object().filter(|m| !m.is_empty()) else {
        w.line("<none>");
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for (i, key) in keys.into_iter().enumerate() {
        if i != 0 {
            w.write(2, "");
            w.write(2, "\t");
        }
        let line = format!("{key}={}", text(&map[key.as_str()]));
        if line.len() > MAX_ATTRIBUTE_LEN {
            put!(w, 2, "{}\n", shorten(&line, MAX_ATTRIBUTE_LEN));
        } else {
            put!(w, 2, "{line}\n");
        }
    }
}

/// An ephemeral volume's claim template, as kubectl's `printPersistentVolumeClaim` writes a
/// claim that is not a full one, through a writer nested two levels deep (which indents
/// every piece written, even after a tab).
fn claim_template(template: &Value, w: &mut PrefixWriter) {
    const LEVEL: usize = 2;
    let meta = &template["metadata"];
    let spec = &template["spec"];
    let class = meta["annotations"]["volume.beta.kubernetes.io/storage-class"]
        .as_str()
        .unwrap_or_else(|| text(&spec["storageClassName"]));
    put!(w, LEVEL, "StorageClass:\t{class}\n");
    let volume = text(&spec["volumeName"]);
    put!(w, LEVEL, "Volume:\t{volume}\n");
    nested_map(w, LEVEL, "Labels", &meta["labels"], "=");
    nested_map(w, LEVEL, "Annotations", &meta["annotations"], ": ");
    // A template has no status: capacity and access modes are empty unless it names a volume.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            quantity_text(&template["status"]["capacity"]["storage"]),
            access_modes(&template["status"]["accessModes"]),
        )
    };
    put!(w, LEVEL, "Capacity:\t{capacity}\n");
    put!(w, LEVEL, "Access Modes:\t{modes}\n");
    if let Some(mode) = spec["volumeMode"].as_str() {
        put!(w, LEVEL, "VolumeMode:\t{mode}\n");
    }
    let source = &spec["dataSource"];
    if source.is_object() {
        put!(w, LEVEL, "DataSource:\n");
        if let Some(group) = source["apiGroup"].as_str() {
            put!(w, LEVEL + 1, "APIGroup:\t{group}\n");
        }
        put!(w, LEVEL + 1, "Kind:\t{}\n", text(&source["kind"]));
        put!(w, LEVEL + 1, "Name:\t{}\n", text(&source["name"]));
    }
}

/// Labels (`key=value`) or annotations (`key: value`) through a nested writer.
fn nested_map(w: &mut PrefixWriter, level: usize, title: &str, map: &Value, separator: &str) {
    put!(w, level, "{title}:\t");
    let mut entries: Vec<(&String, &str)> = map
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k, text(v)))
        .filter(|(k, _)| k.as_str() != "kubectl.kubernetes.io/last-applied-configuration")
        .collect();
    if entries.is_empty() {
        w.line("<none>");
        return;
    }
    entries.sort();
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i != 0 {
            if separator == "=" {
                w.write(level, "");
            }
            w.write(level, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        let long = key.len() + value.len() + 2 > MAX_ATTRIBUTE_LEN || value.contains('\n');
        if separator != "=" && long {
            put!(w, level, "{key}:\n");
            for line in value.split('\n') {
                put!(w, level, "\t  {}\n", shorten(line, MAX_ATTRIBUTE_LEN - 2));
            }
        } else {
            put!(w, level, "{key}{separator}{value}\n");
        }
    }
}

/// `RWO,ROX,RWX,RWOP` for the access modes present (`GetAccessModesAsString`).
fn access_modes(modes: &Value) -> String {
    let present: Vec<&str> = items(modes).iter().map(text).collect();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .into_iter()
    .filter(|(mode, _)| present.contains(mode))
    .map(|(_, short)| short)
    .collect::<Vec<_>>()
    .join(",")
}

fn field<'a>(s: &'a Map<String, Value>, key: &str) -> &'a Value {
    s.get(key).unwrap_or(&Value::Null)
}

/// A string field as `%v` prints it (empty when missing).
fn get(s: &Map<String, Value>, key: &str) -> String {
    match s.get(key) {
        None | Some(Value::Null) => String::new(),
        Some(value) => go_value(value),
    }
}

fn get_int(s: &Map<String, Value>, key: &str) -> String {
    int(field(s, key)).to_string()
}

fn get_bool(s: &Map<String, Value>, key: &str) -> String {
    field(s, key).as_bool().unwrap_or(false).to_string()
}

/// A pointer to a `{name}` reference as `%v` prints it: `&{name}`, or `<nil>`.
fn go_ref(reference: &Value) -> String {
    if reference.is_object() {
        format!("&{{{}}}", text(&reference["name"]))
    } else {
        "<nil>".to_string()
    }
}

/// A `map[string]string` as `%v` prints it: `map[a:1 b:2]`.
fn go_map(map: &Value) -> String {
    let mut entries: Vec<String> = map
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}:{}", text(v)))
        .collect();
    entries.sort();
    format!("map[{}]", entries.join(" "))
}
