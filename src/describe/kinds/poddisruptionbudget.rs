//! PodDisruptionBudgets: the budget, the selector, and how many disruptions are allowed now.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{go_value, label_selector, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct PodDisruptionBudget;

impl Describer for PodDisruptionBudget {
    fn describe(
        &self,
        pdb: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &pdb["metadata"];
        let spec = &pdb["spec"];
        let status = &pdb["status"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        if !spec["minAvailable"].is_null() {
            put!(
                w,
                0,
                "Min available:\t{}\n",
                go_value(&spec["minAvailable"])
            );
        } else if !spec["maxUnavailable"].is_null() {
            put!(
                w,
                0,
                "Max unavailable:\t{}\n",
                go_value(&spec["maxUnavailable"])
            );
        }
        if spec["selector"].is_object() {
            put!(w, 0, "Selector:\t{}\n", label_selector(&spec["selector"]));
        } else {
            w.write(0, "Selector:\t<unset>\n");
        }
        w.write(0, "Status:\n");
        let count = |field: &str| status[field].as_i64().unwrap_or(0);
        put!(
            w,
            2,
            "Allowed disruptions:\t{}\n",
            count("disruptionsAllowed")
        );
        put!(w, 2, "Current:\t{}\n", count("currentHealthy"));
        put!(w, 2, "Desired:\t{}\n", count("desiredHealthy"));
        put!(w, 2, "Total:\t{}\n", count("expectedPods"));
        match &fetched.events {
            Some(Ok(events)) => describe_events(events, settings.now, w),
            // kubectl ignores the error and describes the (empty) list it was filling.
            Some(Err(_)) => describe_events(&[], settings.now, w),
            None => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::settings;
    use serde_json::json;

    #[test]
    fn a_budget_reads_like_kubectl() {
        let pdb = json!({"metadata": {"name": "frontend", "namespace": "shop"},
            "spec": {"maxUnavailable": "25%", "selector": {"matchLabels": {"app": "frontend"}}},
            "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2,
                "expectedPods": 3}});
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Ok(Vec::new())),
        };
        let text = crate::describe::render(&PodDisruptionBudget, &pdb, &fetched, &settings())
            .expect("text");
        assert_eq!(
            text,
            "Name:             frontend\n\
             Namespace:        shop\n\
             Max unavailable:  25%\n\
             Selector:         app=frontend\n\
             Status:\n    \
             Allowed disruptions:  1\n    \
             Current:              3\n    \
             Desired:              2\n    \
             Total:                3\n\
             Events:                   <none>\n"
        );
    }
}
