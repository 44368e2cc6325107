//! `kubectl describe replicationcontroller`: a ReplicaSet's summary with a map selector and
//! no owner line.

use anyhow::Result;
use serde_json::Value;

use super::pod_template;
use super::workload::{self, PodCounts, int};
use crate::describe::fields::{annotations, labels, map_selector, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct ReplicationController;

impl Describer for ReplicationController {
    fn fetches(&self, object: &Value) -> Vec<Fetch> {
        let selector = map_selector(&object["spec"]["selector"]);
        let selector = if selector == "<none>" { "" } else { &selector };
        vec![workload::pods_fetch(object, selector)]
    }

    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let (meta, spec, status) = (&object["metadata"], &object["spec"], &object["status"]);
        // kubectl describes nothing of a controller whose pods it cannot list.
        let counts = PodCounts::of(workload::items_or_error(fetched, 0)?, text(&meta["uid"]));
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(w, 0, "Selector:\t{}\n", map_selector(&spec["selector"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(
            w,
            0,
            "Replicas:\t{} current / {} desired\n",
            int(&status["replicas"]),
            int(&spec["replicas"])
        );
        put!(w, 0, "Pods Status:\t{}\n", counts.line());
        pod_template::describe_pod_template(&spec["template"], w);
        workload::conditions(w, status);
        workload::events(fetched, settings, w);
        Ok(())
    }
}
