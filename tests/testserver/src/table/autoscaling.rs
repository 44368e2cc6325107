//! Printer for autoscaling horizontal pod autoscalers (v2 objects, and v1 ones by their CPU
//! target).

use jiff::Timestamp;
use serde_json::{Value, json};

use super::BuiltIn;
use super::columns::{AGE, Column, NAME};
use super::fields::{age, at, integer, items, name, opt_integer, text};

pub(super) fn printer(resource: &str) -> Option<BuiltIn> {
    (resource == "horizontalpodautoscalers").then_some(BuiltIn::new(HPA_COLUMNS, hpa_cells))
}

const HPA_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Reference",
        "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.",
    ),
    Column::string(
        "Targets",
        "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.",
    ),
    Column::string(
        "MinPods",
        "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.",
    ),
    Column::string(
        "MaxPods",
        "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.",
    ),
    Column::string(
        "Replicas",
        "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.",
    ),
    AGE,
];

fn hpa_cells(hpa: &Value, now: Timestamp) -> Vec<Value> {
    let reference = format!(
        "{}/{}",
        text(hpa, "/spec/scaleTargetRef/kind"),
        text(hpa, "/spec/scaleTargetRef/name")
    );
    let min_pods = opt_integer(hpa, "/spec/minReplicas")
        .map_or_else(|| "<unset>".to_string(), |min| min.to_string());
    let (specs, statuses) = metrics(hpa);
    vec![
        name(hpa),
        reference.into(),
        format_metrics(&specs, &statuses).into(),
        min_pods.into(),
        integer(hpa, "/spec/maxReplicas").into(),
        integer(hpa, "/status/currentReplicas").into(),
        age(hpa, now),
    ]
}

/// The metric specs and current values, in the v2 shape. Without metrics (an autoscaling/v1
/// object, or a v2 one the server defaults) the target is CPU utilization, 80% unless set.
fn metrics(hpa: &Value) -> (Vec<Value>, Vec<Value>) {
    if !items(hpa, "/spec/metrics").is_empty() {
        return (
            items(hpa, "/spec/metrics").to_vec(),
            items(hpa, "/status/currentMetrics").to_vec(),
        );
    }
    let target = opt_integer(hpa, "/spec/targetCPUUtilizationPercentage").unwrap_or(80);
    let spec = json!({"type": "Resource", "resource": {"name": "cpu",
        "target": {"type": "Utilization", "averageUtilization": target}}});
    let current = opt_integer(hpa, "/status/currentCPUUtilizationPercentage").map(|current| {
        json!({"type": "Resource", "resource": {"name": "cpu",
            "current": {"averageUtilization": current}}})
    });
    (vec![spec], current.into_iter().collect())
}

/// "memory: 12Mi/100Mi, cpu: 40%/80% + 1 more...": current/target per metric, two at most.
fn format_metrics(specs: &[Value], statuses: &[Value]) -> String {
    const MAX: usize = 2;
    if specs.is_empty() {
        return "<none>".to_string();
    }
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(index, spec)| format_metric(spec, statuses.get(index)))
        .collect();
    let shown = list[..list.len().min(MAX)].join(", ");
    if list.len() > MAX {
        format!("{shown} + {} more...", list.len() - MAX)
    } else {
        shown
    }
}

/// One metric. `status` is the current metric at the same position, if any.
fn format_metric(spec: &Value, status: Option<&Value>) -> String {
    let (source, named) = match text(spec, "/type") {
        "External" => ("external", false),
        "Pods" => ("pods", false),
        "Object" => ("object", false),
        "Resource" => ("resource", true),
        "ContainerResource" => ("containerResource", true),
        _ => return "<unknown type>".to_string(),
    };
    let target = at(spec, &format!("/{source}/target")).unwrap_or(&Value::Null);
    let current = status.and_then(|status| at(status, &format!("/{source}/current")));
    if named {
        let name = text(spec, &format!("/{source}/name"));
        format!("{name}: {}", resource_value(target, current))
    } else {
        plain_value(source, target, current)
    }
}

/// External and Object metrics: an average value "(avg)", else a value; Pods: average value.
fn plain_value(source: &str, target: &Value, current: Option<&Value>) -> String {
    let field = if source == "pods" || at(target, "/averageValue").is_some() {
        "/averageValue"
    } else {
        "/value"
    };
    let current = match current {
        Some(current) => quantity(at(current, field)),
        None => "<unknown>".to_string(),
    };
    let value = format!("{current}/{}", quantity(at(target, field)));
    if source != "pods" && field == "/averageValue" {
        format!("{value} (avg)")
    } else {
        value
    }
}

/// Resource metrics: an average value, else utilization percentages ("<auto>" target).
fn resource_value(target: &Value, current: Option<&Value>) -> String {
    if let Some(average) = at(target, "/averageValue") {
        let current = match current {
            Some(current) => quantity(at(current, "/averageValue")),
            None => "<unknown>".to_string(),
        };
        return format!("{current}/{}", quantity(Some(average)));
    }
    let percent = |value: Option<i64>| value.map(|v| format!("{v}%"));
    let current = current
        .and_then(|current| percent(opt_integer(current, "/averageUtilization")))
        .unwrap_or_else(|| "<unknown>".to_string());
    let target =
        percent(opt_integer(target, "/averageUtilization")).unwrap_or_else(|| "<auto>".to_string());
    format!("{current}/{target}")
}

/// A quantity pointer as Go prints it: "<nil>" when unset.
fn quantity(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(quantity)) => quantity.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "<nil>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilization_and_values() {
        let specs = [
            json!({"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 80}}}),
            json!({"type": "Pods", "pods": {"metric": {"name": "qps"},
                "target": {"type": "AverageValue", "averageValue": "1k"}}}),
            json!({"type": "External", "external": {"metric": {"name": "queue"},
                "target": {"type": "Value", "value": "30"}}}),
        ];
        let statuses = [
            json!({"type": "Resource", "resource": {"name": "cpu",
                "current": {"averageUtilization": 41, "averageValue": "205m"}}}),
            json!({"type": "Pods", "pods": {"current": {"averageValue": "250"}}}),
        ];
        assert_eq!(
            format_metrics(&specs, &statuses),
            "cpu: 41%/80%, 250/1k + 1 more..."
        );
        assert_eq!(format_metric(&specs[2], None), "<unknown>/30");
        assert_eq!(format_metrics(&[], &[]), "<none>");
    }

    #[test]
    fn object_average_values_and_unknown_types() {
        let object = json!({"type": "Object", "object": {
            "target": {"type": "AverageValue", "averageValue": "2"}}});
        let current = json!({"object": {"current": {"averageValue": "1500m"}}});
        assert_eq!(format_metric(&object, Some(&current)), "1500m/2 (avg)");
        assert_eq!(
            format_metric(&json!({"type": "Bogus"}), None),
            "<unknown type>"
        );
    }

    #[test]
    fn v1_objects_use_their_cpu_target() {
        let hpa = json!({"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"},
            "minReplicas": 1, "maxReplicas": 4},
            "status": {"currentReplicas": 2, "currentCPUUtilizationPercentage": 12}});
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let cells = hpa_cells(&hpa, now);
        assert_eq!(
            cells[1..6],
            [
                json!("Deployment/web"),
                json!("cpu: 12%/80%"),
                json!("1"),
                json!(4),
                json!(2)
            ]
        );
    }
}
