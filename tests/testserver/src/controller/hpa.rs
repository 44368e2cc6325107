//! The HorizontalPodAutoscaler controller, with a fake metrics pipeline: every pod uses half
//! of what it requests (of cpu and memory), so resource metrics are deterministic. Custom,
//! object and external metrics have no API here and fail as they do on a cluster without
//! those adapters.
//!
//! Like the real controller it writes currentMetrics, currentReplicas, desiredReplicas and
//! the AbleToScale / ScalingActive / ScalingLimited conditions, scales the target within
//! min/max (and at most to max(2×current, 4) at once), and scales down only after the
//! downscale stabilization window (300 s, or the behavior's) since creation or the last
//! scale — the real one keeps the highest recommendation of that window.

use jiff::SignedDuration;
use serde_json::{Map, Value, json};

use super::Ctx;
use super::util::{self, int_at, is_active, name, namespace, parse_time, str_at, typed};
use crate::selectors::LabelSelector;
use crate::store::{Collection, ObjectKey};

const COMPONENT: &str = "horizontal-pod-autoscaler";
const DOWNSCALE_WINDOW_SECONDS: i64 = 300;
const TOLERANCE: f64 = 0.1;

pub(super) fn reconcile(ctx: &Ctx) {
    let (hpas, _) = ctx.store.list(
        &Collection::new("autoscaling", "horizontalpodautoscalers"),
        None,
    );
    for hpa in hpas {
        sync(ctx, &hpa);
    }
}

/// The scale target's store key, for the kinds this server scales.
fn target_key(hpa: &Value) -> Option<(ObjectKey, String)> {
    let kind = str_at(hpa, "/spec/scaleTargetRef/kind")?;
    let resource = match kind {
        "Deployment" => "deployments",
        "StatefulSet" => "statefulsets",
        "ReplicaSet" => "replicasets",
        _ => return None,
    };
    let target = str_at(hpa, "/spec/scaleTargetRef/name")?;
    Some((
        ObjectKey::new("apps", resource, namespace(hpa), target),
        format!("{resource}.apps \"{target}\" not found"),
    ))
}

/// One metric's outcome: its status entry and the replicas it asks for, or an error.
struct Measured {
    status: Value,
    replicas: Option<(i64, String)>,
    error: Option<(&'static str, String)>,
}

fn sync(ctx: &Ctx, hpa: &Value) {
    let mut status = Map::new();
    let mut conditions = util::conditions(hpa);
    let condition = |kind: &str, status: &str, reason: &str, message: &str| {
        json!({"type": kind, "status": status, "lastTransitionTime": util::time(ctx.now),
            "reason": reason, "message": message})
    };
    let target = target_key(hpa).and_then(|(key, missing)| match ctx.store.get(&key) {
        Some(object) => Some((key, object)),
        None => {
            let message = format!(
                "the HPA controller was unable to get the target's current scale: {missing}"
            );
            set_condition(
                &mut conditions,
                condition("AbleToScale", "False", "FailedGetScale", &message),
            );
            None
        }
    });
    let Some((key, target)) = target else {
        status.insert("currentReplicas".into(), json!(0));
        status.insert("desiredReplicas".into(), json!(0));
        status.insert("conditions".into(), json!(conditions));
        return write_status(ctx, hpa, status);
    };
    let current = int_at(&target, "/status/replicas").unwrap_or(0);
    let selector =
        LabelSelector::from_object(target.pointer("/spec/selector").unwrap_or(&Value::Null));
    let (pods, _) = ctx.store.list(&util::pods(), Some(namespace(hpa)));
    let pods: Vec<&Value> = pods
        .iter()
        .map(|p| &**p)
        .filter(|p| is_active(p) && selector.matches(p))
        .collect();
    let measured: Vec<Measured> = hpa
        .pointer("/spec/metrics")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|metric| measure(metric, &pods, current))
        .collect();
    let min = int_at(hpa, "/spec/minReplicas").unwrap_or(1);
    let max = int_at(hpa, "/spec/maxReplicas").unwrap_or(1);
    status.insert(
        "currentMetrics".into(),
        json!(
            measured
                .iter()
                .map(|m| m.status.clone())
                .collect::<Vec<_>>()
        ),
    );
    let best = measured
        .iter()
        .filter_map(|m| m.replicas.clone())
        .max_by_key(|(replicas, _)| *replicas);
    let mut desired = current;
    match (&best, measured.iter().find_map(|m| m.error.clone())) {
        (None, Some((reason, message))) => {
            let message = format!("the HPA was unable to compute the replica count: {message}");
            set_condition(
                &mut conditions,
                condition(
                    "AbleToScale",
                    "True",
                    "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale",
                ),
            );
            set_condition(
                &mut conditions,
                condition("ScalingActive", "False", reason, &message),
            );
        }
        (None, None) => {
            set_condition(
                &mut conditions,
                condition(
                    "AbleToScale",
                    "True",
                    "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale",
                ),
            );
        }
        (Some((wanted, metric)), _) => {
            let message =
                format!("the HPA was able to successfully calculate a replica count from {metric}");
            let stabilized = if *wanted < current && within_downscale_window(ctx, hpa) {
                set_condition(
                    &mut conditions,
                    condition(
                        "AbleToScale",
                        "True",
                        "ScaleDownStabilized",
                        "recent recommendations were higher than current one, applying the highest recent recommendation",
                    ),
                );
                current
            } else {
                set_condition(
                    &mut conditions,
                    condition(
                        "AbleToScale",
                        "True",
                        "ReadyForNewScale",
                        "recommended size matches current size",
                    ),
                );
                *wanted
            };
            set_condition(
                &mut conditions,
                condition("ScalingActive", "True", "ValidMetricFound", &message),
            );
            let (limited, reason, message) = within_limits(current, stabilized, min, max);
            let limited_status = if limited == stabilized {
                "False"
            } else {
                "True"
            };
            set_condition(
                &mut conditions,
                condition("ScalingLimited", limited_status, reason, message),
            );
            desired = limited;
            if desired != current && current > 0 {
                let why = if desired > current {
                    format!("{metric} above target")
                } else {
                    "All metrics below target".to_string()
                };
                if scale(ctx, &key, &target, desired) {
                    let message = format!("New size: {desired}; reason: {why}");
                    util::event(
                        ctx,
                        &typed(hpa, "autoscaling/v2", "HorizontalPodAutoscaler"),
                        "SuccessfulRescale",
                        &message,
                        COMPONENT,
                    );
                    set_condition(
                        &mut conditions,
                        condition(
                            "AbleToScale",
                            "True",
                            "SucceededRescale",
                            &format!(
                                "the HPA controller was able to update the target scale to {desired}"
                            ),
                        ),
                    );
                    status.insert("lastScaleTime".into(), util::time(ctx.now));
                }
            }
        }
    }
    if let Some(last) = hpa
        .pointer("/status/lastScaleTime")
        .filter(|_| !status.contains_key("lastScaleTime"))
    {
        status.insert("lastScaleTime".into(), last.clone());
    }
    status.insert("currentReplicas".into(), json!(current));
    status.insert("desiredReplicas".into(), json!(desired));
    status.insert("conditions".into(), json!(conditions));
    write_status(ctx, hpa, status);
}

/// The real controller's `setCondition`: a condition is replaced where it is, keeping its
/// lastTransitionTime while its status stays; a new one goes last.
fn set_condition(conditions: &mut Vec<Value>, mut new: Value) {
    let position = conditions
        .iter()
        .position(|c| c.get("type") == new.get("type"));
    match position {
        Some(i) => {
            let current = &conditions[i];
            if current.get("status") == new.get("status") {
                if current.get("reason") == new.get("reason")
                    && current.get("message") == new.get("message")
                {
                    return;
                }
                if let Some(t) = current.get("lastTransitionTime") {
                    new["lastTransitionTime"] = t.clone();
                }
            }
            conditions[i] = new;
        }
        None => conditions.push(new),
    }
}

fn write_status(ctx: &Ctx, hpa: &Value, status: Map<String, Value>) {
    let status = Value::Object(status);
    if hpa.get("status") == Some(&status) {
        return;
    }
    let mut updated = hpa.clone();
    updated["status"] = status;
    util::write(
        ctx.store,
        &util::key("autoscaling", "horizontalpodautoscalers", hpa),
        updated,
    );
}

fn within_downscale_window(ctx: &Ctx, hpa: &Value) -> bool {
    let window = int_at(hpa, "/spec/behavior/scaleDown/stabilizationWindowSeconds")
        .unwrap_or(DOWNSCALE_WINDOW_SECONDS);
    let since = parse_time(hpa, "/status/lastScaleTime")
        .or_else(|| parse_time(hpa, "/metadata/creationTimestamp"));
    since.is_some_and(|since| ctx.now.duration_since(since) < SignedDuration::from_secs(window))
}

/// The real controller's `convertDesiredReplicasWithRules`.
fn within_limits(
    current: i64,
    desired: i64,
    min: i64,
    max: i64,
) -> (i64, &'static str, &'static str) {
    let scale_up_limit = (2 * current).max(4);
    let (ceiling, reason, message) = if max > scale_up_limit {
        (
            scale_up_limit,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    } else {
        (
            max,
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        )
    };
    if desired < min {
        (
            min,
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        )
    } else if desired > ceiling {
        (ceiling, reason, message)
    } else {
        (
            desired,
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        )
    }
}

fn scale(ctx: &Ctx, key: &ObjectKey, target: &Value, replicas: i64) -> bool {
    let mut updated = target.clone();
    updated["spec"]["replicas"] = json!(replicas);
    util::write(ctx.store, key, updated).is_some()
}

/// Measures one metric over the target's pods.
fn measure(metric: &Value, pods: &[&Value], current: i64) -> Measured {
    let failed = |reason: &'static str, message: String| Measured {
        status: json!({"type": ""}),
        replicas: None,
        error: Some((reason, message)),
    };
    let (field, source) = match str_at(metric, "/type") {
        Some("Resource") => ("resource", &metric["resource"]),
        Some("ContainerResource") => ("containerResource", &metric["containerResource"]),
        Some("Pods") => {
            let name = str_at(metric, "/pods/metric/name").unwrap_or_default();
            return failed(
                "FailedGetPodsMetric",
                format!(
                    "unable to get metric {name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
                ),
            );
        }
        Some("Object") => {
            let name = str_at(metric, "/object/metric/name").unwrap_or_default();
            return failed(
                "FailedGetObjectMetric",
                format!(
                    "unable to get metric {name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered"
                ),
            );
        }
        Some("External") => {
            let name = str_at(metric, "/external/metric/name").unwrap_or_default();
            return failed(
                "FailedGetExternalMetric",
                format!(
                    "unable to get external metric {name}: unable to fetch metrics from external metrics API: no external metrics API (external.metrics.k8s.io) registered"
                ),
            );
        }
        other => {
            return failed(
                "InvalidMetricSourceType",
                format!("unknown metric source type {:?}", other.unwrap_or_default()),
            );
        }
    };
    let resource = source["name"].as_str().unwrap_or_default();
    let container = source["container"].as_str();
    let reason = if field == "resource" {
        "FailedGetResourceMetric"
    } else {
        "FailedGetContainerResourceMetric"
    };
    if pods.is_empty() {
        return failed(
            reason,
            format!(
                "failed to get {resource} utilization: unable to get metrics for resource {resource}: no metrics returned from resource metrics API"
            ),
        );
    }
    let utilization_target = source["target"]["averageUtilization"].as_i64();
    let mut requested: i128 = 0;
    for pod in pods {
        for c in pod
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if container.is_some_and(|wanted| c["name"].as_str() != Some(wanted)) {
                continue;
            }
            match c
                .pointer(&format!("/resources/requests/{resource}"))
                .and_then(milli_units)
            {
                Some(milli) => requested += milli,
                None if utilization_target.is_some()
                    || source["target"]["averageValue"].is_null() =>
                {
                    return failed(
                        reason,
                        format!(
                            "failed to get {resource} utilization: missing request for {resource} in container {} of Pod {}",
                            c["name"].as_str().unwrap_or_default(),
                            name(pod)
                        ),
                    );
                }
                None => {}
            }
        }
    }
    // The fake usage: half of every request.
    let pod_count = i128::try_from(pods.len()).unwrap_or(1);
    let average_usage = requested / 2 / pod_count;
    let average_value = decimal_si(average_usage);
    let mut now = Map::new();
    let (ratio, described) = match utilization_target {
        Some(target) => {
            let utilization = if requested == 0 { 0 } else { 50 };
            now.insert("averageUtilization".into(), json!(utilization));
            now.insert("averageValue".into(), json!(average_value));
            (
                utilization as f64 / target.max(1) as f64,
                format!("{resource} resource utilization (percentage of request)"),
            )
        }
        None => {
            now.insert("averageValue".into(), json!(average_value));
            let target = source["target"]["averageValue"]
                .as_str()
                .and_then(|q| milli_units(&json!(q)))
                .unwrap_or(1)
                .max(1);
            (
                average_usage as f64 / target as f64,
                format!("{resource} resource"),
            )
        }
    };
    let described = match container {
        Some(c) => {
            format!("{described} of container {c}").replace(" resource", " container resource")
        }
        None => described,
    };
    let replicas = if (ratio - 1.0).abs() <= TOLERANCE {
        current
    } else {
        (ratio * current as f64).ceil() as i64
    };
    let mut entry = json!({"type": str_at(metric, "/type").unwrap_or_default()});
    let mut inner = json!({"name": resource, "current": Value::Object(now)});
    if let Some(c) = container {
        inner["container"] = json!(c);
    }
    entry[field] = inner;
    Measured {
        status: entry,
        replicas: Some((replicas, described)),
        error: None,
    }
}

/// A quantity in thousandths (`50m` → 50, `1` → 1000, `32Mi` → 33554432000); `None` when it
/// is not one.
fn milli_units(value: &Value) -> Option<i128> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let end = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(end);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
    let scale = 10i128.pow(u32::try_from(fraction.len()).ok()?);
    let multiplier: i128 = match suffix {
        "m" => 1,
        "" => 1_000,
        "k" => 1_000_000,
        "M" => 1_000_000_000,
        "G" => 1_000_000_000_000,
        "T" => 1_000_000_000_000_000,
        "Ki" => 1_024_000,
        "Mi" => 1_048_576_000,
        "Gi" => 1_073_741_824_000,
        "Ti" => 1_099_511_627_776_000,
        _ => return None,
    };
    Some(digits * multiplier / scale)
}

/// A value in thousandths as a decimal quantity prints (`25m`, `16777216`, `2k`), as the
/// real controller's `NewMilliQuantity(…, DecimalSI)` does.
fn decimal_si(milli: i128) -> String {
    if milli == 0 {
        return "0".to_string();
    }
    let (mut amount, mut exponent) = (milli, -3i32);
    while amount % 10 == 0 {
        amount /= 10;
        exponent += 1;
    }
    while exponent % 3 != 0 {
        amount *= 10;
        exponent -= 1;
    }
    let suffix = match exponent {
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        _ => return format!("{amount}e{exponent}"),
    };
    format!("{amount}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_in_thousandths() {
        assert_eq!(milli_units(&json!("50m")), Some(50));
        assert_eq!(milli_units(&json!("0.5")), Some(500));
        assert_eq!(milli_units(&json!(2)), Some(2000));
        assert_eq!(milli_units(&json!("32Mi")), Some(33_554_432_000));
        assert_eq!(milli_units(&json!("1x")), None);
        assert_eq!(decimal_si(25), "25m");
        assert_eq!(decimal_si(16_777_216_000), "16777216");
        assert_eq!(decimal_si(2_000_000), "2k");
        assert_eq!(decimal_si(1500), "1500m");
    }

    #[test]
    fn replicas_stay_within_the_limits() {
        assert_eq!(within_limits(3, 1, 2, 6).0, 2);
        assert_eq!(
            within_limits(1, 9, 1, 10),
            (
                4,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate"
            )
        );
        assert_eq!(within_limits(3, 9, 1, 5).1, "TooManyReplicas");
        assert_eq!(within_limits(3, 4, 1, 5).1, "DesiredWithinRange");
    }
}
