//! kubectl's HorizontalPodAutoscaler (autoscaling/v2) describer: the scale target, each
//! metric as `current / target`, the replica bounds, the scaling behavior, the target's
//! replicas, conditions and events.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, rfc1123z, text};
use crate::describe::quantity::Quantity;
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct HorizontalPodAutoscaler;

impl Describer for HorizontalPodAutoscaler {
    fn describe(
        &self,
        hpa: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &hpa["metadata"];
        let spec = &hpa["spec"];
        let status = &hpa["status"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(
            w,
            0,
            "CreationTimestamp:\t{}\n",
            rfc1123z(&meta["creationTimestamp"])
        );
        let target = &spec["scaleTargetRef"];
        put!(
            w,
            0,
            "Reference:\t{}/{}\n",
            text(&target["kind"]),
            text(&target["name"])
        );
        w.write(0, "Metrics:\t( current / target )\n");
        let current_metrics = status["currentMetrics"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for (i, metric) in items(&spec["metrics"]).enumerate() {
            describe_metric(w, metric, current_metrics.get(i).unwrap_or(&Value::Null));
        }
        let min = match spec["minReplicas"].as_i64() {
            Some(min) => min.to_string(),
            None => "<unset>".to_string(),
        };
        put!(w, 0, "Min replicas:\t{min}\n");
        put!(
            w,
            0,
            "Max replicas:\t{}\n",
            spec["maxReplicas"].as_i64().unwrap_or(0)
        );
        if spec["behavior"].is_object() {
            w.write(0, "Behavior:\n");
            direction_behavior(w, "Scale Up", &spec["behavior"]["scaleUp"]);
            direction_behavior(w, "Scale Down", &spec["behavior"]["scaleDown"]);
        }
        put!(w, 0, "{} pods:\t", text(&target["kind"]));
        put!(
            w,
            0,
            "{} current / {} desired\n",
            status["currentReplicas"].as_i64().unwrap_or(0),
            status["desiredReplicas"].as_i64().unwrap_or(0)
        );
        let conditions: Vec<&Value> = items(&status["conditions"]).collect();
        if !conditions.is_empty() {
            w.write(0, "Conditions:\n");
            w.write(1, "Type\tStatus\tReason\tMessage\n");
            w.write(1, "----\t------\t------\t-------\n");
            for c in conditions {
                put!(
                    w,
                    1,
                    "{}\t{}\t{}\t{}\n",
                    text(&c["type"]),
                    text(&c["status"]),
                    text(&c["reason"]),
                    text(&c["message"])
                );
            }
        }
        // kubectl prints the section even when the events could not be read (then none).
        if let Some(events) = &fetched.events {
            describe_events(events.as_deref().unwrap_or(&[]), settings.now, w);
        }
        Ok(())
    }
}

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().into_iter().flatten()
}

/// A `*resource.Quantity` as Go prints it: `<nil>` when absent.
fn quantity(value: &Value) -> String {
    if value.is_null() {
        "<nil>".to_string()
    } else {
        Quantity::of(value).to_string()
    }
}

/// One metric line (kubectl's switch over the metric source types). `current` is the
/// status metric at the same index, `Null` when there is none.
fn describe_metric(w: &mut PrefixWriter, metric: &Value, current: &Value) {
    let kind = text(&metric["type"]);
    match kind {
        "External" => {
            let source = &metric["external"];
            let target = &source["target"];
            let status = &current["external"];
            let name = go_quote(text(&source["metric"]["name"]));
            if !target["averageValue"].is_null() {
                let now = if status.is_object() && !status["current"]["averageValue"].is_null() {
                    quantity(&status["current"]["averageValue"])
                } else {
                    "<unknown>".to_string()
                };
                put!(
                    w,
                    1,
                    "{name} (target average value):\t{now} / {}\n",
                    quantity(&target["averageValue"])
                );
            } else {
                let now = if status.is_object() {
                    quantity(&status["current"]["value"])
                } else {
                    "<unknown>".to_string()
                };
                put!(
                    w,
                    1,
                    "{name} (target value):\t{now} / {}\n",
                    quantity(&target["value"])
                );
            }
        }
        "Pods" => {
            let source = &metric["pods"];
            let now = match &current["pods"] {
                status if status.is_object() => quantity(&status["current"]["averageValue"]),
                _ => "<unknown>".to_string(),
            };
            put!(
                w,
                1,
                "{} on pods:\t{now} / {}\n",
                go_quote(text(&source["metric"]["name"])),
                quantity(&source["target"]["averageValue"])
            );
        }
        "Object" => {
            let source = &metric["object"];
            let described = &source["describedObject"];
            put!(
                w,
                1,
                "\"{}\" on {}/{} ",
                text(&source["metric"]["name"]),
                text(&described["kind"]),
                text(&described["name"])
            );
            let status = &current["object"];
            let (label, field) = if text(&source["target"]["type"]) == "AverageValue" {
                ("target average value", "averageValue")
            } else {
                ("target value", "value")
            };
            let now = if status.is_object() {
                quantity(&status["current"][field])
            } else {
                "<unknown>".to_string()
            };
            put!(
                w,
                0,
                "({label}):\t{now} / {}\n",
                quantity(&source["target"][field])
            );
        }
        "Resource" => {
            let source = &metric["resource"];
            put!(w, 1, "resource {} on pods", text(&source["name"]));
            resource_target(w, source, &current["resource"]);
        }
        "ContainerResource" => {
            let source = &metric["containerResource"];
            put!(
                w,
                1,
                "resource {} of container \"{}\" on pods",
                text(&source["name"]),
                text(&source["container"])
            );
            resource_target(w, source, &current["containerResource"]);
        }
        other => put!(w, 1, "<unknown metric type {}>\n", go_quote(other)),
    }
}

/// The rest of a (container) resource metric's line: a value, or a utilisation — which
/// kubectl writes indented once more, in the middle of the line.
fn resource_target(w: &mut PrefixWriter, source: &Value, status: &Value) {
    let target = &source["target"];
    if !target["averageValue"].is_null() {
        let now = if status.is_object() {
            quantity(&status["current"]["averageValue"])
        } else {
            "<unknown>".to_string()
        };
        put!(w, 0, ":\t{now} / {}\n", quantity(&target["averageValue"]));
        return;
    }
    let now = match status["current"]["averageUtilization"].as_i64() {
        Some(utilization) if status.is_object() => format!(
            "{utilization}% ({})",
            quantity(&status["current"]["averageValue"])
        ),
        _ => "<unknown>".to_string(),
    };
    let wanted = match target["averageUtilization"].as_i64() {
        Some(utilization) => format!("{utilization}%"),
        None => "<auto>".to_string(),
    };
    put!(w, 1, "(as a percentage of request):\t{now} / {wanted}\n");
}

/// kubectl's `printDirectionBehavior`.
fn direction_behavior(w: &mut PrefixWriter, direction: &str, rules: &Value) {
    if !rules.is_object() {
        return;
    }
    put!(w, 1, "{direction}:\n");
    if let Some(window) = rules["stabilizationWindowSeconds"].as_i64() {
        put!(w, 2, "Stabilization Window: {window} seconds\n");
    }
    let policies: Vec<&Value> = items(&rules["policies"]).collect();
    if policies.is_empty() {
        return;
    }
    let select = rules["selectPolicy"].as_str().unwrap_or("Max");
    put!(w, 2, "Select Policy: {select}\n");
    w.write(2, "Policies:\n");
    for policy in policies {
        put!(
            w,
            3,
            "- Type: {}\tValue: {}\tPeriod: {} seconds\n",
            text(&policy["type"]),
            policy["value"].as_i64().unwrap_or(0),
            policy["periodSeconds"].as_i64().unwrap_or(0)
        );
    }
}

/// Go's `%q` for the names kubectl quotes (Rust's escapes agree for everything printable).
fn go_quote(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(path: &str) -> String {
        let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).expect(&path)
    }

    fn render(hpa: &Value, events: Vec<Value>, now: jiff::Timestamp) -> String {
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Ok(events)),
        };
        let settings = Settings {
            show_events: true,
            now,
        };
        crate::describe::render(&HorizontalPodAutoscaler, hpa, &fetched, &settings).expect("text")
    }

    fn warning(reason: &str, message: &str, count: i64, first: &str, last: &str) -> Value {
        json!({"type": "Warning", "reason": reason, "message": message, "count": count,
            "source": {"component": "horizontal-pod-autoscaler"},
            "firstTimestamp": first, "lastTimestamp": last})
    }

    /// The recorded HPA (a memory metric the cluster could not measure), as kubectl v1.33
    /// described it a little later (by then with 3 replicas).
    #[test]
    fn an_hpa_matches_the_recorded_description() {
        let list: Value =
            serde_json::from_str(&fixture("http/063-list-horizontalpodautoscalers.json"))
                .expect("hpa");
        let mut hpa = list["items"][0].clone();
        hpa["status"]["currentReplicas"] = json!(3);
        let now: jiff::Timestamp = "2026-11-22T04:06:40Z".parse().expect("now");
        let failed = "failed to get memory usage: unable to get metrics for resource memory: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";
        let events = vec![
            warning(
                "FailedGetResourceMetric",
                failed,
                61,
                "2026-11-22T03:51:31Z",
                "2026-11-22T04:06:07Z",
            ),
            warning(
                "FailedComputeMetricsReplicas",
                &format!(
                    "invalid metrics (1 invalid out of 1), first error is: failed to get memory resource metric value: {failed}"
                ),
                12,
                "2026-11-22T03:51:31Z",
                "2026-11-22T03:54:31Z",
            ),
        ];
        let recorded = fixture("kubectl/describe-hpa.txt");
        let stdout = recorded
            .split_once("# --- stdout\n")
            .and_then(|(_, rest)| rest.split_once("# --- stderr"))
            .expect("stdout")
            .0;
        assert_eq!(render(&hpa, events, now), stdout);
    }

    #[test]
    fn every_metric_type_and_the_behavior_read_like_kubectl() {
        let hpa = json!({
            "metadata": {"name": "web", "namespace": "shop", "creationTimestamp": "2026-11-22T03:51:16Z"},
            "spec": {
                "scaleTargetRef": {"kind": "StatefulSet", "name": "web"},
                "maxReplicas": 5,
                "metrics": [
                    {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}},
                    {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization"}}},
                    {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app", "target": {"type": "AverageValue", "averageValue": "0.5"}}},
                    {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}},
                    {"type": "Object", "object": {"metric": {"name": "hits"}, "describedObject": {"kind": "Service", "name": "web"}, "target": {"type": "Value", "value": "10"}}},
                    {"type": "External", "external": {"metric": {"name": "queue"}, "target": {"type": "AverageValue", "averageValue": "30"}}},
                    {"type": "Magic"},
                ],
                "behavior": {
                    "scaleUp": {"stabilizationWindowSeconds": 0, "policies": [
                        {"type": "Pods", "value": 4, "periodSeconds": 15},
                        {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                    "scaleDown": {"selectPolicy": "Min", "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]},
                },
            },
            "status": {
                "currentReplicas": 2, "desiredReplicas": 3,
                "currentMetrics": [
                    {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45, "averageValue": "45m"}}},
                ],
            },
        });
        let text = render(&hpa, Vec::new(), jiff::Timestamp::now());
        let body = text.split_once("Metrics:").expect("metrics").1;
        // A line without a tab (the unknown metric type, "Behavior:") ends an alignment block.
        assert_eq!(
            body,
            concat!(
                "                                                  ( current / target )\n",
                "  resource cpu on pods  (as a percentage of request):     45% (45m) / 80%\n",
                "  resource memory on pods  (as a percentage of request):  <unknown> / <auto>\n",
                "  resource cpu of container \"app\" on pods:                <unknown> / 500m\n",
                "  \"qps\" on pods:                                          <unknown> / 1k\n",
                "  \"hits\" on Service/web (target value):                   <unknown> / 10\n",
                "  \"queue\" (target average value):                         <unknown> / 30\n",
                "  <unknown metric type \"Magic\">\n",
                "Min replicas:  <unset>\n",
                "Max replicas:  5\n",
                "Behavior:\n",
                "  Scale Up:\n",
                "    Stabilization Window: 0 seconds\n",
                "    Select Policy: Max\n",
                "    Policies:\n",
                "      - Type: Pods     Value: 4    Period: 15 seconds\n",
                "      - Type: Percent  Value: 100  Period: 15 seconds\n",
                "  Scale Down:\n",
                "    Select Policy: Min\n",
                "    Policies:\n",
                "      - Type: Percent  Value: 10  Period: 60 seconds\n",
                "StatefulSet pods:      2 current / 3 desired\n",
                "Events:                <none>\n",
            )
        );
    }
}
