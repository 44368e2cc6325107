//! The Events section every describer ends with, and how the events of an object are asked
//! for (kubectl's `searchEvents`: a field selector on the involved object).

use serde_json::Value;

use super::PrefixWriter;
use super::fields::{since, text};
use crate::api::Query;
use crate::put;

/// The path that lists `object`'s events, as kubectl asks for them (its kind, uid, name and
/// namespace, in that order, 500 a page).
pub fn events_path(object: &Value) -> String {
    let meta = &object["metadata"];
    let namespace = text(&meta["namespace"]);
    let mut selector = Vec::new();
    let kind = text(&object["kind"]);
    if !kind.is_empty() {
        selector.push(format!("involvedObject.kind={kind}"));
    }
    let uid = text(&meta["uid"]);
    if !uid.is_empty() {
        selector.push(format!("involvedObject.uid={uid}"));
    }
    selector.push(format!("involvedObject.name={}", text(&meta["name"])));
    selector.push(format!("involvedObject.namespace={namespace}"));
    let collection = if namespace.is_empty() {
        "/api/v1/events".to_string()
    } else {
        format!(
            "/api/v1/namespaces/{}/events",
            crate::api::path::encode(namespace)
        )
    };
    let query = Query::new()
        .pair("fieldSelector", Some(&selector.join(",")))
        .pair("limit", Some("500"));
    format!("{collection}{query}")
}

/// The Events section from what was fetched, as kubectl's describers print what
/// `searchEvents` gave them: nothing without `--show-events`, and a failed request (a 403)
/// counts as no events — kubectl ignores that error and keeps its empty list.
pub fn describe_fetched_events(
    events: Option<&anyhow::Result<Vec<Value>>>,
    now: jiff::Timestamp,
    w: &mut PrefixWriter,
) {
    match events {
        Some(Ok(events)) => describe_events(events, now, w),
        Some(Err(_)) => describe_events(&[], now, w),
        None => {}
    }
}

/// `Events:  <none>`, or the Type / Reason / Age / From / Message table, oldest last seen
/// first (kubectl sorts by lastTimestamp), repeated events as `5m (x3 over 10m)`.
pub fn describe_events(events: &[Value], now: jiff::Timestamp, w: &mut PrefixWriter) {
    if events.is_empty() {
        w.write(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Value> = events.iter().collect();
    sorted.sort_by_key(|event| {
        event["lastTimestamp"]
            .as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    });
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(1, "----\t------\t----\t----\t-------\n");
    for event in sorted {
        let first = if event["eventTime"].is_null() {
            since(&event["firstTimestamp"], now)
        } else {
            since(&event["eventTime"], now)
        };
        let count = event["count"].as_i64().unwrap_or(0);
        let interval = if !event["series"].is_null() {
            format!(
                "{} (x{} over {first})",
                since(&event["series"]["lastObservedTime"], now),
                event["series"]["count"].as_i64().unwrap_or(0)
            )
        } else if count > 1 {
            format!(
                "{} (x{count} over {first})",
                since(&event["lastTimestamp"], now)
            )
        } else {
            first
        };
        let mut source = text(&event["source"]["component"]);
        if source.is_empty() {
            source = text(&event["reportingComponent"]);
        }
        put!(
            w,
            1,
            "{}\t{}\t{interval}\t{source}\t{}\n",
            text(&event["type"]),
            text(&event["reason"]),
            text(&event["message"]).trim()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_asked_for_by_the_involved_object() {
        let deploy = json!({"kind": "Deployment", "metadata": {"name": "frontend", "namespace": "shop", "uid": "u-1"}});
        assert_eq!(
            events_path(&deploy),
            "/api/v1/namespaces/shop/events?fieldSelector=involvedObject.kind%3DDeployment%2CinvolvedObject.uid%3Du-1%2CinvolvedObject.name%3Dfrontend%2CinvolvedObject.namespace%3Dshop&limit=500"
        );
    }

    #[test]
    fn events_print_like_kubectl() {
        let now: jiff::Timestamp = "2025-11-22T04:10:00Z".parse().expect("time");
        let events = [
            json!({"type": "Normal", "reason": "ScalingReplicaSet", "message": "Scaled up\n",
                "source": {"component": "deployment-controller"}, "count": 3,
                "firstTimestamp": "2025-11-22T04:00:00Z", "lastTimestamp": "2025-11-22T04:08:00Z"}),
            json!({"type": "Warning", "reason": "Failed", "message": "boom",
                "reportingComponent": "kubelet", "eventTime": "2025-11-22T04:05:00.000000Z",
                "lastTimestamp": null}),
        ];
        let mut w = PrefixWriter::new();
        w.write(0, "Name:\tx\n");
        describe_events(&events, now, &mut w);
        assert_eq!(
            w.finish(),
            "Name:  x\nEvents:\n  Type     Reason             Age               From                   Message\n  ----     ------             ----              ----                   -------\n  Warning  Failed             5m                kubelet                boom\n  Normal   ScalingReplicaSet  2m (x3 over 10m)  deployment-controller  Scaled up\n"
        );
        let mut none = PrefixWriter::new();
        describe_events(&[], now, &mut none);
        assert_eq!(none.finish(), "Events:  <none>\n");
    }
}
