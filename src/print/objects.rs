//! `-o json`, `-o yaml` and `-o name`, printed one object at a time, and the one place that
//! makes an object ready to print (its kind and apiVersion, its managedFields).
//!
//! kubectl prints one requested object bare and anything else as a `List`. The List is
//! written as it goes: its header, then each item as it arrives, then its footer — so memory
//! does not grow with the number of objects. The keys of a List come out sorted (`apiVersion`,
//! `items`, `kind`, `metadata`), which is what makes streaming it possible. Under a watch each
//! object is its own document (YAML ones separated by `---`), optionally as `{type, object}`.

use std::io::Write;

use anyhow::Result;
use serde_json::Value;

use super::kubectl_yaml;
use crate::discovery::ResourceType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectFormat {
    Json,
    Yaml,
    Name,
}

/// How the objects of one command are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// Exactly one object was asked for: it is printed bare.
    Single,
    /// Everything goes into one `List`.
    List,
    /// A watch: one document per object (per `{type, object}` event with `events`).
    Stream { events: bool },
}

/// What the items of a list page lack: the list's kind and apiVersion (servers leave them
/// out of items, but a printed object must say what it is). The items of a metadata-only list
/// (`PartialObjectMetadataList`) say `PartialObjectMetadata`: theirs are replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDefaults {
    kind: String,
    api_version: String,
    replace: bool,
}

impl TypeDefaults {
    /// For the items of `page`, a list of `rt`: the page's apiVersion, else the type's.
    pub fn for_page(rt: &ResourceType, page: &Value) -> TypeDefaults {
        TypeDefaults::for_list(rt, page["kind"].as_str(), page["apiVersion"].as_str())
    }

    /// For the items of a list of `rt` whose own kind and apiVersion are these.
    pub fn for_list(
        rt: &ResourceType,
        kind: Option<&str>,
        api_version: Option<&str>,
    ) -> TypeDefaults {
        if kind == Some("PartialObjectMetadataList") {
            return TypeDefaults {
                kind: rt.kind.clone(),
                api_version: rt.api_version(),
                replace: true,
            };
        }
        TypeDefaults {
            kind: rt.kind.clone(),
            api_version: api_version
                .filter(|v| !v.is_empty())
                .map_or_else(|| rt.api_version(), String::from),
            replace: false,
        }
    }

    /// Fills in the kind and apiVersion `object` lacks (or has empty, or has from a
    /// metadata-only list).
    pub fn fill(&self, object: &mut Value) {
        let Some(fields) = object.as_object_mut() else {
            return;
        };
        for (key, value) in [("kind", &self.kind), ("apiVersion", &self.api_version)] {
            let missing = self.replace
                || fields
                    .get(key)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty);
            if missing {
                fields.insert(key.to_string(), Value::String(value.clone()));
            }
        }
    }
}

/// The items of a list page, each with its kind and apiVersion.
pub fn list_items(rt: &ResourceType, mut page: Value) -> impl Iterator<Item = Value> {
    let defaults = TypeDefaults::for_page(rt, &page);
    let items = match page["items"].take() {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    items.into_iter().map(move |mut item| {
        defaults.fill(&mut item);
        item
    })
}

/// Prints objects in one of the object formats: bare, in a List, or one document each.
pub struct ObjectPrinter {
    format: ObjectFormat,
    arrangement: Arrangement,
    show_managed_fields: bool,
    printed: usize,
    started: bool,
    /// The YAML or JSON of the object being printed, kept to be reused by the next.
    yaml: String,
    json: Vec<u8>,
}

const JSON_INDENT: &[u8] = b"    ";

impl ObjectPrinter {
    pub fn new(format: ObjectFormat, arrangement: Arrangement, show_managed_fields: bool) -> Self {
        ObjectPrinter {
            format,
            arrangement,
            show_managed_fields,
            printed: 0,
            started: false,
            yaml: String::new(),
            json: Vec::new(),
        }
    }

    /// Whether what is printed comes from the objects' metadata alone (`-o name`), so lists
    /// may be asked for as metadata only.
    pub fn needs_only_metadata(&self) -> bool {
        self.format == ObjectFormat::Name
    }

    fn start(&mut self, out: &mut impl Write) -> Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        if self.arrangement != Arrangement::List {
            return Ok(());
        }
        match self.format {
            ObjectFormat::Json => {
                out.write_all(b"{\n    \"apiVersion\": \"v1\",\n    \"items\": [")?
            }
            ObjectFormat::Yaml => out.write_all(b"apiVersion: v1\n")?,
            ObjectFormat::Name => {}
        }
        Ok(())
    }

    /// Prints one object (which must carry its kind and apiVersion); `event` is the watch
    /// event's type, for `{type, object}` documents.
    pub fn object(
        &mut self,
        out: &mut impl Write,
        mut object: Value,
        event: Option<&str>,
    ) -> Result<()> {
        self.start(out)?;
        if !self.show_managed_fields
            && let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.remove("managedFields");
        }
        let object = match (self.arrangement, event) {
            (Arrangement::Stream { events: true }, Some(event))
                if self.format != ObjectFormat::Name =>
            {
                serde_json::json!({"type": event, "object": object})
            }
            _ => object,
        };
        match (self.format, self.arrangement) {
            (ObjectFormat::Name, _) => writeln!(out, "{}", name_of(&object))?,
            (ObjectFormat::Json, arrangement) => {
                // The serializer writes token by token: into a buffer, not through `out`.
                self.json.clear();
                if arrangement == Arrangement::List {
                    self.json
                        .extend_from_slice(if self.printed == 0 { b"\n" } else { b",\n" });
                    write_pretty_json(&mut self.json, &object, 2)?;
                } else {
                    write_pretty_json(&mut self.json, &object, 0)?;
                    self.json.push(b'\n');
                }
                out.write_all(&self.json)?;
            }
            (ObjectFormat::Yaml, arrangement) => {
                self.yaml.clear();
                match arrangement {
                    Arrangement::Single => kubectl_yaml::write_document(&mut self.yaml, &object),
                    Arrangement::Stream { .. } => {
                        if self.printed > 0 {
                            self.yaml.push_str("---\n");
                        }
                        kubectl_yaml::write_document(&mut self.yaml, &object);
                    }
                    Arrangement::List => {
                        if self.printed == 0 {
                            self.yaml.push_str("items:\n");
                        }
                        kubectl_yaml::write_list_item(&mut self.yaml, &object);
                    }
                }
                out.write_all(self.yaml.as_bytes())?;
            }
        }
        self.printed += 1;
        Ok(())
    }

    /// Closes the List (an empty one if nothing was printed).
    pub fn finish(&mut self, out: &mut impl Write) -> Result<()> {
        if self.arrangement != Arrangement::List {
            return Ok(());
        }
        self.start(out)?;
        match self.format {
            ObjectFormat::Json => {
                if self.printed > 0 {
                    out.write_all(b"\n    ]")?;
                } else {
                    out.write_all(b"]")?;
                }
                out.write_all(
                    b",\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n",
                )?;
            }
            ObjectFormat::Yaml => {
                if self.printed == 0 {
                    out.write_all(b"items: []\n")?;
                }
                out.write_all(b"kind: List\nmetadata:\n  resourceVersion: \"\"\n")?;
            }
            ObjectFormat::Name => {}
        }
        Ok(())
    }
}

/// `pod/web-1` or `deployment.apps/web`, as `-o name` prints objects.
pub fn name_of(object: &Value) -> String {
    let kind = object["kind"].as_str().unwrap_or_default().to_lowercase();
    let group = object["apiVersion"]
        .as_str()
        .and_then(|v| v.split_once('/'))
        .map(|(group, _)| group)
        .unwrap_or_default();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{group}/{name}")
    }
}

/// Pretty JSON with kubectl's 4-space indent, as if nested `depth` levels deep (the first line
/// indented too, no final newline).
fn write_pretty_json(out: &mut impl Write, value: &Value, depth: usize) -> Result<()> {
    for _ in 0..depth {
        out.write_all(JSON_INDENT)?;
    }
    let formatter = NestedPretty {
        depth,
        has_value: false,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, formatter);
    serde::Serialize::serialize(value, &mut serializer)?;
    Ok(())
}

/// serde_json's pretty layout (4 spaces) starting `depth` levels in, so a List item is
/// written once, straight to the output, instead of being written and then re-indented.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    fn newline<W: ?Sized + Write>(&self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b"\n")?;
        for _ in 0..self.depth {
            out.write_all(JSON_INDENT)?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(out)?;
        }
        out.write_all(bracket)
    }

    fn element<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.newline(out)
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.element(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.element(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture_stdout(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/kubectl/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).expect("fixture");
        let (_, rest) = text.split_once("# --- stdout\n").expect("stdout");
        rest.split_once("# --- stderr")
            .expect("stderr")
            .0
            .to_string()
    }

    fn print(format: ObjectFormat, as_list: bool, objects: &[Value]) -> String {
        let arrangement = if as_list {
            Arrangement::List
        } else {
            Arrangement::Single
        };
        let mut printer = ObjectPrinter::new(format, arrangement, false);
        let mut out = Vec::new();
        for object in objects {
            printer
                .object(&mut out, object.clone(), None)
                .expect("print");
        }
        printer.finish(&mut out).expect("finish");
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn a_single_object_prints_bare_like_kubectl() {
        let real_json = fixture_stdout("get-deploy-json.txt");
        let object: Value = serde_json::from_str(&real_json).expect("json");
        assert_eq!(
            print(ObjectFormat::Json, false, std::slice::from_ref(&object)),
            real_json
        );
        assert_eq!(
            print(ObjectFormat::Yaml, false, &[object]),
            fixture_stdout("get-deploy-yaml.txt")
        );
    }

    #[test]
    fn lists_wrap_items_and_close() {
        let a = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "managedFields": []}});
        let b = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"}});
        let json_list = print(ObjectFormat::Json, true, &[a.clone(), b.clone()]);
        let parsed: Value = serde_json::from_str(&json_list).expect("valid JSON");
        assert_eq!(parsed["kind"], "List");
        assert_eq!(parsed["items"][1]["metadata"]["name"], "b");
        assert!(
            parsed["items"][0]["metadata"]
                .get("managedFields")
                .is_none()
        );
        assert!(json_list.contains("\n        {\n            \"apiVersion\": \"v1\",\n"));
        assert_eq!(
            print(ObjectFormat::Yaml, true, std::slice::from_ref(&a)),
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
        );
        assert_eq!(
            print(ObjectFormat::Name, true, &[a, b]),
            "pod/a\ndeployment.apps/b\n"
        );
    }

    #[test]
    fn nested_items_are_laid_out_like_re_indented_pretty_json() {
        let object: Value =
            serde_json::from_str(&fixture_stdout("get-deploy-json.txt")).expect("json");
        let mut pretty = Vec::new();
        write_pretty_json(&mut pretty, &object, 0).expect("pretty");
        let expected: Vec<String> = String::from_utf8(pretty)
            .expect("utf8")
            .lines()
            .map(|line| format!("        {line}"))
            .collect();
        let mut nested = Vec::new();
        write_pretty_json(&mut nested, &object, 2).expect("nested");
        assert_eq!(
            String::from_utf8(nested).expect("utf8"),
            expected.join("\n")
        );
    }

    #[test]
    fn list_items_get_their_type_from_the_page_or_the_resource() {
        let rt = crate::discovery::builtin::catalog()
            .resolve_one("deployments")
            .cloned()
            .expect("deployments");
        let page = json!({"apiVersion": "apps/v1", "kind": "DeploymentList", "items": [
            {"metadata": {"name": "a"}},
            {"kind": "", "apiVersion": "", "metadata": {"name": "b"}},
            {"kind": "Other", "apiVersion": "x/v2", "metadata": {"name": "c"}},
        ]});
        let typed: Vec<(String, String)> = list_items(&rt, page)
            .map(|item| (item["kind"].to_string(), item["apiVersion"].to_string()))
            .collect();
        assert_eq!(
            typed,
            [
                (r#""Deployment""#.into(), r#""apps/v1""#.into()),
                (r#""Deployment""#.into(), r#""apps/v1""#.into()),
                (r#""Other""#.into(), r#""x/v2""#.into()),
            ]
        );
        // A metadata-only list's items are typed by the resource, not as PartialObjectMetadata.
        let partial = json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "items": [
            {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "a"}},
        ]});
        let item = list_items(&rt, partial).next().expect("item");
        assert_eq!(name_of(&item), "deployment.apps/a");
        // A page without an apiVersion (a watch's relist through a proxy, say) never leaves
        // `apiVersion: ""`: the resource type knows it.
        let bare = json!({"items": [{"metadata": {"name": "a"}}]});
        let item = list_items(&rt, bare).next().expect("item");
        assert_eq!(item["apiVersion"], "apps/v1");
    }

    #[test]
    fn watch_streams_are_documents_one_after_another() {
        let a = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "managedFields": [{}]}});
        let mut printer = ObjectPrinter::new(
            ObjectFormat::Yaml,
            Arrangement::Stream { events: true },
            false,
        );
        let mut out = Vec::new();
        printer
            .object(&mut out, a.clone(), Some("ADDED"))
            .expect("a");
        printer.object(&mut out, a, Some("DELETED")).expect("b");
        printer.finish(&mut out).expect("finish");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            "object:\n  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\ntype: ADDED\n---\nobject:\n  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\ntype: DELETED\n"
        );
    }

    #[test]
    fn empty_lists_match_kubectl() {
        assert_eq!(
            print(ObjectFormat::Json, true, &[]),
            "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        );
        assert_eq!(
            print(ObjectFormat::Yaml, true, &[]),
            "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n"
        );
    }
}
