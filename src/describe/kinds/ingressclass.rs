//! `kubectl describe ingressclass`: the controller, the parameters resource, and events.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct IngressClass;

impl Describer for IngressClass {
    fn describe(
        &self,
        class: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &class["metadata"];
        let spec = &class["spec"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Controller:\t{}\n", text(&spec["controller"]));
        let parameters = &spec["parameters"];
        if !parameters.is_null() {
            w.write(0, "Parameters:\n");
            if let Some(group) = parameters["apiGroup"].as_str() {
                put!(w, 1, "APIGroup:\t{group}\n");
            }
            put!(w, 1, "Kind:\t{}\n", text(&parameters["kind"]));
            put!(w, 1, "Name:\t{}\n", text(&parameters["name"]));
        }
        // kubectl shows the events even when they could not be read: an empty list then.
        if let Some(events) = &fetched.events {
            describe_events(events.as_deref().unwrap_or_default(), settings.now, w);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::describe::kinds::network_fixtures::render;

    #[test]
    fn controller_and_parameters() {
        let class = json!({"metadata": {"name": "nginx", "annotations": {
                "ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "k8s.io/ingress-nginx", "parameters": {
                "apiGroup": "k8s.example.org", "kind": "IngressParameters", "name": "external",
                "scope": "Cluster"}}});
        assert_eq!(
            render(&IngressClass, &class, Vec::new()),
            "Name:         nginx
Labels:       <none>
Annotations:  ingressclass.kubernetes.io/is-default-class: true
Controller:   k8s.io/ingress-nginx
Parameters:
  APIGroup:  k8s.example.org
  Kind:      IngressParameters
  Name:      external
Events:      <none>
"
        );
    }
}
