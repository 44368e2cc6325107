//! Printers for the batch group: jobs and cron jobs.

use jiff::Timestamp;
use serde_json::Value;

use super::BuiltIn;
use super::columns::{AGE, CONTAINERS, Column, IMAGES, NAME};
use super::duration::human_duration_between;
use super::fields::{
    age, age_at, at, container_cells, format_label_selector, has_true_condition, integer, items,
    name, opt_integer, print_bool, text, timestamp,
};

pub(super) fn printer(resource: &str) -> Option<BuiltIn> {
    Some(match resource {
        "jobs" => BuiltIn::new(JOB_COLUMNS, job_cells),
        "cronjobs" => BuiltIn::new(CRONJOB_COLUMNS, cronjob_cells),
        _ => return None,
    })
}

const JOB_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Status", "Status of the job."),
    Column::string("Completions", "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
    Column::string("Duration", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    Column::string("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors").wide(),
];

fn job_cells(job: &Value, now: Timestamp) -> Vec<Value> {
    let [containers, images] = container_cells(at(job, "/spec/template").unwrap_or(&Value::Null));
    vec![
        name(job),
        job_status(job).into(),
        job_completions(job).into(),
        job_duration(job, now).into(),
        age(job, now),
        containers,
        images,
        format_label_selector(at(job, "/spec/selector")).into(),
    ]
}

/// The first that applies: Complete, Failed, Terminating, Suspended, FailureTarget,
/// SuccessCriteriaMet, else Running.
fn job_status(job: &Value) -> &'static str {
    let has = |kind: &str| has_true_condition(job, "/status/conditions", kind);
    if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if at(job, "/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    }
}

/// "succeeded/completions", or for a work queue "succeeded/1" ("… of parallelism").
fn job_completions(job: &Value) -> String {
    let succeeded = integer(job, "/status/succeeded");
    if let Some(completions) = opt_integer(job, "/spec/completions") {
        return format!("{succeeded}/{completions}");
    }
    match integer(job, "/spec/parallelism") {
        parallelism if parallelism > 1 => format!("{succeeded}/1 of {parallelism}"),
        _ => format!("{succeeded}/1"),
    }
}

/// From start to completion, or to now while running; "" before it starts.
fn job_duration(job: &Value, now: Timestamp) -> String {
    let Some(start) = timestamp(job, "/status/startTime") else {
        return String::new();
    };
    let end = timestamp(job, "/status/completionTime").unwrap_or(now);
    human_duration_between(start, end)
}

const CRONJOB_COLUMNS: &[Column] = &[
    NAME,
    Column::string("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    Column::string("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
    Column::boolean("Suspend", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
    Column::integer("Active", "A list of pointers to currently running jobs."),
    Column::string("Last Schedule", "Information when was the last time the job was successfully scheduled."),
    AGE,
    CONTAINERS,
    IMAGES,
    Column::string("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors").wide(),
];

fn cronjob_cells(cronjob: &Value, now: Timestamp) -> Vec<Value> {
    let job_spec = at(cronjob, "/spec/jobTemplate/spec").unwrap_or(&Value::Null);
    let [containers, images] = container_cells(at(job_spec, "/template").unwrap_or(&Value::Null));
    let last_schedule = match at(cronjob, "/status/lastScheduleTime") {
        Some(_) => age_at(cronjob, "/status/lastScheduleTime", now),
        None => "<none>".to_string(),
    };
    let suspend = match at(cronjob, "/spec/suspend").and_then(Value::as_bool) {
        Some(suspend) => print_bool(suspend),
        None => "<unset>",
    };
    let timezone = match at(cronjob, "/spec/timeZone") {
        Some(_) => text(cronjob, "/spec/timeZone"),
        None => "<none>",
    };
    vec![
        name(cronjob),
        text(cronjob, "/spec/schedule").into(),
        timezone.into(),
        suspend.into(),
        items(cronjob, "/status/active").len().into(),
        last_schedule.into(),
        age(cronjob, now),
        containers,
        images,
        format_label_selector(at(job_spec, "/selector")).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> Timestamp {
        "2026-01-01T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn running_work_queue_job() {
        let job = json!({"spec": {"parallelism": 3},
            "status": {"startTime": "2026-01-01T11:58:30Z", "succeeded": 1}});
        assert_eq!(job_status(&job), "Running");
        assert_eq!(job_completions(&job), "1/1 of 3");
        assert_eq!(job_duration(&job, now()), "90s");
        assert_eq!(job_duration(&json!({}), now()), "");
    }

    #[test]
    fn failed_job_wins_over_deletion() {
        let job = json!({"metadata": {"deletionTimestamp": "2026-01-01T11:00:00Z"},
            "spec": {"completions": 2},
            "status": {"conditions": [{"type": "Failed", "status": "True"}]}});
        assert_eq!(job_status(&job), "Failed");
        assert_eq!(job_completions(&job), "0/2");
        let suspended =
            json!({"status": {"conditions": [{"type": "Suspended", "status": "True"}]}});
        assert_eq!(job_status(&suspended), "Suspended");
    }

    #[test]
    fn cronjob_placeholders() {
        let cronjob = json!({"metadata": {"name": "c"}, "spec": {"schedule": "@daily",
            "suspend": true, "timeZone": "Etc/UTC"}});
        let cells = cronjob_cells(&cronjob, now());
        let expected = json!([
            "c",
            "@daily",
            "Etc/UTC",
            "True",
            0,
            "<none>",
            "<unknown>",
            "",
            "",
            "<none>"
        ]);
        assert_eq!(Value::from(cells), expected);
    }
}
