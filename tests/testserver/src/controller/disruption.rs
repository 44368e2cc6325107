//! The disruption controller: a PodDisruptionBudget's status counts the pods its selector
//! matches (expected), the ready ones (current), how many must stay (desired) and how many
//! may go now, with the DisruptionAllowed condition a real budget carries.

use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, generation, is_active, is_ready, namespace};
use crate::selectors::LabelSelector;
use crate::store::Collection;

pub(super) fn reconcile(ctx: &Ctx) {
    let (budgets, _) = ctx
        .store
        .list(&Collection::new("policy", "poddisruptionbudgets"), None);
    for pdb in budgets {
        let selector = LabelSelector::from_object(&pdb["spec"]["selector"]);
        let (pods, _) = ctx.store.list(&util::pods(), Some(namespace(&pdb)));
        let matching: Vec<_> = pods
            .iter()
            .filter(|pod| is_active(pod) && selector.matches(pod))
            .collect();
        let expected = i64::try_from(matching.len()).unwrap_or(i64::MAX);
        let current = i64::try_from(matching.iter().filter(|p| is_ready(p)).count()).unwrap_or(0);
        let desired = desired_healthy(&pdb["spec"], expected);
        let allowed = (current - desired).max(0);
        let (status, reason) = if allowed > 0 {
            ("True", "SufficientPods")
        } else {
            ("False", "InsufficientPods")
        };
        let old = &pdb["status"]["conditions"][0];
        let since = if old["status"] == status {
            old["lastTransitionTime"].clone()
        } else {
            util::time(ctx.now)
        };
        let new_status = json!({
            "observedGeneration": generation(&pdb),
            "disruptionsAllowed": allowed,
            "currentHealthy": current,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "conditions": [{"type": "DisruptionAllowed", "status": status, "reason": reason,
                "message": "", "observedGeneration": generation(&pdb),
                "lastTransitionTime": since}],
        });
        if pdb["status"] != new_status {
            let mut updated = (*pdb).clone();
            updated["status"] = new_status;
            let key = util::key("policy", "poddisruptionbudgets", &pdb);
            util::write(ctx.store, &key, updated);
        }
    }
}

/// How many pods must stay healthy: minAvailable, or the expected pods less
/// maxUnavailable; percentages round up as the real controller rounds them.
fn desired_healthy(spec: &Value, expected: i64) -> i64 {
    let of = |value: &Value| match value {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => {
            let percent: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            (percent * expected + 99) / 100
        }
        _ => 0,
    };
    if !spec["minAvailable"].is_null() {
        of(&spec["minAvailable"])
    } else if !spec["maxUnavailable"].is_null() {
        (expected - of(&spec["maxUnavailable"])).max(0)
    } else {
        0
    }
}
