//! The objects in a manifest's text, each with its whole body and where it came from (source,
//! document number, line), so verbs can send the body and errors can point at the document.
//!
//! Decoding follows kubectl's `YAMLOrJSONDecoder`: text whose first non-blank character is `{`
//! is a stream of JSON objects, anything else a stream of YAML documents split at `---` lines.
//! Empty documents are skipped, List kinds are flattened into their items, and a document that
//! does not parse is an error in its place that ends the text (the documents before it are
//! still read).

use std::fmt;

use anyhow::{Result, anyhow, bail};
use serde_json::{Map, Value};

/// Where an object came from: `deploy.yaml (document 2, line 14)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as given or found, `STDIN`, or the URL.
    pub source: String,
    /// 1-based, counting only the documents that hold something (not empty or comments).
    pub document: usize,
    /// 1-based: the document's first line (after its `---`).
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (document {}, line {})",
            self.source, self.document, self.line
        )
    }
}

/// One object of a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    pub api_version: String,
    pub kind: String,
    /// Empty when the object has none (a `generateName` object for `create`).
    pub name: String,
    /// `metadata.namespace` as written (an empty one counts as none).
    pub namespace: Option<String>,
    /// The whole object, as written.
    pub body: Value,
    pub origin: Origin,
}

impl Manifest {
    /// Makes `namespace` the object's namespace, in the body too (none: removed from it).
    pub fn set_namespace(&mut self, namespace: Option<String>) {
        if let Some(metadata) = self.body.get_mut("metadata").and_then(Value::as_object_mut) {
            match &namespace {
                Some(ns) => {
                    metadata.insert("namespace".into(), Value::String(ns.clone()));
                }
                None => {
                    metadata.remove("namespace");
                }
            }
        } else if let (Some(ns), Some(body)) = (&namespace, self.body.as_object_mut()) {
            let mut metadata = Map::new();
            metadata.insert("namespace".into(), Value::String(ns.clone()));
            body.insert("metadata".into(), Value::Object(metadata));
        }
        self.namespace = namespace;
    }
}

/// The text of a manifest file or stream: UTF-8 with or without a byte-order mark, or UTF-16
/// with one (kubectl reads both).
pub fn decode_text(bytes: &[u8], source: &str) -> Result<String> {
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|pair| unit([pair[0], pair.get(1).copied().unwrap_or(0)]))
            .collect();
        String::from_utf16(&units).map_err(|_| anyhow!("error parsing {source}: invalid UTF-16"))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest, source),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => utf8(bytes, source),
    }
}

fn utf8(bytes: &[u8], source: &str) -> Result<String> {
    String::from_utf8(bytes.to_vec())
        .map_err(|err| anyhow!("error parsing {source}: the text is not UTF-8: {err}"))
}

/// Every object of `text` in order; see the module documentation.
pub fn parse(text: &str, source: &str) -> Vec<Result<Manifest>> {
    let mut objects = Vec::new();
    let documents = if text.trim_start().starts_with('{') {
        json_documents(text, source)
    } else {
        yaml_documents(text, source)
    };
    for document in documents {
        match document {
            Ok((value, origin)) => match flatten(value, &origin) {
                Ok(flat) => objects.extend(flat.into_iter().map(Ok)),
                Err(err) => objects.push(Err(err)),
            },
            Err(err) => {
                objects.push(Err(err));
                break;
            }
        }
    }
    objects
}

type Document = Result<(Value, Origin)>;

/// The values of a JSON stream (`{…} {…}`); the first one that does not parse ends it.
fn json_documents(text: &str, source: &str) -> Vec<Document> {
    let mut documents = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    loop {
        let offset = stream.byte_offset();
        let start = offset + (text[offset..].len() - text[offset..].trim_start().len());
        match stream.next() {
            None => break,
            Some(Ok(Value::Null)) => {}
            Some(Ok(value)) => documents.push(Ok((
                value,
                Origin {
                    source: source.to_owned(),
                    document: documents.len() + 1,
                    line: line_at(text, start),
                },
            ))),
            Some(Err(err)) => {
                let document = documents.len() + 1;
                documents.push(Err(anyhow!(
                    "error parsing {source} (document {document}): {err}"
                )));
                break;
            }
        }
    }
    documents
}

/// The documents of a YAML stream, parsed one by one: an error's line is counted from the
/// start of its document, like kubectl's.
fn yaml_documents(text: &str, source: &str) -> Vec<Document> {
    let mut documents = Vec::new();
    let mut number = 0;
    for (start, chunk) in split_yaml(text) {
        match crate::yaml::from_str(chunk) {
            Ok(Value::Null) => {}
            Ok(value) => {
                number += 1;
                documents.push(Ok((
                    value,
                    Origin {
                        source: source.to_owned(),
                        document: number,
                        line: line_at(text, start),
                    },
                )));
            }
            Err(err) => {
                let first_line = line_at(text, start);
                documents.push(Err(yaml_error(&err, source, number + 1, first_line)));
                break;
            }
        }
    }
    documents
}

/// A YAML error with where it is: `error parsing m.yaml (document 2, line 14, column 3):
/// unclosed bracket '['`, the line counted in the whole file.
fn yaml_error(
    err: &serde_saphyr::Error,
    source: &str,
    document: usize,
    first_line: usize,
) -> anyhow::Error {
    let text = err.to_string();
    let Some(location) = err.location().filter(|l| l.line() > 0) else {
        return anyhow!("error parsing {source} (document {document}, line {first_line}): {text}");
    };
    let (line, column) = (location.line(), location.column());
    let prefix = format!("line {line} column {column}: ");
    let suffix = format!(" at line {line}, column {column}");
    let message = text
        .strip_prefix(&prefix)
        .or_else(|| text.strip_suffix(&suffix))
        .unwrap_or(&text);
    let line = first_line + usize::try_from(line).unwrap_or(1) - 1;
    anyhow!("error parsing {source} (document {document}, line {line}, column {column}): {message}")
}

/// Splits a YAML stream at its separator lines, as Kubernetes' YAML reader does: a line that
/// starts with `---` followed by nothing but blanks or a comment. Each part comes with the
/// byte offset where it starts.
fn split_yaml(text: &str) -> Vec<(usize, &str)> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if rest.is_empty() || rest.starts_with('#') {
                parts.push((start, &text[start..offset]));
                start = offset + line.len();
            }
        }
        offset += line.len();
    }
    parts.push((start, &text[start..]));
    parts
}

/// The 1-based line of byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].bytes().filter(|&b| b == b'\n').count() + 1
}

/// The objects of one document: itself, or the items of a List (recursively). A broken item
/// fails the whole List, as in kubectl.
fn flatten(document: Value, origin: &Origin) -> Result<Vec<Manifest>> {
    let mut out = Vec::new();
    flatten_into(document, origin, &mut out)?;
    Ok(out)
}

fn flatten_into(mut document: Value, origin: &Origin, out: &mut Vec<Manifest>) -> Result<()> {
    let Value::Object(fields) = &mut document else {
        bail!(
            "error parsing {origin}: a manifest holds objects, not {}",
            kind_of_value(&document)
        );
    };
    let is_list = fields
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|kind| kind.ends_with("List"))
        && fields.get("items").is_some_and(Value::is_array);
    if is_list {
        if let Some(Value::Array(items)) = fields.remove("items") {
            for item in items {
                flatten_into(item, origin, out)?;
            }
        }
        return Ok(());
    }
    let text = |field: &str| {
        fields
            .get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (api_version, kind) = (text("apiVersion"), text("kind"));
    let missing: Vec<&str> = [("apiVersion", &api_version), ("kind", &kind)]
        .into_iter()
        .filter(|(_, value)| value.is_empty())
        .map(|(field, _)| field)
        .collect();
    if !missing.is_empty() {
        let missing: Vec<String> = missing.iter().map(|f| format!("{f} not set")).collect();
        bail!("error validating {origin}: {}", missing.join(", "));
    }
    let metadata = |field: &str| {
        document["metadata"][field]
            .as_str()
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    out.push(Manifest {
        api_version,
        kind,
        name: metadata("name").unwrap_or_default(),
        namespace: metadata("namespace"),
        origin: origin.clone(),
        body: document,
    });
    Ok(())
}

fn kind_of_value(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "a list",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "nothing",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one error of a text that must not parse.
    fn refusal(text: &str, source: &str) -> String {
        let mut results = parse(text, source);
        assert_eq!(results.len(), 1, "one error expected");
        results.remove(0).expect_err("refused").to_string()
    }

    /// Nine levels of nine aliases each: 9^9 copies of `lol` once expanded.
    fn alias_bomb(lol: &str) -> String {
        let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n");
        text.push_str(&format!("a0: &a0 \"{lol}\"\n"));
        for level in 1..=9 {
            let refs = vec![format!("*a{}", level - 1); 9].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        text.push_str("data: {lol: *a9}\n");
        text
    }

    #[test]
    fn an_alias_bomb_is_refused_at_the_alias_that_expands_it() {
        assert_eq!(
            refusal(&alias_bomb("lol"), "bomb.yaml"),
            "error parsing bomb.yaml (document 1, line 10, column 10): aliases expand the document past kz's limit of 100000 events"
        );
    }

    #[test]
    fn an_alias_bomb_of_long_strings_is_refused_before_it_fills_memory() {
        assert_eq!(
            refusal(&alias_bomb(&"lol".repeat(100_000)), "bomb.yaml"),
            "error parsing bomb.yaml (document 1, line 7, column 15): aliases expand the document to more than kz's limit of 64 MiB of text"
        );
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let flow = format!("kind: ConfigMap\nx: {}\n", "[".repeat(100_000));
        assert_eq!(
            refusal(&flow, "flow.yaml"),
            "error parsing flow.yaml (document 1, line 2, column 259): recursion limit exceeded"
        );
        let block = format!("kind: ConfigMap\nx:\n{}x\n", "- ".repeat(100_000));
        assert_eq!(
            refusal(&block, "block.yaml"),
            "error parsing block.yaml (document 1, line 3, column 127): nesting deeper than kz's limit of 64 levels"
        );
        let json = format!("{{\"kind\": {}", "[".repeat(100_000));
        assert_eq!(
            refusal(&json, "deep.json"),
            "error parsing deep.json (document 1): recursion limit exceeded at line 1 column 136"
        );
    }

    #[test]
    fn a_huge_document_is_read() {
        let value = "x".repeat(50 << 20);
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata: {{big: {value}}}\n"
        );
        let objects = objects(&text);
        assert_eq!(
            objects[0].body["data"]["big"].as_str(),
            Some(value.as_str())
        );
    }

    fn objects(text: &str) -> Vec<Manifest> {
        parse(text, "m.yaml")
            .into_iter()
            .map(|o| o.expect("parsed"))
            .collect()
    }

    fn summary(text: &str) -> Vec<(String, String, Option<String>, usize, usize)> {
        objects(text)
            .into_iter()
            .map(|o| {
                (
                    o.kind,
                    o.name,
                    o.namespace,
                    o.origin.document,
                    o.origin.line,
                )
            })
            .collect()
    }

    fn errors(text: &str) -> Vec<String> {
        parse(text, "m.yaml")
            .into_iter()
            .filter_map(|o| o.err().map(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn lists_are_flattened_and_empty_documents_skipped() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n---\n---\n# nothing here\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n";
        assert_eq!(
            summary(text),
            [
                ("ConfigMap".into(), "a".into(), None, 1, 1),
                ("Secret".into(), "s".into(), None, 1, 1),
                (
                    "Deployment".into(),
                    "web".into(),
                    Some("shop".into()),
                    2,
                    10
                ),
            ]
        );
    }

    #[test]
    fn bodies_are_kept_whole() {
        let text =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: z}}\ndata: {k: v}\n";
        let object = &objects(text)[0];
        assert_eq!(object.body["data"]["k"], "v");
        assert_eq!(object.body["metadata"]["labels"]["x"], "z");
        let empty_list = objects("apiVersion: v1\nkind: ConfigMapList\nitems: []\n");
        assert!(empty_list.is_empty());
    }

    #[test]
    fn documents_are_numbered_from_their_first_line() {
        let text = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n--- # two\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
        let origins: Vec<String> = objects(text).iter().map(|o| o.origin.to_string()).collect();
        assert_eq!(
            origins,
            ["m.yaml (document 1, line 2)", "m.yaml (document 2, line 6)"]
        );
    }

    #[test]
    fn only_whole_separator_lines_split_documents() {
        // `--- x` is content, not a separator (Kubernetes' YAML reader), and so is ` ---`.
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: |\n    --- x\n     ---\n";
        let object = &objects(text)[0];
        assert_eq!(object.body["data"]["k"], "--- x\n ---\n");
    }

    #[test]
    fn json_streams_hold_several_objects() {
        let text = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}\n\n  {\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"b\"}}\n";
        assert_eq!(
            summary(text),
            [
                ("Namespace".into(), "a".into(), None, 1, 1),
                ("Namespace".into(), "b".into(), None, 2, 3),
            ]
        );
        let broken = parse(
            "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}} {",
            "j.json",
        );
        assert_eq!(broken.len(), 2);
        let err = broken[1].as_ref().expect_err("broken").to_string();
        assert!(
            err.starts_with("error parsing j.json (document 2): "),
            "{err}"
        );
    }

    #[test]
    fn a_broken_document_ends_the_text_in_its_place() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: [x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: never}\n";
        let parsed = parse(text, "m.yaml");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].as_ref().expect("first").name, "a");
        let err = parsed[1].as_ref().expect_err("second").to_string();
        assert!(
            err.starts_with("error parsing m.yaml (document 2, line 8, column "),
            "{err}"
        );
    }

    #[test]
    fn objects_need_an_api_version_and_a_kind() {
        assert_eq!(
            errors("kind: Pod\nmetadata: {name: x}\n"),
            ["error validating m.yaml (document 1, line 1): apiVersion not set"]
        );
        assert_eq!(
            errors("metadata: {name: x}\n"),
            ["error validating m.yaml (document 1, line 1): apiVersion not set, kind not set"]
        );
        assert_eq!(
            errors("- a\n- b\n"),
            ["error parsing m.yaml (document 1, line 1): a manifest holds objects, not a list"]
        );
        // A List with a broken item fails as a whole; the next document is still read.
        let text = "apiVersion: v1\nkind: List\nitems:\n- {kind: Pod}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
        let parsed = parse(text, "m.yaml");
        assert!(parsed[0].is_err());
        assert_eq!(parsed[1].as_ref().expect("namespace").name, "shop");
    }

    #[test]
    fn names_and_namespaces_may_be_missing() {
        let object = &objects(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-, namespace: ''}\n",
        )[0];
        assert_eq!(object.name, "");
        assert_eq!(object.namespace, None);
    }

    #[test]
    fn namespaces_are_set_in_the_body() {
        let mut object =
            objects("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n").remove(0);
        object.set_namespace(Some("shop".into()));
        assert_eq!(object.body["metadata"]["namespace"], "shop");
        assert_eq!(object.namespace.as_deref(), Some("shop"));
        object.set_namespace(None);
        assert!(object.body["metadata"].get("namespace").is_none());
    }

    #[test]
    fn text_may_carry_a_byte_order_mark() {
        assert_eq!(
            decode_text(b"\xEF\xBB\xBFkind: x", "f").expect("utf-8"),
            "kind: x"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("kind: x".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode_text(&utf16, "f").expect("utf-16"), "kind: x");
        let err = decode_text(b"\xFFkind", "f.yaml").unwrap_err().to_string();
        assert!(
            err.starts_with("error parsing f.yaml: the text is not UTF-8"),
            "{err}"
        );
    }
}
