//! What a command's arguments name: `pods`, `pods,svc web api`, `deploy/web svc/web`, or the
//! objects in `-f` files (directories, `-`, recursion). Parsing is pure; reading files is the
//! only I/O here, and resolving names to resource types is discovery's job.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

/// The arguments, before discovery: which type words and which names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `pods,svc [NAME…]`: every name is looked up in every type; no names lists them.
    Types {
        types: Vec<String>,
        names: Vec<String>,
    },
    /// `pod/web svc/web`: one object per argument.
    Named(Vec<(String, String)>),
}

/// kubectl's message when `get` has nothing to get.
pub const REQUIRED_RESOURCE: &str = "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples";

/// A usage error that kubectl words in a particular way; printed as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Splits the positional arguments the way kubectl's resource builder does.
pub fn parse_args(args: &[String]) -> Result<Selection, UsageError> {
    let Some(first) = args.first() else {
        return Err(UsageError(REQUIRED_RESOURCE.to_string()));
    };
    if args.iter().any(|a| a.contains('/')) {
        let mut named = Vec::new();
        for arg in args {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err(UsageError(
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".to_string(),
                ));
            };
            if kind.is_empty() || name.is_empty() {
                return Err(UsageError(
                    "error: arguments in resource/name form must have a single resource and name"
                        .to_string(),
                ));
            }
            named.push((kind.to_string(), name.to_string()));
        }
        return Ok(Selection::Named(named));
    }
    let types: Vec<String> = first
        .split(',')
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    if types.is_empty() {
        return Err(UsageError(REQUIRED_RESOURCE.to_string()));
    }
    Ok(Selection::Types {
        types,
        names: args[1..].to_vec(),
    })
}

/// One object read from a manifest: what to look up.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestObject {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// Where it came from, for error messages.
    pub source: String,
}

/// Reads every object of every `-f` argument: files, directories (their .yaml, .yml and
/// .json files; subdirectories too with `recursive`), and `-` for stdin. List kinds are
/// flattened into their items. A path that does not exist fails the whole read; a file that
/// does not parse is one error in its place, and the other files are still read (kubectl
/// continues on such errors).
pub fn read_manifests(paths: &[PathBuf], recursive: bool) -> Result<Vec<Result<ManifestObject>>> {
    let mut objects = Vec::new();
    for path in paths {
        if path == Path::new("-") {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("reading stdin")?;
            objects.extend(read_documents(&text, "STDIN"));
            continue;
        }
        let url = path.to_string_lossy();
        if url.starts_with("http://") || url.starts_with("https://") {
            bail!("reading manifests from URLs is not supported: {url}");
        }
        for file in manifest_files(path, recursive)? {
            match std::fs::read_to_string(&file) {
                Ok(text) => objects.extend(read_documents(&text, &file.display().to_string())),
                Err(err) => {
                    objects.push(Err(err).with_context(|| format!("reading {}", file.display())))
                }
            }
        }
    }
    Ok(objects)
}

fn manifest_files(path: &Path, recursive: bool) -> Result<Vec<PathBuf>> {
    let Ok(metadata) = std::fs::metadata(path) else {
        bail!("the path \"{}\" does not exist", path.display());
    };
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("reading directory {}", path.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut files = Vec::new();
    for entry in entries {
        if entry.is_dir() {
            if recursive {
                files.extend(manifest_files(&entry, recursive)?);
            }
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            files.push(entry);
        }
    }
    Ok(files)
}

/// Every object of a YAML (multi-document) or JSON manifest; the first error fails it.
pub fn parse_manifest(text: &str, source: &str) -> Result<Vec<ManifestObject>> {
    read_documents(text, source).into_iter().collect()
}

/// The objects of a manifest in order, document by document like kubectl's decoder: the
/// documents before a broken one are still read, the broken one is an error (with its line
/// counted from the document's start) and ends the file.
pub fn read_documents(text: &str, source: &str) -> Vec<Result<ManifestObject>> {
    let mut objects = Vec::new();
    if text.trim_start().starts_with('{') {
        match serde_json::from_str(text).with_context(|| format!("error parsing {source}")) {
            Ok(document) => push_flattened(document, source, 0, &mut objects),
            Err(err) => objects.push(Err(err)),
        }
        return objects;
    }
    for (index, document) in yaml_documents(text).into_iter().enumerate() {
        match crate::yaml::from_str::<Value>(document) {
            Ok(Value::Null) => {}
            Ok(document) => push_flattened(document, source, index, &mut objects),
            Err(err) => {
                objects.push(Err(
                    anyhow::Error::new(err).context(format!("error parsing {source}"))
                ));
                break;
            }
        }
    }
    objects
}

fn push_flattened(
    document: Value,
    source: &str,
    index: usize,
    into: &mut Vec<Result<ManifestObject>>,
) {
    let mut flat = Vec::new();
    match flatten(document, source, index, &mut flat) {
        Ok(()) => into.extend(flat.into_iter().map(Ok)),
        Err(err) => into.push(Err(err)),
    }
}

/// Splits a multi-document YAML stream at its `---` lines.
fn yaml_documents(text: &str) -> Vec<&str> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        if content == "---" || content.starts_with("--- ") {
            documents.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    documents.push(&text[start..]);
    documents
}

fn flatten(
    document: Value,
    source: &str,
    index: usize,
    out: &mut Vec<ManifestObject>,
) -> Result<()> {
    let kind = document["kind"].as_str().unwrap_or_default().to_string();
    if kind.ends_with("List") && document["items"].is_array() {
        for item in document["items"].as_array().into_iter().flatten() {
            flatten(item.clone(), source, index, out)?;
        }
        return Ok(());
    }
    let api_version = document["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if kind.is_empty() || api_version.is_empty() {
        let missing = if api_version.is_empty() {
            "apiVersion"
        } else {
            "kind"
        };
        bail!(
            "error validating data from {source} (document {}): {missing} not set",
            index + 1
        );
    }
    let name = document["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        bail!("error: resource name may not be empty (a {kind} in {source})");
    }
    out.push(ManifestObject {
        api_version,
        kind,
        name,
        namespace: document["metadata"]["namespace"].as_str().map(String::from),
        source: source.to_string(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn types_and_names() {
        assert_eq!(
            parse_args(&args(&["pods,svc", "web", "api"])),
            Ok(Selection::Types {
                types: args(&["pods", "svc"]),
                names: args(&["web", "api"])
            })
        );
        assert_eq!(
            parse_args(&args(&["deploy/web", "svc/web"])),
            Ok(Selection::Named(vec![
                ("deploy".into(), "web".into()),
                ("svc".into(), "web".into())
            ]))
        );
    }

    #[test]
    fn kubectl_usage_errors() {
        assert_eq!(parse_args(&[]), Err(UsageError(REQUIRED_RESOURCE.into())));
        let mixed = parse_args(&args(&["pod/a", "svc"])).unwrap_err();
        assert!(
            mixed
                .0
                .contains("there is no need to specify a resource type")
        );
        assert!(parse_args(&args(&["pod/"])).is_err());
        assert!(parse_args(&args(&[","])).is_err());
    }

    #[test]
    fn manifests_flatten_lists_and_skip_empty_documents() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n";
        let objects = parse_manifest(text, "m.yaml").expect("parse");
        let names: Vec<(&str, &str, Option<&str>)> = objects
            .iter()
            .map(|o| (o.kind.as_str(), o.name.as_str(), o.namespace.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("ConfigMap", "a", None),
                ("Deployment", "web", Some("shop"))
            ]
        );
        let json = parse_manifest(
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}"#,
            "p.json",
        )
        .expect("json");
        assert_eq!(json[0].name, "p");
    }

    #[test]
    fn bad_manifests_name_the_file() {
        let err = parse_manifest("kind: [", "bad.yaml").unwrap_err();
        assert!(format!("{err:#}").contains("bad.yaml"), "{err:#}");
        let err = parse_manifest("kind: Pod\nmetadata: {name: x}\n", "nover.yaml").unwrap_err();
        assert!(err.to_string().contains("apiVersion not set"), "{err}");
    }

    #[test]
    fn directories_are_read_in_order_and_recursively_on_request() {
        let dir = tempfile::TempDir::new().expect("dir");
        let write = |rel: &str, name: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(
                path,
                format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\n"),
            )
            .expect("write");
        };
        write("b.yaml", "b");
        write("a.json.txt", "ignored");
        write("a.yml", "a");
        write("sub/c.yaml", "c");
        let names = |recursive| -> Vec<String> {
            read_manifests(&[dir.path().to_path_buf()], recursive)
                .expect("read")
                .into_iter()
                .map(|o| o.expect("parsed").name)
                .collect()
        };
        assert_eq!(names(false), ["a", "b"]);
        assert_eq!(names(true), ["a", "b", "c"]);
        let missing = read_manifests(&[dir.path().join("nope.yaml")], false).unwrap_err();
        assert_eq!(
            missing.to_string(),
            format!(
                "the path \"{}\" does not exist",
                dir.path().join("nope.yaml").display()
            )
        );
        std::fs::write(
            dir.path().join("c.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\nkind: [\n---\nkind: Never\n",
        )
        .expect("write");
        let read = read_manifests(&[dir.path().to_path_buf()], false).expect("read");
        assert_eq!(read.len(), 4, "a, b, c, then the broken document's error");
        let err = format!("{:#}", read[3].as_ref().expect_err("broken"));
        assert!(err.contains("c.yaml") && err.contains("line 1"), "{err}");
    }
}
