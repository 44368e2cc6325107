//! Object storage with one global resourceVersion, like etcd behind kube-apiserver.
//!
//! The store knows nothing about kinds: it keeps JSON objects per group/resource and
//! namespace/name, stamps system metadata on writes, and keeps a bounded history of changes
//! so watches can resume from a resourceVersion (or get `410 Gone` when it is too old).

use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::status::ApiError;

/// How many past changes a watch can resume from before it gets `410 Gone`.
const HISTORY_LIMIT: usize = 50_000;

/// Which collection an object lives in: group and plural resource name (versions share storage).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Collection {
    pub group: String,
    pub resource: String,
}

impl Collection {
    pub fn new(group: &str, resource: &str) -> Self {
        Collection {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

/// One object's address: its collection, namespace ("" when cluster-scoped) and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub collection: Collection,
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(group: &str, resource: &str, namespace: &str, name: &str) -> Self {
        ObjectKey {
            collection: Collection::new(group, resource),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// A change to one object, as watches see it.
#[derive(Debug, Clone)]
pub struct Change {
    pub kind: EventType,
    pub resource_version: u64,
    pub key: ObjectKey,
    pub object: Arc<Value>,
    /// What a modified object was before (`None` for ADDED and DELETED): a watch with a
    /// selector needs it to see an object start or stop matching.
    pub previous: Option<Arc<Value>>,
}

/// One page of a list (see `Store::page`).
pub struct Page {
    pub items: Vec<Arc<Value>>,
    /// Matching objects after this page (exact, or 1 for "at least one").
    pub more: usize,
    pub resource_version: u64,
}

/// What a watch starts from: the changes it missed, then a live feed.
pub struct Subscription {
    pub backlog: Vec<Arc<Change>>,
    pub live: broadcast::Receiver<Arc<Change>>,
}

type Objects = BTreeMap<Collection, BTreeMap<(String, String), Arc<Value>>>;

struct State {
    resource_version: u64,
    objects: Objects,
    history: VecDeque<Arc<Change>>,
    /// Changes at or below this version are no longer in `history`.
    compacted: u64,
    /// Changes at or below this version may have happened without being recorded (a dropped
    /// collection): `changes_since` cannot answer for them.
    unrecorded: u64,
}

pub struct Store {
    state: Mutex<State>,
    changes: broadcast::Sender<Arc<Change>>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    pub fn new() -> Self {
        let (changes, _) = broadcast::channel(16_384);
        Store {
            state: Mutex::new(State {
                resource_version: 100,
                objects: BTreeMap::new(),
                history: VecDeque::new(),
                compacted: 100,
                unrecorded: 100,
            }),
            changes,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves consistent data (writes are single inserts).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The newest resourceVersion handed out.
    pub fn resource_version(&self) -> u64 {
        self.lock().resource_version
    }

    pub fn get(&self, key: &ObjectKey) -> Option<Arc<Value>> {
        let state = self.lock();
        state
            .objects
            .get(&key.collection)?
            .get(&(key.namespace.clone(), key.name.clone()))
            .cloned()
    }

    /// All objects of a collection (in one namespace, or all), in namespace/name order, and the
    /// resourceVersion they are a snapshot at.
    pub fn list(&self, collection: &Collection, namespace: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let state = self.lock();
        let items = match state.objects.get(collection) {
            None => Vec::new(),
            Some(objects) => match namespace {
                None => objects.values().cloned().collect(),
                Some(ns) => objects
                    .range((ns.to_string(), String::new())..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|(_, v)| v.clone())
                    .collect(),
            },
        };
        (items, state.resource_version)
    }

    /// One page of a list, read straight from the ordered storage (no pass over the objects
    /// before `after`): the objects after `after` (namespace, name) that `keep` accepts, at
    /// most `limit` of them, and how many more would match — counted exactly when
    /// `count_rest`, else just whether there is one.
    pub fn page(
        &self,
        collection: &Collection,
        namespace: Option<&str>,
        after: Option<(String, String)>,
        limit: Option<usize>,
        keep: impl Fn(&Value) -> bool,
        count_rest: bool,
    ) -> Page {
        let state = self.lock();
        let mut page = Page {
            items: Vec::new(),
            more: 0,
            resource_version: state.resource_version,
        };
        let Some(objects) = state.objects.get(collection) else {
            return page;
        };
        let start = match (&after, namespace) {
            (Some(after), _) => Bound::Excluded(after.clone()),
            (None, Some(ns)) => Bound::Included((ns.to_string(), String::new())),
            (None, None) => Bound::Unbounded,
        };
        let in_scope = |ns: &String| namespace.is_none_or(|wanted| wanted == ns);
        for ((ns, _), object) in objects.range((start, Bound::Unbounded)) {
            if !in_scope(ns) {
                break;
            }
            if !keep(object) {
                continue;
            }
            if limit.is_none_or(|limit| page.items.len() < limit) {
                page.items.push(object.clone());
                continue;
            }
            page.more += 1;
            if !count_rest {
                break;
            }
        }
        page
    }

    /// The objects of a namespace whose names start with `prefix`, by a range scan.
    pub fn with_name_prefix(
        &self,
        collection: &Collection,
        namespace: &str,
        prefix: &str,
    ) -> Vec<Arc<Value>> {
        let state = self.lock();
        let Some(objects) = state.objects.get(collection) else {
            return Vec::new();
        };
        objects
            .range((namespace.to_string(), prefix.to_string())..)
            .take_while(|((ns, name), _)| ns == namespace && name.starts_with(prefix))
            .map(|(_, object)| object.clone())
            .collect()
    }

    /// Every stored object in every collection, for garbage collection and tests.
    pub fn all(&self) -> Vec<(ObjectKey, Arc<Value>)> {
        let state = self.lock();
        let mut out = Vec::new();
        for (collection, objects) in &state.objects {
            for ((namespace, name), object) in objects {
                out.push((
                    ObjectKey {
                        collection: collection.clone(),
                        namespace: namespace.clone(),
                        name: name.clone(),
                    },
                    object.clone(),
                ));
            }
        }
        out
    }

    /// Stores a new object. Fills uid, creationTimestamp and resourceVersion; kinds that track
    /// a generation come with `metadata.generation` set, and the store moves it on spec changes.
    pub fn create(&self, key: &ObjectKey, mut object: Value) -> Result<Arc<Value>, ApiError> {
        let mut state = self.lock();
        let slot = (key.namespace.clone(), key.name.clone());
        if state
            .objects
            .get(&key.collection)
            .is_some_and(|objects| objects.contains_key(&slot))
        {
            return Err(ApiError::already_exists(
                &key.collection.group,
                &key.collection.resource,
                &key.name,
            ));
        }
        let rv = state.resource_version + 1;
        stamp_new(&mut object, key, rv);
        let object = Arc::new(object);
        state.resource_version = rv;
        state
            .objects
            .entry(key.collection.clone())
            .or_default()
            .insert(slot, object.clone());
        self.record(&mut state, EventType::Added, key, object.clone(), None);
        Ok(object)
    }

    /// Replaces a stored object. When `object` carries a resourceVersion it must be the stored
    /// one (optimistic concurrency); system metadata is kept from the stored object, and the
    /// generation moves when anything outside metadata and status changed.
    pub fn update(&self, key: &ObjectKey, object: Value) -> Result<Arc<Value>, ApiError> {
        self.write(key, object, true)
    }

    /// Like `update`, but the generation never moves: for writes through subresources whose
    /// strategy does not track it (a pod's binding to a node).
    pub fn update_keeping_generation(
        &self,
        key: &ObjectKey,
        object: Value,
    ) -> Result<Arc<Value>, ApiError> {
        self.write(key, object, false)
    }

    fn write(
        &self,
        key: &ObjectKey,
        mut object: Value,
        may_move_generation: bool,
    ) -> Result<Arc<Value>, ApiError> {
        let mut state = self.lock();
        let slot = (key.namespace.clone(), key.name.clone());
        let Some(current) = state
            .objects
            .get(&key.collection)
            .and_then(|objects| objects.get(&slot))
            .cloned()
        else {
            return Err(ApiError::not_found(
                &key.collection.group,
                &key.collection.resource,
                &key.name,
            ));
        };
        if let Some(expected) = object
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .filter(|rv| !rv.is_empty())
            && current
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                != Some(expected)
        {
            return Err(ApiError::conflict(
                &key.collection.group,
                &key.collection.resource,
                &key.name,
            ));
        }
        let tracks_generation = current.pointer("/metadata/generation").is_some();
        if !tracks_generation
            || !may_move_generation
            || without_status_and_metadata(&current) == without_status_and_metadata(&object)
        {
            // Not a kind that tracks it, or only metadata or status changed: it stays.
            copy_meta(&current, &mut object, "generation");
        } else {
            let generation = current
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            object["metadata"]["generation"] = json!(generation + 1);
        }
        for field in ["uid", "creationTimestamp", "namespace", "name"] {
            copy_meta(&current, &mut object, field);
        }
        if *current == object_with_rv(&object, &current) {
            // Nothing changed: no new version, no event (like the real server's no-op writes).
            return Ok(current);
        }
        let rv = state.resource_version + 1;
        object["metadata"]["resourceVersion"] = json!(rv.to_string());
        let object = Arc::new(object);
        state.resource_version = rv;
        state
            .objects
            .entry(key.collection.clone())
            .or_default()
            .insert(slot, object.clone());
        self.record(
            &mut state,
            EventType::Modified,
            key,
            object.clone(),
            Some(current),
        );
        Ok(object)
    }

    /// Removes an object and answers it as it was last stored (with the deletion's version).
    pub fn delete(&self, key: &ObjectKey) -> Result<Arc<Value>, ApiError> {
        let mut state = self.lock();
        let slot = (key.namespace.clone(), key.name.clone());
        let removed = state
            .objects
            .get_mut(&key.collection)
            .and_then(|objects| objects.remove(&slot));
        let Some(removed) = removed else {
            return Err(ApiError::not_found(
                &key.collection.group,
                &key.collection.resource,
                &key.name,
            ));
        };
        let rv = state.resource_version + 1;
        state.resource_version = rv;
        let mut last = (*removed).clone();
        last["metadata"]["resourceVersion"] = json!(rv.to_string());
        let last = Arc::new(last);
        self.record(&mut state, EventType::Deleted, key, last.clone(), None);
        Ok(last)
    }

    /// Removes every object of a collection (when its CRD goes away). No events are sent.
    /// Readers of `changes_since` are told to look at everything again.
    pub fn drop_collection(&self, collection: &Collection) {
        let mut state = self.lock();
        state.objects.remove(collection);
        state.resource_version += 1;
        state.unrecorded = state.resource_version;
    }

    /// The changes after `since`, oldest first, and the resourceVersion they run up to (the
    /// next call's `since`). `None` when some of them are no longer known (history compacted or
    /// trimmed, a collection dropped): the caller has to look at every object again. This is
    /// how the controllers look only at what changed since their last pass.
    pub fn changes_since(&self, since: u64) -> Option<(Vec<Arc<Change>>, u64)> {
        let state = self.lock();
        if since < state.compacted || since < state.unrecorded {
            return None;
        }
        let first = state
            .history
            .partition_point(|c| c.resource_version <= since);
        let changes = state.history.range(first..).cloned().collect();
        Some((changes, state.resource_version))
    }

    /// Starts a watch: the changes after `since` (all history is checked, the caller filters)
    /// and a live feed. `410 Gone` when `since` is older than the kept history.
    pub fn subscribe(&self, since: u64) -> Result<Subscription, ApiError> {
        let state = self.lock();
        if since < state.compacted {
            return Err(ApiError::new(
                410,
                "Expired",
                format!(
                    "too old resource version: {since} ({})",
                    state.compacted + 1
                ),
            ));
        }
        let backlog = state
            .history
            .iter()
            .filter(|c| c.resource_version > since)
            .cloned()
            .collect();
        // Subscribing under the lock means no change falls between backlog and live feed.
        let live = self.changes.subscribe();
        Ok(Subscription { backlog, live })
    }

    /// Forgets all history up to now, so every resourceVersion handed out so far (watch
    /// positions, continue tokens) is too old: `410 Gone`.
    pub fn compact(&self) {
        let mut state = self.lock();
        state.history.clear();
        state.resource_version += 1;
        state.compacted = state.resource_version;
    }

    /// The oldest resourceVersion a watch can still start from.
    pub fn oldest_watchable(&self) -> u64 {
        self.lock().compacted
    }

    fn record(
        &self,
        state: &mut State,
        kind: EventType,
        key: &ObjectKey,
        object: Arc<Value>,
        previous: Option<Arc<Value>>,
    ) {
        let change = Arc::new(Change {
            kind,
            resource_version: state.resource_version,
            key: key.clone(),
            object,
            previous,
        });
        state.history.push_back(change.clone());
        while state.history.len() > HISTORY_LIMIT {
            if let Some(old) = state.history.pop_front() {
                state.compacted = old.resource_version;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.changes.send(change);
    }
}

fn stamp_new(object: &mut Value, key: &ObjectKey, rv: u64) {
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    let meta = &mut object["metadata"];
    meta["name"] = json!(key.name);
    if key.namespace.is_empty() {
        if let Some(m) = meta.as_object_mut() {
            m.remove("namespace");
        }
    } else {
        meta["namespace"] = json!(key.namespace);
    }
    if meta
        .get("uid")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        meta["uid"] = json!(new_uid());
    }
    if meta
        .get("creationTimestamp")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        meta["creationTimestamp"] = json!(now_rfc3339());
    }
    meta["resourceVersion"] = json!(rv.to_string());
}

fn copy_meta(from: &Value, to: &mut Value, field: &str) {
    match from.pointer(&format!("/metadata/{field}")) {
        Some(v) => to["metadata"][field] = v.clone(),
        None => {
            if let Some(m) = to.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove(field);
            }
        }
    }
}

fn without_status_and_metadata(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(m) = copy.as_object_mut() {
        m.remove("status");
        m.remove("metadata");
    }
    copy
}

fn object_with_rv(object: &Value, current: &Value) -> Value {
    let mut copy = object.clone();
    copy_meta(current, &mut copy, "resourceVersion");
    copy
}

/// A random RFC 4122 version-4 UUID.
pub fn new_uid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    let bytes: Vec<u8> = a.to_be_bytes().into_iter().chain(b.to_be_bytes()).collect();
    let hex: String = bytes
        .iter()
        .enumerate()
        .map(|(i, byte)| match i {
            6 => format!("{:02x}", (byte & 0x0f) | 0x40),
            8 => format!("{:02x}", (byte & 0x3f) | 0x80),
            _ => format!("{byte:02x}"),
        })
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Now, as Kubernetes writes timestamps: RFC 3339 in UTC, whole seconds.
pub fn now_rfc3339() -> String {
    format_time(jiff::Timestamp::now())
}

pub fn format_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new("", "configmaps", "shop", name)
    }

    #[test]
    fn create_stamps_system_metadata() {
        let store = Store::new();
        let obj = store
            .create(
                &key("a"),
                json!({"kind": "ConfigMap", "data": {"x": "1"}, "metadata": {"generation": 1}}),
            )
            .expect("create");
        assert_eq!(obj["metadata"]["name"], "a");
        assert_eq!(obj["metadata"]["namespace"], "shop");
        assert_eq!(obj["metadata"]["generation"], 1);
        assert_eq!(obj["metadata"]["uid"].as_str().map(str::len), Some(36));
        assert_eq!(
            obj["metadata"]["resourceVersion"],
            store.resource_version().to_string()
        );
        let again = store.create(&key("a"), json!({})).unwrap_err();
        assert_eq!(again.code, 409);
    }

    #[test]
    fn update_checks_resource_version_and_moves_generation_on_spec_only() {
        let store = Store::new();
        let created = store
            .create(
                &key("a"),
                json!({"spec": {"replicas": 1}, "metadata": {"generation": 1}}),
            )
            .expect("create");
        let mut stale = (*created).clone();
        stale["metadata"]["resourceVersion"] = json!("1");
        assert_eq!(store.update(&key("a"), stale).unwrap_err().code, 409);

        let mut status_only = (*created).clone();
        status_only["status"] = json!({"ready": 1});
        let updated = store.update(&key("a"), status_only).expect("update");
        assert_eq!(updated["metadata"]["generation"], 1);

        let mut spec = (*updated).clone();
        spec["spec"]["replicas"] = json!(3);
        let updated = store.update(&key("a"), spec).expect("update");
        assert_eq!(updated["metadata"]["generation"], 2);
        assert_ne!(
            updated["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]
        );
    }

    #[test]
    fn untracked_kinds_get_no_generation() {
        let store = Store::new();
        let created = store
            .create(&key("a"), json!({"data": {"x": "1"}}))
            .expect("create");
        let mut changed = (*created).clone();
        changed["data"]["x"] = json!("2");
        let updated = store.update(&key("a"), changed).expect("update");
        assert!(updated.pointer("/metadata/generation").is_none());
    }

    #[test]
    fn no_op_update_keeps_the_version() {
        let store = Store::new();
        let created = store
            .create(&key("a"), json!({"data": {}}))
            .expect("create");
        let again = store.update(&key("a"), (*created).clone()).expect("update");
        assert_eq!(
            again["metadata"]["resourceVersion"],
            created["metadata"]["resourceVersion"]
        );
    }

    #[test]
    fn list_is_scoped_to_the_namespace() {
        let store = Store::new();
        store.create(&key("b"), json!({})).expect("create");
        store
            .create(&ObjectKey::new("", "configmaps", "other", "a"), json!({}))
            .expect("create");
        store.create(&key("a"), json!({})).expect("create");
        let (items, _) = store.list(&Collection::new("", "configmaps"), Some("shop"));
        let names: Vec<_> = items
            .iter()
            .map(|o| o["metadata"]["name"].clone())
            .collect();
        assert_eq!(names, vec![json!("a"), json!("b")]);
        let (all, _) = store.list(&Collection::new("", "configmaps"), None);
        assert_eq!(all.len(), 3);
    }

    #[test]
    fn subscribe_replays_history_and_expires_after_compaction() {
        let store = Store::new();
        let start = store.resource_version();
        store.create(&key("a"), json!({})).expect("create");
        store.delete(&key("a")).expect("delete");
        let sub = store.subscribe(start).expect("subscribe");
        let kinds: Vec<_> = sub.backlog.iter().map(|c| c.kind).collect();
        assert_eq!(kinds, vec![EventType::Added, EventType::Deleted]);
        store.compact();
        let gone = store.subscribe(start).err().expect("410");
        assert_eq!(gone.code, 410);
    }

    #[test]
    fn changes_since_gives_what_came_after_and_gives_up_when_history_is_gone() {
        let store = Store::new();
        store.create(&key("a"), json!({})).expect("create");
        let after_a = store.resource_version();
        store.create(&key("b"), json!({})).expect("create");
        store.delete(&key("a")).expect("delete");
        let (changes, upto) = store.changes_since(after_a).expect("kept");
        let seen: Vec<_> = changes
            .iter()
            .map(|c| (c.kind, c.key.name.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![(EventType::Added, "b"), (EventType::Deleted, "a")]
        );
        assert_eq!(upto, store.resource_version());
        let (none, same) = store.changes_since(upto).expect("kept");
        assert_eq!((none.len(), same), (0, upto));

        store.drop_collection(&Collection::new("", "configmaps"));
        assert!(store.changes_since(upto).is_none(), "a dropped collection");
        let after_drop = store.resource_version();
        assert!(store.changes_since(after_drop).is_some());
        store.compact();
        assert!(store.changes_since(after_drop).is_none(), "compacted");
    }

    #[test]
    fn pages_start_after_a_position_and_count_the_rest() {
        let store = Store::new();
        for (ns, name) in [("a", "x"), ("b", "p"), ("b", "q"), ("b", "r"), ("c", "z")] {
            store
                .create(&ObjectKey::new("", "configmaps", ns, name), json!({}))
                .expect("create");
        }
        let names = |page: &Page| -> Vec<String> {
            page.items
                .iter()
                .map(|o| {
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect()
        };
        let cms = Collection::new("", "configmaps");
        let first = store.page(&cms, Some("b"), None, Some(2), |_| true, true);
        assert_eq!(
            (names(&first), first.more),
            (vec!["p".to_string(), "q".to_string()], 1)
        );
        let rest = store.page(
            &cms,
            Some("b"),
            Some(("b".into(), "q".into())),
            Some(2),
            |_| true,
            true,
        );
        assert_eq!((names(&rest), rest.more), (vec!["r".to_string()], 0));
        let all = store.page(
            &cms,
            None,
            Some(("a".into(), "x".into())),
            Some(1),
            |_| true,
            false,
        );
        assert_eq!((names(&all), all.more), (vec!["p".to_string()], 1));
        let prefixed = store.with_name_prefix(&cms, "b", "q");
        assert_eq!(prefixed.len(), 1);
    }

    #[test]
    fn uids_look_like_uuids() {
        let uid = new_uid();
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
    }
}
