//! `kubectl describe endpoints`: each subset's ready and not-ready addresses and its ports.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct Endpoints;

impl Describer for Endpoints {
    fn describe(
        &self,
        endpoints: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &endpoints["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        w.write(0, "Subsets:\n");
        for subset in endpoints["subsets"].as_array().into_iter().flatten() {
            put!(w, 1, "Addresses:\t{}\n", ips(&subset["addresses"]));
            put!(
                w,
                1,
                "NotReadyAddresses:\t{}\n",
                ips(&subset["notReadyAddresses"])
            );
            if let Some(ports) = subset["ports"].as_array().filter(|p| !p.is_empty()) {
                w.write(1, "Ports:\n");
                w.write(2, "Name\tPort\tProtocol\n");
                w.write(2, "----\t----\t--------\n");
                for port in ports {
                    let name = match text(&port["name"]) {
                        "" => "<unset>",
                        name => name,
                    };
                    put!(
                        w,
                        2,
                        "{name}\t{}\t{}\n",
                        port["port"].as_i64().unwrap_or(0),
                        text(&port["protocol"])
                    );
                }
            }
            w.write(0, "\n");
        }
        // kubectl shows the events even when they could not be read: an empty list then.
        if let Some(events) = &fetched.events {
            describe_events(events.as_deref().unwrap_or_default(), settings.now, w);
        }
        Ok(())
    }
}

/// The IPs of a list of addresses, joined with commas, or `<none>`.
fn ips(addresses: &Value) -> String {
    let ips: Vec<&str> = addresses
        .as_array()
        .into_iter()
        .flatten()
        .map(|address| text(&address["ip"]))
        .collect();
    let joined = ips.join(",");
    if joined.is_empty() {
        "<none>".to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::describe::kinds::network_fixtures::{recorded_items, render};

    #[test]
    fn the_recorded_endpoints_read_like_kubectl() {
        let endpoints = &recorded_items("033-list-endpoints.json")[0];
        assert_eq!(
            render(&Endpoints, endpoints, Vec::new()),
            "Name:         frontend
Namespace:    shop
Labels:       endpoints.kubernetes.io/managed-by=endpoint-controller
Annotations:  <none>
Subsets:
  Addresses:          10.244.1.5,10.244.2.6
  NotReadyAddresses:  <none>
  Ports:
    Name  Port  Protocol
    ----  ----  --------
    web   8080  TCP

Events:  <none>
"
        );
    }

    #[test]
    fn subsets_without_ports_and_unnamed_ports() {
        let endpoints = json!({"metadata": {"name": "db", "namespace": "shop"}, "subsets": [
            {"notReadyAddresses": [{"ip": "10.0.0.2"}, {"ip": "10.0.0.3"}]},
            {"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 5432, "protocol": "TCP"}]},
        ]});
        let text = render(&Endpoints, &endpoints, Vec::new());
        assert_eq!(
            text.split_once("Subsets:\n").expect("subsets").1,
            "  Addresses:          <none>
  NotReadyAddresses:  10.0.0.2,10.0.0.3

  Addresses:          10.0.0.1
  NotReadyAddresses:  <none>
  Ports:
    Name     Port  Protocol
    ----     ----  --------
    <unset>  5432  TCP

Events:  <none>
"
        );
        let none = json!({"metadata": {"name": "db", "namespace": "shop"}});
        assert!(render(&Endpoints, &none, Vec::new()).ends_with("Subsets:\nEvents:  <none>\n"));
    }
}
