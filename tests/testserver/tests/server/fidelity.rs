//! Every recorded exchange with the real v1.33 server that makes sense against a fresh test
//! server is replayed; the answers must have the same status code and the same JSON shape
//! (keys and value types; values such as uids, timestamps and names are free to differ).

use std::collections::BTreeSet;

use kz_testserver::TestServer;
use serde_json::Value;

use crate::client::{Answer, Client};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures");

/// Fields whose keys are data (label names, config keys …), not schema: their keys are not
/// part of the shape.
const MAP_FIELDS: &[&str] = &[
    "labels",
    "annotations",
    "data",
    "binaryData",
    "fieldsV1",
    "matchLabels",
    "nodeSelector",
    "capacity",
    "allocatable",
    "requests",
    "limits",
    "f:data",
    "selector",
];

/// Shape paths that differ because the recorded cluster had lived through something a fresh
/// test server has not, from controllers the test server does not simulate. Each entry:
/// the fixtures it applies to, a path prefix, and why.
const HISTORY_ONLY: &[(&[u64], &str, &str)] = &[
    (
        &[29, 55, 56, 75, 81],
        ".items[].spec.containers[].command",
        "the CronJob controller had started a `report` job whose pod runs a command",
    ),
    (
        &[55],
        ".items[].spec.template.spec.containers[].command",
        "the same scheduled job",
    ),
    (
        &[81],
        ".rows[].object.spec.containers[].command",
        "the same scheduled job's pod",
    ),
    (
        &[55, 56],
        ".items[].metadata.ownerReferences",
        "the scheduled job is owned by its CronJob",
    ),
    (
        &[56],
        ".rows[].object.metadata.ownerReferences",
        "the scheduled job is owned by its CronJob",
    ),
    (
        &[57, 58, 63, 64],
        ".items[].metadata.managedFields[].subresource",
        "the CronJob and HPA controllers had written their objects' status",
    ),
    (
        &[58, 64],
        ".rows[].object.metadata.managedFields[].subresource",
        "the same status writes, in Table rows",
    ),
    (
        &[57],
        ".items[].status",
        "the CronJob controller's schedule bookkeeping",
    ),
    (
        &[63],
        ".items[].status",
        "the HPA controller had failed to read metrics (no metrics server)",
    ),
];

fn shape(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    out.insert(format!("{path}: {kind}"));
    match value {
        Value::Array(items) => {
            for item in items {
                shape(item, &format!("{path}[]"), out);
            }
        }
        Value::Object(map) => {
            let last = path.rsplit('.').next().unwrap_or_default();
            if MAP_FIELDS.contains(&last) {
                return;
            }
            for (k, v) in map {
                shape(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

fn shape_of(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    shape(value, "", &mut out);
    out
}

struct Recorded {
    id: u64,
    name: String,
    method: String,
    path: String,
    accept: String,
    status: u16,
    content_type: String,
    response: String,
    request: Option<(String, String)>,
}

fn recorded() -> Vec<Recorded> {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{FIXTURES}/index.json")).expect("index.json"),
    )
    .expect("index json");
    index
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            let read =
                |f: &str| std::fs::read_to_string(format!("{FIXTURES}/{f}")).expect("fixture file");
            Recorded {
                id: e["id"].as_u64().unwrap_or_default(),
                name: text("name"),
                method: text("method"),
                path: text("path"),
                accept: text("accept"),
                status: e["status"].as_u64().unwrap_or_default() as u16,
                content_type: text("response_content_type"),
                response: read(&text("response")),
                request: e["request"]
                    .as_str()
                    .map(|f| (text("request_content_type"), read(f))),
            }
        })
        .collect()
}

/// Names the controllers generate differ per run: use the live pod with the same prefix.
fn live_path(server: &TestServer, path: &str) -> String {
    let (pods, _) = server.store().list(
        &kz_testserver::store::Collection::new("", "pods"),
        Some("shop"),
    );
    let live = |recorded: &str, prefix: &str| {
        pods.iter()
            .filter_map(|p| p["metadata"]["name"].as_str())
            .find(|n| n.starts_with(prefix))
            .unwrap_or(recorded)
            .to_string()
    };
    path.replace(
        "frontend-548fb674cb-h7xms",
        &live("frontend-548fb674cb-h7xms", "frontend-"),
    )
    .replace("log-agent-dhfr8", &live("log-agent-dhfr8", "log-agent-"))
}

fn replay(server: &TestServer, client: &Client, r: &Recorded) -> Answer {
    let path = live_path(server, &r.path);
    if path.contains("watch=1") || path.contains("follow=true") {
        let headers = [("Accept", r.accept.as_str())];
        let body = if path.contains("follow=true") {
            client.stream_lines(&path, &headers, 1).join("\n")
        } else {
            client.stream_to_end(&path, &headers)
        };
        return Answer {
            status: 200,
            content_type: String::new(),
            body,
            warnings: Vec::new(),
        };
    }
    let mut headers = vec![("Accept", r.accept.as_str())];
    let body = match &r.request {
        Some((content_type, body)) => {
            headers.push(("Content-Type", content_type.as_str()));
            body.as_str()
        }
        None => "",
    };
    client.send(&r.method, &path, &headers, body)
}

fn compare(r: &Recorded, ours: &Answer) -> Vec<String> {
    let mut problems = Vec::new();
    if ours.status != r.status {
        problems.push(format!("status {} (real: {})", ours.status, r.status));
        return problems;
    }
    if !ours.content_type.is_empty() && ours.content_type != r.content_type {
        problems.push(format!(
            "content type {} (real: {})",
            ours.content_type, r.content_type
        ));
    }
    let parse_all = |text: &str| -> Option<Vec<Value>> {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            return Some(vec![v]);
        }
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).ok())
            .collect()
    };
    let (Some(real), Some(mine)) = (parse_all(&r.response), parse_all(&ours.body)) else {
        // Logs: the same number of lines, each `<pod>/<container> line N` with or without a
        // timestamp (pod names differ per run).
        let shape = |text: &str| -> Vec<(usize, String)> {
            text.lines()
                .map(|l| {
                    let words = l.split(' ').count();
                    let tail = l
                        .rsplit_once(" line ")
                        .map(|(_, n)| n.to_string())
                        .unwrap_or_default();
                    (words, tail)
                })
                .collect()
        };
        if shape(&r.response) != shape(&ours.body) {
            problems.push(format!(
                "log lines {:?} (real: {:?})",
                ours.body, r.response
            ));
        }
        return problems;
    };
    let union = |docs: &[Value]| -> BTreeSet<String> { docs.iter().flat_map(shape_of).collect() };
    let (real, mine) = (union(&real), union(&mine));
    let allowed = |p: &String| {
        HISTORY_ONLY
            .iter()
            .any(|(ids, prefix, _why)| ids.contains(&r.id) && p.starts_with(prefix))
    };
    for missing in real.difference(&mine).filter(|p| !allowed(p)) {
        problems.push(format!("missing {missing}"));
    }
    for extra in mine.difference(&real).filter(|p| !allowed(p)) {
        problems.push(format!("extra   {extra}"));
    }
    problems
}

#[test]
fn recorded_exchanges_replay_with_the_same_status_and_shape() {
    let server = TestServer::builder().frozen().start();
    server.deny("viewer", "list", "pods");
    let admin = Client::admin(&server);
    let viewer = Client::with_token(&server, Some(server.token_for("viewer")));
    let stranger = Client::with_token(&server, Some("not-a-token".into()));
    let mut report = Vec::new();
    for r in recorded() {
        let client = match r.id {
            104 => &viewer,
            105 => &stranger,
            _ => &admin,
        };
        let ours = replay(&server, client, &r);
        for problem in compare(&r, &ours) {
            report.push(format!("{:03} {} {}: {problem}", r.id, r.method, r.name));
        }
    }
    assert!(
        report.is_empty(),
        "{} differences:\n{}",
        report.len(),
        report.join("\n")
    );
}
