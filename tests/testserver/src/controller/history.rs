//! ControllerRevisions: the template history StatefulSets and DaemonSets keep, one revision per
//! distinct pod template, numbered in the order they were (last) used.

use std::sync::Arc;

use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, controller_ref, int_at, name, namespace};
use crate::store::{Collection, ObjectKey};

/// A new revision's identity and metadata, decided by the owning controller.
pub struct NewRevision<'a> {
    pub owner: &'a Value,
    pub owner_kind: &'a str,
    pub hash: String,
    pub labels: Vec<(&'a str, String)>,
    pub annotations: Value,
}

/// What a revision stores: the owner's template as a strategic-merge patch, like the real
/// `getPatch`.
pub fn patch_data(template: &Value) -> Value {
    let mut template = template.clone();
    util::object_at(&mut template, &[]).insert("$patch".into(), json!("replace"));
    json!({"spec": {"template": template}})
}

/// The template a revision recorded.
pub fn template_of(revision: &Value) -> Option<Value> {
    let mut template = revision.pointer("/data/spec/template")?.clone();
    template.as_object_mut()?.remove("$patch");
    Some(template)
}

pub fn number(revision: &Value) -> i64 {
    int_at(revision, "/revision").unwrap_or(0)
}

/// The owner's revisions, oldest first.
pub fn owned(ctx: &Ctx, owner: &Value) -> Vec<Arc<Value>> {
    let mut revisions = util::owned(
        ctx.store,
        &Collection::new("apps", "controllerrevisions"),
        owner,
    );
    revisions.sort_by_key(|r| number(r));
    revisions
}

/// The revision holding `data`: an existing one (renumbered to be the newest if an older
/// template came back) or a new one named `<owner>-<hash>`.
pub fn ensure(ctx: &Ctx, data: &Value, new: NewRevision) -> Option<Arc<Value>> {
    let existing = owned(ctx, new.owner);
    let newest = existing.last().map(|r| number(r)).unwrap_or(0);
    if let Some(equal) = existing.iter().rev().find(|r| r.get("data") == Some(data)) {
        if number(equal) == newest {
            return Some(equal.clone());
        }
        let mut renumbered = (**equal).clone();
        renumbered["revision"] = json!(newest + 1);
        return util::write(ctx.store, &revision_key(equal), renumbered);
    }
    let mut labels = util::string_map(new.owner, "/spec/template/metadata/labels");
    for (k, v) in new.labels {
        labels.insert(k.to_string(), v);
    }
    let revision_name = format!("{}-{}", name(new.owner), new.hash);
    let revision = json!({
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {
            "name": revision_name,
            "namespace": namespace(new.owner),
            "labels": labels,
            "annotations": new.annotations,
            "ownerReferences": [controller_ref(new.owner, "apps/v1", new.owner_kind)],
        },
        "data": data,
        "revision": newest + 1,
    });
    let key = ObjectKey::new(
        "apps",
        "controllerrevisions",
        namespace(new.owner),
        &revision_name,
    );
    let mut revision = revision;
    crate::admission::admit(
        "apps",
        "controllerrevisions",
        &mut revision,
        "kube-controller-manager",
    );
    ctx.store.create(&key, revision).ok()
}

/// Deletes the oldest revisions beyond `limit` that no live pod or status still names.
pub fn truncate(ctx: &Ctx, owner: &Value, limit: i64, in_use: &[String]) {
    let unused: Vec<Arc<Value>> = owned(ctx, owner)
        .into_iter()
        .filter(|r| !in_use.iter().any(|u| u == name(r)))
        .collect();
    let excess = i64::try_from(unused.len()).unwrap_or(0) - limit.max(0);
    for revision in unused.iter().take(usize::try_from(excess).unwrap_or(0)) {
        let _ = ctx.store.delete(&revision_key(revision));
    }
}

fn revision_key(revision: &Value) -> ObjectKey {
    util::key("apps", "controllerrevisions", revision)
}
