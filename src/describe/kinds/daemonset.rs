//! `kubectl describe daemonset`: its selectors, how many nodes run its pods, its pods by
//! phase and its pod template.

use anyhow::Result;
use serde_json::Value;

use super::pod_template;
use super::workload::{self, PodCounts, int};
use crate::describe::fields::{annotations, labels, map_selector, selector_string, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct DaemonSet;

impl Describer for DaemonSet {
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
        // kubectl describes nothing of a DaemonSet whose pods it cannot list.
        let counts = PodCounts::of(workload::items_or_error(fetched, 0)?, text(&meta["uid"]));
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(w, 0, "Selector:\t{}\n", selector_string(&spec["selector"]));
        put!(
            w,
            0,
            "Node-Selector:\t{}\n",
            map_selector(&spec["template"]["spec"]["nodeSelector"])
        );
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        for (title, field) in [
            (
                "Desired Number of Nodes Scheduled",
                "desiredNumberScheduled",
            ),
            (
                "Current Number of Nodes Scheduled",
                "currentNumberScheduled",
            ),
            (
                "Number of Nodes Scheduled with Up-to-date Pods",
                "updatedNumberScheduled",
            ),
            (
                "Number of Nodes Scheduled with Available Pods",
                "numberAvailable",
            ),
            ("Number of Nodes Misscheduled", "numberMisscheduled"),
        ] {
            put!(w, 0, "{title}: {}\n", int(&status[field]));
        }
        put!(w, 0, "Pods Status:\t{}\n", counts.line());
        pod_template::describe_pod_template(&spec["template"], w);
        workload::events(fetched, settings, w);
        Ok(())
    }
}
