//! ResourceQuotas and LimitRanges, alone and as the sections of a Namespace's description
//! (kubectl's `describeQuota`, `describeLimitRange`, `DescribeResourceQuotas`,
//! `DescribeLimitRanges`).

use std::collections::BTreeSet;

use anyhow::Result;
use serde_json::Value;

use crate::describe::fields::text;
use crate::describe::quantity::Quantity;
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct ResourceQuota;

impl Describer for ResourceQuota {
    fn shows_events(&self) -> bool {
        false
    }

    fn describe(
        &self,
        object: &Value,
        _fetched: &Fetched,
        _settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        let scopes = scopes(object);
        if !scopes.is_empty() {
            put!(w, 0, "Scopes:\t{}\n", scopes.join(", "));
            for help in scopes.iter().filter_map(|scope| scope_help(scope)) {
                put!(w, 0, " * {help}\n");
            }
        }
        w.write(0, "Resource\tUsed\tHard\n");
        w.write(0, "--------\t----\t----\n");
        let status = &object["status"];
        for (resource, hard) in status["hard"].as_object().into_iter().flatten() {
            let hard = text(hard);
            let used = used_like_hard(&status["used"][resource.as_str()], hard);
            put!(w, 0, "{resource}\t{used}\t{hard}\n");
        }
        Ok(())
    }
}

/// The used amount of a resource in the format of its hard limit, as kubectl shows it in a
/// quota's own description: a different format is rewritten from the value rounded up
/// (`0` when nothing is used yet).
fn used_like_hard(used: &Value, hard: &str) -> String {
    let Some(hard) = Quantity::parse(hard) else {
        return used.as_str().unwrap_or("0").to_string();
    };
    let Some(text) = used.as_str() else {
        return hard.whole_in_my_format(0);
    };
    match Quantity::parse(text) {
        Some(used) if !used.same_format(&hard) => hard.whole_in_my_format(used.value()),
        _ => text.to_string(),
    }
}

/// A quota's scopes, sorted.
fn scopes(quota: &Value) -> Vec<&str> {
    let mut scopes: Vec<&str> = quota["spec"]["scopes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    scopes.sort_unstable();
    scopes
}

/// What a quota scope matches, in kubectl's words.
fn scope_help(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "Terminating" => {
            "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system."
        }
        "NotTerminating" => {
            "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate."
        }
        "BestEffort" => {
            "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service."
        }
        "NotBestEffort" => {
            "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service."
        }
        _ => return None,
    })
}

/// The `Resource Quotas` section of a Namespace: every quota, sorted by name.
pub fn quotas_section(quotas: &[Value], w: &mut PrefixWriter) {
    if quotas.is_empty() {
        w.write(0, "No resource quota.\n");
        return;
    }
    let mut quotas: Vec<&Value> = quotas.iter().collect();
    quotas.sort_by_key(|quota| text(&quota["metadata"]["name"]));
    w.write(0, "Resource Quotas\n");
    for quota in quotas {
        put!(w, 1, "Name:\t{}\n", text(&quota["metadata"]["name"]));
        let scopes = scopes(quota);
        if !scopes.is_empty() {
            put!(w, 1, "Scopes:\t{}\n", scopes.join(", "));
            for help in scopes.iter().filter_map(|scope| scope_help(scope)) {
                put!(w, 1, "* {help}\n");
            }
        }
        w.write(1, "Resource\tUsed\tHard\n");
        w.write(1, "--------\t---\t---\n");
        let status = &quota["status"];
        for (resource, hard) in status["hard"].as_object().into_iter().flatten() {
            let used = status["used"][resource.as_str()].as_str().unwrap_or("0");
            put!(w, 1, "{resource}\t{used}\t{}\n", text(hard));
        }
    }
}

pub struct LimitRange;

impl Describer for LimitRange {
    fn shows_events(&self) -> bool {
        false
    }

    fn describe(
        &self,
        object: &Value,
        _fetched: &Fetched,
        _settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        w.write(
            0,
            "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
        );
        w.write(
            0,
            "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
        );
        limits(object, "", w);
        Ok(())
    }
}

/// The `Resource Limits` section of a Namespace: the items of every LimitRange in one table.
pub fn limit_ranges_section(limit_ranges: &[Value], w: &mut PrefixWriter) {
    if limit_ranges.is_empty() {
        w.write(0, "No LimitRange resource.\n");
        return;
    }
    w.write(
        0,
        "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    );
    w.write(
        0,
        " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    );
    for limit_range in limit_ranges {
        limits(limit_range, " ", w);
    }
}

/// One row per item and resource: the resources any of the item's bounds name (kubectl
/// walks a Go map here, in no fixed order; kz sorts them), `-` where a bound is not set.
fn limits(limit_range: &Value, prefix: &str, w: &mut PrefixWriter) {
    const BOUNDS: [&str; 5] = [
        "min",
        "max",
        "defaultRequest",
        "default",
        "maxLimitRequestRatio",
    ];
    for item in limit_range["spec"]["limits"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let resources: BTreeSet<&str> = BOUNDS
            .iter()
            .flat_map(|bound| item[*bound].as_object().into_iter().flatten())
            .map(|(resource, _)| resource.as_str())
            .collect();
        for resource in resources {
            let [min, max, request, limit, ratio] =
                BOUNDS.map(|bound| item[bound][resource].as_str().unwrap_or("-"));
            put!(
                w,
                0,
                "{prefix}{}\t{resource}\t{min}\t{max}\t{request}\t{limit}\t{ratio}\n",
                text(&item["type"])
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::settings;
    use serde_json::json;

    fn quota() -> Value {
        json!({
            "metadata": {"name": "compute", "namespace": "shop"},
            "spec": {"hard": {"pods": "10", "requests.memory": "1Gi", "requests.cpu": "2"},
                "scopes": ["NotTerminating", "BestEffort"]},
            "status": {
                "hard": {"pods": "10", "requests.memory": "1Gi", "requests.cpu": "2"},
                "used": {"pods": "3", "requests.memory": "0", "requests.cpu": "250m"},
            },
        })
    }

    #[test]
    fn a_quota_reads_like_kubectl() {
        let text =
            crate::describe::render(&ResourceQuota, &quota(), &Fetched::default(), &settings())
                .expect("text");
        assert_eq!(
            text,
            "Name:       compute\n\
             Namespace:  shop\n\
             Scopes:     BestEffort, NotTerminating\n \
             * Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.\n \
             * Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.\n\
             Resource         Used  Hard\n\
             --------         ----  ----\n\
             pods             3     10\n\
             requests.cpu     250m  2\n\
             requests.memory  0     1Gi\n"
        );
    }

    #[test]
    fn used_amounts_take_the_format_of_the_hard_limit() {
        assert_eq!(used_like_hard(&json!("0"), "1Gi"), "0");
        assert_eq!(used_like_hard(&Value::Null, "1Gi"), "0");
        assert_eq!(used_like_hard(&json!("2G"), "4Gi"), "1953125Ki");
        assert_eq!(used_like_hard(&json!("1536Mi"), "4G"), "1610612736");
        assert_eq!(used_like_hard(&json!("512Mi"), "1Gi"), "512Mi");
        assert_eq!(used_like_hard(&json!("250m"), "2"), "250m");
    }

    #[test]
    fn a_limit_range_reads_like_kubectl() {
        let limits = json!({
            "metadata": {"name": "defaults", "namespace": "shop"},
            "spec": {"limits": [
                {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                    "defaultRequest": {"cpu": "100m"}, "max": {"memory": "1Gi"}},
                {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}},
            ]},
        });
        let text = crate::describe::render(&LimitRange, &limits, &Fetched::default(), &settings())
            .expect("text");
        assert_eq!(
            text,
            "Name:                  defaults\n\
             Namespace:             shop\n\
             Type                   Resource  Min  Max  Default Request  Default Limit  Max Limit/Request Ratio\n\
             ----                   --------  ---  ---  ---------------  -------------  -----------------------\n\
             Container              cpu       -    -    100m             500m           -\n\
             Container              memory    -    1Gi  -                256Mi          -\n\
             PersistentVolumeClaim  storage   1Gi  -    -                -              -\n"
        );
    }
}
