//! `kubectl describe cronjob`: schedule, policies and history limits, the job template, the
//! last schedule time and the jobs running now.

use anyhow::Result;
use serde_json::Value;

use super::pod_template;
use super::workload::{self, int};
use crate::describe::fields::{annotations, labels, rfc1123z, selector_string, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct CronJob;

impl Describer for CronJob {
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
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Schedule:\t{}\n", text(&spec["schedule"]));
        put!(
            w,
            0,
            "Concurrency Policy:\t{}\n",
            text(&spec["concurrencyPolicy"])
        );
        let suspend = match spec["suspend"].as_bool() {
            Some(true) => "True",
            Some(false) => "False",
            None => "<unset>",
        };
        put!(w, 0, "Suspend:\t{suspend}\n");
        for (title, field) in [
            ("Successful Job History Limit", "successfulJobsHistoryLimit"),
            ("Failed Job History Limit", "failedJobsHistoryLimit"),
        ] {
            put!(w, 0, "{title}:\t{}\n", or_unset(&spec[field], ""));
        }
        put!(
            w,
            0,
            "Starting Deadline Seconds:\t{}\n",
            or_unset(&spec["startingDeadlineSeconds"], "s")
        );
        job_template(w, &spec["jobTemplate"]["spec"]);
        match status["lastScheduleTime"].as_str() {
            Some(_) => put!(
                w,
                0,
                "Last Schedule Time:\t{}\n",
                rfc1123z(&status["lastScheduleTime"])
            ),
            None => w.write(0, "Last Schedule Time:\t<unset>\n"),
        }
        active_jobs(w, &status["active"]);
        workload::events(fetched, settings, w);
        Ok(())
    }
}

/// A number and its unit, or `<unset>`.
fn or_unset(value: &Value, unit: &str) -> String {
    if value.is_null() {
        "<unset>".to_string()
    } else {
        format!("{}{unit}", int(value))
    }
}

/// kubectl's `describeJobTemplate`.
fn job_template(w: &mut PrefixWriter, spec: &Value) {
    let selector = &spec["selector"];
    if selector.is_null() {
        w.write(0, "Selector:\t<unset>\n");
    } else {
        put!(w, 0, "Selector:\t{}\n", selector_string(selector));
    }
    put!(
        w,
        0,
        "Parallelism:\t{}\n",
        or_unset(&spec["parallelism"], "")
    );
    put!(
        w,
        0,
        "Completions:\t{}\n",
        or_unset(&spec["completions"], "")
    );
    if !spec["activeDeadlineSeconds"].is_null() {
        put!(
            w,
            0,
            "Active Deadline Seconds:\t{}s\n",
            int(&spec["activeDeadlineSeconds"])
        );
    }
    pod_template::describe_pod_template(&spec["template"], w);
}

/// `Active Jobs:  report-1, report-2`, or `<none>`.
fn active_jobs(w: &mut PrefixWriter, active: &Value) {
    let names: Vec<&str> = active
        .as_array()
        .into_iter()
        .flatten()
        .map(|job| text(&job["name"]))
        .collect();
    w.write(0, "Active Jobs:\t");
    if names.is_empty() {
        w.line("<none>");
    } else {
        w.line(&names.join(", "));
    }
}
