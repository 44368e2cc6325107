//! `kubectl describe ingress` (networking.k8s.io/v1): address, class, default backend, TLS,
//! the rules table with each backend's endpoints, annotations and events.
//!
//! kubectl lists the EndpointSlices of each backend's Service and gets the Service (to find
//! the port's name) while it writes; here that is one pair of fetches per distinct Service,
//! in the order the Services are first named (default backend, then the rules).

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::Value;

use super::service::{format_endpoint_slices, slices_of};
use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct Ingress;

impl Describer for Ingress {
    /// For each Service a backend names: its EndpointSlices, then the Service.
    fn fetches(&self, ingress: &Value) -> Vec<Fetch> {
        let namespace = text(&ingress["metadata"]["namespace"]);
        backend_services(ingress)
            .into_iter()
            .flat_map(|service| {
                [
                    slices_of(namespace, service),
                    Fetch::Get {
                        resource: "services",
                        namespace: Some(namespace.to_string()),
                        name: service.to_string(),
                    },
                ]
            })
            .collect()
    }

    fn describe(
        &self,
        ingress: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &ingress["metadata"];
        let spec = &ingress["spec"];
        let backends = Backends {
            services: backend_services(ingress),
            fetched,
        };
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        labels(w, "Labels", &meta["labels"]);
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(
            w,
            0,
            "Address:\t{}\n",
            address(&ingress["status"]["loadBalancer"])
        );
        let class = spec["ingressClassName"].as_str().unwrap_or("<none>");
        put!(w, 0, "Ingress Class:\t{class}\n");
        let default_backend = match &spec["defaultBackend"] {
            Value::Null => "<default>".to_string(),
            backend => backends.describe(backend),
        };
        put!(w, 0, "Default backend:\t{default_backend}\n");
        if let Some(tls) = spec["tls"].as_array().filter(|tls| !tls.is_empty()) {
            describe_tls(w, tls);
        }
        w.write(0, "Rules:\n  Host\tPath\tBackends\n");
        w.write(1, "----\t----\t--------\n");
        let mut http_rules = 0;
        for rule in spec["rules"].as_array().into_iter().flatten() {
            if rule["http"].is_null() {
                continue;
            }
            http_rules += 1;
            let host = match text(&rule["host"]) {
                "" => "*",
                host => host,
            };
            put!(w, 1, "{host}\t\n");
            for path in rule["http"]["paths"].as_array().into_iter().flatten() {
                put!(
                    w,
                    2,
                    "\t{} \t{}\n",
                    text(&path["path"]),
                    backends.describe(&path["backend"])
                );
            }
        }
        if http_rules == 0 {
            put!(w, 1, "*\t*\t{default_backend}\n");
        }
        annotations(w, "Annotations", &meta["annotations"]);
        // kubectl shows the events even when they could not be read: an empty list then.
        if let Some(events) = &fetched.events {
            describe_events(events.as_deref().unwrap_or_default(), settings.now, w);
        }
        Ok(())
    }
}

/// Every backend of the Ingress: the default one (null when there is none), then each rule's
/// paths'.
fn backends(ingress: &Value) -> impl Iterator<Item = &Value> {
    let spec = &ingress["spec"];
    let paths = spec["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|rule| rule["http"]["paths"].as_array().into_iter().flatten())
        .map(|path| &path["backend"]);
    std::iter::once(&spec["defaultBackend"]).chain(paths)
}

/// The Services the backends name, each once, in the order they are first named.
fn backend_services(ingress: &Value) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    backends(ingress)
        .filter_map(|backend| backend["service"]["name"].as_str())
        .filter(|name| seen.insert(*name))
        .collect()
}

/// The backends' Services and what was fetched for them.
struct Backends<'a> {
    services: Vec<&'a str>,
    fetched: &'a Fetched,
}

impl Backends<'_> {
    /// kubectl's `describeBackendV1`: `service:port (endpoints)`, or the resource a backend
    /// names.
    fn describe(&self, backend: &Value) -> String {
        let service = &backend["service"];
        if !service.is_null() {
            let name = text(&service["name"]);
            let port = &service["port"];
            let number = port["number"].as_i64().unwrap_or(0);
            let shown = if number != 0 {
                format!("{name}:{number}")
            } else {
                format!("{name}:{}", text(&port["name"]))
            };
            return format!("{shown} ({})", self.endpoints(name, port));
        }
        let resource = &backend["resource"];
        if !resource.is_null() {
            let group = resource["apiGroup"].as_str().unwrap_or("<none>");
            return format!(
                "APIGroup: {group}, Kind: {}, Name: {}",
                text(&resource["kind"]),
                text(&resource["name"])
            );
        }
        String::new()
    }

    /// The endpoints of the Service's port `port`, or the error that kept kubectl from
    /// finding them.
    fn endpoints(&self, service: &str, port: &Value) -> String {
        let Some(index) = self.services.iter().position(|s| *s == service) else {
            return "<none>".to_string();
        };
        let (slices, service) = (2 * index, 2 * index + 1);
        for fetch in [slices, service] {
            if let Some(Err(err)) = self.fetched.related.get(fetch) {
                return format!("<error: {}>", go_error(err));
            }
        }
        let number = port["number"].as_i64().unwrap_or(0);
        let port_name = text(&port["name"]);
        // The name of the Service port the backend means (the last that matches, as
        // kubectl's loop leaves it), or "".
        let matched = self
            .fetched
            .object(service)
            .and_then(|service| service["spec"]["ports"].as_array())
            .into_iter()
            .flatten()
            .rfind(|sp| {
                let sp_name = text(&sp["name"]);
                (number != 0 && sp["port"].as_i64() == Some(number))
                    || (!port_name.is_empty() && port_name == sp_name)
            })
            .map_or("", |sp| text(&sp["name"]));
        format_endpoint_slices(self.fetched.items(slices), matched)
    }
}

/// An error as Go's `%v` prints client-go's: the server's message for an API error.
fn go_error(err: &anyhow::Error) -> String {
    match crate::error::server_error(err) {
        Some(server) => server.status.message.clone(),
        None => crate::error::describe_chain(err),
    }
}

/// The load balancer's IPs and host names, sorted, each once.
fn address(load_balancer: &Value) -> String {
    let points: BTreeSet<&str> = load_balancer["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|point| {
            [text(&point["ip"]), text(&point["hostname"])]
                .into_iter()
                .find(|s| !s.is_empty())
        })
        .collect();
    points.into_iter().collect::<Vec<_>>().join(",")
}

/// `TLS:` and one line per entry.
fn describe_tls(w: &mut PrefixWriter, tls: &[Value]) {
    w.write(0, "TLS:\n");
    for entry in tls {
        let hosts: Vec<&str> = entry["hosts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        let hosts = hosts.join(",");
        match text(&entry["secretName"]) {
            "" => put!(w, 1, "SNI routes {hosts}\n"),
            secret => put!(w, 1, "{secret} terminates {hosts}\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::describe::kinds::network_fixtures::{
        kubectl_stdout, not_found, recorded_items, render,
    };

    /// The recorded Ingress: `frontend` with the endpoints its slice had when kubectl
    /// described it (three ready, one not), and `cart`, which does not exist.
    #[test]
    fn the_recorded_ingress_reads_like_kubectl() {
        let ingress = &recorded_items("059-list-ingresses.json")[0];
        let service = recorded_items("031-list-services.json")[0].clone();
        let mut slice = recorded_items("065-list-endpointslices.json")[0].clone();
        let endpoints = slice["endpoints"].as_array_mut().expect("endpoints");
        for (ip, ready) in [("10.244.1.6", true), ("10.244.2.7", false)] {
            endpoints.push(json!({"addresses": [ip], "conditions": {"ready": ready}}));
        }
        let fetches = Ingress.fetches(ingress);
        assert_eq!(
            fetches[..2],
            [
                slices_of("shop", "frontend"),
                Fetch::Get {
                    resource: "services",
                    namespace: Some("shop".to_string()),
                    name: "frontend".to_string()
                }
            ]
        );
        assert_eq!(fetches.len(), 4);
        let related = vec![
            Ok(json!({"items": [slice]})),
            Ok(service),
            Ok(json!({"items": []})),
            Err(not_found("services \"cart\" not found")),
        ];
        let text = render(&Ingress, ingress, related);
        assert_eq!(text, kubectl_stdout("describe-ingress.txt"));
    }

    #[test]
    fn default_backend_tls_and_resource_backends() {
        let ingress = json!({
            "metadata": {"name": "edge", "namespace": "shop", "labels": {"tier": "edge"}},
            "spec": {
                "ingressClassName": "nginx",
                "defaultBackend": {"service": {"name": "web", "port": {"name": "http"}}},
                "tls": [{"hosts": ["a.example.org", "b.example.org"], "secretName": "edge-tls"},
                        {"hosts": ["c.example.org"]}],
                "rules": [
                    {"http": {"paths": [{"path": "/static", "backend": {"resource":
                        {"apiGroup": "k8s.example.org", "kind": "Bucket", "name": "assets"}}}]}},
                    {"host": "no-http.example.org"},
                ],
            },
            "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.org"}, {"ip": "192.0.2.9"}]}},
        });
        let web = json!({"spec": {"ports": [{"name": "http", "port": 80}, {"name": "admin", "port": 81}]}});
        let slices = json!({"items": [{"ports": [{"name": "http", "port": 8080}, {"name": "admin", "port": 8081}],
            "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": true}}]}]});
        assert_eq!(Ingress.fetches(&ingress).len(), 2);
        let text = render(&Ingress, &ingress, vec![Ok(slices), Ok(web)]);
        assert_eq!(
            text,
            "Name:             edge
Labels:           tier=edge
Namespace:        shop
Address:          192.0.2.9,lb.example.org
Ingress Class:    nginx
Default backend:  web:http (10.0.0.1:8080)
TLS:
  edge-tls terminates a.example.org,b.example.org
  SNI routes c.example.org
Rules:
  Host        Path  Backends
  ----        ----  --------
  *           
              /static   APIGroup: k8s.example.org, Kind: Bucket, Name: assets
Annotations:  <none>
Events:       <none>
"
        );
    }

    #[test]
    fn without_http_rules_the_default_backend_serves_everything() {
        let ingress = json!({"metadata": {"name": "all", "namespace": "shop"}, "spec": {}});
        assert!(Ingress.fetches(&ingress).is_empty());
        let text = render(&Ingress, &ingress, Vec::new());
        assert!(
            text.contains("  ----        ----  --------\n  *           *     <default>\nAnnotations:  <none>\n"),
            "{text}"
        );
    }
}
