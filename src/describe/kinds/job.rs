//! `kubectl describe job`: parallelism, completions, timing, its pods' statuses as the Job
//! counts them, and its pod template.

use anyhow::Result;
use serde_json::Value;

use super::pod_template;
use super::workload::{self, int};
use crate::describe::fields::{annotations, go_value, labels, rfc1123z, selector_string, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

/// How many characters of completed indexes kubectl shows before cutting at a comma.
const INDEXES_SOFT_LIMIT: usize = 50;

pub struct Job;

impl Describer for Job {
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
        put!(w, 0, "Selector:\t{}\n", selector_string(&spec["selector"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        if let Some(owner) = workload::controlled_by(object) {
            put!(w, 0, "Controlled By:\t{owner}\n");
        }
        if !spec["parallelism"].is_null() {
            put!(w, 0, "Parallelism:\t{}\n", int(&spec["parallelism"]));
        }
        match spec["completions"].as_i64() {
            Some(completions) => put!(w, 0, "Completions:\t{completions}\n"),
            None => w.write(0, "Completions:\t<unset>\n"),
        }
        let mode = &spec["completionMode"];
        if !mode.is_null() {
            put!(w, 0, "Completion Mode:\t{}\n", text(mode));
        }
        for (title, field) in [
            ("Suspend", "suspend"),
            ("Backoff Limit", "backoffLimit"),
            ("TTL Seconds After Finished", "ttlSecondsAfterFinished"),
        ] {
            if !spec[field].is_null() {
                put!(w, 0, "{title}:\t{}\n", go_value(&spec[field]));
            }
        }
        let (start, completion) = (&status["startTime"], &status["completionTime"]);
        if !start.is_null() {
            put!(w, 0, "Start Time:\t{}\n", rfc1123z(start));
        }
        if !completion.is_null() {
            put!(w, 0, "Completed At:\t{}\n", rfc1123z(completion));
        }
        if let (Some(start), Some(completion)) = (timestamp(start), timestamp(completion)) {
            let took = crate::print::age::human_duration(completion.duration_since(start));
            put!(w, 0, "Duration:\t{took}\n");
        }
        if !spec["activeDeadlineSeconds"].is_null() {
            put!(
                w,
                0,
                "Active Deadline Seconds:\t{}s\n",
                int(&spec["activeDeadlineSeconds"])
            );
        }
        let (active, succeeded, failed) = (
            int(&status["active"]),
            int(&status["succeeded"]),
            int(&status["failed"]),
        );
        match status["ready"].as_i64() {
            Some(ready) => put!(
                w,
                0,
                "Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed\n"
            ),
            None => put!(
                w,
                0,
                "Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"
            ),
        }
        if text(mode) == "Indexed" {
            put!(
                w,
                0,
                "Completed Indexes:\t{}\n",
                capped_indexes(text(&status["completedIndexes"]))
            );
        }
        pod_template::describe_pod_template(&spec["template"], w);
        workload::events(fetched, settings, w);
        Ok(())
    }
}

fn timestamp(value: &Value) -> Option<jiff::Timestamp> {
    value.as_str()?.parse().ok()
}

/// kubectl's `capIndexesListOrNone`: the list up to the first comma after 50 characters,
/// then `...`; `<none>` when empty.
fn capped_indexes(indexes: &str) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    match indexes
        .get(INDEXES_SOFT_LIMIT..)
        .and_then(|rest| rest.find(','))
    {
        Some(comma) => format!("{}...", &indexes[..INDEXES_SOFT_LIMIT + comma + 1]),
        None => indexes.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_index_lists_are_cut_at_a_comma() {
        assert_eq!(capped_indexes(""), "<none>");
        assert_eq!(capped_indexes("1-3,5"), "1-3,5");
        let long = (0..40)
            .map(|i| (i * 2).to_string())
            .collect::<Vec<_>>()
            .join(",");
        let cut = capped_indexes(&long);
        assert!(cut.ends_with(",..."), "{cut}");
        assert!(
            cut.len() > INDEXES_SOFT_LIMIT && cut.len() < INDEXES_SOFT_LIMIT + 8,
            "{cut}"
        );
        assert!(long.starts_with(cut.trim_end_matches("...")));
    }
}
