//! The resource quota controller: a quota's `status.hard` is its `spec.hard`, and
//! `status.used` counts the namespace's objects and sums its pods' requests and limits, in
//! the canonical quantity forms the real controller writes (`150m`, `96Mi`, `0`).

use serde_json::{Map, json};

use super::Ctx;
use super::util::{self, is_active, namespace};
use crate::store::Collection;

pub(super) fn reconcile(ctx: &Ctx) {
    let (quotas, _) = ctx.store.list(&Collection::new("", "resourcequotas"), None);
    for quota in quotas {
        let hard = quota["spec"]["hard"].clone();
        let mut used = Map::new();
        for resource in hard.as_object().into_iter().flatten().map(|(k, _)| k) {
            if let Some(amount) = usage(ctx, namespace(&quota), resource) {
                used.insert(resource.clone(), json!(amount));
            }
        }
        let status = json!({"hard": hard, "used": used});
        if quota["status"] != status {
            let mut updated = (*quota).clone();
            updated["status"] = status;
            let key = util::key("", "resourcequotas", &quota);
            util::write(ctx.store, &key, updated);
        }
    }
}

/// How much of `resource` the namespace uses; `None` for resources this server does not track.
fn usage(ctx: &Ctx, namespace: &str, resource: &str) -> Option<String> {
    let count = |group: &str, plural: &str| {
        let (items, _) = ctx
            .store
            .list(&Collection::new(group, plural), Some(namespace));
        items.len().to_string()
    };
    let counted = match resource {
        "services"
        | "configmaps"
        | "secrets"
        | "persistentvolumeclaims"
        | "resourcequotas"
        | "replicationcontrollers" => Some(count("", resource)),
        _ => resource.strip_prefix("count/").map(|rest| {
            let (plural, group) = rest.split_once('.').unwrap_or((rest, ""));
            count(group, plural)
        }),
    };
    if counted.is_some() {
        return counted;
    }
    let (pods, _) = ctx.store.list(&util::pods(), Some(namespace));
    let pods: Vec<_> = pods.into_iter().filter(|pod| is_active(pod)).collect();
    if resource == "pods" || resource == "count/pods" {
        return Some(pods.len().to_string());
    }
    let (kind, name) = match resource {
        "cpu" | "memory" => ("requests", resource),
        other => other.split_once('.')?,
    };
    if !matches!(kind, "requests" | "limits") || !matches!(name, "cpu" | "memory") {
        return None;
    }
    let mut total = Amount::default();
    for pod in &pods {
        for container in pod["spec"]["containers"].as_array().into_iter().flatten() {
            if let Some(amount) = container["resources"][kind][name].as_str() {
                total.add(amount);
            }
        }
    }
    Some(total.canonical())
}

/// A sum of quantities in thousandths, and whether it was written in binary units.
#[derive(Default)]
struct Amount {
    milli: i128,
    binary: bool,
}

impl Amount {
    fn add(&mut self, quantity: &str) {
        let split = quantity
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(quantity.len());
        let (number, suffix) = quantity.split_at(split);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let fraction = format!("{fraction:0<3}");
        let milli =
            whole.parse::<i128>().unwrap_or(0) * 1000 + fraction[..3].parse::<i128>().unwrap_or(0);
        let factor: i128 = match suffix {
            "m" => {
                self.milli += milli / 1000;
                return;
            }
            "k" => 1_000,
            "M" => 1_000_000,
            "G" => 1_000_000_000,
            "Ki" => 1 << 10,
            "Mi" => 1 << 20,
            "Gi" => 1 << 30,
            "Ti" => 1 << 40,
            _ => 1,
        };
        if suffix.ends_with('i') && self.milli == 0 {
            self.binary = true;
        }
        self.milli += milli * factor;
    }

    fn canonical(&self) -> String {
        if self.milli % 1000 != 0 {
            return format!("{}m", self.milli);
        }
        let mut value = self.milli / 1000;
        if self.binary && value >= 1024 {
            let mut suffix = 0;
            while value % 1024 == 0 && suffix < 4 {
                value /= 1024;
                suffix += 1;
            }
            return format!("{value}{}", ["", "Ki", "Mi", "Gi", "Ti"][suffix]);
        }
        let mut suffix = 0;
        while value != 0 && value % 1000 == 0 && suffix < 3 {
            value /= 1000;
            suffix += 1;
        }
        format!("{value}{}", ["", "k", "M", "G"][suffix])
    }
}

#[cfg(test)]
mod tests {
    use super::Amount;

    #[test]
    fn sums_are_written_canonically() {
        let sum = |parts: &[&str]| {
            let mut total = Amount::default();
            parts.iter().for_each(|p| total.add(p));
            total.canonical()
        };
        assert_eq!(sum(&["50m", "50m", "50m"]), "150m");
        assert_eq!(sum(&["500m", "500m"]), "1");
        assert_eq!(sum(&["32Mi", "32Mi", "32Mi"]), "96Mi");
        assert_eq!(sum(&["1.5"]), "1500m");
        assert_eq!(sum(&[]), "0");
        assert_eq!(sum(&["2000"]), "2k");
    }
}
