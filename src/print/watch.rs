//! The printer of a watch (`get -w`): every event printed as it arrives. Tables keep the
//! column widths they have seen so far (kubectl's watch printer does too), so rows stay
//! aligned without waiting for the end; objects are one document each; templates run per
//! object.

use std::io::Write;

use anyhow::Result;
use serde_json::Value;

use super::custom_columns::CustomColumnsPrinter;
use super::format::OutputFormat;
use super::go_template::GoTemplatePrinter;
use super::jsonpath::JsonPathPrinter;
use super::objects::{Arrangement, ObjectFormat, ObjectPrinter, list_items};
use super::printer::client_side_table;
use super::printer::{
    PrintOptions, custom_columns_printer, go_template_printer, jsonpath_printer, kind_label,
};
use super::server_table::{TableBuffer, push_header};
use super::tabwriter::TabWriter;
use crate::discovery::ResourceType;

/// Prints the events of one watch.
pub enum WatchPrinter {
    Table {
        buffer: TableBuffer,
        tabs: TabWriter,
        header_done: bool,
        no_headers: bool,
        kind: Option<String>,
        name_column: usize,
    },
    Objects(ObjectPrinter),
    JsonPath(JsonPathPrinter),
    CustomColumns(CustomColumnsPrinter),
    GoTemplate(GoTemplatePrinter),
}

impl WatchPrinter {
    /// The printer for a watch of `rt`.
    pub fn new(options: &PrintOptions, rt: &ResourceType) -> Result<WatchPrinter> {
        let objects = |format| {
            WatchPrinter::Objects(ObjectPrinter::new(
                format,
                Arrangement::Stream {
                    events: options.output_watch_events,
                },
                options.show_managed_fields,
            ))
        };
        Ok(match &options.format {
            OutputFormat::Table | OutputFormat::Wide => WatchPrinter::Table {
                buffer: TableBuffer::new(options.table_options()),
                tabs: TabWriter::new(),
                header_done: false,
                no_headers: options.no_headers,
                kind: options.show_kind.then(|| kind_label(rt)),
                name_column: usize::from(options.output_watch_events)
                    + usize::from(options.all_namespaces),
            },
            OutputFormat::Json => objects(ObjectFormat::Json),
            OutputFormat::Yaml => objects(ObjectFormat::Yaml),
            OutputFormat::Name => objects(ObjectFormat::Name),
            OutputFormat::JsonPath { template, as_json } => {
                WatchPrinter::JsonPath(jsonpath_printer(&template.text()?, *as_json, options)?)
            }
            OutputFormat::CustomColumns { spec } => {
                WatchPrinter::CustomColumns(custom_columns_printer(spec, options)?)
            }
            OutputFormat::GoTemplate { template } => {
                WatchPrinter::GoTemplate(go_template_printer(&template.text()?, options)?)
            }
        })
    }

    pub fn wants_tables(&self) -> bool {
        matches!(self, WatchPrinter::Table { .. })
    }

    /// The objects of one list page (the watch's first list, or a relist), as ADDED events.
    pub fn list_page(
        &mut self,
        rt: &ResourceType,
        page: Value,
        out: &mut impl Write,
    ) -> Result<()> {
        if page["kind"] == "Table" {
            return self.event("ADDED", page, out);
        }
        if self.wants_tables() {
            // Plain objects (`--server-print=false`): the page as one table, as a server's
            // Table page is, so its rows share their widths.
            return self.event("ADDED", client_side_table(page), out);
        }
        for item in list_items(rt, page) {
            self.event("ADDED", item, out)?;
        }
        Ok(())
    }

    /// Prints one event's object (a one-row Table for table formats).
    pub fn event(&mut self, event: &str, object: Value, out: &mut impl Write) -> Result<()> {
        match self {
            WatchPrinter::Table {
                buffer,
                tabs,
                header_done,
                no_headers,
                kind,
                name_column,
            } => {
                // A plain object (`--server-print=false`) gets the NAME and AGE row.
                let object = match object["kind"] == "Table" {
                    true => object,
                    false => client_side_table(serde_json::json!({ "items": [object] })),
                };
                buffer.add_table(&object, Some(event), |_| {});
                let added = std::mem::take(&mut buffer.rows);
                let mut text = String::new();
                if !*header_done && !added.is_empty() {
                    *header_done = true;
                    if !*no_headers {
                        push_header(&mut text, buffer.header());
                    }
                }
                for row in added {
                    text.push_str(&row.line(kind.as_deref(), *name_column));
                    text.push('\n');
                }
                tabs.write(&text, out)?;
            }
            WatchPrinter::Objects(printer) => printer.object(out, object, Some(event))?,
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
