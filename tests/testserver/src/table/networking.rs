//! Printers for networking.k8s.io (ingresses, ingress classes, network policies) and
//! discovery.k8s.io (endpoint slices).

use jiff::Timestamp;
use serde_json::Value;

use super::BuiltIn;
use super::columns::{AGE, Column, NAME};
use super::fields::{
    age, at, format_label_selector, integer, items, list_with_more, load_balancer_ingress, name,
    text,
};

pub(super) fn printer(group: &str, resource: &str) -> Option<BuiltIn> {
    Some(match (group, resource) {
        ("networking.k8s.io", "ingresses") => BuiltIn::new(INGRESS_COLUMNS, ingress_cells),
        ("networking.k8s.io", "ingressclasses") => {
            BuiltIn::new(INGRESSCLASS_COLUMNS, ingressclass_cells)
        }
        ("networking.k8s.io", "networkpolicies") => {
            BuiltIn::new(NETWORKPOLICY_COLUMNS, networkpolicy_cells)
        }
        ("discovery.k8s.io", "endpointslices") => {
            BuiltIn::new(ENDPOINTSLICE_COLUMNS, endpointslice_cells)
        }
        _ => return None,
    })
}

const INGRESS_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Class",
        "The name of the IngressClass resource that should be used for additional configuration",
    ),
    Column::string(
        "Hosts",
        "Hosts that incoming requests are matched against before the ingress rule",
    ),
    Column::string(
        "Address",
        "Address is a list containing ingress points for the load-balancer",
    ),
    Column::string("Ports", "Ports of TLS configurations that open"),
    AGE,
];

fn ingress_cells(ingress: &Value, now: Timestamp) -> Vec<Value> {
    let class = match at(ingress, "/spec/ingressClassName") {
        Some(_) => text(ingress, "/spec/ingressClassName"),
        None => "<none>",
    };
    let ports = if items(ingress, "/spec/tls").is_empty() {
        "80"
    } else {
        "80, 443"
    };
    vec![
        name(ingress),
        class.into(),
        ingress_hosts(ingress).into(),
        load_balancer_ingress(ingress).into(),
        ports.into(),
        age(ingress, now),
    ]
}

/// The first three hosts rules name, "*" when none does; once three are listed, any further
/// rule adds " + N more..." (N counting every rule past the third).
fn ingress_hosts(ingress: &Value) -> String {
    const MAX: usize = 3;
    let rules = items(ingress, "/spec/rules");
    let mut hosts: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        more |= hosts.len() == MAX;
        let host = text(rule, "/host");
        if !more && !host.is_empty() {
            hosts.push(host);
        }
    }
    if hosts.is_empty() {
        return "*".to_string();
    }
    let shown = hosts.join(",");
    if more {
        format!("{shown} + {} more...", rules.len() - MAX)
    } else {
        shown
    }
}

const INGRESSCLASS_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Controller",
        "Controller that is responsible for handling this class",
    ),
    Column::string(
        "Parameters",
        "A reference to a resource with additional parameters",
    ),
    AGE,
];

fn ingressclass_cells(class: &Value, now: Timestamp) -> Vec<Value> {
    let parameters = match at(class, "/spec/parameters") {
        Some(parameters) => {
            let kind = match at(parameters, "/apiGroup").and_then(Value::as_str) {
                Some(group) => format!("{}.{group}", text(parameters, "/kind")),
                None => text(parameters, "/kind").to_string(),
            };
            format!("{kind}/{}", text(parameters, "/name"))
        }
        None => "<none>".to_string(),
    };
    vec![
        name(class),
        text(class, "/spec/controller").into(),
        parameters.into(),
        age(class, now),
    ]
}

const NETWORKPOLICY_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "Pod-Selector",
        "Selects the pods to which this NetworkPolicy object applies.  The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods.  In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace.",
    ),
    AGE,
];

fn networkpolicy_cells(policy: &Value, now: Timestamp) -> Vec<Value> {
    // spec.podSelector is not a pointer: absent means the empty selector, "<none>".
    let selector = at(policy, "/spec/podSelector").unwrap_or(&Value::Null);
    vec![
        name(policy),
        format_label_selector(Some(selector).filter(|s| !s.is_null())).into(),
        age(policy, now),
    ]
}

const ENDPOINTSLICE_COLUMNS: &[Column] = &[
    NAME,
    Column::string(
        "AddressType",
        "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
    ),
    Column::string(
        "Ports",
        "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports.",
    ),
    Column::string(
        "Endpoints",
        "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints.",
    ),
    AGE,
];

fn endpointslice_cells(slice: &Value, now: Timestamp) -> Vec<Value> {
    vec![
        name(slice),
        text(slice, "/addressType").into(),
        slice_ports(slice).into(),
        slice_endpoints(slice).into(),
        age(slice, now),
    ]
}

/// Port numbers (or names, or "*" for all ports); "<unset>" when there are none.
fn slice_ports(slice: &Value) -> String {
    let ports: Vec<String> = items(slice, "/ports")
        .iter()
        .map(|port| match at(port, "/port") {
            Some(_) => integer(port, "/port").to_string(),
            None if at(port, "/name").is_some() => text(port, "/name").to_string(),
            None => "*".to_string(),
        })
        .collect();
    unset_if_empty(list_with_more(&ports, 3))
}

/// The endpoints' addresses, "<unset>" when there are none.
fn slice_endpoints(slice: &Value) -> String {
    let addresses: Vec<String> = items(slice, "/endpoints")
        .iter()
        .flat_map(|endpoint| items(endpoint, "/addresses"))
        .map(|address| address.as_str().unwrap_or_default().to_string())
        .collect();
    unset_if_empty(list_with_more(&addresses, 3))
}

fn unset_if_empty(list: String) -> String {
    if list.is_empty() {
        "<unset>".to_string()
    } else {
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hosts_default_to_star_and_are_cut_after_three() {
        let rules = |hosts: &[&str]| {
            let rules: Vec<Value> = hosts.iter().map(|h| json!({"host": h})).collect();
            json!({"spec": {"rules": rules}})
        };
        assert_eq!(ingress_hosts(&rules(&[""])), "*");
        assert_eq!(
            ingress_hosts(&rules(&["a", "b", "c", "d", "e"])),
            "a,b,c + 2 more..."
        );
    }

    #[test]
    fn tls_ingress_with_address_and_class() {
        let ingress = json!({"metadata": {"name": "i"}, "spec": {"ingressClassName": "nginx",
            "tls": [{"hosts": ["a"]}], "rules": [{"host": "a"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.9"}]}}});
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        let expected = json!(["i", "nginx", "a", "10.0.0.9", "80, 443", "<unknown>"]);
        assert_eq!(Value::from(ingress_cells(&ingress, now)), expected);
    }

    #[test]
    fn endpoint_slices_without_ports_or_endpoints() {
        assert_eq!(slice_ports(&json!({})), "<unset>");
        assert_eq!(
            slice_ports(&json!({"ports": [{"name": "http"}, {}]})),
            "http,*"
        );
        assert_eq!(slice_endpoints(&json!({"endpoints": []})), "<unset>");
    }

    #[test]
    fn ingress_class_parameters() {
        let class = json!({"spec": {"controller": "c",
            "parameters": {"apiGroup": "k8s.example.com", "kind": "Params", "name": "p"}}});
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            ingressclass_cells(&class, now)[2],
            json!("Params.k8s.example.com/p")
        );
    }
}
