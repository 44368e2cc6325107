//! The request layer every verb shares: API paths and query strings, lists read page by page
//! with one page in flight ahead, and the watch stream (bookmarks, resume, relist on 410,
//! reconnects with capped backoff). Errors are classified in one place, `crate::error::reason`.

pub mod list;
pub mod objects;
pub mod path;
pub mod watch;

pub use list::{ListQuery, ListRequest, Page, Pages, RawPage, list_position};
pub use objects::{get_object, list_objects, list_objects_to_describe};
pub use path::{Query, Subresource, collection_path, object_path};
pub use watch::{EventType, WatchItem, Watcher};

/// kubectl's Accept header for tables (v1, then v1beta1), falling back to plain JSON.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
pub const JSON_ACCEPT: &str = "application/json";
/// Metadata only (a `PartialObjectMetadataList`), for lists printed from their items'
/// metadata; servers that cannot answer so fall back to plain JSON.
pub const METADATA_ACCEPT: &str =
    "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
