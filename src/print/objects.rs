//! `-o json`, `-o yaml` and `-o name`, printed one object at a time, and the one place that
//! makes an object ready to print (its kind and apiVersion, its managedFields).
//!
//! kubectl prints one requested object bare and anything else as a `List`. The List is
//! written as it goes: its header, then each item as it arrives, then its footer — so memory
//! does not grow with the number of objects. The keys of a List come out sorted (`apiVersion`,
//! `items`, `kind`, `metadata`), which is what makes streaming it possible. Under a watch each
//! object is its own document (YAML ones separated by `---`), optionally as `{type, object}`.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use serde_json::Value;

use super::gofmt::{self, NumberMode};
use super::kubectl_yaml;
use super::node::Node;
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

    /// As [`TypeDefaults::fill`], for an object read as a [`Node`].
    pub fn fill_node<'a>(&'a self, object: &mut Node<'a>) {
        for (key, value) in [("kind", &self.kind), ("apiVersion", &self.api_version)] {
            let missing = self.replace || object.str_at(&[key]).is_none_or(str::is_empty);
            if missing {
                object.set(key, Node::String(Cow::Borrowed(value)));
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
    /// The text of the object being printed, kept to be reused by the next.
    text: String,
}

/// kubectl's `json.MarshalIndent(obj, "", "    ")` of unstructured objects.
const JSON_INDENT: &str = "    ";
const JSON_NUMBERS: NumberMode = NumberMode::Unstructured;

impl ObjectPrinter {
    pub fn new(format: ObjectFormat, arrangement: Arrangement, show_managed_fields: bool) -> Self {
        ObjectPrinter {
            format,
            arrangement,
            show_managed_fields,
            printed: 0,
            started: false,
            text: String::new(),
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
        object: Value,
        event: Option<&str>,
    ) -> Result<()> {
        self.node(out, Node::from(&object), event)
    }

    /// As [`ObjectPrinter::object`], for an object read as a [`Node`].
    pub fn node(
        &mut self,
        out: &mut impl Write,
        mut object: Node<'_>,
        event: Option<&str>,
    ) -> Result<()> {
        self.start(out)?;
        // kubectl prints a watch event (`--output-watch-events`) as its WatchEvent: the
        // object whole, managed fields included.
        let event = match self.arrangement {
            Arrangement::Stream { events: true } if self.format != ObjectFormat::Name => event,
            _ => None,
        };
        if event.is_none()
            && !self.show_managed_fields
            && let Some(meta) = object.get_mut("metadata")
        {
            meta.remove("managedFields");
        }
        self.text.clear();
        if let Some(event) = event {
            self.event(event, object);
            out.write_all(self.text.as_bytes())?;
            self.printed += 1;
            return Ok(());
        }
        match (self.format, self.arrangement) {
            (ObjectFormat::Name, _) => {
                self.text.push_str(&object_name(
                    object.str_at(&["kind"]),
                    object.str_at(&["apiVersion"]),
                    object.str_at(&["metadata", "name"]),
                ));
                self.text.push('\n');
            }
            (ObjectFormat::Json, Arrangement::List) => {
                self.text
                    .push_str(if self.printed == 0 { "\n" } else { ",\n" });
                self.text.push_str(JSON_INDENT);
                self.text.push_str(JSON_INDENT);
                gofmt::write_node_json(
                    &mut self.text,
                    &mut object,
                    Some(JSON_INDENT),
                    JSON_NUMBERS,
                    2,
                );
            }
            (ObjectFormat::Json, _) => {
                gofmt::write_node_json(
                    &mut self.text,
                    &mut object,
                    Some(JSON_INDENT),
                    JSON_NUMBERS,
                    0,
                );
                self.text.push('\n');
            }
            (ObjectFormat::Yaml, Arrangement::Single) => {
                kubectl_yaml::write_document(&mut self.text, &mut object);
            }
            (ObjectFormat::Yaml, Arrangement::Stream { .. }) => {
                if self.printed > 0 {
                    self.text.push_str("---\n");
                }
                kubectl_yaml::write_document(&mut self.text, &mut object);
            }
            (ObjectFormat::Yaml, Arrangement::List) => {
                if self.printed == 0 {
                    self.text.push_str("items:\n");
                }
                kubectl_yaml::write_list_item(&mut self.text, &mut object);
            }
        }
        out.write_all(self.text.as_bytes())?;
        self.printed += 1;
        Ok(())
    }

    /// One watch event as kubectl prints its `metav1.WatchEvent`: JSON is `json.Marshal`'s
    /// one line, `type` first (the struct's order); YAML is a document of its two keys.
    fn event(&mut self, event: &str, mut object: Node<'_>) {
        match self.format {
            ObjectFormat::Json => {
                self.text.push_str("{\"type\":");
                gofmt::write_json_string(&mut self.text, event);
                self.text.push_str(",\"object\":");
                gofmt::write_node_json(&mut self.text, &mut object, None, JSON_NUMBERS, 0);
                self.text.push_str("}\n");
            }
            ObjectFormat::Yaml | ObjectFormat::Name => {
                if self.printed > 0 {
                    self.text.push_str("---\n");
                }
                let mut document = Node::Object(vec![
                    (Cow::Borrowed("type"), Node::String(Cow::Borrowed(event))),
                    (Cow::Borrowed("object"), object),
                ]);
                kubectl_yaml::write_document(&mut self.text, &mut document);
            }
        }
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
fn object_name(kind: Option<&str>, api_version: Option<&str>, name: Option<&str>) -> String {
    let kind = kind.unwrap_or_default().to_lowercase();
    let group = api_version
        .and_then(|v| v.split_once('/'))
        .map(|(group, _)| group)
        .unwrap_or_default();
    // kubectl's NamePrinter: an object without a name (a kubeconfig) is `<unknown>`.
    let name = name.filter(|name| !name.is_empty()).unwrap_or("<unknown>");
    if group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{group}/{name}")
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
    fn a_nameless_object_is_unknown_by_name_as_in_kubectl() {
        assert_eq!(
            object_name(Some("Config"), Some("v1"), None),
            "config/<unknown>"
        );
        assert_eq!(
            object_name(Some("Pod"), Some("v1"), Some("")),
            "pod/<unknown>"
        );
        assert_eq!(
            object_name(Some("Deployment"), Some("apps/v1"), Some("web")),
            "deployment.apps/web"
        );
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
    fn one_object_prints_as_kubectl_printed_it_and_list_items_nest_it() {
        let kubectl = fixture_stdout("get-deploy-json.txt");
        let object: Value = serde_json::from_str(&kubectl).expect("json");
        let mut single = ObjectPrinter::new(ObjectFormat::Json, Arrangement::Single, true);
        let mut out = Vec::new();
        single
            .object(&mut out, object.clone(), None)
            .expect("print");
        assert_eq!(String::from_utf8(out).expect("utf8"), kubectl);

        let list = print(ObjectFormat::Json, true, &[object.clone(), object]);
        let nested: String = kubectl
            .lines()
            .map(|line| format!("        {line}\n"))
            .collect();
        let expected = format!(
            "{{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n{},\n{}\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {{\n        \"resourceVersion\": \"\"\n    }}\n}}\n",
            nested.trim_end(),
            nested.trim_end()
        );
        assert_eq!(list, expected);
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
        let name = object_name(
            item["kind"].as_str(),
            item["apiVersion"].as_str(),
            item["metadata"]["name"].as_str(),
        );
        assert_eq!(name, "deployment.apps/a");
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
        // kubectl prints the WatchEvent whole: its object keeps its managed fields.
        assert_eq!(
            text,
            "object:\n  apiVersion: v1\n  kind: Pod\n  metadata:\n    managedFields:\n    - {}\n    name: a\ntype: ADDED\n---\nobject:\n  apiVersion: v1\n  kind: Pod\n  metadata:\n    managedFields:\n    - {}\n    name: a\ntype: DELETED\n"
        );
        let mut json = ObjectPrinter::new(
            ObjectFormat::Json,
            Arrangement::Stream { events: true },
            false,
        );
        let mut out = Vec::new();
        let b = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "<b>"}});
        json.object(&mut out, b, Some("ADDED")).expect("b");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"\\u003cb\\u003e\"}}}\n"
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
