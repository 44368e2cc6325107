//! Server-side printing: `as=Table` answers with the real server's columns per kind.
//!
//! When a client asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, kube-apiserver
//! answers with a `meta.k8s.io/v1` `Table` instead of the objects: column definitions and one row
//! of cells per object, computed by the built-in printers (`pkg/printers/internalversion`), by a
//! CRD's `additionalPrinterColumns`, or by the generic "Name, Created At" convertor for
//! everything else. This module reproduces those answers for the kinds kz and kubectl use.
//!
//! The real server never prints a Namespace column (kubectl adds it for `--all-namespaces`) and
//! always prints the wide columns (priority 1); clients hide them unless asked.
//!
//! Cells are computed from stored objects, which are user input: every accessor tolerates
//! missing or mistyped fields and falls back to what the real printer shows for a zero value.

mod apps;
mod autoscaling;
mod batch;
mod columns;
mod core;
mod crd;
mod duration;
mod fields;
mod networking;
mod platform;

#[cfg(test)]
mod fixture_tests;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::status::ApiError;
use columns::{AGE_DESCRIPTION, Column, NAME};

pub use duration::{human_duration, human_duration_between};

/// What each row carries in its `object` field, from the `includeObject` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    /// `"object": null`.
    None,
    /// A `PartialObjectMetadata` with the object's full metadata (the default).
    #[default]
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// The parameter's value as the server reads it; unknown values fall back to the default.
    /// Use [`IncludeObject::parse`] to reject them with a 400 like the real server.
    pub fn from_query(value: Option<&str>) -> IncludeObject {
        Self::parse(value).unwrap_or_default()
    }

    /// The parameter's value, or the real server's `400 BadRequest` for an unknown one.
    pub fn parse(value: Option<&str>) -> Result<IncludeObject, ApiError> {
        match value.unwrap_or_default() {
            "" | "Metadata" => Ok(IncludeObject::Metadata),
            "Object" => Ok(IncludeObject::Object),
            "None" => Ok(IncludeObject::None),
            other => Err(ApiError::bad_request(format!(
                "unrecognized includeObject value: {other:?}"
            ))),
        }
    }

    /// The row's `object` field for `object`. `internal_annotations` are annotations the
    /// server's internal version holds as fields, so they are missing from its metadata.
    fn embed(self, object: &Value, internal_annotations: &[&str]) -> Value {
        match self {
            IncludeObject::None => Value::Null,
            IncludeObject::Object => object.clone(),
            IncludeObject::Metadata => json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": internal_metadata(object, internal_annotations),
            }),
        }
    }
}

/// The object's metadata as the internal version has it: without `internal_annotations` (and
/// without the annotations map if nothing else is left in it).
fn internal_metadata(object: &Value, internal_annotations: &[&str]) -> Value {
    let mut metadata = object.get("metadata").cloned().unwrap_or_else(|| json!({}));
    if let Some(annotations) = metadata
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
    {
        let before = annotations.len();
        annotations.retain(|key, _| !internal_annotations.contains(&key.as_str()));
        if annotations.is_empty()
            && before > 0
            && let Some(metadata) = metadata.as_object_mut()
        {
            metadata.remove("annotations");
        }
    }
    metadata
}

/// Which printer: the resource's group and plural name, plus the CRD's additionalPrinterColumns
/// for the served version when it is a custom resource (None for built-ins).
///
/// For a custom resource pass `Some` even when the CRD declares no columns (an empty slice):
/// the real server then prints Name and Age, while `None` for an unknown resource selects the
/// generic Name / Created At table.
#[derive(Debug, Clone, Copy)]
pub struct TableKind<'a> {
    pub group: &'a str,
    pub resource: &'a str,
    pub printer_columns: Option<&'a [Value]>,
}

/// The column definitions the real server sends for this kind.
pub fn column_definitions(kind: &TableKind) -> Vec<Value> {
    Printer::for_kind(kind).column_definitions()
}

/// One row: `{"cells": [...], "conditions"?: [...], "object": ...}`, `object` per `include`.
pub fn row(kind: &TableKind, object: &Value, include: IncludeObject, now: Timestamp) -> Value {
    Printer::for_kind(kind).row(object, include, now)
}

/// A whole Table for a list, or for a single object (pass `[object]` and
/// `{"resourceVersion": <the object's>}` as `list_metadata`, as the real server answers a GET).
///
/// `list_metadata` is copied as is: resourceVersion, continue, remainingItemCount.
pub fn table(
    kind: &TableKind,
    objects: &[&Value],
    include: IncludeObject,
    list_metadata: Value,
    now: Timestamp,
) -> Value {
    let printer = Printer::for_kind(kind);
    let rows: Vec<Value> = objects
        .iter()
        .map(|object| printer.row(object, include, now))
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_metadata,
        "columnDefinitions": printer.column_definitions(),
        "rows": rows,
    })
}

/// A built-in printer: fixed columns, a function computing one object's cells, (pods only) the
/// row conditions, and (daemon sets only) annotations the internal version turns into fields.
#[derive(Clone, Copy)]
pub(crate) struct BuiltIn {
    pub columns: &'static [Column],
    pub cells: fn(&Value, Timestamp) -> Vec<Value>,
    pub conditions: fn(&Value) -> Option<Value>,
    pub internal_annotations: &'static [&'static str],
}

impl BuiltIn {
    pub const fn new(
        columns: &'static [Column],
        cells: fn(&Value, Timestamp) -> Vec<Value>,
    ) -> Self {
        BuiltIn {
            columns,
            cells,
            conditions: |_| None,
            internal_annotations: &[],
        }
    }
}

enum Printer {
    BuiltIn(BuiltIn),
    Custom(Vec<crd::CustomColumn>),
}

impl Printer {
    fn for_kind(kind: &TableKind) -> Printer {
        if let Some(columns) = kind.printer_columns {
            return Printer::Custom(crd::columns(columns));
        }
        Printer::BuiltIn(built_in(kind.group, kind.resource).unwrap_or(GENERIC))
    }

    fn column_definitions(&self) -> Vec<Value> {
        match self {
            Printer::BuiltIn(printer) => printer
                .columns
                .iter()
                .copied()
                .map(Column::to_json)
                .collect(),
            Printer::Custom(columns) => crd::column_definitions(columns),
        }
    }

    fn row(&self, object: &Value, include: IncludeObject, now: Timestamp) -> Value {
        let (cells, conditions, internal_annotations) = match self {
            Printer::BuiltIn(printer) => (
                (printer.cells)(object, now),
                (printer.conditions)(object),
                printer.internal_annotations,
            ),
            Printer::Custom(columns) => (crd::cells(columns, object, now), None, &[][..]),
        };
        let mut row = Map::new();
        row.insert("cells".to_string(), Value::Array(cells));
        if let Some(conditions) = conditions {
            row.insert("conditions".to_string(), conditions);
        }
        row.insert(
            "object".to_string(),
            include.embed(object, internal_annotations),
        );
        Value::Object(row)
    }
}

/// The printer the real server registers for a built-in resource, if it has one.
fn built_in(group: &str, resource: &str) -> Option<BuiltIn> {
    match group {
        "" => core::printer(resource),
        "events.k8s.io" => (resource == "events").then_some(core::EVENTS),
        "apps" => apps::printer(resource),
        "batch" => batch::printer(resource),
        "autoscaling" => autoscaling::printer(resource),
        "networking.k8s.io" | "discovery.k8s.io" => networking::printer(group, resource),
        _ => platform::printer(group, resource),
    }
}

/// The generic convertor for resources without a printer (CRDs themselves, webhooks, …).
const GENERIC: BuiltIn = BuiltIn::new(
    &[NAME, Column::date("Created At", AGE_DESCRIPTION)],
    |object, _| vec![fields::name(object), fields::created_at(object).into()],
);
