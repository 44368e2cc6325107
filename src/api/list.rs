//! Lists read page by page (`limit` / `continue`), one page in flight ahead of the reader.
//!
//! A fetcher task asks for page n+1 as soon as the caller takes page n, before the caller
//! decodes and prints it, so the server builds the next page while kz prints this one: a long
//! list takes about max(server, client) instead of their sum. kz runs on one thread; the
//! fetcher only has to get its request onto the wire before the caller goes on (the answer
//! waits in the socket meanwhile), and it reads no more of a page than its
//! `metadata.continue`. At most one page is held ahead, so memory stays flat however long
//! the list is, and every decoded page is allocated and freed by the one thread.

use std::borrow::Cow;

use anyhow::{Context as _, Result};
use bytes::Bytes;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::path::{Query, collection_path};
use crate::client::ApiClient;
use crate::discovery::ResourceType;
use crate::error::{self, Reason, ServerError, Status};

/// What a list request filters on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    /// Page size; `None` reads the whole list at once.
    pub chunk_size: Option<u64>,
    /// Ask tables to include whole objects (for `--sort-by`).
    pub include_object: bool,
}

impl ListQuery {
    /// The selectors as query pairs (lists and watches share them).
    pub fn selectors(&self, query: Query) -> Query {
        query
            .pair("labelSelector", self.label_selector.as_deref())
            .pair("fieldSelector", self.field_selector.as_deref())
    }
}

/// One list: a resource type, where, and how its pages are asked for.
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub rt: ResourceType,
    /// `None` for every namespace (or a cluster-scoped type).
    pub namespace: Option<String>,
    pub query: ListQuery,
    /// The `Accept` header: plain JSON, server-side Tables, or metadata only.
    pub accept: &'static str,
}

/// One page of a list: its items, or its Table.
#[derive(Debug)]
pub struct Page {
    pub body: Value,
    /// The list started over before this page (its continue token expired): what was
    /// handled from the earlier pages comes again.
    pub restarted: bool,
}

impl Page {
    /// The list's resourceVersion (a watch started from it sees every later change).
    pub fn resource_version(&self) -> Option<&str> {
        self.body["metadata"]["resourceVersion"]
            .as_str()
            .filter(|rv| !rv.is_empty())
    }
}

/// How many times the reader steps aside for the fetcher after taking a page: the request
/// passes through kube's buffer task and hyper's connection task before it is written, each a
/// hop on the runtime's queue (the prefetch test below checks that this is enough).
const HANDOFF_YIELDS: usize = 4;

/// A page as the server sent it, not yet decoded: decoded whole ([`RawPage::decode`]), or
/// item by item ([`RawPage::for_each_item`]) so that only one item's tree
/// is built at a time.
#[derive(Debug)]
pub struct RawPage {
    body: Bytes,
    head: ListHead,
    /// As [`Page::restarted`].
    pub restarted: bool,
}

impl RawPage {
    /// A page of this text, its head (kind, apiVersion, continue token) read.
    pub fn read(body: Bytes, restarted: bool) -> Result<RawPage> {
        let head = ListHead::of(&body)?;
        Ok(RawPage {
            body,
            head,
            restarted,
        })
    }

    /// The list's kind (`PodList`, `Table`, `PartialObjectMetadataList`), if it says.
    pub fn kind(&self) -> Option<&str> {
        self.head.kind.as_deref()
    }

    /// The list's apiVersion, if it says.
    pub fn api_version(&self) -> Option<&str> {
        self.head.api_version.as_deref()
    }

    /// The whole page as one tree.
    pub fn decode(self) -> Result<Page> {
        Ok(Page {
            body: self.body()?,
            restarted: self.restarted,
        })
    }

    /// The page's body as one tree.
    pub fn body(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).context("decoding the server's JSON response")
    }

    /// The page read into any shape borrowing from its text (a Table's rows, say).
    pub fn parts<'a, T: Deserialize<'a>>(&'a self) -> Result<T> {
        serde_json::from_slice(&self.body).context("decoding the server's JSON response")
    }

    /// Reads the page's items one at a time, each handed to `each` before the next is read:
    /// one pass over the text, and one item's tree at a time. Stops at `each`'s first error.
    pub fn for_each_item<'a, T: Deserialize<'a>>(
        &'a self,
        each: impl FnMut(T) -> Result<()>,
    ) -> Result<()> {
        // Checked as UTF-8 once, whole: the reader then borrows strings without checking each.
        let text = std::str::from_utf8(&self.body)
            .context("decoding the server's JSON response: not UTF-8")?;
        let mut stopped = None;
        let mut reader = serde_json::Deserializer::from_str(text);
        let read = EachItem {
            each,
            stopped: &mut stopped,
            item: PhantomData,
        }
        .deserialize(&mut reader)
        .and_then(|()| reader.end());
        match (stopped, read) {
            (Some(err), _) => Err(err),
            (None, read) => read.context("decoding the server's JSON response"),
        }
    }
}

/// The reader of a page's `items` behind [`RawPage::for_each_item`]; an error of `each` is
/// kept in `stopped` (serde's errors carry only text) and ends the read.
struct EachItem<'s, F, T> {
    each: F,
    stopped: &'s mut Option<anyhow::Error>,
    item: PhantomData<fn() -> T>,
}

impl<'de, F: FnMut(T) -> Result<()>, T: Deserialize<'de>> DeserializeSeed<'de>
    for EachItem<'_, F, T>
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F: FnMut(T) -> Result<()>, T: Deserialize<'de>> Visitor<'de> for EachItem<'_, F, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "items" {
                map.next_value_seed(Items {
                    each: &mut self.each,
                    stopped: &mut *self.stopped,
                    item: PhantomData,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// A page's `items`, each handed to `each` as it is read.
struct Items<'s, F, T> {
    each: &'s mut F,
    stopped: &'s mut Option<anyhow::Error>,
    item: PhantomData<fn() -> T>,
}

impl<'de, F: FnMut(T) -> Result<()>, T: Deserialize<'de>> DeserializeSeed<'de> for Items<'_, F, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, F: FnMut(T) -> Result<()>, T: Deserialize<'de>> Visitor<'de> for Items<'_, F, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list's items")
    }

    /// `null` when the list is empty (as Go encodes a nil slice).
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<T>()? {
            if let Err(err) = (self.each)(item) {
                *self.stopped = Some(err);
                return Err(de::Error::custom("stopped by the reader of the items"));
            }
        }
        Ok(())
    }
}

/// The pages of one list, fetched one ahead of the reader. Dropping it stops the fetching.
pub struct Pages {
    receiver: mpsc::Receiver<Result<RawPage>>,
    fetcher: JoinHandle<()>,
}

impl Pages {
    /// Starts fetching the first page. Must be called on the client's runtime.
    pub fn start(client: &ApiClient, request: ListRequest) -> Pages {
        // One slot: the fetcher asks for page n+1 once the reader has taken page n.
        let (sender, receiver) = mpsc::channel(1);
        let fetcher = tokio::spawn(fetch_pages(client.clone(), request, sender));
        Pages { receiver, fetcher }
    }

    /// The next page, decoded; `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<Page>> {
        Some(self.next_raw().await?.and_then(RawPage::decode))
    }

    /// The next page as the server sent it; `None` after the last one (or after an error).
    pub async fn next_raw(&mut self) -> Option<Result<RawPage>> {
        let raw = self.receiver.recv().await?;
        // Taking the page made room for the next one: let the fetcher (and the client's
        // tasks under it) send that request before this page is decoded and printed.
        for _ in 0..HANDOFF_YIELDS {
            tokio::task::yield_now().await;
        }
        Some(raw)
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        self.fetcher.abort();
    }
}

/// The part of a list read before its items: what it is, and where the next page starts.
#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ListHead {
    kind: Option<String>,
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    metadata: Option<ListMeta>,
}

impl ListHead {
    /// Reads the list's metadata without decoding its items. kube-apiserver (and the test
    /// server) write `metadata` before `items`, so only the text before `"items":` is decoded;
    /// a body in another order is decoded whole (its items skipped, not built).
    fn of(body: &[u8]) -> Result<ListHead> {
        const ITEMS: &[u8] = b"\"items\":";
        if let Some(at) = body.windows(ITEMS.len()).position(|w| w == ITEMS) {
            let before = body[..at].trim_ascii_end();
            let before = before.strip_suffix(b",").unwrap_or(before);
            let mut head = before.to_vec();
            head.push(b'}');
            if let Ok(parsed) = serde_json::from_slice::<ListHead>(&head)
                && parsed.metadata.is_some()
                && parsed.kind.is_some()
            {
                return Ok(parsed);
            }
        }
        serde_json::from_slice(body).context("decoding the server's JSON response")
    }

    fn continue_token(&self) -> Option<String> {
        self.metadata
            .as_ref()
            .and_then(|meta| meta.continue_token.clone())
            .filter(|token| !token.is_empty())
    }
}

#[derive(Debug, Deserialize, Default)]
#[serde(default)]
struct ListMeta {
    #[serde(rename = "continue")]
    continue_token: Option<String>,
}

async fn fetch_pages(
    client: ApiClient,
    request: ListRequest,
    sender: mpsc::Sender<Result<RawPage>>,
) {
    let base = collection_path(&request.rt, request.namespace.as_deref());
    let limit = request.query.chunk_size.map(|n| n.to_string());
    let include = request.query.include_object.then_some("Object");
    let mut next: Option<String> = None;
    let mut restarted = false;
    loop {
        // Wait for room before asking: one page ahead of the reader, never more.
        let Ok(permit) = sender.reserve().await else {
            return;
        };
        let query = request
            .query
            .selectors(Query::new())
            .pair("limit", limit.as_deref())
            .pair("continue", next.as_deref())
            .pair("includeObject", include);
        let path = format!("{base}{query}");
        let answer = match client.get(&path, request.accept).await {
            Ok(response) => RawPage::read(response.body, restarted),
            Err(err) if next.is_some() && error::reason(&err) == Some(Reason::Expired) => {
                // The snapshot behind the token is gone: list again from the start.
                next = None;
                restarted = true;
                drop(permit);
                continue;
            }
            Err(err) => Err(with_list_context(err, &request)),
        };
        let page = match answer {
            Ok(page) => page,
            Err(err) => {
                permit.send(Err(err));
                return;
            }
        };
        next = page.head.continue_token();
        let last = next.is_none();
        permit.send(Ok(page));
        restarted = false;
        if last {
            return;
        }
    }
}

/// kubectl rewords a list's BadRequest and NotFound: "Unable to find "/v1, Resource=pods"
/// that match label selector …" or "Unable to list …".
fn with_list_context(err: anyhow::Error, request: &ListRequest) -> anyhow::Error {
    let Some(server) = error::server_error(&err) else {
        return err;
    };
    if !matches!(
        Reason::of_status(&server.status),
        Reason::BadRequest | Reason::NotFound
    ) {
        return err;
    }
    let rt = &request.rt;
    let resource = format!("{}/{}, Resource={}", rt.group, rt.version, rt.resource);
    let label = request.query.label_selector.as_deref().unwrap_or_default();
    let field = request.query.field_selector.as_deref().unwrap_or_default();
    let message = if label.is_empty() && field.is_empty() {
        format!("Unable to list {resource:?}: {}", server.status.message)
    } else {
        format!(
            "Unable to find {resource:?} that match label selector {label:?}, field selector {field:?}: {}",
            server.status.message
        )
    };
    ServerError {
        status: Status {
            message,
            ..server.status.clone()
        },
    }
    .into()
}

/// The position of an object in a list (namespace/name, the server's list order), used to
/// skip what was already handled when a list restarts.
pub fn list_position(object: &Value) -> (String, String) {
    let meta = &object["metadata"];
    (
        meta["namespace"].as_str().unwrap_or_default().to_string(),
        meta["name"].as_str().unwrap_or_default().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    #[test]
    fn items_are_handed_over_one_at_a_time_and_a_refusal_stops_the_read() {
        let page = |text: &str| RawPage::read(Bytes::from(text.to_string()), false).expect("page");
        let list = page(
            r#"{"kind":"PodList","apiVersion":"v1","metadata":{"continue":"t"},"items":[{"n":1},{"n":2},{"n":3}]}"#,
        );
        assert_eq!(
            (list.kind(), list.api_version()),
            (Some("PodList"), Some("v1"))
        );
        let mut seen = Vec::new();
        list.for_each_item(|item: Value| {
            seen.push(item["n"].clone());
            Ok(())
        })
        .expect("read");
        assert_eq!(seen, [1, 2, 3]);

        let mut seen = 0;
        let err = list
            .for_each_item(|_: Value| {
                seen += 1;
                anyhow::ensure!(seen < 2, "enough");
                Ok(())
            })
            .expect_err("stopped");
        assert_eq!((seen, err.to_string()), (2, "enough".to_string()));

        // Go's nil slice, and a server that writes its kind after the items.
        let empty = page(r#"{"kind":"PodList","metadata":{},"items":null}"#);
        empty
            .for_each_item(|_: Value| anyhow::bail!("no item expected"))
            .expect("empty");
        let late =
            page(r#"{"metadata":{},"items":[{}],"kind":"Table","apiVersion":"meta.k8s.io/v1"}"#);
        assert_eq!(
            (late.kind(), late.api_version()),
            (Some("Table"), Some("meta.k8s.io/v1"))
        );
        // An item cut off is an error of the read, after the items before it.
        let cut = page(r#"{"kind":"PodList","metadata":{},"items":[{"n":1},{"n":"#);
        let mut seen = 0;
        let err = cut
            .for_each_item(|_: Value| {
                seen += 1;
                Ok(())
            })
            .expect_err("cut");
        assert_eq!(seen, 1);
        assert!(
            err.to_string()
                .contains("decoding the server's JSON response"),
            "{err}"
        );
    }

    #[test]
    fn the_continue_token_is_read_from_the_head_or_the_whole_body() {
        let token = |body: &str| {
            ListHead::of(body.as_bytes())
                .expect("head")
                .continue_token()
        };
        assert_eq!(
            token(r#"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9","continue":"abc"},"items":[{"metadata":{"name":"x\"items\":"}}]}"#)
                .as_deref(),
            Some("abc")
        );
        // Items first: the head has no metadata, so the whole body is read.
        assert_eq!(
            token(r#"{"items":[{"a":1}],"metadata":{"continue":"def"}}"#).as_deref(),
            Some("def")
        );
        assert_eq!(token(r#"{"metadata":{"continue":""},"items":[]}"#), None);
        assert_eq!(token(r#"{"kind":"Table","rows":[]}"#), None);
        assert!(ListHead::of(b"<html>").is_err());
    }

    use kz_testserver::{Generated, TestServer, User};

    use super::*;
    use crate::api::JSON_ACCEPT;
    use crate::kubeconfig::{Kubeconfigs, LoadingRules};

    fn list_requests(server: &TestServer) -> usize {
        server
            .requests()
            .iter()
            .filter(|r| r.path == "/api/v1/pods" && r.query.contains("limit=10"))
            .count()
    }

    /// Waits (bounded) until `done` holds; what it waits for must happen by itself.
    fn eventually(what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting until {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn the_next_page_is_fetched_while_the_reader_holds_this_one() {
        let server = TestServer::builder()
            .generated(Generated {
                pods: 35,
                namespaces: 1,
                crds: 0,
            })
            .frozen()
            .start();
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("config");
        server
            .write_kubeconfig(&path, &User::admin())
            .expect("kubeconfig");
        let selection = Kubeconfigs::load(LoadingRules::new(Some(path), None, None))
            .and_then(|configs| configs.select(&Default::default()))
            .expect("kubeconfig selects the server");
        // Like kz's own runtime: one thread, so only the reader's awaits let the fetcher run.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let _entered = runtime.enter();
        let client = ApiClient::new(
            selection.config,
            None,
            0,
            crate::streams::Stderr::new(std::io::sink()),
        )
        .expect("client");
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("pods")
            .cloned()
            .expect("pods");
        let mut pages = Pages::start(
            &client,
            ListRequest {
                rt,
                namespace: None,
                query: ListQuery {
                    chunk_size: Some(10),
                    ..ListQuery::default()
                },
                accept: JSON_ACCEPT,
            },
        );
        let mut names = Vec::new();
        let mut held = Vec::new();
        for page in 1..=4 {
            let body = runtime
                .block_on(pages.next())
                .expect("a page")
                .expect("no error")
                .body;
            // While page n is held (not yet read again), page n+1 is asked for — and no more.
            let ahead = (page + 1).min(4);
            eventually(&format!("page {ahead} is requested"), || {
                list_requests(&server) >= ahead
            });
            std::thread::sleep(Duration::from_millis(100));
            assert_eq!(list_requests(&server), ahead, "one page ahead, never two");
            held.push(body["items"].as_array().map_or(0, Vec::len));
            for item in body["items"].as_array().into_iter().flatten() {
                names.push(list_position(item));
            }
        }
        assert!(
            runtime.block_on(pages.next()).is_none(),
            "four pages in all"
        );
        assert_eq!(held, [10, 10, 10, 5], "35 pods in pages of 10");
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "no object twice");
    }
}
