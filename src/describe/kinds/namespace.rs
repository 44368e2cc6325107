//! Namespaces: status, conditions, and the quotas and limit ranges that hold inside.

use anyhow::Result;
use serde_json::Value;

use super::errors::handed_on;
use super::resourcequota::{limit_ranges_section, quotas_section};
use crate::describe::fields::{annotations, labels, rfc1123z_or_zero, text};
use crate::describe::{Describer, Fetch, Fetched, PrefixWriter, Settings};
use crate::error::{Reason, reason};
use crate::put;

pub struct Namespace;

/// The indexes of the fetches.
const QUOTAS: usize = 0;
const LIMIT_RANGES: usize = 1;

impl Describer for Namespace {
    fn shows_events(&self) -> bool {
        false
    }

    fn fetches(&self, object: &Value) -> Vec<Fetch> {
        let name = text(&object["metadata"]["name"]);
        ["resourcequotas", "limitranges"]
            .into_iter()
            .map(|resource| Fetch::labelled(resource, Some(name), ""))
            .collect()
    }

    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        _settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        // kubectl gives up on a namespace whose quotas or limit ranges cannot be listed,
        // unless the server does not serve them at all (NotFound): then it leaves them out.
        let quotas = section(fetched, QUOTAS)?;
        let limit_ranges = section(fetched, LIMIT_RANGES)?;

        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "Status:\t{}\n", text(&object["status"]["phase"]));
        conditions(&object["status"]["conditions"], w);
        if let Some(quotas) = quotas {
            w.write(0, "\n");
            quotas_section(quotas, w);
        }
        if let Some(limit_ranges) = limit_ranges {
            w.write(0, "\n");
            limit_ranges_section(limit_ranges, w);
        }
        Ok(())
    }
}

/// The items of a section's list; `None` when the server serves no such type.
fn section(fetched: &Fetched, index: usize) -> Result<Option<&[Value]>> {
    match fetched.related.get(index) {
        Some(Err(err)) if reason(err) == Some(Reason::NotFound) => Ok(None),
        Some(Err(err)) => Err(handed_on(err)),
        _ => Ok(Some(fetched.items(index))),
    }
}

fn conditions(conditions: &Value, w: &mut PrefixWriter) {
    let Some(conditions) = conditions.as_array().filter(|c| !c.is_empty()) else {
        return;
    };
    w.write(0, "Conditions:\n");
    w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
    w.write(1, "----\t------\t------------------\t------\t-------\n");
    for condition in conditions {
        put!(
            w,
            1,
            "{}\t{}\t{}\t{}\t{}\n",
            text(&condition["type"]),
            text(&condition["status"]),
            rfc1123z_or_zero(&condition["lastTransitionTime"]),
            text(&condition["reason"]),
            text(&condition["message"])
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::{fixture_item, kubectl_stdout, settings};
    use serde_json::json;

    fn lists(quotas: Vec<Value>, limit_ranges: Vec<Value>) -> Fetched {
        Fetched {
            related: vec![
                Ok(json!({"items": quotas})),
                Ok(json!({"items": limit_ranges})),
            ],
            events: None,
        }
    }

    #[test]
    fn the_recorded_namespace_reads_like_kubectl() {
        let ns = fixture_item("071-list-api-v1-namespaces.json", "shop");
        let text = crate::describe::render(&Namespace, &ns, &lists(vec![], vec![]), &settings())
            .expect("text");
        assert_eq!(text, kubectl_stdout("describe-namespace.txt"));
    }

    #[test]
    fn quotas_and_limit_ranges_are_sections() {
        let ns = json!({"metadata": {"name": "shop"}, "status": {"phase": "Terminating",
            "conditions": [{"type": "NamespaceContentRemaining", "status": "True",
                "lastTransitionTime": "2026-11-22T04:00:00Z", "reason": "SomeResourcesRemain",
                "message": "Some resources are remaining: pods. has 1 resource instances"}]}});
        let quota = json!({"metadata": {"name": "compute"},
            "status": {"hard": {"pods": "10", "limits.memory": "2Gi"}, "used": {"pods": "3"}}});
        let limits = json!({"metadata": {"name": "defaults"},
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}});
        let text = crate::describe::render(
            &Namespace,
            &ns,
            &lists(vec![quota], vec![limits]),
            &settings(),
        )
        .expect("text");
        let expected = "Name:         shop\n\
            Labels:       <none>\n\
            Annotations:  <none>\n\
            Status:       Terminating\n\
            Conditions:\n  \
            Type                       Status  LastTransitionTime               Reason               Message\n  \
            ----                       ------  ------------------               ------               -------\n  \
            NamespaceContentRemaining  True    Sun, 22 Nov 2026 04:00:00 +0000  SomeResourcesRemain  Some resources are remaining: pods. has 1 resource instances\n\
            \n\
            Resource Quotas\n  \
            Name:          compute\n  \
            Resource       Used  Hard\n  \
            --------       ---   ---\n  \
            limits.memory  0     2Gi\n  \
            pods           3     10\n\
            \n\
            Resource Limits\n \
            Type       Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio\n \
            ----       --------  ---  ---  ---------------  -------------  -----------------------\n \
            Container  cpu       -    -    -                500m           -\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn unserved_sections_are_left_out_and_other_errors_fail() {
        let ns = json!({"metadata": {"name": "shop"}, "status": {"phase": "Active"}});
        let not_found = crate::error::ServerError {
            status: serde_json::from_value(
                json!({"code": 404, "reason": "NotFound", "message": "no"}),
            )
            .expect("status"),
        };
        let fetched = Fetched {
            related: vec![Err(not_found.into()), Ok(json!({"items": []}))],
            events: None,
        };
        let text = crate::describe::render(&Namespace, &ns, &fetched, &settings()).expect("text");
        assert!(
            text.ends_with("Status:       Active\n\nNo LimitRange resource.\n"),
            "{text}"
        );
        let failing = Fetched {
            related: vec![Ok(json!({"items": []})), Err(anyhow::anyhow!("boom"))],
            events: None,
        };
        assert!(crate::describe::render(&Namespace, &ns, &failing, &settings()).is_err());
    }
}
