//! Edits to kubeconfig files (`config use-context`, `config set-context`): the document is
//! changed in place and written back atomically, keeping the file's mode (0600 for new files).

use std::fs;
use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result, anyhow, bail};
use serde_json::{Map, Value};

/// What a write did to a named entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Modified,
}

/// The fields `set-context` may change; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextFields {
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

/// Sets `current-context` in a kubeconfig document.
pub fn set_current_context(doc: &mut Map<String, Value>, name: &str) {
    doc.insert("current-context".to_owned(), Value::String(name.to_owned()));
}

/// Creates or updates context `name` in a kubeconfig document.
pub fn upsert_context(
    doc: &mut Map<String, Value>,
    name: &str,
    fields: &ContextFields,
) -> Result<Change> {
    let contexts = doc
        .entry("contexts")
        .or_insert_with(|| Value::Array(Vec::new()));
    if contexts.is_null() {
        *contexts = Value::Array(Vec::new());
    }
    let list = contexts
        .as_array_mut()
        .ok_or_else(|| anyhow!("`contexts` is not a list"))?;
    let change = if has_named(list, name) {
        Change::Modified
    } else {
        // kubectl writes unset references as empty strings.
        list.push(serde_json::json!({ "name": name, "context": {"cluster": "", "user": ""} }));
        Change::Created
    };
    let entry = list
        .iter_mut()
        .find(|entry| entry.get("name").and_then(Value::as_str) == Some(name))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("context \"{name}\" is not a mapping"))?;
    let context = entry
        .entry("context")
        .or_insert_with(|| Value::Object(Map::new()));
    if context.is_null() {
        *context = Value::Object(Map::new());
    }
    let context = context
        .as_object_mut()
        .ok_or_else(|| anyhow!("context \"{name}\" is not a mapping"))?;
    for (key, value) in [
        ("cluster", &fields.cluster),
        ("user", &fields.user),
        ("namespace", &fields.namespace),
    ] {
        if let Some(value) = value {
            context.insert(key.to_owned(), Value::String(value.clone()));
        }
    }
    Ok(change)
}

/// Whether a named list (`contexts`, `clusters`, `users`) has an entry called `name`.
fn has_named(list: &[Value], name: &str) -> bool {
    list.iter()
        .any(|entry| entry.get("name").and_then(Value::as_str) == Some(name))
}

/// The document kubectl starts a new kubeconfig file with.
fn empty_document() -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("apiVersion".into(), Value::String("v1".into()));
    doc.insert("kind".into(), Value::String("Config".into()));
    doc.insert("clusters".into(), Value::Null);
    doc.insert("contexts".into(), Value::Null);
    doc.insert("current-context".into(), Value::String(String::new()));
    doc.insert("preferences".into(), Value::Object(Map::new()));
    doc.insert("users".into(), Value::Null);
    doc
}

/// Reads the kubeconfig file at `path` as a document tree (a new empty Config when the file
/// does not exist), lets `edit` change it, and writes it back atomically. Everything `edit`
/// does not touch is kept; the file keeps its mode, and a new file gets 0600.
pub fn edit_file<T>(
    path: &Path,
    edit: impl FnOnce(&mut Map<String, Value>) -> Result<T>,
) -> Result<T> {
    // Write through symlinks to the real file, as kubectl does.
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let existing = match fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => {
            return Err(err).with_context(|| format!("reading kubeconfig {}", path.display()));
        }
    };
    let mut doc = match &existing {
        Some(text) if !text.trim().is_empty() => {
            let value: Value = crate::yaml::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
                .with_context(|| format!("invalid kubeconfig {}", path.display()))?;
            match value {
                Value::Object(map) => map,
                Value::Null => empty_document(),
                _ => bail!("invalid kubeconfig {}: not a mapping", path.display()),
            }
        }
        _ => empty_document(),
    };
    let result = edit(&mut doc)?;
    let text = crate::yaml::to_string(&Value::Object(doc))?;
    write_atomically(&path, text.as_bytes()).map_err(|err| {
        anyhow!(
            "writing kubeconfig {}: {}",
            path.display(),
            crate::error::io_message(&err)
        )
    })?;
    Ok(result)
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::create_dir_all(dir)?;
    }
    let mode = existing_mode(path);
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config".to_owned());
    let temp = path.with_file_name(format!(".{file_name}.kz-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = create_private(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        set_mode(&temp, mode)?;
        fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path)
        .map(|meta| meta.permissions().mode() & 0o7777)
        .unwrap_or(0o600)
}

#[cfg(not(unix))]
fn existing_mode(_path: &Path) -> u32 {
    0o600
}

#[cfg(unix)]
fn create_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_private(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::parse;
    use crate::kubeconfig::tests::FIRST;

    #[test]
    fn upsert_creates_then_modifies() {
        let mut doc = empty_document();
        let fields = ContextFields {
            namespace: Some("shop".into()),
            ..ContextFields::default()
        };
        assert_eq!(
            upsert_context(&mut doc, "new", &fields).unwrap(),
            Change::Created
        );
        let cluster = ContextFields {
            cluster: Some("k".into()),
            ..ContextFields::default()
        };
        assert_eq!(
            upsert_context(&mut doc, "new", &cluster).unwrap(),
            Change::Modified
        );
        assert_eq!(
            doc["contexts"],
            serde_json::json!([{"name": "new", "context": {"namespace": "shop", "cluster": "k", "user": ""}}])
        );
    }

    #[cfg(unix)]
    #[test]
    fn edits_keep_unrelated_content_and_file_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        fs::write(
            &path,
            FIRST.replace("kind: Config", "kind: Config\nx-custom: keep-me"),
        )
        .unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        edit_file(&path, |doc| {
            set_current_context(doc, "other");
            Ok(())
        })
        .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("current-context: other"), "{text}");
        assert!(text.contains("x-custom: keep-me"), "{text}");
        assert!(text.contains("token: first-token"), "{text}");
        assert!(
            text.contains("certificate-authority: certs/ca.crt"),
            "{text}"
        );
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // What kz wrote is still a kubeconfig.
        let reparsed = parse(&text).unwrap();
        assert_eq!(reparsed.current_context.as_deref(), Some("other"));
        assert_eq!(reparsed.clusters.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".kube").join("config");
        edit_file(&path, |doc| {
            set_current_context(doc, "x");
            Ok(())
        })
        .unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("apiVersion: v1\nclusters: null\n"),
            "{text}"
        );
    }
}
