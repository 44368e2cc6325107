//! `kubectl describe service`: type, IPs, each port with its target, node port and the
//! endpoints the Service's EndpointSlices give it, then session affinity, traffic policies and
//! events. Also home of [`format_endpoint_slices`], which the Ingress describer shares.

use anyhow::Result;
use serde_json::Value;

use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, go_value, labels, map_selector, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::put;

/// The label that ties an EndpointSlice to its Service.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// How many endpoints a description lists before `+ N more...`.
const MAX_ENDPOINTS: usize = 3;

pub struct Service;

impl Describer for Service {
    /// The Service's EndpointSlices.
    fn fetches(&self, service: &Value) -> Vec<Fetch> {
        vec![slices_of(
            text(&service["metadata"]["namespace"]),
            text(&service["metadata"]["name"]),
        )]
    }

    fn describe(
        &self,
        service: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &service["metadata"];
        let spec = &service["spec"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Selector:\t{}\n", map_selector(&spec["selector"]));
        put!(w, 0, "Type:\t{}\n", text(&spec["type"]));
        if let Some(policy) = spec["ipFamilyPolicy"].as_str() {
            put!(w, 0, "IP Family Policy:\t{policy}\n");
        }
        put!(
            w,
            0,
            "IP Families:\t{}\n",
            joined_or_none(&spec["ipFamilies"])
        );
        put!(w, 0, "IP:\t{}\n", text(&spec["clusterIP"]));
        put!(w, 0, "IPs:\t{}\n", joined_or_none(&spec["clusterIPs"]));
        let external_ips = strings(&spec["externalIPs"]);
        if !external_ips.is_empty() {
            put!(w, 0, "External IPs:\t{}\n", external_ips.join(","));
        }
        let desired_ip = text(&spec["loadBalancerIP"]);
        if !desired_ip.is_empty() {
            put!(w, 0, "Desired LoadBalancer IP:\t{desired_ip}\n");
        }
        let external_name = text(&spec["externalName"]);
        if !external_name.is_empty() {
            put!(w, 0, "External Name:\t{external_name}\n");
        }
        if let Some(ingress) = service["status"]["loadBalancer"]["ingress"]
            .as_array()
            .filter(|ingress| !ingress.is_empty())
        {
            put!(w, 0, "LoadBalancer Ingress:\t{}\n", ingress_list(ingress));
        }
        let slices = fetched.items(0);
        for port in spec["ports"].as_array().into_iter().flatten() {
            describe_port(w, port, slices);
        }
        put!(
            w,
            0,
            "Session Affinity:\t{}\n",
            text(&spec["sessionAffinity"])
        );
        let external_policy = text(&spec["externalTrafficPolicy"]);
        if !external_policy.is_empty() {
            put!(w, 0, "External Traffic Policy:\t{external_policy}\n");
        }
        if let Some(policy) = spec["internalTrafficPolicy"].as_str() {
            put!(w, 0, "Internal Traffic Policy:\t{policy}\n");
        }
        let health_check = spec["healthCheckNodePort"].as_i64().unwrap_or(0);
        if health_check != 0 {
            put!(w, 0, "HealthCheck NodePort:\t{health_check}\n");
        }
        let ranges = strings(&spec["loadBalancerSourceRanges"]);
        if !ranges.is_empty() {
            put!(w, 0, "LoadBalancer Source Ranges:\t{}\n", ranges.join(","));
        }
        // kubectl shows the events even when they could not be read: an empty list then.
        if let Some(events) = &fetched.events {
            describe_events(events.as_deref().unwrap_or_default(), settings.now, w);
        }
        Ok(())
    }
}

/// The list of the EndpointSlices of the Service `name` in `namespace`.
pub fn slices_of(namespace: &str, name: &str) -> Fetch {
    Fetch::labelled(
        "endpointslices.discovery.k8s.io",
        Some(namespace),
        &format!("{SERVICE_NAME_LABEL}={name}"),
    )
}

/// `Port`, `TargetPort`, `NodePort` and `Endpoints` of one service port.
fn describe_port(w: &mut PrefixWriter, port: &Value, slices: &[Value]) {
    let port_name = text(&port["name"]);
    let shown_name = if port_name.is_empty() {
        "<unset>"
    } else {
        port_name
    };
    let protocol = text(&port["protocol"]);
    let number = port["port"].as_i64().unwrap_or(0);
    put!(w, 0, "Port:\t{shown_name}\t{number}/{protocol}\n");
    // An absent target port is Go's zero IntOrString: the number 0.
    let target = match &port["targetPort"] {
        Value::Null => "0".to_string(),
        other => go_value(other),
    };
    put!(w, 0, "TargetPort:\t{target}/{protocol}\n");
    let node_port = port["nodePort"].as_i64().unwrap_or(0);
    if node_port != 0 {
        put!(w, 0, "NodePort:\t{shown_name}\t{node_port}/{protocol}\n");
    }
    put!(
        w,
        0,
        "Endpoints:\t{}\n",
        format_endpoint_slices(slices, port_name)
    );
}

/// kubectl's `formatEndpointSlices`: the ready endpoints of the slices' port called
/// `port_name` (every endpoint, without port, of slices that have no ports), the first three
/// as `ip:port`, then `+ N more...`.
///
/// kubectl decides there are "more" when it meets a fourth endpoint, ready or not, but
/// counts only the ready ones: four endpoints of which one is not ready read
/// `a,b,c + 0 more...`. That is kept.
pub fn format_endpoint_slices(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let mut shown: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    let mut visit = |endpoint: &Value, port: Option<i64>| {
        if shown.len() == MAX_ENDPOINTS {
            more = true;
        }
        // An endpoint whose readiness is unknown counts as ready.
        if endpoint["conditions"]["ready"] == Value::Bool(false) {
            return;
        }
        if !more {
            let address = text(&endpoint["addresses"][0]);
            shown.push(match port {
                Some(port) => join_host_port(address, port),
                None => address.to_string(),
            });
        }
        count += 1;
    };
    for slice in slices {
        let endpoints = slice["endpoints"].as_array().map_or(&[][..], Vec::as_slice);
        match slice["ports"].as_array().filter(|ports| !ports.is_empty()) {
            // A headless service may have no ports.
            None => endpoints.iter().for_each(|endpoint| visit(endpoint, None)),
            Some(ports) => {
                for port in ports.iter().filter(|port| text(&port["name"]) == port_name) {
                    let number = port["port"].as_i64().unwrap_or(0);
                    for endpoint in endpoints {
                        visit(endpoint, Some(number));
                    }
                }
            }
        }
    }
    let list = shown.join(",");
    if more {
        format!("{list} + {} more...", count - MAX_ENDPOINTS)
    } else {
        list
    }
}

/// Go's `net.JoinHostPort`: IPv6 addresses in brackets.
fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// The load balancer's ingress points: IPs (with their mode) or host names.
fn ingress_list(ingress: &[Value]) -> String {
    ingress
        .iter()
        .map(|point| {
            let ip = text(&point["ip"]);
            if ip.is_empty() {
                return text(&point["hostname"]).to_string();
            }
            match point["ipMode"].as_str() {
                Some(mode) => format!("{ip} ({mode})"),
                None => ip.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The strings of a list field.
fn strings(value: &Value) -> Vec<&str> {
    value.as_array().into_iter().flatten().map(text).collect()
}

/// A list of strings joined with commas, or `<none>`.
fn joined_or_none(value: &Value) -> String {
    let items = strings(value);
    if items.is_empty() {
        "<none>".to_string()
    } else {
        items.join(",")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::describe::kinds::network_fixtures::{kubectl_stdout, recorded_items, render};

    fn endpoint(ip: &str, ready: bool) -> Value {
        json!({"addresses": [ip], "conditions": {"ready": ready, "serving": ready, "terminating": false}})
    }

    /// The recorded Service and its recorded EndpointSlice, with the endpoints the slice had
    /// when kubectl described it (three ready and one not: a rollout was under way).
    #[test]
    fn the_recorded_service_reads_like_kubectl() {
        let service = &recorded_items("031-list-services.json")[0];
        let mut slice = recorded_items("065-list-endpointslices.json")[0].clone();
        let endpoints = slice["endpoints"].as_array_mut().expect("endpoints");
        endpoints.push(endpoint("10.244.1.6", true));
        endpoints.push(endpoint("10.244.2.7", false));
        let text = render(&Service, service, vec![Ok(json!({"items": [slice]}))]);
        assert_eq!(text, kubectl_stdout("describe-service.txt"));
    }

    #[test]
    fn endpoints_are_the_ready_ones_of_the_named_port() {
        let slice = json!({
            "ports": [{"name": "web", "port": 8080, "protocol": "TCP"},
                      {"name": "metrics", "port": 9090, "protocol": "TCP"}],
            "endpoints": [endpoint("10.0.0.1", true), endpoint("10.0.0.2", false),
                          {"addresses": ["fd00::3"], "conditions": {}}],
        });
        let slices = [slice];
        assert_eq!(
            format_endpoint_slices(&slices, "web"),
            "10.0.0.1:8080,[fd00::3]:8080"
        );
        assert_eq!(
            format_endpoint_slices(&slices, "metrics"),
            "10.0.0.1:9090,[fd00::3]:9090"
        );
        assert_eq!(format_endpoint_slices(&slices, ""), "");
        assert_eq!(format_endpoint_slices(&[], "web"), "<none>");
    }

    #[test]
    fn slices_without_ports_list_bare_addresses_and_a_placeholder_lists_none() {
        let headless = json!({"ports": null, "endpoints": [
            endpoint("10.0.0.1", true), endpoint("10.0.0.2", true),
            endpoint("10.0.0.3", true), endpoint("10.0.0.4", true), endpoint("10.0.0.5", true)]});
        assert_eq!(
            format_endpoint_slices(&[headless], "web"),
            "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more..."
        );
        let placeholder = json!({"addressType": "IPv4", "endpoints": null, "ports": null});
        assert_eq!(format_endpoint_slices(&[placeholder], "web"), "");
    }

    #[test]
    fn a_load_balancer_shows_its_addresses_and_ranges() {
        let service = json!({
            "metadata": {"name": "edge", "namespace": "shop"},
            "spec": {
                "type": "LoadBalancer", "clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"],
                "externalIPs": ["192.0.2.1", "192.0.2.2"], "loadBalancerIP": "198.51.100.7",
                "ports": [{"protocol": "UDP", "port": 53, "targetPort": 5353, "nodePort": 30053}],
                "sessionAffinity": "ClientIP", "externalTrafficPolicy": "Local",
                "healthCheckNodePort": 31000, "loadBalancerSourceRanges": ["10.0.0.0/8"],
            },
            "status": {"loadBalancer": {"ingress": [
                {"ip": "198.51.100.7", "ipMode": "VIP"}, {"hostname": "lb.example.org"}]}},
        });
        let text = render(&Service, &service, vec![Ok(json!({"items": []}))]);
        assert_eq!(
            text,
            "Name:                        edge\n\
             Namespace:                   shop\n\
             Labels:                      <none>\n\
             Annotations:                 <none>\n\
             Selector:                    <none>\n\
             Type:                        LoadBalancer\n\
             IP Families:                 <none>\n\
             IP:                          10.96.0.9\n\
             IPs:                         10.96.0.9\n\
             External IPs:                192.0.2.1,192.0.2.2\n\
             Desired LoadBalancer IP:     198.51.100.7\n\
             LoadBalancer Ingress:        198.51.100.7 (VIP), lb.example.org\n\
             Port:                        <unset>  53/UDP\n\
             TargetPort:                  5353/UDP\n\
             NodePort:                    <unset>  30053/UDP\n\
             Endpoints:                   <none>\n\
             Session Affinity:            ClientIP\n\
             External Traffic Policy:     Local\n\
             HealthCheck NodePort:        31000\n\
             LoadBalancer Source Ranges:  10.0.0.0/8\n\
             Events:                      <none>\n"
        );
    }
}
