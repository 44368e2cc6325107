//! PriorityClasses: value, global default, preemption policy, description.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{map_selector, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct PriorityClass;

impl Describer for PriorityClass {
    fn describe(
        &self,
        pc: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        put!(w, 0, "Name:\t{}\n", text(&pc["metadata"]["name"]));
        put!(w, 0, "Value:\t{}\n", pc["value"].as_i64().unwrap_or(0));
        put!(
            w,
            0,
            "GlobalDefault:\t{}\n",
            pc["globalDefault"].as_bool().unwrap_or(false)
        );
        // The server always sets a policy (kubectl would crash on none).
        put!(
            w,
            0,
            "PreemptionPolicy:\t{}\n",
            text(&pc["preemptionPolicy"])
        );
        put!(w, 0, "Description:\t{}\n", text(&pc["description"]));
        put!(
            w,
            0,
            "Annotations:\t{}\n",
            map_selector(&pc["metadata"]["annotations"])
        );
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
    fn a_priority_class_reads_like_kubectl() {
        let pc = json!({"metadata": {"name": "high"}, "value": 1000000,
            "preemptionPolicy": "PreemptLowerPriority", "description": "for the shop"});
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Ok(Vec::new())),
        };
        let text =
            crate::describe::render(&PriorityClass, &pc, &fetched, &settings()).expect("text");
        assert_eq!(
            text,
            "Name:              high\n\
             Value:             1000000\n\
             GlobalDefault:     false\n\
             PreemptionPolicy:  PreemptLowerPriority\n\
             Description:       for the shop\n\
             Annotations:       <none>\n\
             Events:            <none>\n"
        );
    }
}
