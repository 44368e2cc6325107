//! The namespace controller: empties a namespace whose phase is Terminating (pods gracefully,
//! everything else at once), then removes the namespace itself.

use serde_json::Value;

use super::Ctx;
use super::util::{self, is_deleting, name, str_at};
use crate::store::{Collection, ObjectKey};

pub(super) fn reconcile(ctx: &Ctx) {
    let (namespaces, _) = ctx.store.list(&Collection::new("", "namespaces"), None);
    for ns in namespaces {
        if str_at(&ns, "/status/phase") == Some("Terminating") {
            empty(ctx, &ns);
        }
    }
}

fn empty(ctx: &Ctx, ns: &Value) {
    let namespace = name(ns);
    let contents: Vec<_> = ctx
        .store
        .all()
        .into_iter()
        .filter(|(key, _)| key.namespace == namespace)
        .collect();
    if contents.is_empty() {
        let _ = ctx
            .store
            .delete(&ObjectKey::new("", "namespaces", "", namespace));
        return;
    }
    for (key, object) in contents {
        let is_pod = key.collection.group.is_empty() && key.collection.resource == "pods";
        if is_pod {
            if !is_deleting(&object) {
                util::delete_pod(ctx.store, &object, ctx.now);
            }
        } else {
            let _ = ctx.store.delete(&key);
        }
    }
}
