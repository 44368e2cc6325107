//! The workload describers against kubectl v1.33's recorded descriptions of the same
//! objects (`tests/fixtures/kubectl/describe-*.txt`), fed the recorded objects, pods and
//! events (`tests/fixtures/http`) and the moment the descriptions were taken.

use serde_json::Value;

use super::{cronjob, daemonset, deployment, job, replicaset, statefulset};
use crate::describe::{Describer, Fetched, Settings, render};

/// When kubectl described them: its ages read 15m for 03:51:16 and 7m4s for 04:00:00.
const DESCRIBED_AT: &str = "2026-11-22T04:07:04Z";

fn fixture(path: &str) -> String {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn items(file: &str) -> Vec<Value> {
    let list: Value = serde_json::from_str(&fixture(&format!("http/{file}"))).expect("JSON");
    list["items"].as_array().cloned().unwrap_or_default()
}

fn recorded_stdout(name: &str) -> String {
    let text = fixture(&format!("kubectl/{name}"));
    text.split_once("# --- stdout\n")
        .and_then(|(_, rest)| rest.split_once("# --- stderr"))
        .map(|(stdout, _)| stdout.to_string())
        .expect("stdout section")
}

/// Describes the recorded `kind` object `name` as kubectl did, with the recorded pods as the
/// answer to every fetch and the object's recorded events.
fn described(describer: &dyn Describer, list: &str, kind: &str, name: &str) -> String {
    let mut object = items(list)
        .into_iter()
        .find(|o| o["metadata"]["name"] == name)
        .expect("recorded object");
    object["kind"] = Value::from(kind);
    let pods = serde_json::json!({"items": items("029-list-pods.json")});
    let events = items("039-list-events.json")
        .into_iter()
        .filter(|e| e["involvedObject"]["uid"] == object["metadata"]["uid"])
        .collect();
    let fetched = Fetched {
        related: describer
            .fetches(&object)
            .iter()
            .map(|_| Ok(pods.clone()))
            .collect(),
        events: Some(Ok(events)),
    };
    let settings = Settings {
        show_events: true,
        now: DESCRIBED_AT.parse().expect("time"),
    };
    render(describer, &object, &fetched, &settings).expect("description")
}

#[test]
fn a_statefulset_reads_like_the_recorded_one() {
    let text = described(
        &statefulset::StatefulSet,
        "049-list-statefulsets.json",
        "StatefulSet",
        "cache",
    );
    assert_eq!(text, recorded_stdout("describe-statefulset.txt"));
}

#[test]
fn a_daemonset_reads_like_the_recorded_one() {
    let text = described(
        &daemonset::DaemonSet,
        "051-list-daemonsets.json",
        "DaemonSet",
        "log-agent",
    );
    assert_eq!(text, recorded_stdout("describe-daemonset.txt"));
}

#[test]
fn a_job_reads_like_the_recorded_one() {
    let text = described(&job::Job, "055-list-jobs.json", "Job", "migrate");
    assert_eq!(text, recorded_stdout("describe-job.txt"));
}

#[test]
fn a_cronjob_reads_like_the_recorded_one() {
    let text = described(
        &cronjob::CronJob,
        "057-list-cronjobs.json",
        "CronJob",
        "report",
    );
    assert_eq!(text, recorded_stdout("describe-cronjob.txt"));
}

/// The recorded ReplicaSets are from before the last rollout, but the old one had no more
/// changes to come: it is the second description of the recorded `describe rs`.
#[test]
fn an_old_replicaset_reads_like_the_recorded_one() {
    let text = described(
        &replicaset::ReplicaSet,
        "047-list-replicasets.json",
        "ReplicaSet",
        "frontend-576dbf59d",
    );
    let recorded = recorded_stdout("describe-replicaset.txt");
    let blocks: Vec<&str> = recorded.split("\n\n\n").collect();
    assert_eq!(blocks.len(), 3);
    assert_eq!(text, format!("{}\n", blocks[1]));
}

/// The recorded Deployment and its two ReplicaSets after its second rollout: the new one is
/// found by its (server-defaulted) template, the old one, scaled to zero, is still listed.
#[test]
fn a_recorded_deployment_names_its_old_and_new_replicasets() {
    let mut deployment = items("045-list-deployments.json")
        .into_iter()
        .next()
        .expect("recorded deployment");
    deployment["kind"] = Value::from("Deployment");
    let fetched = Fetched {
        related: vec![Ok(
            serde_json::json!({"items": items("047-list-replicasets.json")}),
        )],
        events: None,
    };
    let settings = Settings {
        show_events: false,
        now: DESCRIBED_AT.parse().expect("time"),
    };
    let text = render(&deployment::Deployment, &deployment, &fetched, &settings).expect("text");
    assert!(
        text.ends_with(
            "OldReplicaSets:  frontend-576dbf59d (0/0 replicas created)\nNewReplicaSet:   frontend-548fb674cb (2/2 replicas created)\n"
        ),
        "{text}"
    );
    let recorded = recorded_stdout("describe-deployment.txt");
    let head = |text: &str| -> Vec<String> {
        text.lines()
            .take_while(|l| !l.starts_with("Annotations:"))
            .map(String::from)
            .collect()
    };
    assert_eq!(head(&text), head(&recorded));
}
