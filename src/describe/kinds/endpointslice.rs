//! `kubectl describe endpointslice` (discovery.k8s.io/v1): address type, ports, and each
//! endpoint with its readiness, host name, target, node and zone.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct EndpointSlice;

impl Describer for EndpointSlice {
    fn describe(
        &self,
        slice: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &slice["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "AddressType:\t{}\n", text(&slice["addressType"]));
        describe_ports(w, &slice["ports"]);
        describe_endpoints(w, &slice["endpoints"]);
        // kubectl shows the events even when they could not be read: an empty list then.
        if let Some(events) = &fetched.events {
            describe_events(events.as_deref().unwrap_or_default(), settings.now, w);
        }
        Ok(())
    }
}

fn describe_ports(w: &mut PrefixWriter, ports: &Value) {
    let Some(ports) = ports.as_array().filter(|ports| !ports.is_empty()) else {
        w.write(0, "Ports: <unset>\n");
        return;
    };
    w.write(0, "Ports:\n");
    w.write(1, "Name\tPort\tProtocol\n");
    w.write(1, "----\t----\t--------\n");
    for port in ports {
        let name = match text(&port["name"]) {
            "" => "<unset>",
            name => name,
        };
        let number = port["port"]
            .as_i64()
            .map_or_else(|| "<unset>".to_string(), |n| n.to_string());
        put!(w, 1, "{name}\t{number}\t{}\n", text(&port["protocol"]));
    }
}

fn describe_endpoints(w: &mut PrefixWriter, endpoints: &Value) {
    let Some(endpoints) = endpoints.as_array().filter(|e| !e.is_empty()) else {
        w.write(0, "Endpoints: <none>\n");
        return;
    };
    w.write(0, "Endpoints:\n");
    for endpoint in endpoints {
        let addresses: Vec<&str> = endpoint["addresses"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let addresses = match addresses.join(", ") {
            joined if joined.is_empty() => "<none>".to_string(),
            joined => joined,
        };
        put!(w, 1, "- Addresses:\t{addresses}\n");
        w.write(2, "Conditions:\n");
        let ready = endpoint["conditions"]["ready"]
            .as_bool()
            .map_or_else(|| "<unset>".to_string(), |ready| ready.to_string());
        put!(w, 3, "Ready:\t{ready}\n");
        put!(w, 2, "Hostname:\t{}\n", or_unset(&endpoint["hostname"]));
        let target = &endpoint["targetRef"];
        if !target.is_null() {
            put!(
                w,
                2,
                "TargetRef:\t{}/{}\n",
                text(&target["kind"]),
                text(&target["name"])
            );
        }
        put!(w, 2, "NodeName:\t{}\n", or_unset(&endpoint["nodeName"]));
        put!(w, 2, "Zone:\t{}\n", or_unset(&endpoint["zone"]));
    }
}

/// An optional string field, `<unset>` when absent (an empty one is shown empty).
fn or_unset(value: &Value) -> &str {
    value.as_str().unwrap_or("<unset>")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::describe::kinds::network_fixtures::{recorded_items, render};

    #[test]
    fn the_recorded_slice_reads_like_kubectl() {
        let slice = &recorded_items("065-list-endpointslices.json")[0];
        assert_eq!(
            render(&EndpointSlice, slice, Vec::new()),
            "Name:         frontend-ngf27
Namespace:    shop
Labels:       endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io
              kubernetes.io/service-name=frontend
Annotations:  <none>
AddressType:  IPv4
Ports:
  Name  Port  Protocol
  ----  ----  --------
  web   8080  TCP
Endpoints:
  - Addresses:  10.244.1.5
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/frontend-548fb674cb-z8wxz
    NodeName:   fake-node-1
    Zone:       <unset>
  - Addresses:  10.244.2.6
    Conditions:
      Ready:    true
    Hostname:   <unset>
    TargetRef:  Pod/frontend-548fb674cb-h7xms
    NodeName:   fake-node-2
    Zone:       <unset>
Events:         <none>
"
        );
    }

    #[test]
    fn a_placeholder_slice_has_neither_ports_nor_endpoints() {
        let slice = json!({"metadata": {"name": "db-x", "namespace": "shop"},
            "addressType": "IPv4", "endpoints": null, "ports": null});
        let text = render(&EndpointSlice, &slice, Vec::new());
        assert!(
            text.ends_with(
                "AddressType:  IPv4\nPorts: <unset>\nEndpoints: <none>\nEvents:  <none>\n"
            ),
            "{text}"
        );
    }
}
