//! What `get` prints: `-o` parsed into a format, and the printer state across the requests
//! of one command (tables per resource type, one List for object formats).

use std::cmp::Ordering;
use std::io::Write;

use anyhow::{Result, bail};
use serde_json::Value;

use super::Options;
use crate::api::list_position;
use crate::discovery::ResourceType;
use crate::print::custom_columns::{CustomColumns, CustomColumnsPrinter};
use crate::print::go_template::GoTemplatePrinter;
use crate::print::jsonpath::{Found, JsonPath, JsonPathOutput, JsonPathPrinter, relaxed};
use crate::print::objects::{ObjectFormat, ObjectPrinter};
use crate::print::server_table::{TableBuffer, TableOptions, cell_text};

/// `-o`, parsed. Template files are read here, so a missing one fails before any request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Wide,
    Json,
    Yaml,
    Name,
    JsonPath { template: String, as_json: bool },
    CustomColumns { spec: String, from_file: bool },
    GoTemplate { template: String },
}

const ALLOWED: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

impl OutputFormat {
    pub fn parse(output: Option<&str>, template_flag: Option<&str>) -> Result<OutputFormat> {
        let Some(output) = output.filter(|o| !o.is_empty()) else {
            return Ok(OutputFormat::Table);
        };
        let (name, value) = match output.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (output, template_flag),
        };
        let text = |value: Option<&str>| -> Result<String> {
            match value {
                Some(v) if !v.is_empty() => Ok(v.to_string()),
                _ => bail!("template format specified but no template given"),
            }
        };
        let file = |value: Option<&str>| -> Result<String> {
            let path = text(value)?;
            std::fs::read_to_string(&path).map_err(|err| {
                anyhow::anyhow!(
                    "error reading --template {path}, {}",
                    go_open_error(&path, &err)
                )
            })
        };
        Ok(match name {
            "wide" => OutputFormat::Wide,
            "json" => OutputFormat::Json,
            "yaml" => OutputFormat::Yaml,
            "name" => OutputFormat::Name,
            "jsonpath" => OutputFormat::JsonPath {
                template: text(value)?,
                as_json: false,
            },
            "jsonpath-as-json" => OutputFormat::JsonPath {
                template: text(value)?,
                as_json: true,
            },
            "jsonpath-file" => OutputFormat::JsonPath {
                template: file(value)?,
                as_json: false,
            },
            "custom-columns" => OutputFormat::CustomColumns {
                spec: value.unwrap_or_default().to_string(),
                from_file: false,
            },
            "custom-columns-file" => OutputFormat::CustomColumns {
                spec: file(value)?,
                from_file: true,
            },
            "go-template" | "template" => OutputFormat::GoTemplate {
                template: text(value)?,
            },
            "go-template-file" | "templatefile" => OutputFormat::GoTemplate {
                template: file(value)?,
            },
            other => bail!(
                "unable to match a printer suitable for the output format {other:?}, allowed formats are: {ALLOWED}"
            ),
        })
    }
}

/// Go's `open PATH: no such file or directory`, as kubectl reports a file it cannot read.
fn go_open_error(path: &str, err: &std::io::Error) -> String {
    let reason = match err.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => err.to_string().to_lowercase(),
    };
    format!("open {path}: {reason}")
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

enum Printer {
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

/// The printer of one `get` command.
pub struct Output {
    printer: Printer,
    sort_by: Option<SortBy>,
    /// Objects held back for `--sort-by` (object formats only).
    held: Vec<Value>,
    printed: usize,
}

/// `pod`, `deployment.apps`: how kubectl prefixes names with their kind.
pub fn kind_label(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        rt.kind.to_lowercase()
    } else {
        format!("{}.{}", rt.kind.to_lowercase(), rt.group)
    }
}

impl Output {
    /// `single`: exactly one object was asked for by name, so object formats print it bare.
    pub fn new(options: &Options, single: bool) -> Result<Output> {
        let table_options = |wide: bool| TableOptions {
            wide,
            no_headers: options.no_headers,
            namespace_column: options.all_namespaces,
            show_labels: options.show_labels,
            label_columns: options.label_columns.clone(),
            event_column: options.output_watch_events,
        };
        let objects = |format| {
            Printer::Objects(ObjectPrinter::new(
                format,
                !single,
                options.show_managed_fields,
            ))
        };
        let options_show_kind = options.show_kind;
        let printer = match &options.format {
            OutputFormat::Table | OutputFormat::Wide => {
                let options = table_options(options.format == OutputFormat::Wide);
                Printer::Tables {
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
                let printer = jsonpath_printer(template, *as_json, options)?;
                let output = if *as_json {
                    JsonPathOutput::Json
                } else {
                    JsonPathOutput::Text
                };
                // Missing keys are errors with --allow-missing-template-keys=false, and kubectl's
                // error text quotes the whole List: that mode keeps the List.
                let per_item = match (single, output, options.allow_missing_template_keys) {
                    (false, JsonPathOutput::Text, true) => ItemTemplate::of(template, true),
                    _ => None,
                };
                Printer::JsonPath {
                    printer,
                    per_item,
                    items: Vec::new(),
                    single,
                }
            }
            OutputFormat::CustomColumns { spec, from_file } => Printer::CustomColumns {
                printer: custom_columns_printer(spec, *from_file, options)?,
            },
            OutputFormat::GoTemplate { template } => {
                let template = go_template_printer(template, options)?;
                Printer::GoTemplate {
                    template,
                    items: Vec::new(),
                    single,
                }
            }
        };
        let sort_by = options.sort_by.as_deref().map(SortBy::new).transpose()?;
        Ok(Output {
            printer,
            sort_by,
            held: Vec::new(),
            printed: 0,
        })
    }

    pub fn wants_tables(&self) -> bool {
        matches!(self.printer, Printer::Tables { .. })
    }

    /// How many objects or rows were printed (or are ready to be).
    pub fn printed(&self) -> usize {
        self.printed
    }

    /// The requests of one resource type begin; `list` when they are a list (which counts
    /// as an answer of its kind even when empty).
    pub fn begin_type(&mut self, rt: &ResourceType, list: bool) {
        if let Printer::Tables {
            options,
            current,
            current_options,
            keys,
            namespace_column_kept,
            ..
        } = &mut self.printer
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
        if let Printer::Tables { kinds, .. } = &mut self.printer {
            let kind = kind_label(rt);
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }

    /// The list of the current type started over: forget the rows kept for its table.
    pub fn restart_type(&mut self) {
        if let Printer::Tables {
            current,
            current_options,
            keys,
            ..
        } = &mut self.printer
        {
            self.printed -= current.as_ref().map_or(0, |c| c.rows.len());
            *current = Some(TableBuffer::new(current_options.clone()));
            keys.clear();
        }
    }

    /// One page of a list: a Table (table formats) or a list of items.
    pub fn page(
        &mut self,
        rt: &ResourceType,
        page: Value,
        skip_until: Option<&(String, String)>,
        last_seen: &mut Option<(String, String)>,
        out: &mut impl Write,
    ) -> Result<()> {
        if page["kind"] == "Table" {
            return self.table(page);
        }
        if self.wants_tables() {
            return self.table(client_side_table(&page));
        }
        let api_version = page["apiVersion"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| rt.api_version());
        let mut page = page;
        let Value::Array(items) = page["items"].take() else {
            return Ok(());
        };
        for mut item in items {
            let position = list_position(&item);
            if skip_until.is_some_and(|skip| position <= *skip) {
                continue;
            }
            *last_seen = Some(position);
            if item.get("kind").is_none() {
                item["kind"] = Value::String(rt.kind.clone());
            }
            if item.get("apiVersion").is_none() {
                item["apiVersion"] = Value::String(api_version.clone());
            }
            self.object(item, out)?;
        }
        Ok(())
    }

    /// One object fetched by name: a one-row Table, or the object.
    pub fn single(&mut self, rt: &ResourceType, body: Value, out: &mut impl Write) -> Result<()> {
        self.answered(rt);
        if body["kind"] == "Table" {
            return self.table(body);
        }
        if self.wants_tables() {
            let list = serde_json::json!({"items": [body]});
            return self.table(client_side_table(&list));
        }
        self.object(body, out)
    }

    fn table(&mut self, table: Value) -> Result<()> {
        let Printer::Tables { current, keys, .. } = &mut self.printer else {
            return Ok(());
        };
        let buffer = current.get_or_insert_with(TableBuffer::default);
        let sort_by = self.sort_by.as_ref();
        self.printed += buffer.add_table(&table, None, |object| {
            if let Some(sort_by) = sort_by {
                keys.push(sort_by.key(object));
            }
        });
        Ok(())
    }

    fn object(&mut self, object: Value, out: &mut impl Write) -> Result<()> {
        self.printed += 1;
        if self.sort_by.is_some() {
            self.held.push(object);
            return Ok(());
        }
        self.emit(object, out)
    }

    fn emit(&mut self, object: Value, out: &mut impl Write) -> Result<()> {
        match &mut self.printer {
            Printer::Objects(printer) => printer.object(out, object),
            Printer::JsonPath {
                per_item: Some(template),
                ..
            } => template.print(&object, out),
            Printer::JsonPath { items, .. } | Printer::GoTemplate { items, .. } => {
                items.push(object);
                Ok(())
            }
            Printer::CustomColumns { printer } => {
                printer.add(&object).map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(())
            }
            Printer::Tables { .. } => Ok(()),
        }
    }

    /// The end of one resource type's requests: its table is complete. (Custom columns are
    /// laid out once, at the end, across every type like kubectl's one List; only the rows'
    /// text is kept meanwhile.)
    pub fn end_type(&mut self, rt: &ResourceType) -> Result<()> {
        if let Printer::Tables {
            done,
            current,
            keys,
            ..
        } = &mut self.printer
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
        match &mut self.printer {
            Printer::Tables {
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
            Printer::Objects(printer) => printer.finish(out)?,
            Printer::JsonPath {
                per_item: Some(_), ..
            } => {}
            Printer::JsonPath {
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
            Printer::GoTemplate {
                template,
                items,
                single,
            } => {
                let data = whole(items, *single);
                template.print(&data, out)?;
            }
            Printer::CustomColumns { printer } => {
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

/// `-o jsonpath[-file|-as-json]`'s printer, as `get` and `get --watch` use it.
pub(super) fn jsonpath_printer(
    template: &str,
    as_json: bool,
    options: &Options,
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
    spec: &str,
    from_file: bool,
    options: &Options,
) -> Result<CustomColumnsPrinter> {
    let columns = if from_file {
        CustomColumns::from_template(spec)
    } else {
        CustomColumns::from_spec(spec)
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(CustomColumnsPrinter::new(
        columns,
        options.no_headers && !from_file,
    ))
}

/// `-o go-template[-file]`'s printer.
pub(super) fn go_template_printer(template: &str, options: &Options) -> Result<GoTemplatePrinter> {
    Ok(GoTemplatePrinter::new(template)?.allow_missing_keys(options.allow_missing_template_keys))
}

/// A `-o jsonpath` template over a List that can be applied item by item as the pages arrive,
/// printing exactly what it prints over the whole List, so the List is never held:
/// `{range .items[*]}…{end}` and `{.items[*]…}`. Other templates get the whole List.
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

/// A NAME/AGE table for a server that answered plain JSON to a Table request.
fn client_side_table(list: &Value) -> Value {
    let now = jiff::Timestamp::now();
    let rows: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let age = item["metadata"]["creationTimestamp"]
                .as_str()
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|created| crate::print::age::human_duration(now.duration_since(created)))
                .unwrap_or_else(|| "<unknown>".to_string());
            serde_json::json!({
                "cells": [item["metadata"]["name"].clone(), age],
                "object": {"metadata": item["metadata"].clone()},
            })
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

    #[test]
    fn output_formats_parse_like_kubectl() {
        assert_eq!(
            OutputFormat::parse(None, None).expect("default"),
            OutputFormat::Table
        );
        assert_eq!(
            OutputFormat::parse(Some("jsonpath={.a}"), None).expect("jsonpath"),
            OutputFormat::JsonPath {
                template: "{.a}".into(),
                as_json: false
            }
        );
        assert_eq!(
            OutputFormat::parse(Some("jsonpath"), Some("{.b}")).expect("--template"),
            OutputFormat::JsonPath {
                template: "{.b}".into(),
                as_json: false
            }
        );
        let err = OutputFormat::parse(Some("bogus"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "unable to match a printer suitable for the output format \"bogus\", allowed formats are: {ALLOWED}"
            )
        );
        assert!(OutputFormat::parse(Some("jsonpath="), None).is_err());
        let missing =
            OutputFormat::parse(Some("go-template-file=/no/such/file"), None).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "error reading --template /no/such/file, open /no/such/file: no such file or directory"
        );
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
