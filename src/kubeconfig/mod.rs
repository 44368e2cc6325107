//! kubeconfig loading and writing, the way kubectl does it.
//!
//! - Files come from `--kubeconfig` (must exist), else `KUBECONFIG` (a `:`-separated list;
//!   missing files are skipped), else `~/.kube/config`.
//! - Files merge with the first file winning per key: the first `current-context`, the first
//!   cluster/user/context of a given name (later entries of that name are ignored entirely).
//! - Flags override the kubeconfig: `--context`, `--cluster`, `--user`, `--server`, `--token`, …;
//!   the namespace is `-n` > the context's namespace > `default`.
//! - Relative file references resolve against the file that defined the entry.
//! - Writes go to the file that defines the entry, keep everything else in it, and keep its
//!   mode (0600 for a file kz creates).
//!
//! `load` reads and merges the files, `select` puts the flags on top and builds the
//! `kube::Config`, `edit` changes files.

mod edit;
mod load;
mod select;

use std::path::{Path, PathBuf};

use kube::config::{Context, Kubeconfig};

pub use edit::{Change, ContextFields, edit_file, set_current_context, upsert_context};
pub use load::{LoadingRules, parse};
pub use select::{ConfigurationError, Selection};

pub const KUBECONFIG_ENV: &str = "KUBECONFIG";

/// One kubeconfig file in the precedence list.
#[derive(Debug, Clone)]
pub struct KubeconfigFile {
    pub path: PathBuf,
    /// `None` when the file does not exist (allowed for `KUBECONFIG` entries and the default).
    pub config: Option<Kubeconfig>,
}

/// All kubeconfig files in precedence order, and their merge.
#[derive(Debug, Clone)]
pub struct Kubeconfigs {
    rules: LoadingRules,
    files: Vec<KubeconfigFile>,
    merged: Kubeconfig,
}

impl Kubeconfigs {
    pub fn merged(&self) -> &Kubeconfig {
        &self.merged
    }

    pub fn files(&self) -> &[KubeconfigFile] {
        &self.files
    }

    /// Whether the kubeconfig defines nothing at all (no file, or only empty files).
    pub fn is_empty(&self) -> bool {
        let merged = &self.merged;
        merged.clusters.is_empty()
            && merged.auth_infos.is_empty()
            && merged.contexts.is_empty()
            && merged.current_context.is_none()
    }

    fn origin(&self, defines: impl Fn(&Kubeconfig) -> bool) -> Option<&Path> {
        self.files
            .iter()
            .find(|file| file.config.as_ref().is_some_and(&defines))
            .map(|file| file.path.as_path())
    }

    /// The file whose entry for context `name` is in effect.
    pub fn context_origin(&self, name: &str) -> Option<&Path> {
        self.origin(|config| config.contexts.iter().any(|c| c.name == name))
    }

    pub fn cluster_origin(&self, name: &str) -> Option<&Path> {
        self.origin(|config| config.clusters.iter().any(|c| c.name == name))
    }

    pub fn user_origin(&self, name: &str) -> Option<&Path> {
        self.origin(|config| config.auth_infos.iter().any(|u| u.name == name))
    }

    /// Where new entries go: the explicit file, else the first existing file in precedence
    /// order, else the first one (client-go's `GetDefaultFilename`).
    pub fn default_file(&self) -> Option<PathBuf> {
        if let Some(explicit) = &self.rules.explicit {
            return Some(explicit.clone());
        }
        self.files
            .iter()
            .find(|file| file.config.is_some())
            .or_else(|| self.files.first())
            .map(|file| file.path.clone())
    }

    /// Where `current-context` is written: the file that sets it now, else the default file.
    pub fn current_context_file(&self) -> Option<PathBuf> {
        self.origin(|config| config.current_context.is_some())
            .map(Path::to_path_buf)
            .or_else(|| self.default_file())
    }

    pub fn find_context(&self, name: &str) -> Option<&Context> {
        self.merged
            .contexts
            .iter()
            .find(|c| c.name == name)
            .and_then(|c| c.context.as_ref())
    }

    /// ` (file, file)` for error messages; empty when there is no file.
    fn describe_files(&self) -> String {
        let paths: Vec<String> = self
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        if paths.is_empty() {
            String::new()
        } else {
            format!(" ({})", paths.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const FIRST: &str = r#"
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.crt
- name: shared
  cluster:
    server: https://first.example:6443
contexts:
- name: dev
  context:
    cluster: dev-cluster
    user: dev-user
    namespace: team-a
users:
- name: dev-user
  user:
    token: first-token
"#;

    pub(super) const SECOND: &str = r#"
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster:
    server: https://second.example:6443
    insecure-skip-tls-verify: true
- name: prod-cluster
  cluster:
    server: https://prod.example:6443
contexts:
- name: dev
  context:
    cluster: prod-cluster
    user: prod-user
- name: prod
  context:
    cluster: prod-cluster
    user: prod-user
users:
- name: prod-user
  user:
    client-certificate: prod.crt
    client-key: prod.key
"#;

    pub(super) fn two_files() -> Kubeconfigs {
        let rules = LoadingRules {
            env_paths: vec!["/cfg/one/first".into(), "/cfg/two/second".into()],
            ..LoadingRules::default()
        };
        let files = vec![
            KubeconfigFile {
                path: "/cfg/one/first".into(),
                config: Some(parse(FIRST).unwrap()),
            },
            KubeconfigFile {
                path: "/cfg/two/second".into(),
                config: Some(parse(SECOND).unwrap()),
            },
        ];
        Kubeconfigs::from_files(rules, files).unwrap()
    }

    #[test]
    fn origins_point_at_the_defining_file() {
        let configs = two_files();
        assert_eq!(
            configs.context_origin("dev"),
            Some(Path::new("/cfg/one/first"))
        );
        assert_eq!(
            configs.context_origin("prod"),
            Some(Path::new("/cfg/two/second"))
        );
        assert_eq!(configs.context_origin("nope"), None);
        assert_eq!(configs.default_file(), Some("/cfg/one/first".into()));
        assert_eq!(
            configs.current_context_file(),
            Some("/cfg/one/first".into())
        );
    }

    #[test]
    fn default_file_skips_missing_files() {
        let rules = LoadingRules {
            env_paths: vec!["/missing".into(), "/present".into()],
            ..LoadingRules::default()
        };
        let files = vec![
            KubeconfigFile {
                path: "/missing".into(),
                config: None,
            },
            KubeconfigFile {
                path: "/present".into(),
                config: Some(parse(SECOND).unwrap()),
            },
        ];
        let configs = Kubeconfigs::from_files(rules, files).unwrap();
        assert_eq!(configs.default_file(), Some("/present".into()));
    }
}
