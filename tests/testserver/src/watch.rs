//! Watches: a stream of `{"type": …, "object": …}` lines, from a resourceVersion or from the
//! current state, with bookmarks, timeouts, Table objects, and `410 Gone` for old versions.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, channel::Channel};
use hyper::Response;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::api::{selectors, table_kind, table_request, with_type};
use crate::registry::ResourceType;
use crate::router::Target;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::server::{ApiRequest, Body, Shared, error_response};
use crate::status::ApiError;
use crate::store::{Change, Collection, EventType};
use crate::table::{self, IncludeObject};

/// How often a watch that allows bookmarks gets one (the real server: about once a minute).
const BOOKMARK_INTERVAL: Duration = Duration::from_secs(60);

/// What a watch sends, fixed when it starts.
struct WatchPlan {
    rt: ResourceType,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    table: Option<(&'static str, IncludeObject)>,
    bookmarks: bool,
    initial_events_end: bool,
    timeout: Option<Duration>,
    cut_after: Option<usize>,
}

impl WatchPlan {
    fn matches(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }

    /// What this watch sends for a change, if anything. As kube-apiserver's watch cache does,
    /// an object that starts matching the selectors arrives as ADDED, and one that stops
    /// matching leaves as DELETED: its previous content at the change's resourceVersion.
    fn translate(&self, change: &Change) -> Option<(EventType, Arc<Value>)> {
        let in_scope = change.key.collection == Collection::new(&self.rt.group, &self.rt.resource)
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| ns == change.key.namespace);
        if !in_scope {
            return None;
        }
        let matches_now = self.matches(&change.object);
        let Some(previous) = change.previous.as_ref() else {
            return matches_now.then(|| (change.kind, change.object.clone()));
        };
        match (self.matches(previous), matches_now) {
            (true, true) => Some((EventType::Modified, change.object.clone())),
            (false, true) => Some((EventType::Added, change.object.clone())),
            (true, false) => {
                let mut last = (**previous).clone();
                last["metadata"]["resourceVersion"] = json!(change.resource_version.to_string());
                Some((EventType::Deleted, Arc::new(last)))
            }
            (false, false) => None,
        }
    }

    /// One event line. A Table watch sends the column definitions with the first event only.
    fn event(&self, event_type: &str, object: &Value, first: bool) -> Bytes {
        let typed = with_type(&self.rt, object);
        let object = match self.table {
            None => typed,
            Some((version, include)) => {
                let meta = json!({"resourceVersion": typed["metadata"]["resourceVersion"]});
                let mut t = table::table(
                    &table_kind(&self.rt),
                    &[&typed],
                    include,
                    meta,
                    jiff::Timestamp::now(),
                );
                t["apiVersion"] = json!(format!("meta.k8s.io/{version}"));
                if !first {
                    t["columnDefinitions"] = Value::Null;
                }
                t
            }
        };
        line(&json!({"type": event_type, "object": object}))
    }

    fn bookmark(&self, resource_version: u64, initial_events_end: bool) -> Bytes {
        let mut meta =
            json!({"resourceVersion": resource_version.to_string(), "creationTimestamp": null});
        if initial_events_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(&json!({"type": "BOOKMARK", "object": {
            "kind": self.rt.kind, "apiVersion": self.rt.api_version(), "metadata": meta,
        }}))
    }
}

fn line(value: &Value) -> Bytes {
    let mut bytes = serde_json::to_vec(value).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

pub fn serve(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Response<Body> {
    match start(shared, rt, target, req) {
        Ok(resp) => resp,
        Err(err) => error_response(&err),
    }
}

fn start(
    shared: &Shared,
    rt: &ResourceType,
    target: &Target,
    req: &ApiRequest,
) -> Result<Response<Body>, ApiError> {
    let (labels, fields) = selectors(rt, req)?;
    let since = match req
        .param("resourceVersion")
        .filter(|v| !v.is_empty() && *v != "0")
    {
        None => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {v}")))?,
        ),
    };
    let timeout = req
        .param("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|t| *t > 0)
        .map(Duration::from_secs);
    let plan = WatchPlan {
        rt: rt.clone(),
        namespace: target.namespace.clone(),
        labels,
        fields,
        table: table_request(req)
            .map(|v| (v, IncludeObject::from_query(req.param("includeObject")))),
        bookmarks: req.flag("allowWatchBookmarks"),
        initial_events_end: req.flag("sendInitialEvents"),
        timeout,
        cut_after: req.cut_stream_after,
    };

    let (mut sender, body) = Channel::<Bytes, std::convert::Infallible>::new(64);
    let store = shared.store.clone();
    // Subscribe before reading the current state, so nothing falls in between.
    let subscription = match since {
        Some(rv) => store.subscribe(rv),
        None => store.subscribe(store.resource_version()),
    };
    let (initial, start_rv): (Vec<Arc<Value>>, u64) = match since {
        Some(rv) => (Vec::new(), rv),
        None => {
            let (items, rv) = store.list(&rt.collection(), target.namespace.as_deref());
            (items, rv)
        }
    };
    let what = format!("watch of {}", req.path);
    crate::panics::spawn(&shared.panics, what, async move {
        // Cut after nothing: the stream ends right after its headers.
        if plan.cut_after == Some(0) {
            return;
        }
        let mut first = true;
        let mut sent = 0usize;
        let mut last_rv = start_rv;
        let deadline = plan.timeout.map(|t| tokio::time::Instant::now() + t);
        macro_rules! send {
            ($bytes:expr) => {{
                if sender.send_data($bytes).await.is_err() {
                    return;
                }
                sent += 1;
                if plan.cut_after.is_some_and(|n| sent >= n) {
                    return;
                }
            }};
        }
        let mut subscription = match subscription {
            Ok(s) => s,
            Err(err) => {
                // The real server answers 200 and an ERROR event carrying the 410 Status.
                let _ = sender
                    .send_data(line(&json!({"type": "ERROR", "object": err.to_status()})))
                    .await;
                return;
            }
        };
        for object in initial.iter().filter(|o| plan.matches(o)) {
            send!(plan.event("ADDED", object, first));
            first = false;
        }
        if plan.initial_events_end && plan.bookmarks && since.is_none() {
            send!(plan.bookmark(last_rv, true));
        }
        for change in std::mem::take(&mut subscription.backlog) {
            if change.resource_version > last_rv
                && let Some((kind, object)) = plan.translate(&change)
            {
                last_rv = change.resource_version;
                send!(plan.event(kind.as_str(), &object, first));
                first = false;
            }
        }
        loop {
            let remaining =
                deadline.map(|d| d.saturating_duration_since(tokio::time::Instant::now()));
            if remaining.is_some_and(|r| r.is_zero()) {
                return;
            }
            let wait = remaining
                .unwrap_or(BOOKMARK_INTERVAL)
                .min(BOOKMARK_INTERVAL);
            let next = tokio::time::timeout(wait, subscription.live.recv()).await;
            match next {
                Err(_) if remaining.is_none_or(|r| r >= BOOKMARK_INTERVAL) => {
                    if plan.bookmarks {
                        last_rv = last_rv.max(store.resource_version());
                        send!(plan.bookmark(last_rv, false));
                    }
                }
                Err(_) => {}
                Ok(Ok(change)) => {
                    if change.resource_version > last_rv
                        && let Some((kind, object)) = plan.translate(&change)
                    {
                        last_rv = change.resource_version;
                        send!(plan.event(kind.as_str(), &object, first));
                        first = false;
                    }
                }
                Ok(Err(RecvError::Lagged(_))) => {
                    let err = ApiError::new(
                        410,
                        "Expired",
                        "the watch fell too far behind; start a new one",
                    );
                    let _ = sender
                        .send_data(line(&json!({"type": "ERROR", "object": err.to_status()})))
                        .await;
                    return;
                }
                Ok(Err(RecvError::Closed)) => return,
            }
        }
    });
    let mut resp = Response::new(body.boxed());
    if let Ok(value) = "application/json".parse() {
        resp.headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    Ok(resp)
}
