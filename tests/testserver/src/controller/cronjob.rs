//! The CronJob controller (v1.33's `cronjob_controllerv2`): at each scheduled time it creates
//! a Job from the job template, named `<cronjob>-<scheduled time in minutes since the epoch>`,
//! and keeps the status — the active Jobs, lastScheduleTime, lastSuccessfulTime — and the
//! history limits, with the real controller's events. Tests reach a scheduled time by
//! advancing the controllers' clock ([`super::Controller::advance_clock`]) and stepping.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::Ctx;
use super::schedule::Schedule;
use super::util::{self, controller_ref, int_at, is_deleting, name, namespace, typed, uid};
use crate::store::{Collection, ObjectKey, format_time};

const COMPONENT: &str = "cronjob-controller";
/// The annotation on a Job with the time it was scheduled for.
const SCHEDULED_AT: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

pub(super) fn reconcile(ctx: &Ctx) {
    let (cronjobs, _) = ctx.store.list(&Collection::new("batch", "cronjobs"), None);
    for cronjob in cronjobs {
        sync(ctx, &cronjob);
    }
}

fn jobs() -> Collection {
    Collection::new("batch", "jobs")
}

/// `Complete` or `Failed` when the Job has finished.
fn finished_as(job: &Value) -> Option<&'static str> {
    util::conditions(job).iter().find_map(|c| {
        let kind = match c["type"].as_str() {
            Some("Complete") => "Complete",
            Some("Failed") => "Failed",
            _ => return None,
        };
        (c["status"] == "True").then_some(kind)
    })
}

fn sync(ctx: &Ctx, cronjob: &Value) {
    let who = typed(cronjob, "batch/v1", "CronJob");
    let jobs = util::owned(ctx.store, &jobs(), cronjob);
    let mut status = cronjob.get("status").cloned().unwrap_or(json!({}));
    let mut active: Vec<Value> = status["active"].as_array().cloned().unwrap_or_default();
    let is_active = |active: &[Value], job: &Value| active.iter().any(|r| r["uid"] == uid(job));

    for job in &jobs {
        let finished = finished_as(job);
        if let Some(condition) = finished.filter(|_| is_active(&active, job)) {
            active.retain(|r| r["uid"] != uid(job));
            let message = format!("Saw completed job: {}, condition: {condition}", name(job));
            util::event(ctx, &who, "SawCompletedJob", &message, COMPONENT);
        }
        if finished == Some("Complete")
            && let Some(done) = job.pointer("/status/completionTime")
        {
            let later = match util::parse_time(&status, "/lastSuccessfulTime") {
                None => true,
                Some(last) => util::parse_time(job, "/status/completionTime") > Some(last),
            };
            if later {
                status["lastSuccessfulTime"] = done.clone();
            }
        }
    }
    let gone: Vec<Value> = active
        .iter()
        .filter(|r| !jobs.iter().any(|job| r["uid"] == uid(job)))
        .cloned()
        .collect();
    for reference in gone {
        active.retain(|r| r["uid"] != reference["uid"]);
        let message = format!(
            "Active job went missing: {}",
            reference["name"].as_str().unwrap_or_default()
        );
        util::event(ctx, &who, "MissingJob", &message, COMPONENT);
    }

    if !is_deleting(cronjob) {
        if let Some(scheduled) = due(ctx, cronjob, &status, &who) {
            start(ctx, cronjob, &who, scheduled, &mut status, &mut active);
        }
        clean_up(ctx, cronjob, &who, &mut active);
    }
    save_status(ctx, cronjob, status, active);
}

/// The scheduled time to start a Job for now, if one is due (and not too late, not already
/// started, not forbidden by the concurrency policy).
fn due(ctx: &Ctx, cronjob: &Value, status: &Value, who: &Value) -> Option<Timestamp> {
    if cronjob.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let text = util::str_at(cronjob, "/spec/schedule").unwrap_or_default();
    let schedule = match Schedule::parse(text) {
        Ok(schedule) => schedule,
        Err(err) => {
            // Once: the real controller waits for the spec to change.
            if !told_since(ctx, who, "UnparseableSchedule", Timestamp::UNIX_EPOCH) {
                let message = format!("unparseable schedule: {text:?} : {err}");
                warn(ctx, who, "UnparseableSchedule", &message);
            }
            return None;
        }
    };
    let earliest = util::parse_time(status, "/lastScheduleTime")
        .or_else(|| util::parse_time(cronjob, "/metadata/creationTimestamp"))?;
    let scheduled = schedule.latest_between(earliest, ctx.now)?;
    if let Some(deadline) = int_at(cronjob, "/spec/startingDeadlineSeconds") {
        let latest_start = scheduled.saturating_add(jiff::SignedDuration::from_secs(deadline));
        if latest_start.is_ok_and(|latest| latest < ctx.now) {
            if told_since(ctx, who, "MissSchedule", scheduled) {
                return None;
            }
            let when = scheduled.strftime("%a, %d %b %Y %H:%M:%S %z");
            let message = format!("Missed scheduled time to start a job: {when}");
            warn(ctx, who, "MissSchedule", &message);
            return None;
        }
    }
    let active = status["active"].as_array().map_or(0, Vec::len);
    if util::str_at(cronjob, "/spec/concurrencyPolicy") == Some("Forbid") && active > 0 {
        if told_since(ctx, who, "JobAlreadyActive", scheduled) {
            return None;
        }
        util::event(
            ctx,
            who,
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
            COMPONENT,
        );
        return None;
    }
    Some(scheduled)
}

/// Creates the Job for `scheduled` (replacing the running ones under `Replace`).
fn start(
    ctx: &Ctx,
    cronjob: &Value,
    who: &Value,
    scheduled: Timestamp,
    status: &mut Value,
    active: &mut Vec<Value>,
) {
    if util::str_at(cronjob, "/spec/concurrencyPolicy") == Some("Replace") {
        for reference in active.clone() {
            let job_name = reference["name"].as_str().unwrap_or_default();
            let key = ObjectKey::new("batch", "jobs", namespace(cronjob), job_name);
            if let Some(job) = ctx.store.get(&key) {
                delete_job(ctx, who, &job, active);
            }
        }
    }
    let job_name = format!("{}-{}", name(cronjob), scheduled.as_second() / 60);
    let key = ObjectKey::new("batch", "jobs", namespace(cronjob), &job_name);
    let mut job = job_from_template(cronjob, &job_name, scheduled);
    crate::admission::admit("batch", "jobs", &mut job, "kube-controller-manager");
    let created = match ctx.store.create(&key, job) {
        Ok(created) => {
            let message = format!("Created job {job_name}");
            util::event(ctx, who, "SuccessfulCreate", &message, COMPONENT);
            created
        }
        // Made by an earlier pass whose status update was lost: adopt it if it is ours.
        Err(_) => match ctx.store.get(&key) {
            Some(job) if util::controller_uid(&job) == Some(uid(cronjob)) => job,
            _ => return,
        },
    };
    if !active.iter().any(|r| r["uid"] == uid(&created)) {
        active.push(reference(&created));
    }
    status["lastScheduleTime"] = json!(format_time(scheduled));
}

/// The Job a CronJob makes for one scheduled time (`getJobFromTemplate2`).
fn job_from_template(cronjob: &Value, job_name: &str, scheduled: Timestamp) -> Value {
    let template = cronjob
        .pointer("/spec/jobTemplate")
        .cloned()
        .unwrap_or(json!({}));
    let mut metadata = Map::new();
    metadata.insert("name".into(), json!(job_name));
    metadata.insert("namespace".into(), json!(namespace(cronjob)));
    if let Some(labels) = template
        .pointer("/metadata/labels")
        .filter(|l| l.is_object())
    {
        metadata.insert("labels".into(), labels.clone());
    }
    let mut annotations = template
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    annotations.insert(SCHEDULED_AT.into(), json!(format_time(scheduled)));
    metadata.insert("annotations".into(), Value::Object(annotations));
    metadata.insert(
        "ownerReferences".into(),
        json!([controller_ref(cronjob, "batch/v1", "CronJob")]),
    );
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or(json!({})),
    })
}

/// An ObjectReference to a Job, as the status lists active Jobs.
fn reference(job: &Value) -> Value {
    json!({
        "kind": "Job",
        "namespace": namespace(job),
        "name": name(job),
        "uid": uid(job),
        "apiVersion": "batch/v1",
        "resourceVersion": util::str_at(job, "/metadata/resourceVersion").unwrap_or_default(),
    })
}

/// Deletes the oldest finished Jobs beyond the history limits.
fn clean_up(ctx: &Ctx, cronjob: &Value, who: &Value, active: &mut Vec<Value>) {
    let jobs = util::owned(ctx.store, &jobs(), cronjob);
    for (condition, limit) in [
        ("Complete", "/spec/successfulJobsHistoryLimit"),
        ("Failed", "/spec/failedJobsHistoryLimit"),
    ] {
        let Some(limit) = int_at(cronjob, limit) else {
            continue;
        };
        let mut finished: Vec<&Arc<Value>> = jobs
            .iter()
            .filter(|job| finished_as(job) == Some(condition))
            .collect();
        let extra = finished
            .len()
            .saturating_sub(usize::try_from(limit).unwrap_or(0));
        // Oldest start first; Jobs that never started last, names breaking ties.
        finished.sort_by(|a, b| {
            let started = |job: &Value| util::parse_time(job, "/status/startTime");
            match (started(a), started(b)) {
                (Some(x), Some(y)) if x != y => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                _ => name(a).cmp(name(b)),
            }
        });
        for job in finished.into_iter().take(extra) {
            delete_job(ctx, who, job, active);
        }
    }
}

fn delete_job(ctx: &Ctx, who: &Value, job: &Value, active: &mut Vec<Value>) {
    if ctx.store.delete(&util::key("batch", "jobs", job)).is_ok() {
        active.retain(|r| r["uid"] != uid(job));
        let message = format!("Deleted job {}", name(job));
        util::event(ctx, who, "SuccessfulDelete", &message, COMPONENT);
    }
}

/// Whether an event of `reason` about the CronJob was recorded at or after `since`: the real
/// controller looks at a CronJob once per scheduled time, these passes run every tick.
fn told_since(ctx: &Ctx, who: &Value, reason: &str, since: Timestamp) -> bool {
    let (events, _) = ctx
        .store
        .list(&Collection::new("", "events"), Some(namespace(who)));
    events.iter().any(|event| {
        event.pointer("/involvedObject/uid").and_then(Value::as_str) == Some(uid(who))
            && event["reason"] == reason
            && util::parse_time(event, "/lastTimestamp").is_some_and(|at| at >= since)
    })
}

fn warn(ctx: &Ctx, who: &Value, reason: &str, message: &str) {
    crate::events::record_at(
        ctx.store,
        &crate::events::EventSpec {
            involved: who,
            field_path: None,
            event_type: "Warning",
            reason,
            message,
            component: COMPONENT,
            host: None,
        },
        ctx.now,
    );
}

fn save_status(ctx: &Ctx, cronjob: &Value, mut status: Value, active: Vec<Value>) {
    if let Some(fields) = status.as_object_mut() {
        if active.is_empty() {
            fields.remove("active");
        } else {
            fields.insert("active".into(), json!(active));
        }
    }
    if cronjob.get("status").unwrap_or(&json!({})) == &status {
        return;
    }
    let mut updated = cronjob.clone();
    updated["status"] = status;
    util::write(ctx.store, &util::key("batch", "cronjobs", cronjob), updated);
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use super::*;
    use crate::controller::{Controller, ControllerConfig};
    use crate::store::Store;

    const NS: &str = "shop";
    const HALF_HOUR: Duration = Duration::from_secs(30 * 60);

    fn recorded(file: &str, name: &str) -> Value {
        let path = format!("{}/../fixtures/http/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("fixture");
        let list: Value = serde_json::from_str(&text).expect("fixture JSON");
        list["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["metadata"]["name"] == name))
            .cloned()
            .expect("recorded object")
    }

    fn keys(v: &Value) -> BTreeSet<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// A store with one node and the CronJob `report` made 31 minutes before the
    /// controllers' clock, so one start (the last half hour) is due.
    fn setup(spec: Value) -> (Arc<Store>, Controller) {
        let store = Arc::new(Store::new());
        let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {}, "spec": {},
            "status": {"addresses": [{"type": "InternalIP", "address": "127.0.0.1"}]}});
        store
            .create(&ObjectKey::new("", "nodes", "", "fake-node-1"), node)
            .expect("node");
        let config = ControllerConfig {
            nodes: vec!["fake-node-1".into()],
            ..ControllerConfig::default()
        };
        let controller = Controller::new(store.clone(), config);
        let created = controller
            .now()
            .saturating_sub(jiff::SignedDuration::from_mins(31))
            .expect("time");
        let mut cronjob = json!({
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "report", "namespace": NS, "creationTimestamp": format_time(created)},
            "spec": spec,
        });
        crate::admission::admit("batch", "cronjobs", &mut cronjob, "tests");
        store
            .create(&ObjectKey::new("batch", "cronjobs", NS, "report"), cronjob)
            .expect("cronjob");
        (store, controller)
    }

    fn spec(image: &str) -> Value {
        json!({"schedule": "*/30 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure",
            "containers": [{"name": "report", "image": image, "command": ["sh", "-c", "date"]}]}}}}})
    }

    fn cronjob(store: &Store) -> Arc<Value> {
        store
            .get(&ObjectKey::new("batch", "cronjobs", NS, "report"))
            .expect("cronjob")
    }

    fn jobs(store: &Store) -> Vec<Arc<Value>> {
        store.list(&super::jobs(), Some(NS)).0
    }

    fn messages(store: &Store, reason: &str) -> Vec<String> {
        let mut found: Vec<(String, String)> = store
            .list(&Collection::new("", "events"), Some(NS))
            .0
            .iter()
            .filter(|e| e["involvedObject"]["kind"] == "CronJob" && e["reason"] == reason)
            .map(|e| {
                (
                    name(e).to_string(),
                    e["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, m)| m).collect()
    }

    #[test]
    fn a_due_start_makes_a_job_shaped_like_the_real_controllers() {
        let (store, controller) = setup(spec("busybox:1.36"));
        controller.step(1);
        let created = jobs(&store);
        assert_eq!(created.len(), 1);
        let job = &created[0];
        let scheduled = util::parse_time(
            job,
            "/metadata/annotations/batch.kubernetes.io~1cronjob-scheduled-timestamp",
        )
        .expect("scheduled time");
        assert_eq!(scheduled.as_second() % 1800, 0, "on the half hour");
        assert_eq!(name(job), format!("report-{}", scheduled.as_second() / 60));
        let real = recorded("055-list-jobs.json", "report-29922000");
        for pointer in [
            "/metadata",
            "/metadata/labels",
            "/metadata/annotations",
            "/spec",
        ] {
            let ours = job.pointer(pointer).expect("ours");
            let theirs = real.pointer(pointer).expect("recorded");
            let mut expected = keys(theirs);
            if pointer == "/metadata" {
                expected.insert("managedFields".into());
            }
            assert_eq!(keys(ours), expected, "{pointer}");
        }
        assert_eq!(
            keys(&job["metadata"]["ownerReferences"][0]),
            keys(&real["metadata"]["ownerReferences"][0])
        );
        assert_eq!(job["metadata"]["ownerReferences"][0]["kind"], "CronJob");
        let status = &cronjob(&store)["status"];
        assert_eq!(status["active"][0]["name"], name(job));
        assert_eq!(status["lastScheduleTime"], json!(format_time(scheduled)));
        assert_eq!(
            messages(&store, "SuccessfulCreate"),
            [format!("Created job {}", name(job))]
        );

        // The Job runs to completion; the CronJob notices once.
        controller.step(8);
        let status = &cronjob(&store)["status"];
        let real = recorded("057-list-cronjobs.json", "report");
        assert_eq!(keys(status), keys(&real["status"]), "{status}");
        assert_eq!(
            messages(&store, "SawCompletedJob"),
            [format!(
                "Saw completed job: {}, condition: Complete",
                name(job)
            )]
        );
        let finished = jobs(&store);
        assert_eq!(
            status["lastSuccessfulTime"],
            finished[0]
                .pointer("/status/completionTime")
                .cloned()
                .unwrap_or_default()
        );
        assert_eq!(
            jobs(&store).len(),
            1,
            "no second start before the next half hour"
        );
    }

    #[test]
    fn finished_jobs_beyond_the_history_limit_are_deleted_oldest_first() {
        let mut spec = spec("busybox:1.36");
        spec["successfulJobsHistoryLimit"] = json!(1);
        let (store, controller) = setup(spec);
        controller.step(8);
        let first = name(&jobs(&store)[0]).to_string();
        controller.advance_clock(HALF_HOUR);
        controller.step(8);
        let left: Vec<String> = jobs(&store).iter().map(|j| name(j).to_string()).collect();
        assert_eq!(left.len(), 1);
        assert_ne!(left[0], first);
        assert_eq!(
            messages(&store, "SuccessfulDelete"),
            [format!("Deleted job {first}")]
        );
    }

    #[test]
    fn concurrency_policies_are_honoured() {
        // A crash-looping container: the Job never finishes.
        let mut forbid = spec("busybox:broken");
        forbid["concurrencyPolicy"] = json!("Forbid");
        let (store, controller) = setup(forbid);
        controller.step(3);
        controller.advance_clock(HALF_HOUR);
        controller.step(3);
        assert_eq!(jobs(&store).len(), 1);
        assert_eq!(
            messages(&store, "JobAlreadyActive"),
            [
                "Not starting job because prior execution is running and concurrency policy is Forbid"
            ]
        );

        let mut replace = spec("busybox:broken");
        replace["concurrencyPolicy"] = json!("Replace");
        let (store, controller) = setup(replace);
        controller.step(3);
        let first = name(&jobs(&store)[0]).to_string();
        controller.advance_clock(HALF_HOUR);
        controller.step(3);
        let names: Vec<String> = jobs(&store).iter().map(|j| name(j).to_string()).collect();
        assert_eq!(names.len(), 1);
        assert_ne!(names[0], first);
        assert_eq!(
            messages(&store, "SuccessfulDelete"),
            [format!("Deleted job {first}")]
        );
        assert_eq!(
            cronjob(&store)["status"]["active"][0]["name"],
            json!(names[0])
        );

        let mut allow = spec("busybox:broken");
        allow["suspend"] = json!(false);
        let (store, controller) = setup(allow);
        controller.step(1);
        controller.advance_clock(HALF_HOUR);
        controller.step(1);
        assert_eq!(jobs(&store).len(), 2);
        assert_eq!(
            cronjob(&store)["status"]["active"].as_array().map(Vec::len),
            Some(2)
        );
    }

    #[test]
    fn suspended_cronjobs_start_nothing() {
        let mut spec = spec("busybox:1.36");
        spec["suspend"] = json!(true);
        let (store, controller) = setup(spec);
        controller.step(2);
        assert!(jobs(&store).is_empty());
        assert!(
            cronjob(&store)
                .get("status")
                .is_none_or(|s| s.get("lastScheduleTime").is_none())
        );
    }
}
