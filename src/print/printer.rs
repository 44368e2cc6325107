//! The printer every verb uses: kubectl's PrintFlags chain behind one interface over
//! `W: Write`. A command tells it what it fetched, step by step — `begin` a resource type,
//! hand it `table_page`s (server-side Tables), `list_page`s and `object`s, `end` the type —
//! and `finish`es; the printer decides what to write when: tables once a type is complete
//! (kubectl aligns a type's rows together), object formats as they come (a List streamed item
//! by item), templates over the whole List unless they can run item by item.

use std::cmp::Ordering;
use std::io::Write;

use anyhow::{Context as _, Result};
use serde_json::Value;

use super::custom_columns::{CustomColumns, CustomColumnsPrinter};
use super::format::{OutputFormat, Template};
use super::go_template::GoTemplatePrinter;
use super::jsonpath::{Found, JsonPath, JsonPathOutput, JsonPathPrinter, relaxed};
use super::node::Node;
use super::objects::{Arrangement, ObjectFormat, ObjectPrinter, TypeDefaults, list_items};
use super::server_table::{RawTable, TableBuffer, TableOptions, cell_text};
use crate::api::{RawPage, list_position};
use crate::discovery::ResourceType;

/// How to print: `-o` and the flags that shape tables and objects (kubectl's PrintFlags).
#[derive(Debug, Clone, PartialEq)]
pub struct PrintOptions {
    pub format: OutputFormat,
    pub no_headers: bool,
    /// A NAMESPACE column (`-A`).
    pub all_namespaces: bool,
    pub show_labels: bool,
    pub label_columns: Vec<String>,
    pub show_kind: bool,
    pub sort_by: Option<String>,
    pub show_managed_fields: bool,
    pub allow_missing_template_keys: bool,
    /// An EVENT column, or `{type, object}` documents (`--output-watch-events`).
    pub output_watch_events: bool,
}

impl PrintOptions {
    /// Objects in `format` with kubectl's defaults for everything else.
    pub fn new(format: OutputFormat) -> PrintOptions {
        PrintOptions {
            format,
            no_headers: false,
            all_namespaces: false,
            show_labels: false,
            label_columns: Vec::new(),
            show_kind: false,
            sort_by: None,
            show_managed_fields: false,
            allow_missing_template_keys: true,
            output_watch_events: false,
        }
    }

    pub(super) fn table_options(&self) -> TableOptions {
        TableOptions {
            wide: self.format == OutputFormat::Wide,
            no_headers: self.no_headers,
            namespace_column: self.all_namespaces,
            show_labels: self.show_labels,
            label_columns: self.label_columns.clone(),
            event_column: self.output_watch_events,
        }
    }
}

/// `--sort-by`: a JSONPath evaluated on every object, compared like kubectl compares them.
struct SortBy {
    path: JsonPath,
}

impl SortBy {
    fn new(expr: &str) -> Result<SortBy> {
        let template = relaxed(expr).map_err(|e| anyhow::anyhow!("{e}"))?;
        let path = JsonPath::parse(&template).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(SortBy {
            path: path.allow_missing_keys(true),
        })
    }

    fn key(&self, object: &Value) -> Value {
        match self.path.evaluate(object) {
            Ok(groups) => groups
                .into_iter()
                .flatten()
                .next()
                .map(|found| found_value(&found))
                .unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }
}

/// A JSONPath result as a JSON value, for comparing sort keys.
fn found_value(found: &Found) -> Value {
    match found {
        Found::Json(value) => (*value).clone(),
        Found::Text(text) => Value::String(String::from_utf8_lossy(text).into_owned()),
        Found::Int(i) => Value::from(*i),
        Found::Float(f) => Value::from(*f),
        Found::Bool(b) => Value::Bool(*b),
        Found::Byte(b) => Value::from(*b),
        Found::Nil => Value::Null,
    }
}

/// Orders two sort keys: numbers numerically, everything else by its text; missing first.
/// Whether the item at `position` (namespace, name) was printed before its list restarted
/// (at or before `skip_until`); if not, it becomes the `last_seen`.
fn printed_before(
    position: (&str, &str),
    skip_until: Option<&(String, String)>,
    last_seen: &mut Option<(String, String)>,
) -> bool {
    if skip_until.is_some_and(|(namespace, name)| position <= (namespace.as_str(), name.as_str())) {
        return true;
    }
    *last_seen = Some((position.0.to_owned(), position.1.to_owned()));
    false
}

fn compare_keys(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => cell_text(a).cmp(&cell_text(b)),
    }
}

enum Layout {
    Tables {
        options: TableOptions,
        show_kind: bool,
        /// Finished tables, with their kind label (`pod`, `deployment.apps`).
        done: Vec<(String, TableBuffer)>,
        current: Option<TableBuffer>,
        /// The options of the current type's table.
        current_options: TableOptions,
        /// Sort keys of the current table's rows (with `--sort-by`).
        keys: Vec<Value>,
        /// The kinds that answered (a list, even an empty one, or a found object): kubectl
        /// prefixes names with their kind when there is more than one.
        kinds: Vec<String>,
        /// With `-A`, a namespaced type was printed: kubectl keeps the NAMESPACE column for
        /// every later type, cluster-scoped ones included (its printer flags are shared).
        namespace_column_kept: bool,
    },
    Objects(ObjectPrinter),
    JsonPath {
        printer: JsonPathPrinter,
        /// The template applied to each item as it arrives, when it allows that.
        per_item: Option<ItemTemplate>,
        /// Items, when the template needs the whole List.
        items: Vec<Value>,
        single: bool,
    },
    CustomColumns {
        printer: CustomColumnsPrinter,
    },
    GoTemplate {
        template: GoTemplatePrinter,
        items: Vec<Value>,
        single: bool,
    },
}

/// The printer of one command's results.
pub struct Printer {
    layout: Layout,
    sort_by: Option<SortBy>,
    /// Objects held back for `--sort-by` (object formats only).
    held: Vec<Value>,
    printed: usize,
}

/// A verb's resulting objects printed one after another, as kubectl prints them: a printer
/// each, every object bare, YAML documents separated by `---`.
pub struct EachObject<'a> {
    options: &'a PrintOptions,
    printed: usize,
}

impl<'a> EachObject<'a> {
    pub fn new(options: &'a PrintOptions) -> EachObject<'a> {
        EachObject {
            options,
            printed: 0,
        }
    }

    pub fn print(&mut self, rt: &ResourceType, object: Value, out: &mut impl Write) -> Result<()> {
        if self.printed > 0 && self.options.format == OutputFormat::Yaml {
            out.write_all(b"---\n")?;
        }
        self.printed += 1;
        let mut printer = Printer::new(self.options, true)?;
        printer.begin(rt, false);
        printer.object(rt, object, out)?;
        printer.end(rt)?;
        printer.finish(out)
    }
}

/// `pod`, `deployment.apps`: how kubectl prefixes names with their kind.
pub fn kind_label(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        rt.kind.to_lowercase()
    } else {
        format!("{}.{}", rt.kind.to_lowercase(), rt.group)
    }
}

impl Printer {
    /// `single`: exactly one object was asked for by name, so object formats print it bare.
    pub fn new(options: &PrintOptions, single: bool) -> Result<Printer> {
        let objects = |format| {
            Layout::Objects(ObjectPrinter::new(
                format,
                if single {
                    Arrangement::Single
                } else {
                    Arrangement::List
                },
                options.show_managed_fields,
            ))
        };
        let options_show_kind = options.show_kind;
        let layout = match &options.format {
            OutputFormat::Table | OutputFormat::Wide => {
                let options = options.table_options();
                Layout::Tables {
                    current_options: options.clone(),
                    options,
                    show_kind: options_show_kind,
                    done: Vec::new(),
                    current: None,
                    keys: Vec::new(),
                    kinds: Vec::new(),
                    namespace_column_kept: false,
                }
            }
            OutputFormat::Json => objects(ObjectFormat::Json),
            OutputFormat::Yaml => objects(ObjectFormat::Yaml),
            OutputFormat::Name => objects(ObjectFormat::Name),
            OutputFormat::JsonPath { template, as_json } => {
                let template = template.text()?;
                let printer = jsonpath_printer(&template, *as_json, options)?;
                let output = if *as_json {
                    JsonPathOutput::Json
                } else {
                    JsonPathOutput::Text
                };
                // Missing keys are errors with --allow-missing-template-keys=false, and kubectl's
                // error text quotes the whole List: that mode keeps the List.
                let per_item = match (single, output, options.allow_missing_template_keys) {
                    (false, JsonPathOutput::Text, true) => ItemTemplate::of(&template, true),
                    _ => None,
                };
                Layout::JsonPath {
                    printer,
                    per_item,
                    items: Vec::new(),
                    single,
                }
            }
            OutputFormat::CustomColumns { spec } => Layout::CustomColumns {
                printer: custom_columns_printer(spec, options)?,
            },
            OutputFormat::GoTemplate { template } => {
                let template = go_template_printer(&template.text()?, options)?;
                Layout::GoTemplate {
                    template,
                    items: Vec::new(),
                    single,
                }
            }
        };
        let sort_by = options.sort_by.as_deref().map(SortBy::new).transpose()?;
        Ok(Printer {
            layout,
            sort_by,
            held: Vec::new(),
            printed: 0,
        })
    }

    pub fn wants_tables(&self) -> bool {
        matches!(self.layout, Layout::Tables { .. })
    }

    /// Whether lists may be fetched as metadata only (`-o name`, or a JSONPath applied item
    /// by item that reads nothing but `.metadata`, `.kind` and `.apiVersion`; without
    /// `--sort-by`, whose key may read any field): what is printed is the same.
    pub fn wants_only_metadata(&self) -> bool {
        if self.sort_by.is_some() {
            return false;
        }
        match &self.layout {
            Layout::Objects(printer) => printer.needs_only_metadata(),
            Layout::JsonPath {
                per_item: Some(template),
                ..
            } => template.reads_only(METADATA_KEYS),
            _ => false,
        }
    }

    /// How many objects or rows were printed (or are ready to be).
    pub fn printed(&self) -> usize {
        self.printed
    }

    /// The requests of one resource type begin; `list` when they are a list (which counts
    /// as an answer of its kind even when empty).
    pub fn begin(&mut self, rt: &ResourceType, list: bool) {
        if let Layout::Tables {
            options,
            current,
            current_options,
            keys,
            namespace_column_kept,
            ..
        } = &mut self.layout
        {
            let mut type_options = options.clone();
            type_options.namespace_column =
                options.namespace_column && (rt.namespaced || *namespace_column_kept);
            *namespace_column_kept |= type_options.namespace_column;
            *current = Some(TableBuffer::new(type_options.clone()));
            *current_options = type_options;
            keys.clear();
        }
        if list {
            self.answered(rt);
        }
    }

    /// An answer of this kind arrived.
    fn answered(&mut self, rt: &ResourceType) {
        if let Layout::Tables { kinds, .. } = &mut self.layout {
            let kind = kind_label(rt);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }

    /// The list of the current type started over: forget the rows kept for its table.
    pub fn restart(&mut self) {
        if let Layout::Tables {
            current,
            current_options,
            keys,
            ..
        } = &mut self.layout
        {
            self.printed -= current.as_ref().map_or(0, |c| c.rows.len());
            *current = Some(TableBuffer::new(current_options.clone()));
            keys.clear();
        }
    }

    /// One page of a list: a Table (table formats) or a list of items. After a restarted list,
    /// items up to `skip_until` (in list order) were printed before and are skipped;
    /// `last_seen` follows the last item printed.
    pub fn list_page(
        &mut self,
        rt: &ResourceType,
        page: Value,
        skip_until: Option<&(String, String)>,
        last_seen: &mut Option<(String, String)>,
        out: &mut impl Write,
    ) -> Result<()> {
        if page["kind"] == "Table" {
            return self.table_page(page);
        }
        if self.wants_tables() {
            return self.table_page(client_side_table(page));
        }
        for item in list_items(rt, page) {
            self.list_item(item, skip_until, last_seen, out)?;
        }
        Ok(())
    }

    /// One page of a list as the server sent it, decoded one item (or Table row) at a time,
    /// each printed or held before the next is built, so that a page's items never exist as
    /// trees all at once. Otherwise as [`Printer::list_page`].
    pub fn raw_list_page(
        &mut self,
        rt: &ResourceType,
        page: &RawPage,
        skip_until: Option<&(String, String)>,
        last_seen: &mut Option<(String, String)>,
        out: &mut impl Write,
    ) -> Result<()> {
        // The page's kind was read with its head: a Table where items were wanted (or items
        // where a Table was) takes the decoded path.
        let is_table = page.kind() == Some("Table");
        if is_table != self.wants_tables() {
            return self.list_page(rt, page.body()?, skip_until, last_seen, out);
        }
        if is_table {
            return self.raw_table_page(page.parts()?);
        }
        let defaults = TypeDefaults::for_list(rt, page.kind(), page.api_version());
        if let (Layout::Objects(printer), None) = (&mut self.layout, &self.sort_by) {
            // Printed as read: no Value is built for the item.
            let printed = &mut self.printed;
            return page.for_each_item(|mut item: Node| {
                defaults.fill_node(&mut item);
                let position = (
                    item.str_at(&["metadata", "namespace"]).unwrap_or_default(),
                    item.str_at(&["metadata", "name"]).unwrap_or_default(),
                );
                if printed_before(position, skip_until, last_seen) {
                    return Ok(());
                }
                *printed += 1;
                printer.node(out, item, None)
            });
        }
        page.for_each_item(|mut item: Value| {
            defaults.fill(&mut item);
            self.list_item(item, skip_until, last_seen, out)
        })
    }

    /// One item of a list page, skipped if it was printed before the list restarted.
    fn list_item(
        &mut self,
        item: Value,
        skip_until: Option<&(String, String)>,
        last_seen: &mut Option<(String, String)>,
        out: &mut impl Write,
    ) -> Result<()> {
        let (namespace, name) = list_position(&item);
        if printed_before((&namespace, &name), skip_until, last_seen) {
            return Ok(());
        }
        self.held_or_printed(item, out)
    }

    /// One object fetched by name (or written by a verb): a one-row Table, or the object.
    pub fn object(&mut self, rt: &ResourceType, body: Value, out: &mut impl Write) -> Result<()> {
        self.answered(rt);
        if body["kind"] == "Table" {
            return self.table_page(body);
        }
        if self.wants_tables() {
            let list = serde_json::json!({"items": [body]});
            return self.table_page(client_side_table(list));
        }
        self.held_or_printed(body, out)
    }

    /// The rows of a server-side Table answer (a list page, or one object).
    pub fn table_page(&mut self, table: Value) -> Result<()> {
        self.add_rows(|buffer, on_row| Ok(buffer.add_table(&table, None, on_row)))
    }

    /// As [`Printer::table_page`], for a Table still in the server's text.
    fn raw_table_page(&mut self, table: RawTable<'_>) -> Result<()> {
        self.add_rows(|buffer, on_row| {
            buffer
                .add_raw_table(table, on_row)
                .context("decoding a row of the server's Table")
        })
    }

    /// Rows for the current table: `add` puts them into its buffer, calling `on_row` with each
    /// row's object (for `--sort-by`), and says how many it added.
    fn add_rows(
        &mut self,
        add: impl FnOnce(&mut TableBuffer, &mut dyn FnMut(&Value)) -> Result<usize>,
    ) -> Result<()> {
        let Layout::Tables { current, keys, .. } = &mut self.layout else {
            return Ok(());
        };
        let buffer = current.get_or_insert_with(TableBuffer::default);
        let sort_by = self.sort_by.as_ref();
        let mut on_row = |object: &Value| {
            if let Some(sort_by) = sort_by {
                keys.push(sort_by.key(object));
            }
        };
        self.printed += add(buffer, &mut on_row)?;
        Ok(())
    }

    fn held_or_printed(&mut self, object: Value, out: &mut impl Write) -> Result<()> {
        self.printed += 1;
        if self.sort_by.is_some() {
            self.held.push(object);
            return Ok(());
        }
        self.emit(object, out)
    }

    fn emit(&mut self, object: Value, out: &mut impl Write) -> Result<()> {
        match &mut self.layout {
            Layout::Objects(printer) => printer.object(out, object, None),
            Layout::JsonPath {
                per_item: Some(template),
                ..
            } => template.print(&object, out),
            Layout::JsonPath { items, .. } | Layout::GoTemplate { items, .. } => {
                items.push(object);
                Ok(())
            }
            Layout::CustomColumns { printer } => {
                printer.add(&object).map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(())
            }
            Layout::Tables { .. } => Ok(()),
        }
    }

    /// The end of one resource type's answers: its table is complete. (Custom columns are
    /// laid out once, at the end, across every type like kubectl's one List; only the rows'
    /// text is kept meanwhile.)
    pub fn end(&mut self, rt: &ResourceType) -> Result<()> {
        if let Layout::Tables {
            done,
            current,
            keys,
            ..
        } = &mut self.layout
            && let Some(mut buffer) = current.take()
        {
            if self.sort_by.is_some() && keys.len() == buffer.rows.len() {
                let mut order: Vec<usize> = (0..buffer.rows.len()).collect();
                order.sort_by(|a, b| compare_keys(&keys[*a], &keys[*b]));
                let rows = std::mem::take(&mut buffer.rows);
                buffer.rows = order.into_iter().map(|i| rows[i].clone()).collect();
            }
            if !buffer.is_empty() {
                done.push((kind_label(rt), buffer));
            }
        }
        Ok(())
    }

    /// Prints what was held back (tables, sorted or templated objects) and closes the List.
    pub fn finish(&mut self, out: &mut impl Write) -> Result<()> {
        if let Some(sort_by) = &self.sort_by {
            let mut held = std::mem::take(&mut self.held);
            held.sort_by_cached_key(|object| SortKey(sort_by.key(object)));
            for object in held {
                self.emit(object, out)?;
            }
        }
        match &mut self.layout {
            Layout::Tables {
                done,
                show_kind,
                kinds,
                options,
                ..
            } => {
                let with_kind = *show_kind || kinds.len() > 1;
                for (i, (kind, buffer)) in done.iter().enumerate() {
                    if i > 0 && !options.no_headers {
                        out.write_all(b"\n")?;
                    }
                    buffer.write(out, with_kind.then_some(kind.as_str()))?;
                }
            }
            Layout::Objects(printer) => printer.finish(out)?,
            Layout::JsonPath {
                per_item: Some(_), ..
            } => {}
            Layout::JsonPath {
                printer,
                items,
                single,
                ..
            } => {
                let data = whole(items, *single);
                printer
                    .print(&data, out)
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            }
            Layout::GoTemplate {
                template,
                items,
                single,
            } => {
                let data = whole(items, *single);
                template.print(&data, out)?;
            }
            Layout::CustomColumns { printer } => {
                if self.printed == 0 {
                    // kubectl prints the header of an empty List.
                    printer
                        .add(&serde_json::json!({"items": []}))
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
                printer.flush(out)?;
            }
        }
        Ok(())
    }
}

/// `-o jsonpath[-file|-as-json]`'s printer, for lists and watches alike.
pub(super) fn jsonpath_printer(
    template: &str,
    as_json: bool,
    options: &PrintOptions,
) -> Result<JsonPathPrinter> {
    let output = if as_json {
        JsonPathOutput::Json
    } else {
        JsonPathOutput::Text
    };
    Ok(JsonPathPrinter::new(template, output)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .allow_missing_keys(options.allow_missing_template_keys))
}

/// `-o custom-columns[-file]`'s printer; kubectl ignores --no-headers for the file form.
pub(super) fn custom_columns_printer(
    spec: &Template,
    options: &PrintOptions,
) -> Result<CustomColumnsPrinter> {
    let from_file = spec.is_file();
    let text = spec.text()?;
    let columns = if from_file {
        CustomColumns::from_template(&text)
    } else {
        CustomColumns::from_spec(&text)
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(CustomColumnsPrinter::new(
        columns,
        options.no_headers && !from_file,
    ))
}

/// `-o go-template[-file]`'s printer.
pub(super) fn go_template_printer(
    template: &str,
    options: &PrintOptions,
) -> Result<GoTemplatePrinter> {
    Ok(GoTemplatePrinter::new(template)?.allow_missing_keys(options.allow_missing_template_keys))
}

/// A `-o jsonpath` template over a List that can be applied item by item as the pages arrive,
/// printing exactly what it prints over the whole List, so the List is never held:
/// `{range .items[*]}…{end}` and `{.items[*]…}`. Other templates get the whole List.
/// What a metadata-only list item holds (its kind and apiVersion are the resource's).
const METADATA_KEYS: &[&str] = &["metadata", "kind", "apiVersion"];

enum ItemTemplate {
    /// The body of `{range .items[*]}BODY{end}`, run on each item.
    Range(JsonPathPrinter),
    /// `{.items[*]REST}`: REST's results on each item, all separated by single spaces.
    Joined { path: JsonPath, printed: bool },
}

impl ItemTemplate {
    fn of(template: &str, allow_missing_keys: bool) -> Option<ItemTemplate> {
        // `$` would mean the List itself, which per-item evaluation does not see.
        if template.contains('$') {
            return None;
        }
        if let Some(body) = template
            .strip_prefix("{range .items[*]}")
            .and_then(|rest| rest.strip_suffix("{end}"))
            && body.matches("{range").count() == body.matches("{end}").count()
        {
            let printer = JsonPathPrinter::new(body, JsonPathOutput::Text).ok()?;
            return Some(ItemTemplate::Range(
                printer.allow_missing_keys(allow_missing_keys),
            ));
        }
        let rest = template.strip_prefix("{.items[*]")?.strip_suffix('}')?;
        if rest.is_empty() || rest.contains(['{', '}', ',', '"', '\'']) {
            return None;
        }
        let item_template = if rest.starts_with('.') {
            format!("{{{rest}}}")
        } else {
            format!("{{@{rest}}}")
        };
        let path = JsonPath::parse(&item_template).ok()?;
        Some(ItemTemplate::Joined {
            path: path.allow_missing_keys(allow_missing_keys),
            printed: false,
        })
    }

    /// See [`JsonPath::reads_only`].
    fn reads_only(&self, roots: &[&str]) -> bool {
        match self {
            ItemTemplate::Range(printer) => printer.reads_only(roots),
            ItemTemplate::Joined { path, .. } => path.reads_only(roots),
        }
    }

    fn print(&mut self, item: &Value, out: &mut impl Write) -> Result<()> {
        match self {
            ItemTemplate::Range(printer) => {
                printer.print(item, out).map_err(|e| anyhow::anyhow!("{e}"))
            }
            ItemTemplate::Joined { path, printed } => {
                let groups = path.evaluate(item).map_err(|e| anyhow::anyhow!("{e}"))?;
                for found in groups.iter().flatten() {
                    if *printed {
                        out.write_all(b" ")?;
                    }
                    let mut text = Vec::new();
                    found.write_text(&mut text);
                    out.write_all(&text)?;
                    *printed = true;
                }
                Ok(())
            }
        }
    }
}

/// What templates see: the one object asked for, or a List of everything.
fn whole(items: &mut Vec<Value>, single: bool) -> Value {
    let items = std::mem::take(items);
    if single && items.len() == 1 {
        return items.into_iter().next().unwrap_or(Value::Null);
    }
    serde_json::json!({
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    })
}

/// Sort keys ordered with `compare_keys`.
#[derive(PartialEq)]
struct SortKey(Value);

impl Eq for SortKey {}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_keys(&self.0, &other.0)
    }
}

/// A NAME/AGE table from plain objects: a server that answered JSON to a Table request, or
/// `--server-print=false`. Each row keeps its object (moved, not copied), for `--sort-by`.
pub(super) fn client_side_table(mut list: Value) -> Value {
    let now = jiff::Timestamp::now();
    let items = match list["items"].take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    let rows: Vec<Value> = items
        .into_iter()
        .map(|item| {
            let age = item["metadata"]["creationTimestamp"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|created| crate::print::age::human_duration(now.duration_since(created)))
                .unwrap_or_else(|| "<unknown>".to_string());
            let cells = serde_json::json!([item["metadata"]["name"], age]);
            // Built by hand: `json!` would copy the object.
            let mut row = serde_json::Map::new();
            row.insert("cells".to_owned(), cells);
            row.insert("object".to_owned(), item);
            Value::Object(row)
        })
        .collect();
    serde_json::json!({
        "kind": "Table",
        "columnDefinitions": [
            {"name": "Name", "type": "string", "priority": 0},
            {"name": "Age", "type": "string", "priority": 0},
        ],
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a writing verb (`apply -o`, `scale -o`) does: one object back from the server,
    /// printed in the format the user asked for.
    fn print_written(output: &str) -> String {
        let args = crate::cli::PrintArgs {
            output: Some(super::super::OutputArg::parse(output).expect("format")),
            allow_missing_template_keys: true,
            ..Default::default()
        };
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("deployments")
            .cloned()
            .expect("deployments");
        let written = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "managedFields": [{"manager": "kz"}]},
            "spec": {"replicas": 3},
        });
        let mut printer =
            Printer::new(&args.to_options().expect("options"), true).expect("printer");
        let mut out = Vec::new();
        printer.begin(&rt, false);
        printer.object(&rt, written, &mut out).expect("object");
        printer.end(&rt).expect("end");
        printer.finish(&mut out).expect("finish");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn a_written_object_prints_bare_in_every_object_format() {
        assert_eq!(print_written("name"), "deployment.apps/web\n");
        assert_eq!(
            print_written("yaml"),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 3\n"
        );
        assert_eq!(print_written("jsonpath={.spec.replicas}"), "3");
        assert_eq!(
            print_written("go-template={{.metadata.name}}/{{.spec.replicas}}"),
            "web/3"
        );
        let json: Value = serde_json::from_str(&print_written("json")).expect("json");
        assert_eq!(json["metadata"].get("managedFields"), None);
    }

    /// A list page printed as `get` prints it, decoded whole or item by item.
    fn print_page(output: Option<&str>, page: &str, raw: bool) -> String {
        let args = crate::cli::PrintArgs {
            output: output.map(|o| super::super::OutputArg::parse(o).expect("format")),
            ..Default::default()
        };
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("pods")
            .cloned()
            .expect("pods");
        let mut printer =
            Printer::new(&args.to_options().expect("options"), false).expect("printer");
        let mut out = Vec::new();
        let mut last_seen = None;
        printer.begin(&rt, true);
        if raw {
            let page = RawPage::read(bytes::Bytes::from(page.to_string()), false).expect("page");
            printer
                .raw_list_page(&rt, &page, None, &mut last_seen, &mut out)
                .expect("raw page");
        } else {
            let page: Value = serde_json::from_str(page).expect("json");
            printer
                .list_page(&rt, page, None, &mut last_seen, &mut out)
                .expect("page");
        }
        printer.end(&rt).expect("end");
        printer.finish(&mut out).expect("finish");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn pages_decoded_item_by_item_print_what_whole_pages_print() {
        let fixture = |name: &str| {
            let path = format!("{}/tests/fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(path).expect("fixture")
        };
        let list = fixture("029-list-pods.json");
        let empty = r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":null}"#;
        for output in ["json", "yaml", "name", "jsonpath={.items[*].metadata.name}"] {
            for page in [list.as_str(), empty] {
                let whole = print_page(Some(output), page, false);
                assert_eq!(print_page(Some(output), page, true), whole, "-o {output}");
            }
        }
        assert!(print_page(Some("name"), &list, true).starts_with("pod/"));
        let table = fixture("030-table-pods.json");
        let whole = print_page(None, &table, false);
        assert!(whole.starts_with("NAME "), "{whole}");
        assert_eq!(print_page(None, &table, true), whole);
    }

    #[test]
    fn sort_keys_compare_numbers_numerically() {
        assert_eq!(compare_keys(&json!(9), &json!(10)), Ordering::Less);
        assert_eq!(compare_keys(&json!("b"), &json!("a")), Ordering::Greater);
        assert_eq!(compare_keys(&Value::Null, &json!("a")), Ordering::Less);
    }

    /// Per-item printing must print exactly what the template prints over the whole List.
    #[test]
    fn item_templates_print_what_the_whole_list_prints() {
        let path = format!(
            "{}/tests/fixtures/http/029-list-pods.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let list: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
        let templates = [
            r#"{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}"#,
            r#"{range .items[*]}{.spec.containers[*].name}{"\n"}{range .spec.containers[*]}[{.image}]{end}{end}"#,
            "{.items[*].metadata.name}",
            "{.items[*].spec.containers[*].image}",
            "{.items[*].metadata.labels.missing}",
            "{.items[*].status.conditions[0].type}",
        ];
        for template in templates {
            let whole_printer =
                JsonPathPrinter::new(template, JsonPathOutput::Text).expect("template");
            let mut expected = Vec::new();
            whole_printer
                .print(&list, &mut expected)
                .expect("whole list");
            let mut per_item = ItemTemplate::of(template, true)
                .unwrap_or_else(|| panic!("{template} should stream"));
            let mut streamed = Vec::new();
            for item in list["items"].as_array().expect("items") {
                per_item.print(item, &mut streamed).expect("item");
            }
            assert_eq!(
                String::from_utf8_lossy(&streamed),
                String::from_utf8_lossy(&expected),
                "{template}"
            );
        }
        for whole_only in [
            "{.items[*]['metadata']}",
            "{.items[0].metadata.name}",
            "{.kind}",
            "{range .items[*]}{$.kind}{end}",
            "{.items[*].metadata.name}{\"\\n\"}",
        ] {
            assert!(ItemTemplate::of(whole_only, true).is_none(), "{whole_only}");
        }
    }
}
