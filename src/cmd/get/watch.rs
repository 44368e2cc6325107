//! `get --watch` / `--watch-only`: list, then print every change as it happens.
//!
//! Better than kubectl where kubectl gives up: a watch the server ends (timeout, dropped
//! connection) is resumed from the last resourceVersion seen; a resourceVersion that has
//! become too old (410 Gone) leads to a fresh list, printed as the current state, and a new
//! watch from there.

use std::io::Write;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use serde_json::{Value, json};

use super::fetch::{self, JSON_ACCEPT, TABLE_ACCEPT};
use super::output::{
    OutputFormat, custom_columns_printer, go_template_printer, jsonpath_printer, kind_label,
};
use super::{Options, Request};
use crate::client::ApiClient;
use crate::context::Context;
use crate::error::ServerError;
use crate::print::custom_columns::CustomColumnsPrinter;
use crate::print::go_template::GoTemplatePrinter;
use crate::print::jsonpath::JsonPathPrinter;
use crate::print::objects::{ObjectFormat, name_of};
use crate::print::server_table::{TableBuffer, TableOptions};
use crate::print::tabwriter::TabWriter;

/// How many times in a row a watch may fail to reconnect before kz gives up.
const RECONNECT_ATTEMPTS: u32 = 5;
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

pub fn run(
    ctx: &mut Context,
    client: &ApiClient,
    options: &Options,
    requests: &[Request],
) -> Result<()> {
    let request = match requests {
        [one] if one.names.len() <= 1 => one,
        _ => {
            let found: usize = requests.iter().map(|r| r.names.len().max(1)).sum();
            bail!(
                "watch is only supported on individual resources and resource collections, but {found} resources were found"
            );
        }
    };
    let mut printer = WatchPrinter::new(options, request)?;
    let mut out = std::mem::replace(&mut ctx.out, Box::new(std::io::sink()));
    let outcome = ctx.block_on(watch(client, options, request, &mut printer, &mut out));
    ctx.out = out;
    outcome?
}

/// The list and field selectors of the watch (a named object is watched by its name).
fn field_selector(options: &Options, request: &Request) -> Option<String> {
    let by_name = request
        .names
        .first()
        .map(|name| format!("metadata.name={name}"));
    match (options.list.field_selector.clone(), by_name) {
        (Some(fields), Some(name)) => Some(format!("{fields},{name}")),
        (fields, name) => fields.or(name),
    }
}

async fn watch(
    client: &ApiClient,
    options: &Options,
    request: &Request,
    printer: &mut WatchPrinter,
    out: &mut Box<dyn Write>,
) -> Result<()> {
    let mut query = options.list.clone();
    query.field_selector = field_selector(options, request);
    let accept = if printer.wants_tables() {
        TABLE_ACCEPT
    } else {
        JSON_ACCEPT
    };
    let mut resource_version = list(
        client,
        request,
        &query,
        accept,
        printer,
        !options.watch_only,
        out,
    )
    .await?;
    let mut failures = 0;
    loop {
        let path = format!(
            "{}{}",
            fetch::collection_path(&request.rt, request.namespace.as_deref()),
            fetch::query(&[
                ("watch", Some("1")),
                ("resourceVersion", Some(&resource_version)),
                ("allowWatchBookmarks", Some("true")),
                ("labelSelector", query.label_selector.as_deref()),
                ("fieldSelector", query.field_selector.as_deref()),
            ])
        );
        let mut stream = match client.stream(&path, accept).await {
            Ok(stream) => stream,
            Err(err) if is_gone(&err) => {
                resource_version =
                    list(client, request, &query, accept, printer, true, out).await?;
                continue;
            }
            Err(err) => {
                failures += 1;
                if failures > RECONNECT_ATTEMPTS {
                    return Err(err);
                }
                tokio::time::sleep(RECONNECT_DELAY).await;
                continue;
            }
        };
        failures = 0;
        // A stream that ends (the server's timeout, a dropped connection) is resumed.
        while let Ok(Some(line)) = stream.next_line().await {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let event: Value = serde_json::from_slice(&line).context("decoding a watch event")?;
            let kind = event["type"].as_str().unwrap_or_default();
            let object = &event["object"];
            match kind {
                "BOOKMARK" => {
                    if let Some(rv) = object["metadata"]["resourceVersion"].as_str() {
                        resource_version = rv.to_string();
                    }
                }
                "ERROR" if object["code"] == 410 => {
                    resource_version =
                        list(client, request, &query, accept, printer, true, out).await?;
                    break;
                }
                "ERROR" => {
                    let status = serde_json::from_value(object.clone()).unwrap_or_default();
                    return Err(ServerError { status }.into());
                }
                _ => {
                    if let Some(rv) = event_version(object) {
                        resource_version = rv;
                    }
                    printer.event(kind, object.clone(), out)?;
                    out.flush()?;
                }
            }
        }
    }
}

/// The resourceVersion an event brings: the object's, or for a Table the row object's.
fn event_version(object: &Value) -> Option<String> {
    let row_object = &object["rows"][0]["object"]["metadata"]["resourceVersion"];
    object["metadata"]["resourceVersion"]
        .as_str()
        .or(row_object.as_str())
        .filter(|rv| !rv.is_empty())
        .map(String::from)
}

fn is_gone(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|c| c.downcast_ref::<ServerError>())
        .any(|e| e.status.code == 410)
}

/// Lists (all pages), printing the objects as ADDED when `print`; returns the list's version.
async fn list(
    client: &ApiClient,
    request: &Request,
    query: &fetch::ListQuery,
    accept: &str,
    printer: &mut WatchPrinter,
    print: bool,
    out: &mut Box<dyn Write>,
) -> Result<String> {
    let mut resource_version = String::new();
    fetch::list_pages(
        client,
        &request.rt,
        request.namespace.as_deref(),
        query,
        accept,
        |page, _| {
            if let Some(rv) = page.body["metadata"]["resourceVersion"].as_str() {
                resource_version = rv.to_string();
            }
            if !print {
                return Ok(());
            }
            if page.body["kind"] == "Table" {
                return printer.event("ADDED", page.body, out);
            }
            let api_version = page.body["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            for mut item in page.body["items"].as_array().cloned().unwrap_or_default() {
                item["kind"] = json!(request.rt.kind);
                item["apiVersion"] = json!(api_version);
                printer.event("ADDED", item, out)?;
            }
            Ok(())
        },
    )
    .await?;
    out.flush()?;
    Ok(resource_version)
}

enum WatchPrinter {
    Table {
        buffer: TableBuffer,
        tabs: TabWriter,
        header_done: bool,
        no_headers: bool,
        kind: Option<String>,
        name_column: usize,
    },
    Objects {
        format: ObjectFormat,
        with_events: bool,
        show_managed_fields: bool,
        printed: usize,
    },
    JsonPath(JsonPathPrinter),
    CustomColumns(CustomColumnsPrinter),
    GoTemplate(GoTemplatePrinter),
}

impl WatchPrinter {
    fn new(options: &Options, request: &Request) -> Result<WatchPrinter> {
        let objects = |format| WatchPrinter::Objects {
            format,
            with_events: options.output_watch_events,
            show_managed_fields: options.show_managed_fields,
            printed: 0,
        };
        Ok(match &options.format {
            OutputFormat::Table | OutputFormat::Wide => WatchPrinter::Table {
                buffer: TableBuffer::new(TableOptions {
                    wide: options.format == OutputFormat::Wide,
                    no_headers: options.no_headers,
                    namespace_column: options.all_namespaces,
                    show_labels: options.show_labels,
                    label_columns: options.label_columns.clone(),
                    event_column: options.output_watch_events,
                }),
                tabs: TabWriter::new(),
                header_done: false,
                no_headers: options.no_headers,
                kind: options.show_kind.then(|| kind_label(&request.rt)),
                name_column: usize::from(options.output_watch_events)
                    + usize::from(options.all_namespaces),
            },
            OutputFormat::Json => objects(ObjectFormat::Json),
            OutputFormat::Yaml => objects(ObjectFormat::Yaml),
            OutputFormat::Name => objects(ObjectFormat::Name),
            OutputFormat::JsonPath { template, as_json } => {
                WatchPrinter::JsonPath(jsonpath_printer(template, *as_json, options)?)
            }
            OutputFormat::CustomColumns { spec, from_file } => {
                WatchPrinter::CustomColumns(custom_columns_printer(spec, *from_file, options)?)
            }
            OutputFormat::GoTemplate { template } => {
                WatchPrinter::GoTemplate(go_template_printer(template, options)?)
            }
        })
    }

    fn wants_tables(&self) -> bool {
        matches!(self, WatchPrinter::Table { .. })
    }

    /// Prints one event's object (a one-row Table for table formats).
    fn event(&mut self, event: &str, object: Value, out: &mut impl Write) -> Result<()> {
        match self {
            WatchPrinter::Table {
                buffer,
                tabs,
                header_done,
                no_headers,
                kind,
                name_column,
            } => {
                buffer.add_table(&object, Some(event), |_| {});
                let added = std::mem::take(&mut buffer.rows);
                let mut text = String::new();
                if !*header_done && !added.is_empty() {
                    *header_done = true;
                    if !*no_headers {
                        text.push_str(&buffer.header().join("\t"));
                        text.push('\n');
                    }
                }
                for row in added {
                    let mut cells = row.cells;
                    if let (Some(kind), Some(name)) = (kind.as_deref(), cells.get_mut(*name_column))
                    {
                        *name = format!("{kind}/{name}");
                    }
                    text.push_str(&cells.join("\t"));
                    text.push('\n');
                }
                tabs.write(&text, out)?;
            }
            WatchPrinter::Objects {
                format,
                with_events,
                show_managed_fields,
                printed,
            } => {
                let mut object = object;
                if !*show_managed_fields
                    && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
                {
                    meta.remove("managedFields");
                }
                match format {
                    ObjectFormat::Name => writeln!(out, "{}", name_of(&object))?,
                    ObjectFormat::Json => {
                        let document = if *with_events {
                            json!({"type": event, "object": object})
                        } else {
                            object
                        };
                        crate::print::write_json(out, &document, 4)?;
                    }
                    ObjectFormat::Yaml => {
                        if *printed > 0 {
                            out.write_all(b"---\n")?;
                        }
                        let document = if *with_events {
                            json!({"type": event, "object": object})
                        } else {
                            object
                        };
                        out.write_all(crate::print::kubectl_yaml::to_string(&document).as_bytes())?;
                    }
                }
                *printed += 1;
            }
            WatchPrinter::JsonPath(printer) => printer
                .print(&object, out)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            WatchPrinter::CustomColumns(printer) => {
                printer.add(&object).map_err(|e| anyhow::anyhow!("{e}"))?;
                printer.flush(out)?;
            }
            WatchPrinter::GoTemplate(template) => template.print(&object, out)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_watches_select_the_name() {
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("pods")
            .cloned()
            .expect("pods");
        let request = Request {
            rt,
            namespace: Some("shop".into()),
            names: vec!["web".into()],
        };
        let mut options = Options::from_args(crate::cli::GetArgs {
            args: vec!["pods".into()],
            chunk_size: 500,
            ..Default::default()
        })
        .expect("options");
        assert_eq!(
            field_selector(&options, &request).as_deref(),
            Some("metadata.name=web")
        );
        options.list.field_selector = Some("status.phase=Running".into());
        assert_eq!(
            field_selector(&options, &request).as_deref(),
            Some("status.phase=Running,metadata.name=web")
        );
    }

    #[test]
    fn event_versions_come_from_objects_or_table_rows() {
        assert_eq!(
            event_version(&json!({"metadata": {"resourceVersion": "7"}})).as_deref(),
            Some("7")
        );
        let table =
            json!({"metadata": {}, "rows": [{"object": {"metadata": {"resourceVersion": "9"}}}]});
        assert_eq!(event_version(&table).as_deref(), Some("9"));
    }
}
