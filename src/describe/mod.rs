//! `kz describe`'s describers: kubectl's human summaries, one per kind, laid out exactly as
//! kubectl v1.33 lays them out.
//!
//! Fetching never prints: a describer first says what it needs besides its object
//! ([`Describer::fetches`]: its ReplicaSets, its pods, its EndpointSlices …); the command
//! fetches that (and the object's events) concurrently, then the describer writes the text
//! from what was fetched — a pure function, tested without a server.
//!
//! - `writer`: the indenting, tab-aligning [`PrefixWriter`].
//! - `fields`: the pieces every describer shares (labels, annotations, times, quantities).
//! - `events`: the Events section.
//! - `quantity`: resource quantities, parsed and printed as Kubernetes prints them.
//! - `generic`: kubectl's generic describer, for CRs and kinds without their own.
//! - `kinds`: one module per kind, and the registry [`describer_for`].

pub mod events;
pub mod fields;
pub mod generic;
pub mod kinds;
pub mod quantity;
pub mod writer;

use anyhow::Result;
use serde_json::Value;

pub use kinds::describer_for;
pub use writer::PrefixWriter;

/// One more request a describer needs, resolved against its object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch {
    /// A list: `resource` is a type word discovery knows without a request, such as
    /// `replicasets.apps` or `pods`; `namespace` `None` lists across namespaces (or a
    /// cluster-scoped type).
    List {
        resource: &'static str,
        namespace: Option<String>,
        label_selector: Option<String>,
        field_selector: Option<String>,
    },
    /// One object by name.
    Get {
        resource: &'static str,
        namespace: Option<String>,
        name: String,
    },
}

impl Fetch {
    /// A list of `resource` in `namespace` with a label selector.
    pub fn labelled(resource: &'static str, namespace: Option<&str>, selector: &str) -> Fetch {
        Fetch::List {
            resource,
            namespace: namespace.map(String::from),
            label_selector: Some(selector.to_string()).filter(|s| !s.is_empty()),
            field_selector: None,
        }
    }
}

/// What was fetched for one object: the answers to its [`Fetch`]es, in order (a list's
/// answer is the whole List, every page's items together), and its events.
#[derive(Debug, Default)]
pub struct Fetched {
    pub related: Vec<Result<Value>>,
    /// `None` with `--show-events=false` or for kinds that show none.
    pub events: Option<Result<Vec<Value>>>,
}

impl Fetched {
    /// The items of the `index`-th fetch when it was a list that succeeded (else none).
    pub fn items(&self, index: usize) -> &[Value] {
        match self.related.get(index) {
            Some(Ok(list)) => list["items"].as_array().map(Vec::as_slice).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// The `index`-th fetch's object, when it was a get that succeeded.
    pub fn object(&self, index: usize) -> Option<&Value> {
        match self.related.get(index) {
            Some(Ok(object)) => Some(object),
            _ => None,
        }
    }
}

/// Settings every describer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub show_events: bool,
    /// "Now", so ages in a description are computed once (and tests can fix them).
    pub now: jiff::Timestamp,
}

/// The summary of one kind.
pub trait Describer: Sync {
    /// Whether this kind's description ends with its events (kubectl's do, but a few).
    fn shows_events(&self) -> bool {
        true
    }

    /// The requests the description needs besides the object and its events.
    fn fetches(&self, _object: &Value) -> Vec<Fetch> {
        Vec::new()
    }

    /// Writes the description of `object` from what was fetched.
    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()>;
}

/// Describes `object` with `describer`: the text kubectl prints for it.
pub fn render(
    describer: &dyn Describer,
    object: &Value,
    fetched: &Fetched,
    settings: &Settings,
) -> Result<String> {
    let mut w = PrefixWriter::new();
    describer.describe(object, fetched, settings, &mut w)?;
    Ok(w.finish())
}
