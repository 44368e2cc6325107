//! What kubectl's four RBAC describers share: a role's rules broken down to one verb, one
//! resource and one name each, compacted again per resource and sorted (kubectl's
//! `BreakdownRule`, `CompactRules` and `SortableRuleSlice`), printed as the PolicyRule table;
//! and a binding's role and subjects.

use serde_json::Value;

use crate::describe::PrefixWriter;
use crate::describe::fields::{annotations, labels, text};
use crate::put;

/// One policy rule, as the strings of its lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rule {
    verbs: Vec<String>,
    api_groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    non_resource_urls: Vec<String>,
}

impl Rule {
    fn of(rule: &Value) -> Rule {
        let strings = |field: &str| -> Vec<String> {
            rule[field]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| text(s).to_string())
                .collect()
        };
        Rule {
            verbs: strings("verbs"),
            api_groups: strings("apiGroups"),
            resources: strings("resources"),
            resource_names: strings("resourceNames"),
            non_resource_urls: strings("nonResourceURLs"),
        }
    }

    /// The generated protobuf `String()` kubectl sorts rules by (verbs first).
    fn sort_key(&self) -> String {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&self.verbs),
            go_list(&self.api_groups),
            go_list(&self.resources),
            go_list(&self.resource_names),
            go_list(&self.non_resource_urls)
        )
    }

    /// Equivalent rules with at most one verb, resource and resource name each.
    fn breakdown(&self) -> Vec<Rule> {
        let one = |s: &String| vec![s.clone()];
        let mut rules = Vec::new();
        for group in &self.api_groups {
            for resource in &self.resources {
                for verb in &self.verbs {
                    let base = Rule {
                        verbs: one(verb),
                        api_groups: one(group),
                        resources: one(resource),
                        ..Rule::default()
                    };
                    if self.resource_names.is_empty() {
                        rules.push(base);
                    } else {
                        for name in &self.resource_names {
                            rules.push(Rule {
                                resource_names: one(name),
                                ..base.clone()
                            });
                        }
                    }
                }
            }
        }
        for url in &self.non_resource_urls {
            for verb in &self.verbs {
                rules.push(Rule {
                    verbs: one(verb),
                    non_resource_urls: one(url),
                    ..Rule::default()
                });
            }
        }
        rules
    }

    /// A rule of one group, one resource, at most one name and nothing else can be merged
    /// with others of the same resource.
    fn is_simple(&self) -> bool {
        self.resource_names.len() <= 1
            && self.non_resource_urls.is_empty()
            && self.api_groups.len() == 1
            && self.resources.len() == 1
    }

    /// kubectl's `CombineResourceGroup`: `deployments.apps/scale`.
    fn resource_cell(&self) -> String {
        let Some(first) = self.resources.first() else {
            return String::new();
        };
        let (resource, subresource) = match first.split_once('/') {
            Some((resource, sub)) => (resource, Some(sub)),
            None => (first.as_str(), None),
        };
        let mut cell = resource.to_string();
        if let Some(group) = self.api_groups.first().filter(|g| !g.is_empty()) {
            cell.push('.');
            cell.push_str(group);
        }
        if let Some(sub) = subresource {
            cell.push('/');
            cell.push_str(sub);
        }
        cell
    }
}

/// Go's `%v` of a string slice: `[a b]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

/// The rules as kubectl shows them: broken down, compacted, sorted.
fn displayed_rules(rules: &Value) -> Vec<Rule> {
    let broken: Vec<Rule> = rules
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|rule| Rule::of(rule).breakdown())
        .collect();
    let mut compacted: Vec<Rule> = Vec::new();
    let mut simple: Vec<Rule> = Vec::new();
    for rule in broken {
        if !rule.is_simple() {
            compacted.push(rule);
            continue;
        }
        let same = simple.iter_mut().find(|s| {
            s.api_groups == rule.api_groups
                && s.resources == rule.resources
                && s.resource_names == rule.resource_names
        });
        match same {
            Some(existing) => {
                for verb in rule.verbs {
                    if !existing.verbs.contains(&verb) {
                        existing.verbs.push(verb);
                    }
                }
            }
            None => simple.push(rule),
        }
    }
    compacted.extend(simple);
    compacted.sort_by_cached_key(Rule::sort_key);
    compacted
}

/// A Role's or ClusterRole's description: name, labels, annotations and the PolicyRule
/// table (kubectl shows no namespace and no events for either).
pub fn describe_role(object: &Value, w: &mut PrefixWriter) {
    let meta = &object["metadata"];
    put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
    labels(w, "Labels", &meta["labels"]);
    annotations(w, "Annotations", &meta["annotations"]);
    w.write(0, "PolicyRule:\n");
    w.write(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    w.write(1, "---------\t-----------------\t--------------\t-----\n");
    for rule in displayed_rules(&object["rules"]) {
        put!(
            w,
            1,
            "{}\t{}\t{}\t{}\n",
            rule.resource_cell(),
            go_list(&rule.non_resource_urls),
            go_list(&rule.resource_names),
            go_list(&rule.verbs)
        );
    }
}

/// A RoleBinding's or ClusterRoleBinding's description: its role and its subjects.
pub fn describe_binding(object: &Value, w: &mut PrefixWriter) {
    let meta = &object["metadata"];
    put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
    labels(w, "Labels", &meta["labels"]);
    annotations(w, "Annotations", &meta["annotations"]);
    let role = &object["roleRef"];
    w.write(0, "Role:\n");
    put!(w, 1, "Kind:\t{}\n", text(&role["kind"]));
    put!(w, 1, "Name:\t{}\n", text(&role["name"]));
    w.write(0, "Subjects:\n");
    w.write(1, "Kind\tName\tNamespace\n");
    w.write(1, "----\t----\t---------\n");
    for subject in object["subjects"].as_array().into_iter().flatten() {
        put!(
            w,
            1,
            "{}\t{}\t{}\n",
            text(&subject["kind"]),
            text(&subject["name"]),
            text(&subject["namespace"])
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_broken_down_compacted_and_sorted_like_kubectl() {
        let role = json!({
            "metadata": {"name": "reader", "namespace": "shop"},
            "rules": [
                {"apiGroups": ["", "apps"], "resources": ["pods", "deployments/scale"], "verbs": ["get", "list"]},
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["watch", "get"]},
                {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["a", "b"], "verbs": ["update"]},
                {"nonResourceURLs": ["/healthz"], "verbs": ["get", "post"]},
                {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
            ],
        });
        let mut w = PrefixWriter::new();
        describe_role(&role, &mut w);
        let row = |a: &str, b: &str, c: &str, d: &str| format!("  {a:<24}{b:<19}{c:<16}{d}\n");
        let expected = [
            "Name:         reader\nLabels:       <none>\nAnnotations:  <none>\nPolicyRule:\n"
                .to_string(),
            row("Resources", "Non-Resource URLs", "Resource Names", "Verbs"),
            row("---------", "-----------------", "--------------", "-----"),
            row("*.*", "[]", "[]", "[*]"),
            row("pods", "[]", "[]", "[get list watch]"),
            row("deployments/scale", "[]", "[]", "[get list]"),
            row("deployments.apps/scale", "[]", "[]", "[get list]"),
            row("pods.apps", "[]", "[]", "[get list]"),
            row("", "[/healthz]", "[]", "[get]"),
            row("", "[/healthz]", "[]", "[post]"),
            row("configmaps", "[]", "[a]", "[update]"),
            row("configmaps", "[]", "[b]", "[update]"),
        ]
        .concat();
        assert_eq!(w.finish(), expected);
    }

    #[test]
    fn bindings_list_their_subjects() {
        let binding = json!({
            "metadata": {"name": "read", "labels": {"team": "a"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
            "subjects": [
                {"kind": "User", "name": "jane"},
                {"kind": "ServiceAccount", "name": "default", "namespace": "shop"},
            ],
        });
        let mut w = PrefixWriter::new();
        describe_binding(&binding, &mut w);
        assert_eq!(
            w.finish(),
            "Name:         read\nLabels:       team=a\nAnnotations:  <none>\nRole:\n  Kind:  ClusterRole\n  Name:  view\nSubjects:\n  Kind            Name     Namespace\n  ----            ----     ---------\n  User            jane     \n  ServiceAccount  default  shop\n"
        );
    }
}
