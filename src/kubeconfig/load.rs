//! Reading kubeconfig files in kubectl's precedence order and merging them, first file first.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use kube::config::Kubeconfig;
use serde::Deserialize as _;
use serde_json::Value;

use super::{KubeconfigFile, Kubeconfigs};

/// Where kubeconfig files come from. Captured from the process once; tests build their own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadingRules {
    /// `--kubeconfig`: the only file, and it must exist.
    pub explicit: Option<PathBuf>,
    /// The non-empty entries of `KUBECONFIG`, when it has any.
    pub env_paths: Vec<PathBuf>,
    /// `~/.kube/config`.
    pub default_path: Option<PathBuf>,
}

impl LoadingRules {
    pub fn new(
        explicit: Option<PathBuf>,
        kubeconfig_env: Option<&OsStr>,
        home: Option<&Path>,
    ) -> Self {
        let env_paths = kubeconfig_env
            .map(|value| {
                std::env::split_paths(value)
                    .filter(|path| !path.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        LoadingRules {
            explicit,
            env_paths,
            default_path: home.map(|home| home.join(".kube").join("config")),
        }
    }

    /// The files to read, highest precedence first.
    pub fn precedence(&self) -> Vec<PathBuf> {
        if let Some(explicit) = &self.explicit {
            vec![explicit.clone()]
        } else if !self.env_paths.is_empty() {
            self.env_paths.clone()
        } else {
            self.default_path.iter().cloned().collect()
        }
    }
}

impl Kubeconfigs {
    pub fn load(rules: LoadingRules) -> Result<Self> {
        let mut files = Vec::new();
        for path in rules.precedence() {
            let must_exist = rules.explicit.is_some();
            let config = read_file(&path, must_exist)?;
            files.push(KubeconfigFile { path, config });
        }
        Kubeconfigs::from_files(rules, files)
    }

    /// Builds from already-parsed files, merged with the first file winning.
    pub(crate) fn from_files(rules: LoadingRules, files: Vec<KubeconfigFile>) -> Result<Self> {
        let merged = merge(files.iter().filter_map(|file| file.config.clone()))?;
        Ok(Kubeconfigs {
            rules,
            files,
            merged,
        })
    }
}

fn read_file(path: &Path, must_exist: bool) -> Result<Option<Kubeconfig>> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !must_exist => return Ok(None),
        Err(err) => {
            return Err(err).with_context(|| format!("reading kubeconfig {}", path.display()));
        }
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("kubeconfig {} is not UTF-8 text", path.display()))?;
    parse(&text)
        .with_context(|| format!("invalid kubeconfig {}", path.display()))
        .map(Some)
}

/// Parses one kubeconfig file (which may hold several YAML documents).
pub fn parse(text: &str) -> Result<Kubeconfig> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let documents: Vec<Value> = crate::yaml::from_multiple(text)?;
    let documents = documents
        .into_iter()
        .map(read_document)
        .collect::<Result<Vec<_>>>()?;
    let mut merged = merge(documents)?;
    // Empty strings mean "not set" to kubectl.
    if merged.current_context.as_deref() == Some("") {
        merged.current_context = None;
    }
    Ok(merged)
}

/// One document as kube's `Kubeconfig`; a value of the wrong type is named by its path
/// (`users[0].user.password: invalid type: boolean `true`, expected a string`). Read from a
/// borrow, so that only a failed read copies the document (to find the path).
fn read_document(mut document: Value) -> Result<Kubeconfig> {
    fill_required_fields(&mut document);
    let read = |document: &Value| Kubeconfig::deserialize(document);
    read(&document).map_err(|err| {
        let message = err.to_string();
        match locate(&document, |trial| {
            read(trial).err().map(|err| err.to_string())
        }) {
            Some(path) => anyhow!("{path}: {message}"),
            None => anyhow!(message),
        }
    })
}

/// One step into a JSON value.
enum Step {
    Field(String),
    Item(usize),
}

/// The path to the part of `document` that makes `read` fail as it does: the smallest part
/// whose removal makes that error go away (`users[1].user.exec.env[0].value`). A value's
/// error is raised where it is read, so removing any other part leaves the same error.
/// `None` when no part alone causes it.
fn locate(document: &Value, read: impl Fn(&Value) -> Option<String>) -> Option<String> {
    let target = read(document)?;
    let mut path: Vec<Step> = Vec::new();
    loop {
        let mut node = document;
        for step in &path {
            node = match step {
                Step::Field(key) => &node[key.as_str()],
                Step::Item(at) => &node[*at],
            };
        }
        let steps: Vec<Step> = match node {
            Value::Object(fields) => fields.keys().cloned().map(Step::Field).collect(),
            Value::Array(items) => (0..items.len()).map(Step::Item).collect(),
            _ => break,
        };
        let culprit = steps.into_iter().find(|step| {
            let mut trial = document.clone();
            let mut parent = &mut trial;
            for step in &path {
                parent = match step {
                    Step::Field(key) => &mut parent[key.as_str()],
                    Step::Item(at) => &mut parent[*at],
                };
            }
            match (parent, step) {
                (Value::Object(fields), Step::Field(key)) => {
                    fields.remove(key);
                }
                (Value::Array(items), Step::Item(at)) => {
                    items.remove(*at);
                }
                _ => return false,
            }
            read(&trial).as_ref() != Some(&target)
        });
        match culprit {
            Some(step) => path.push(step),
            None => break,
        }
    }
    if path.is_empty() {
        return None;
    }
    let mut text = String::new();
    for step in &path {
        match step {
            Step::Field(key) if text.is_empty() => text.push_str(key),
            Step::Field(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Item(at) => text.push_str(&format!("[{at}]")),
        }
    }
    Some(text)
}

/// kube's types require a context's `cluster`, which kubectl treats as optional (and writes as
/// `""` when unset): fill it in so that every kubeconfig kubectl reads, kz reads too.
fn fill_required_fields(document: &mut Value) {
    let Some(contexts) = document.get_mut("contexts").and_then(Value::as_array_mut) else {
        return;
    };
    for entry in contexts {
        if let Some(context) = entry.get_mut("context").and_then(Value::as_object_mut) {
            context
                .entry("cluster")
                .or_insert_with(|| Value::String(String::new()));
        }
    }
}

pub(super) fn merge(configs: impl IntoIterator<Item = Kubeconfig>) -> Result<Kubeconfig> {
    let mut merged: Option<Kubeconfig> = None;
    for mut config in configs {
        if config.current_context.as_deref() == Some("") {
            config.current_context = None;
        }
        // kubectl does not compare `kind`/`apiVersion` across files; kube refuses mismatches.
        config.kind = None;
        config.api_version = None;
        merged = Some(match merged {
            None => config,
            Some(first) => first.merge(config)?,
        });
    }
    Ok(merged.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubeconfig::tests::two_files;

    #[test]
    fn first_file_wins_per_key() {
        let configs = two_files();
        let merged = configs.merged();
        assert_eq!(merged.current_context.as_deref(), Some("dev"));
        let names: Vec<&str> = merged.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["dev-cluster", "shared", "prod-cluster"]);
        let shared = merged.clusters.iter().find(|c| c.name == "shared").unwrap();
        let shared = shared.cluster.as_ref().unwrap();
        // The whole entry comes from the first file: no field-level mixing.
        assert_eq!(shared.server.as_deref(), Some("https://first.example:6443"));
        assert_eq!(shared.insecure_skip_tls_verify, None);
        let dev = configs.find_context("dev").unwrap();
        assert_eq!(dev.cluster, "dev-cluster");
    }

    #[test]
    fn empty_current_context_does_not_shadow_later_files() {
        let first = parse("current-context: \"\"\n").unwrap();
        let second = parse("current-context: prod\n").unwrap();
        let merged = merge([first, second]).unwrap();
        assert_eq!(merged.current_context.as_deref(), Some("prod"));
    }

    #[test]
    fn contexts_without_a_cluster_are_accepted() {
        let config = parse("contexts:\n- name: bare\n  context:\n    namespace: x\n").unwrap();
        assert_eq!(config.contexts[0].context.as_ref().unwrap().cluster, "");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_named_by_its_path() {
        let cases = [
            (
                "users:\n- name: u\n  user: {token: t, password: yes}\n",
                "users[0].user.password: invalid type: boolean `true`, expected a string",
            ),
            (
                "clusters:\n- name: a\n  cluster: {server: x}\n- name: b\n  cluster:\n    server: [1]\n",
                "clusters[1].cluster.server: invalid type: sequence, expected a string",
            ),
            (
                "users:\n- name: u\n  user:\n    exec: {command: x, env: [{name: a, value: 1}]}\n",
                "users[0].user.exec.env[0].value: invalid type: integer `1`, expected a string",
            ),
            (
                "clusters: {a: 1}\n",
                "clusters: invalid type: map, expected a sequence",
            ),
        ];
        for (text, want) in cases {
            let err = parse(text).expect_err(text);
            assert_eq!(err.to_string(), want, "{text}");
        }
    }

    #[test]
    fn files_of_different_kinds_still_merge() {
        let first = parse("kind: Config\napiVersion: v1\n").unwrap();
        let second = parse("kind: Other\napiVersion: v2\ncurrent-context: x\n").unwrap();
        assert_eq!(
            merge([first, second]).unwrap().current_context.as_deref(),
            Some("x")
        );
    }

    #[test]
    fn loading_rules_follow_kubectl_precedence() {
        let rules = LoadingRules::new(None, Some(OsStr::new("/a::/b")), Some(Path::new("/home/u")));
        assert_eq!(
            rules.precedence(),
            [PathBuf::from("/a"), PathBuf::from("/b")]
        );
        let rules = LoadingRules::new(None, Some(OsStr::new("")), Some(Path::new("/home/u")));
        assert_eq!(rules.precedence(), [PathBuf::from("/home/u/.kube/config")]);
        let rules = LoadingRules::new(
            Some("/x".into()),
            Some(OsStr::new("/a")),
            Some(Path::new("/home/u")),
        );
        assert_eq!(rules.precedence(), [PathBuf::from("/x")]);
    }

    #[test]
    fn malformed_yaml_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad");
        fs::write(&path, "apiVersion: v1\nclusters: [\n").unwrap();
        let rules = LoadingRules {
            explicit: Some(path.clone()),
            ..LoadingRules::default()
        };
        let err = format!("{:#}", Kubeconfigs::load(rules).unwrap_err());
        assert!(
            err.starts_with(&format!("invalid kubeconfig {}", path.display())),
            "{err}"
        );
        assert!(err.contains("line"), "{err}");
    }

    #[test]
    fn explicit_file_must_exist_but_env_files_may_not() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let explicit = LoadingRules {
            explicit: Some(missing.clone()),
            ..LoadingRules::default()
        };
        let err = format!("{:#}", Kubeconfigs::load(explicit).unwrap_err());
        assert!(err.contains("missing"), "{err}");
        let env = LoadingRules {
            env_paths: vec![missing],
            ..LoadingRules::default()
        };
        assert!(Kubeconfigs::load(env).unwrap().is_empty());
    }
}
