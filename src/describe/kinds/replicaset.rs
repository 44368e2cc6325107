//! `kubectl describe replicaset`: its selector, owner, replicas, its pods by phase (or why
//! they could not be listed), pod template and conditions.

use anyhow::Result;
use serde_json::Value;

use super::pod_template;
use super::workload::{self, PodCounts, int};
use crate::describe::fields::{annotations, label_selector, labels, selector_string, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct ReplicaSet;

impl Describer for ReplicaSet {
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
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(w, 0, "Selector:\t{}\n", label_selector(&spec["selector"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        if let Some(owner) = workload::controlled_by(object) {
            put!(w, 0, "Controlled By:\t{owner}\n");
        }
        put!(
            w,
            0,
            "Replicas:\t{} current / {} desired\n",
            int(&status["replicas"]),
            int(&spec["replicas"])
        );
        w.write(0, "Pods Status:\t");
        // Unlike the other workloads', a ReplicaSet's description survives unreadable pods.
        match workload::items_or_error(fetched, 0) {
            Ok(pods) => {
                let counts = PodCounts::of(pods, text(&meta["uid"]));
                put!(w, 0, "{}\n", counts.line());
            }
            Err(err) => put!(w, 0, "error in fetching pods: {err}\n"),
        }
        pod_template::describe_pod_template(&spec["template"], w);
        workload::conditions(w, status);
        workload::events(fetched, settings, w);
        Ok(())
    }
}
