//! `kubectl describe networkpolicy`: kubectl's prose for the pod selector and the ingress and
//! egress rules (`Allowing ingress traffic:` …). kubectl shows no events for NetworkPolicies.

use anyhow::Result;
use serde_json::Value;

use crate::describe::fields::{annotations, go_value, label_selector, labels, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

/// kubectl indents the rules with this (then two more spaces a level).
const RULE_INDENT: &str = "    ";

pub struct NetworkPolicy;

impl Describer for NetworkPolicy {
    fn shows_events(&self) -> bool {
        false
    }

    fn describe(
        &self,
        policy: &Value,
        _fetched: &Fetched,
        _settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &policy["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        put!(
            w,
            0,
            "Created on:\t{}\n",
            go_time_string(&meta["creationTimestamp"], &jiff::tz::TimeZone::system())
        );
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        describe_spec(w, &policy["spec"]);
        Ok(())
    }
}

/// A timestamp as Go's `time.Time.String` prints it, in `zone` (kubectl's is the local one):
/// `2026-11-22 03:51:16 +0000 UTC`; Go's zero time when missing.
fn go_time_string(value: &Value, zone: &jiff::tz::TimeZone) -> String {
    match value
        .as_str()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    {
        Some(time) => time
            .to_zoned(zone.clone())
            .strftime("%Y-%m-%d %H:%M:%S %z %Z")
            .to_string(),
        None => "0001-01-01 00:00:00 +0000 UTC".to_string(),
    }
}

fn describe_spec(w: &mut PrefixWriter, spec: &Value) {
    w.write(0, "Spec:\n");
    w.write(1, "PodSelector: ");
    let selector = &spec["podSelector"];
    if is_empty_selector(selector) {
        w.write(
            2,
            "<none> (Allowing the specific traffic to all pods in this namespace)\n",
        );
    } else {
        put!(w, 2, "{}\n", label_selector(selector));
    }
    let types: Vec<&str> = spec["policyTypes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    if types.contains(&"Ingress") {
        w.write(1, "Allowing ingress traffic:\n");
        describe_rules(w, &spec["ingress"], Direction::Ingress);
    } else {
        w.write(1, "Not affecting ingress traffic\n");
    }
    if types.contains(&"Egress") {
        w.write(1, "Allowing egress traffic:\n");
        describe_rules(w, &spec["egress"], Direction::Egress);
    } else {
        w.write(1, "Not affecting egress traffic\n");
    }
    let types = if types.is_empty() {
        "<none>".to_string()
    } else {
        types.join(", ")
    };
    put!(w, 1, "Policy Types: {types}\n");
}

/// Which way a list of rules lets traffic through, and the words kubectl uses for it.
#[derive(Clone, Copy)]
enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// The field naming the peers of a rule.
    fn peers_field(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }

    fn isolated(self) -> &'static str {
        match self {
            Direction::Ingress => "<none> (Selected pods are isolated for ingress connectivity)",
            Direction::Egress => "<none> (Selected pods are isolated for egress connectivity)",
        }
    }

    fn any_peer(self) -> &'static str {
        match self {
            Direction::Ingress => "From: <any> (traffic not restricted by source)",
            Direction::Egress => "To: <any> (traffic not restricted by destination)",
        }
    }

    fn peer_title(self) -> &'static str {
        match self {
            Direction::Ingress => "From:",
            Direction::Egress => "To:",
        }
    }
}

/// kubectl's `printNetworkPolicySpecIngressFrom` and `…EgressTo`.
fn describe_rules(w: &mut PrefixWriter, rules: &Value, direction: Direction) {
    let rules = rules.as_array().map_or(&[][..], Vec::as_slice);
    let indent = RULE_INDENT;
    if rules.is_empty() {
        put!(w, 0, "{indent}{}\n", direction.isolated());
        return;
    }
    for (i, rule) in rules.iter().enumerate() {
        let ports = rule["ports"].as_array().map_or(&[][..], Vec::as_slice);
        if ports.is_empty() {
            put!(
                w,
                0,
                "{indent}To Port: <any> (traffic allowed to all ports)\n"
            );
        }
        for port in ports {
            let protocol = port["protocol"].as_str().unwrap_or("TCP");
            let number = match &port["port"] {
                Value::Null => "<nil>".to_string(),
                other => go_value(other),
            };
            match port["endPort"].as_i64() {
                None => put!(w, 0, "{indent}To Port: {number}/{protocol}\n"),
                Some(end) => put!(w, 0, "{indent}To Port Range: {number}-{end}/{protocol}\n"),
            }
        }
        let peers = rule[direction.peers_field()]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        if peers.is_empty() {
            put!(w, 0, "{indent}{}\n", direction.any_peer());
        }
        for peer in peers {
            put!(w, 0, "{indent}{}\n", direction.peer_title());
            describe_peer(w, peer);
        }
        if i != rules.len() - 1 {
            put!(w, 0, "{indent}----------\n");
        }
    }
}

/// One peer: its namespace and pod selectors, or its IP block.
fn describe_peer(w: &mut PrefixWriter, peer: &Value) {
    let indent = RULE_INDENT;
    let pods = &peer["podSelector"];
    let namespaces = &peer["namespaceSelector"];
    let block = &peer["ipBlock"];
    if !namespaces.is_null() {
        put!(
            w,
            1,
            "{indent}NamespaceSelector: {}\n",
            label_selector(namespaces)
        );
    }
    if !pods.is_null() {
        put!(w, 1, "{indent}PodSelector: {}\n", label_selector(pods));
    }
    if pods.is_null() && namespaces.is_null() && !block.is_null() {
        let except: Vec<&str> = block["except"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect();
        put!(w, 1, "{indent}IPBlock:\n");
        put!(w, 2, "{indent}CIDR: {}\n", text(&block["cidr"]));
        put!(w, 2, "{indent}Except: {}\n", except.join(", "));
    }
}

/// A selector with neither labels nor expressions to match (it selects every pod).
fn is_empty_selector(selector: &Value) -> bool {
    let no_labels = selector["matchLabels"]
        .as_object()
        .is_none_or(|labels| labels.is_empty());
    let no_expressions = selector["matchExpressions"]
        .as_array()
        .is_none_or(|expressions| expressions.is_empty());
    no_labels && no_expressions
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::describe::kinds::network_fixtures::{kubectl_stdout, recorded_items, render};

    /// The recorded policy, against kubectl v1.33's recorded description (its creation time
    /// is shown in local time, so that line is checked on its own below).
    #[test]
    fn the_recorded_policy_reads_like_kubectl() {
        let policy = &recorded_items("061-list-networkpolicies.json")[0];
        let text = render(&NetworkPolicy, policy, Vec::new());
        let created = |text: &str| {
            text.lines()
                .filter(|line| !line.starts_with("Created on:"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            created(&text),
            created(&kubectl_stdout("describe-networkpolicy.txt"))
        );
        assert!(text.contains("\nCreated on:   "), "{text}");
    }

    #[test]
    fn times_read_like_gos_time_string() {
        let time = json!("2026-11-22T03:51:16Z");
        assert_eq!(
            go_time_string(&time, &jiff::tz::TimeZone::UTC),
            "2026-11-22 03:51:16 +0000 UTC"
        );
        let paris = jiff::tz::TimeZone::get("Europe/Paris").expect("zone");
        assert_eq!(
            go_time_string(&time, &paris),
            "2026-11-22 04:51:16 +0100 CET"
        );
        assert_eq!(
            go_time_string(&Value::Null, &paris),
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }

    #[test]
    fn rules_read_like_kubectls_prose() {
        let policy = json!({
            "metadata": {"name": "db", "namespace": "shop", "creationTimestamp": "2026-11-22T03:51:16Z"},
            "spec": {
                "podSelector": {},
                "policyTypes": ["Ingress", "Egress"],
                "ingress": [
                    {"ports": [{"protocol": "TCP", "port": 5432}, {"port": "metrics", "endPort": null},
                               {"protocol": "UDP", "port": 7000, "endPort": 7100}],
                     "from": [{"namespaceSelector": {"matchLabels": {"team": "shop"}},
                               "podSelector": {"matchLabels": {"app": "api"}}},
                              {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16", "10.2.0.0/16"]}}]},
                    {},
                ],
                "egress": [{"to": [{"namespaceSelector": {}}, {"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
            },
        });
        let text = render(&NetworkPolicy, &policy, Vec::new());
        let spec = text.split_once("Spec:\n").expect("spec").1;
        assert_eq!(
            spec,
            "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)
  Allowing ingress traffic:
    To Port: 5432/TCP
    To Port: metrics/TCP
    To Port Range: 7000-7100/UDP
    From:
      NamespaceSelector: team=shop
      PodSelector: app=api
    From:
      IPBlock:
        CIDR: 10.0.0.0/8
        Except: 10.1.0.0/16, 10.2.0.0/16
    ----------
    To Port: <any> (traffic allowed to all ports)
    From: <any> (traffic not restricted by source)
  Allowing egress traffic:
    To Port: <any> (traffic allowed to all ports)
    To:
      NamespaceSelector: <none>
    To:
      IPBlock:
        CIDR: 0.0.0.0/0
        Except: 
  Policy Types: Ingress, Egress
"
        );
    }

    #[test]
    fn isolated_and_unaffected_directions() {
        let policy = json!({"metadata": {"name": "deny"}, "spec": {
            "podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
            "policyTypes": ["Egress"]}});
        let text = render(&NetworkPolicy, &policy, Vec::new());
        let spec = text.split_once("Spec:\n").expect("spec").1;
        assert_eq!(
            spec,
            "  PodSelector:     app
  Not affecting ingress traffic
  Allowing egress traffic:
    <none> (Selected pods are isolated for egress connectivity)
  Policy Types: Egress
"
        );
    }
}
