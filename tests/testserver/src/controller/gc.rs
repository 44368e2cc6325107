//! The garbage collector: deletes dependents whose owners are gone (background propagation),
//! deletes an owner's dependents before the owner (foreground propagation), lets dependents go
//! free (orphan propagation), and finally removes objects marked for deletion once their
//! finalizers are gone. Pods are left to the kubelet and namespaces to the namespace
//! controller, which finish those deletions themselves.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::Ctx;
use super::util::{self, is_deleting, uid};
use crate::store::{Change, EventType, ObjectKey};

const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

/// Where the collector has looked up to: it scans the store only when something it cares
/// about changed since (see `concerns_gc`), so an unchanged cluster costs nothing.
#[derive(Default)]
pub struct Seen {
    synced: Option<u64>,
}

pub(super) fn reconcile(ctx: &Ctx, seen: &mut Seen) {
    let due = match seen.synced.and_then(|since| ctx.store.changes_since(since)) {
        Some((changes, upto)) => {
            seen.synced = Some(upto);
            changes.iter().any(|c| concerns_gc(c))
        }
        None => {
            seen.synced = Some(ctx.store.resource_version());
            true
        }
    };
    if due {
        collect(ctx);
    }
}

/// Whether a change can give the collector work: an object gone (its dependents may be
/// orphaned, its owner may be waiting for it), a new object with owners or a deletion mark,
/// any write to an object being deleted, or a change to owner references, deletion marks or
/// finalizers. Anything else (a status update, a new object nobody owns) leaves every decision
/// of the last scan as it was.
fn concerns_gc(change: &Change) -> bool {
    let (owners, deleting, _) = watched(&change.object);
    match change.kind {
        EventType::Deleted => true,
        EventType::Added => owners.is_some() || deleting.is_some(),
        EventType::Modified => {
            deleting.is_some()
                || change
                    .previous
                    .as_deref()
                    .is_none_or(|previous| watched(previous) != watched(&change.object))
        }
    }
}

/// The metadata the collector decides by: owner references, deletion mark, finalizers.
fn watched(object: &Value) -> (Option<&Value>, Option<&Value>, Option<&Value>) {
    let field = |f: &str| {
        object
            .get("metadata")
            .and_then(|m| m.get(f))
            .filter(|v| !v.is_null())
    };
    (
        field("ownerReferences"),
        field("deletionTimestamp"),
        field("finalizers"),
    )
}

/// One scan over every object.
fn collect(ctx: &Ctx) {
    let all = ctx.store.all();
    let uids: HashSet<&str> = all.iter().map(|(_, o)| uid(o)).collect();
    for (key, object) in &all {
        if is_deleting(object) {
            finish_deletion(ctx, key, object, &all);
        } else {
            collect_if_orphaned(ctx, key, object, &uids);
        }
    }
}

fn owner_uids(object: &Value) -> Vec<&str> {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| refs.iter().filter_map(|r| r.get("uid")?.as_str()).collect())
        .unwrap_or_default()
}

fn finalizers(object: &Value) -> Vec<String> {
    object
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .map(|f| {
            f.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn is_pod(key: &ObjectKey) -> bool {
    key.collection.group.is_empty() && key.collection.resource == "pods"
}

/// Deletes an object whose owners are all gone; drops references to owners that are gone
/// when others remain.
fn collect_if_orphaned(ctx: &Ctx, key: &ObjectKey, object: &Value, uids: &HashSet<&str>) {
    let owners = owner_uids(object);
    if owners.is_empty() {
        return;
    }
    let dangling = owners.iter().filter(|o| !uids.contains(**o)).count();
    if dangling == owners.len() {
        delete(ctx, key, object);
    } else if dangling > 0 {
        let mut trimmed = object.clone();
        if let Some(refs) = trimmed
            .pointer_mut("/metadata/ownerReferences")
            .and_then(Value::as_array_mut)
        {
            refs.retain(|r| {
                r.get("uid")
                    .and_then(Value::as_str)
                    .is_some_and(|u| uids.contains(u))
            });
        }
        util::write(ctx.store, key, trimmed);
    }
}

/// Deletes an object the way its kind wants: pods gracefully through the kubelet, anything
/// else at once.
fn delete(ctx: &Ctx, key: &ObjectKey, object: &Value) {
    if is_pod(key) {
        util::delete_pod(ctx.store, object, ctx.now);
    } else {
        let _ = ctx.store.delete(key);
    }
}

fn finish_deletion(ctx: &Ctx, key: &ObjectKey, object: &Value, all: &[(ObjectKey, Arc<Value>)]) {
    let is_namespace = key.collection.group.is_empty() && key.collection.resource == "namespaces";
    if is_namespace {
        return;
    }
    let owner = uid(object);
    let dependents: Vec<&(ObjectKey, Arc<Value>)> = all
        .iter()
        .filter(|(_, o)| owner_uids(o).contains(&owner))
        .collect();
    let mut remaining = finalizers(object);
    if remaining.iter().any(|f| f == FOREGROUND) {
        if dependents.is_empty() {
            remaining.retain(|f| f != FOREGROUND);
        } else {
            for (dep_key, dependent) in &dependents {
                if !is_deleting(dependent) {
                    delete_in_foreground(ctx, dep_key, dependent, all);
                }
            }
        }
    }
    if remaining.iter().any(|f| f == ORPHAN) {
        for (dep_key, dependent) in &dependents {
            orphan(ctx, dep_key, dependent, owner);
        }
        remaining.retain(|f| f != ORPHAN);
    }
    if remaining != finalizers(object) {
        let mut updated = object.clone();
        updated["metadata"]["finalizers"] = json!(remaining);
        if util::write(ctx.store, key, updated).is_none() {
            return;
        }
    }
    if remaining.is_empty() && !is_pod(key) {
        let _ = ctx.store.delete(key);
    }
}

/// A dependent of a foreground deletion: its own dependents go first when it has any.
fn delete_in_foreground(
    ctx: &Ctx,
    key: &ObjectKey,
    object: &Value,
    all: &[(ObjectKey, Arc<Value>)],
) {
    let has_dependents = all
        .iter()
        .any(|(_, o)| owner_uids(o).contains(&uid(object)));
    if !has_dependents {
        delete(ctx, key, object);
        return;
    }
    let mut marked = object.clone();
    marked["metadata"]["deletionTimestamp"] = util::time(ctx.now);
    let mut list = finalizers(object);
    list.push(FOREGROUND.to_string());
    marked["metadata"]["finalizers"] = json!(list);
    util::write(ctx.store, key, marked);
}

fn orphan(ctx: &Ctx, key: &ObjectKey, dependent: &Value, owner: &str) {
    let mut freed = dependent.clone();
    if let Some(refs) = freed
        .pointer_mut("/metadata/ownerReferences")
        .and_then(Value::as_array_mut)
    {
        refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(owner));
    }
    util::write(ctx.store, key, freed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: EventType, object: Value, previous: Option<Value>) -> Change {
        Change {
            kind,
            resource_version: 1,
            key: ObjectKey::new("", "pods", "shop", "p"),
            object: Arc::new(object),
            previous: previous.map(Arc::new),
        }
    }

    #[test]
    fn only_deletions_owners_and_deletion_marks_wake_the_collector() {
        let owned = json!({"metadata": {"ownerReferences": [{"uid": "u1"}]}, "status": {"phase": "Pending"}});
        let mut restatused = owned.clone();
        restatused["status"]["phase"] = json!("Running");
        let mut reowned = owned.clone();
        reowned["metadata"]["ownerReferences"] = json!([]);
        let mut marked = owned.clone();
        marked["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        let mut finalized = owned.clone();
        finalized["metadata"]["finalizers"] = json!(["x"]);
        let free = json!({"metadata": {"name": "p"}});

        let cases = [
            (change(EventType::Added, free.clone(), None), false),
            (change(EventType::Added, owned.clone(), None), true),
            (
                change(EventType::Modified, restatused, Some(owned.clone())),
                false,
            ),
            (
                change(EventType::Modified, reowned, Some(owned.clone())),
                true,
            ),
            (
                change(EventType::Modified, marked, Some(owned.clone())),
                true,
            ),
            (
                change(EventType::Modified, finalized, Some(owned.clone())),
                true,
            ),
            (change(EventType::Deleted, free, None), true),
        ];
        for (i, (change, wakes)) in cases.iter().enumerate() {
            assert_eq!(concerns_gc(change), *wakes, "case {i}");
        }
    }
}
