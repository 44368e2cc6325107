//! The kubelet's node heartbeat: each node's Lease in `kube-node-lease`, created when
//! missing and renewed every 10 seconds, as the real kubelet keeps it.

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, name, parse_time, uid};
use crate::store::{Collection, ObjectKey};

pub const NAMESPACE: &str = "kube-node-lease";
const RENEW_EVERY: SignedDuration = SignedDuration::from_secs(10);
const LEASE_SECONDS: i64 = 40;

pub(super) fn reconcile(ctx: &Ctx) {
    let (nodes, _) = ctx.store.list(&Collection::new("", "nodes"), None);
    for node in nodes {
        let key = ObjectKey::new("coordination.k8s.io", "leases", NAMESPACE, name(&node));
        match ctx.store.get(&key) {
            None => {
                // Created only where the namespace exists, as the API server would insist.
                if ctx
                    .store
                    .get(&ObjectKey::new("", "namespaces", "", NAMESPACE))
                    .is_some()
                {
                    let _ = ctx.store.create(&key, lease(&node, ctx.now));
                }
            }
            Some(current) => {
                let renewed = parse_time(&current, "/spec/renewTime");
                if renewed.is_none_or(|at| ctx.now.duration_since(at) >= RENEW_EVERY) {
                    let mut updated = (*current).clone();
                    updated["spec"]["renewTime"] = json!(micro_time(ctx.now));
                    util::write(ctx.store, &key, updated);
                }
            }
        }
    }
}

/// A node's Lease as the kubelet creates it: held by the node, owned by it.
pub fn lease(node: &Value, now: jiff::Timestamp) -> Value {
    json!({
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": name(node),
            "namespace": NAMESPACE,
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name(node), "uid": uid(node)}],
        },
        "spec": {
            "holderIdentity": name(node),
            "leaseDurationSeconds": LEASE_SECONDS,
            "renewTime": micro_time(now),
        },
    })
}

/// A `metav1.MicroTime`: RFC 3339 with microseconds.
fn micro_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}
