//! The Job controller: runs pods until `completions` of them succeed (at most `parallelism` at
//! a time), gives up after `backoffLimit` failures, and reports the result in the status and
//! conditions the way v1.33 does (SuccessCriteriaMet then Complete; FailureTarget then Failed).

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Ctx;
use super::util::{
    self, PodSpec, controller_ref, int_at, is_active, is_deleting, name, namespace, typed, uid,
};
use crate::store::Collection;

const COMPONENT: &str = "job-controller";

pub(super) fn reconcile(ctx: &Ctx) {
    let (jobs, _) = ctx.store.list(&Collection::new("batch", "jobs"), None);
    for job in jobs {
        if !is_deleting(&job) && !finished(&job) {
            sync(ctx, &job);
        }
    }
}

fn finished(job: &Value) -> bool {
    util::conditions(job)
        .iter()
        .any(|c| matches!(c["type"].as_str(), Some("Complete" | "Failed")) && c["status"] == "True")
}

/// The counts a sync works from.
struct Counts {
    active: Vec<Arc<Value>>,
    succeeded: i64,
    failed: i64,
    ready: i64,
}

fn count(ctx: &Ctx, job: &Value) -> Counts {
    let pods = util::owned(ctx.store, &util::pods(), job);
    let phase_count = |phase: &str| pods.iter().filter(|p| util::phase(p) == phase).count() as i64;
    let active: Vec<Arc<Value>> = pods.iter().filter(|p| is_active(p)).cloned().collect();
    let ready = active.iter().filter(|p| util::is_ready(p)).count() as i64;
    Counts {
        succeeded: phase_count("Succeeded"),
        failed: phase_count("Failed"),
        ready,
        active,
    }
}

fn sync(ctx: &Ctx, job: &Value) {
    let who = typed(job, "batch/v1", "Job");
    let parallelism = int_at(job, "/spec/parallelism").unwrap_or(1).max(0);
    let completions = int_at(job, "/spec/completions").unwrap_or(1).max(0);
    let backoff_limit = int_at(job, "/spec/backoffLimit").unwrap_or(6);
    let suspended = job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
    let mut counts = count(ctx, job);
    let mut conditions = util::conditions(job);
    let now = util::time(ctx.now);
    let mut completion_time = job.pointer("/status/completionTime").cloned();

    if counts.succeeded >= completions {
        finish(
            &mut conditions,
            &now,
            "Complete",
            "SuccessCriteriaMet",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        );
        completion_time = Some(now.clone());
        util::event(ctx, &who, "Completed", "Job completed", COMPONENT);
    } else if counts.failed > backoff_limit {
        finish(
            &mut conditions,
            &now,
            "Failed",
            "FailureTarget",
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        );
        for pod in &counts.active {
            util::delete_pod(ctx.store, pod, ctx.now);
        }
        counts.active.clear();
        warn(
            ctx,
            &who,
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        );
    } else {
        let wanted = if suspended {
            0
        } else {
            parallelism.min(completions - counts.succeeded)
        };
        adjust_active(ctx, job, &who, &mut counts, wanted);
    }
    update_status(ctx, job, &counts, conditions, completion_time, suspended);
}

/// Adds the interim condition and the terminal one, as the real controller leaves them.
fn finish(
    conditions: &mut Vec<Value>,
    now: &Value,
    terminal: &str,
    interim: &str,
    reason: &str,
    message: &str,
) {
    for kind in [interim, terminal] {
        if util::find_condition(conditions, kind).is_none() {
            conditions.push(json!({
                "type": kind,
                "status": "True",
                "lastProbeTime": now,
                "lastTransitionTime": now,
                "reason": reason,
                "message": message,
            }));
        }
    }
}

fn warn(ctx: &Ctx, job: &Value, reason: &str, message: &str) {
    crate::events::record_at(
        ctx.store,
        &crate::events::EventSpec {
            involved: job,
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

fn adjust_active(ctx: &Ctx, job: &Value, who: &Value, counts: &mut Counts, wanted: i64) {
    let active = counts.active.len() as i64;
    for _ in active..wanted {
        if let Some(pod) = create_pod(ctx, job) {
            let message = format!("Created pod: {}", name(&pod));
            util::event(ctx, who, "SuccessfulCreate", &message, COMPONENT);
            counts.active.push(pod);
        }
    }
    if active > wanted {
        let mut doomed = counts.active.clone();
        doomed.sort_by(|a, b| util::deletion_order(a, b));
        for pod in doomed
            .iter()
            .take(usize::try_from(active - wanted).unwrap_or(0))
        {
            if util::delete_pod(ctx.store, pod, ctx.now) {
                let message = format!("Deleted pod: {}", name(pod));
                util::event(ctx, who, "SuccessfulDelete", &message, COMPONENT);
                counts.active.retain(|p| name(p) != name(pod));
            }
        }
    }
}

fn create_pod(ctx: &Ctx, job: &Value) -> Option<Arc<Value>> {
    let template = job.pointer("/spec/template")?;
    let job_uid = uid(job).to_string();
    let job_name = name(job).to_string();
    // The API server adds these to the template on create; add them when it did not.
    let labels = vec![
        ("batch.kubernetes.io/controller-uid", job_uid.clone()),
        ("batch.kubernetes.io/job-name", job_name.clone()),
        ("controller-uid", job_uid),
        ("job-name", job_name),
    ];
    let spec = PodSpec {
        template,
        namespace: namespace(job),
        name: String::new(),
        generate_name: None,
        owner_ref: controller_ref(job, "batch/v1", "Job"),
        extra_labels: labels,
    };
    util::create_generated_pod(ctx.store, spec, &format!("{}-", name(job)))
}

fn update_status(
    ctx: &Ctx,
    job: &Value,
    counts: &Counts,
    conditions: Vec<Value>,
    completion_time: Option<Value>,
    suspended: bool,
) {
    let mut status = Map::new();
    if !conditions.is_empty() {
        status.insert("conditions".into(), json!(conditions));
    }
    let start = job
        .pointer("/status/startTime")
        .cloned()
        .filter(|_| !suspended || counts.active.is_empty())
        .or_else(|| (!suspended).then(|| util::time(ctx.now)));
    if let Some(start) = start {
        status.insert("startTime".into(), start);
    }
    if let Some(done) = completion_time {
        status.insert("completionTime".into(), done);
    }
    let active = counts.active.len() as i64;
    if active > 0 {
        status.insert("active".into(), json!(active));
    }
    if counts.succeeded > 0 {
        status.insert("succeeded".into(), json!(counts.succeeded));
    }
    if counts.failed > 0 {
        status.insert("failed".into(), json!(counts.failed));
    }
    status.insert("terminating".into(), json!(0));
    status.insert("uncountedTerminatedPods".into(), json!({}));
    status.insert("ready".into(), json!(counts.ready));
    let status = Value::Object(status);
    if job.get("status") == Some(&status) {
        return;
    }
    let mut updated = job.clone();
    updated["status"] = status;
    util::write(ctx.store, &util::key("batch", "jobs", job), updated);
}
