//! PersistentVolumeClaims: class, status, volume, capacity and access modes once bound, and
//! the pods that use the claim (kubectl lists the namespace's pods to find them).

use anyhow::Result;
use serde_json::Value;

use super::errors::handed_on;
use super::storage::{access_modes, storage, storage_class};
use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, go_list, labels, rfc1123z_or_zero, since, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct PersistentVolumeClaim;

impl Describer for PersistentVolumeClaim {
    fn fetches(&self, object: &Value) -> Vec<Fetch> {
        let namespace = text(&object["metadata"]["namespace"]);
        vec![Fetch::labelled("pods", Some(namespace), "")]
    }

    fn describe(
        &self,
        pvc: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        // kubectl fails the description when the pods cannot be listed.
        if let Some(Err(err)) = fetched.related.first() {
            return Err(handed_on(err));
        }
        let meta = &pvc["metadata"];
        let spec = &pvc["spec"];
        let status = &pvc["status"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(w, 0, "StorageClass:\t{}\n", storage_class(pvc));
        if meta["deletionTimestamp"].is_string() {
            put!(
                w,
                0,
                "Status:\tTerminating (lasts {})\n",
                since(&meta["deletionTimestamp"], settings.now)
            );
        } else {
            put!(w, 0, "Status:\t{}\n", text(&status["phase"]));
        }
        let volume = text(&spec["volumeName"]);
        put!(w, 0, "Volume:\t{volume}\n");
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Finalizers:\t{}\n", go_list(&meta["finalizers"]));
        let (capacity, modes) = if volume.is_empty() {
            (String::new(), String::new())
        } else {
            (
                storage(&status["capacity"]).to_string(),
                access_modes(&status["accessModes"]),
            )
        };
        put!(w, 0, "Capacity:\t{capacity}\n");
        put!(w, 0, "Access Modes:\t{modes}\n");
        if let Some(mode) = spec["volumeMode"].as_str() {
            put!(w, 0, "VolumeMode:\t{mode}\n");
        }
        let source = &spec["dataSource"];
        if source.is_object() {
            w.write(0, "DataSource:\n");
            if let Some(group) = source["apiGroup"].as_str() {
                put!(w, 1, "APIGroup:\t{group}\n");
            }
            put!(w, 1, "Kind:\t{}\n", text(&source["kind"]));
            put!(w, 1, "Name:\t{}\n", text(&source["name"]));
        }
        used_by(w, &users(pvc, fetched.items(0)));
        conditions(&status["conditions"], w);
        match &fetched.events {
            Some(Ok(events)) => describe_events(events, settings.now, w),
            // kubectl ignores the error and describes the (empty) list it was filling.
            Some(Err(_)) => describe_events(&[], settings.now, w),
            None => {}
        }
        Ok(())
    }
}

/// The pods that mount the claim (once per volume that names it, as kubectl counts them),
/// then the pods that own it and are not listed yet.
fn users<'a>(pvc: &Value, pods: &'a [Value]) -> Vec<&'a str> {
    let name = text(&pvc["metadata"]["name"]);
    let mut users: Vec<&Value> = Vec::new();
    for pod in pods {
        for volume in pod["spec"]["volumes"].as_array().into_iter().flatten() {
            if volume["persistentVolumeClaim"]["claimName"].as_str() == Some(name) {
                users.push(pod);
            }
        }
    }
    let owners = pvc["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten();
    for owner in owners.filter(|owner| owner["kind"] == "Pod") {
        let uid = &owner["uid"];
        let Some(pod) = pods.iter().find(|pod| pod["metadata"]["uid"] == *uid) else {
            continue;
        };
        if !users.iter().any(|user| user["metadata"]["uid"] == *uid) {
            users.push(pod);
        }
    }
    let mut names: Vec<&str> = users
        .iter()
        .map(|pod| text(&pod["metadata"]["name"]))
        .collect();
    names.sort_unstable();
    names
}

/// `Used By:  a` then one pod name a line (kubectl's `printPodsMultiline`).
fn used_by(w: &mut PrefixWriter, pods: &[&str]) {
    w.write(0, "Used By:\t");
    if pods.is_empty() {
        w.line("<none>");
        return;
    }
    for (i, pod) in pods.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        put!(w, 0, "{pod}\n");
    }
}

fn conditions(conditions: &Value, w: &mut PrefixWriter) {
    let Some(conditions) = conditions.as_array().filter(|c| !c.is_empty()) else {
        return;
    };
    w.write(0, "Conditions:\n");
    w.write(
        1,
        "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n",
    );
    w.write(
        1,
        "----\t------\t-----------------\t------------------\t------\t-------\n",
    );
    for condition in conditions {
        put!(
            w,
            1,
            "{} \t{} \t{} \t{} \t{} \t{}\n",
            text(&condition["type"]),
            text(&condition["status"]),
            rfc1123z_or_zero(&condition["lastProbeTime"]),
            rfc1123z_or_zero(&condition["lastTransitionTime"]),
            text(&condition["reason"]),
            text(&condition["message"])
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::{fixture_item, kubectl_stdout, settings};
    use serde_json::json;

    #[test]
    fn the_recorded_claim_reads_like_kubectl() {
        let pvc = fixture_item("043-list-persistentvolumeclaims.json", "uploads");
        let recorded = kubectl_stdout("describe-pvc.txt");
        let event = json!({"type": "Normal", "reason": "FailedBinding", "count": 62,
            "message": "no persistent volumes available for this claim and no storage class is set",
            "source": {"component": "persistentvolume-controller"},
            "firstTimestamp": "2026-11-22T03:55:00Z", "lastTimestamp": "2026-11-22T04:09:24Z"});
        let fetched = Fetched {
            related: vec![Ok(json!({"items": []}))],
            events: Some(Ok(vec![event])),
        };
        let text = crate::describe::render(&PersistentVolumeClaim, &pvc, &fetched, &settings())
            .expect("text");
        assert_eq!(text, recorded);
    }

    #[test]
    fn a_bound_claim_shows_capacity_modes_users_and_conditions() {
        let pvc = json!({
            "metadata": {"name": "data", "namespace": "shop", "uid": "c-1",
                "ownerReferences": [{"kind": "Pod", "name": "owner", "uid": "p-3"}]},
            "spec": {"volumeName": "pv-1", "storageClassName": "fast", "volumeMode": "Block",
                "dataSource": {"kind": "PersistentVolumeClaim", "name": "seed"}},
            "status": {"phase": "Bound", "capacity": {"storage": "5Gi"},
                "accessModes": ["ReadWriteOnce"],
                "conditions": [{"type": "Resizing", "status": "True",
                    "lastTransitionTime": "2026-11-22T04:00:00Z"}]},
        });
        let mounting = |name: &str, uid: &str| {
            json!({"metadata": {"name": name, "uid": uid}, "spec": {"volumes": [
                {"name": "v", "persistentVolumeClaim": {"claimName": "data"}}]}})
        };
        let pods = json!({"items": [mounting("web-b", "p-2"), mounting("web-a", "p-1"),
            {"metadata": {"name": "owner", "uid": "p-3"}, "spec": {}},
            {"metadata": {"name": "other", "uid": "p-4"}, "spec": {}}]});
        let fetched = Fetched {
            related: vec![Ok(pods)],
            events: None,
        };
        let text = crate::describe::render(&PersistentVolumeClaim, &pvc, &fetched, &settings())
            .expect("text");
        assert_eq!(
            text,
            "Name:          data\n\
             Namespace:     shop\n\
             StorageClass:  fast\n\
             Status:        Bound\n\
             Volume:        pv-1\n\
             Labels:        <none>\n\
             Annotations:   <none>\n\
             Finalizers:    []\n\
             Capacity:      5Gi\n\
             Access Modes:  RWO\n\
             VolumeMode:    Block\n\
             DataSource:\n  \
             Kind:   PersistentVolumeClaim\n  \
             Name:   seed\n\
             Used By:  owner\n          \
             web-a\n          \
             web-b\n\
             Conditions:\n  \
             Type       Status  LastProbeTime                     LastTransitionTime                Reason  Message\n  \
             ----       ------  -----------------                 ------------------                ------  -------\n  \
             Resizing   True    Mon, 01 Jan 0001 00:00:00 +0000   Sun, 22 Nov 2026 04:00:00 +0000           \n"
        );
    }
}
