//! client-go credential plugins (`users[].user.exec`), run the way kubectl runs them.
//!
//! - The plugin inherits kz's environment plus the kubeconfig's `env` entries, and gets
//!   `KUBERNETES_EXEC_INFO`: an `ExecCredential` with `spec.interactive` and, with
//!   `provideClusterInfo`, `spec.cluster`.
//! - Its stderr is the user's stderr; its stdin is the user's only when it runs interactively
//!   (`interactiveMode`: `Never`, `IfAvailable` — when stdin is a terminal — or `Always`, which
//!   needs a terminal).
//! - Errors use client-go's words and never echo what the plugin printed on stdout (that is
//!   where credentials are), nor the environment it was given.

use std::fmt;
use std::io;
use std::process::{Command, Stdio};

use anyhow::{Result, anyhow, bail};
use kube::config::{ExecConfig, ExecInteractiveMode};
use secrecy::SecretString;
use serde_json::{Map, Value, json};

const V1: &str = "client.authentication.k8s.io/v1";
const V1BETA1: &str = "client.authentication.k8s.io/v1beta1";

/// kubectl's explanation after "executable … not found".
const NOT_INSTALLED: &str = "\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n\nTo learn more about this feature, consult the documentation available at:\n      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins";

/// When the plugin may talk to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interactive {
    Never,
    IfAvailable,
    Always,
}

/// One user's credential plugin, checked and ready to run.
#[derive(Clone)]
pub struct ExecPlugin {
    api_version: String,
    command: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    install_hint: Option<String>,
    interactive: Interactive,
    /// `spec.cluster` of `KUBERNETES_EXEC_INFO`, with `provideClusterInfo`.
    cluster: Option<Value>,
}

/// The plugin's `env` values may be secrets: only the command is shown.
impl fmt::Debug for ExecPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecPlugin")
            .field("command", &self.command)
            .field("interactive", &self.interactive)
            .finish_non_exhaustive()
    }
}

/// What a plugin run gave.
pub struct Issued {
    pub token: Option<SecretString>,
    /// PEM client certificate and key, both or neither.
    pub certificate: Option<(String, SecretString)>,
    /// `status.expirationTimestamp`; `None` means valid until the server says otherwise.
    pub expires: Option<jiff::Timestamp>,
}

/// The cluster facts a plugin gets with `provideClusterInfo` (client-go's `Cluster` type).
pub struct ClusterInfo<'a> {
    pub server: &'a str,
    pub tls_server_name: Option<&'a str>,
    pub insecure_skip_tls_verify: bool,
    /// Base64 of the PEM bundle, as the kubeconfig holds it.
    pub certificate_authority_data: Option<&'a str>,
    pub proxy_url: Option<&'a str>,
    pub disable_compression: bool,
    /// The cluster's `client.authentication.k8s.io/exec` extension.
    pub config: Option<&'a Value>,
}

impl ExecPlugin {
    /// Checks the kubeconfig's `exec` entry of `user` as client-go's validation does.
    pub fn new(exec: &ExecConfig, user: &str, cluster: ClusterInfo<'_>) -> Result<ExecPlugin> {
        let api_version = exec.api_version.clone().unwrap_or_default();
        if api_version != V1 && api_version != V1BETA1 {
            bail!(
                "exec plugin of user \"{user}\": apiVersion must be {V1} or {V1BETA1}, not \"{api_version}\""
            );
        }
        let command = exec
            .command
            .clone()
            .filter(|command| !command.is_empty())
            .ok_or_else(|| anyhow!("command must be specified for {user} to use exec plugin"))?;
        let interactive = match &exec.interactive_mode {
            Some(ExecInteractiveMode::Never) => Interactive::Never,
            Some(ExecInteractiveMode::IfAvailable) => Interactive::IfAvailable,
            Some(ExecInteractiveMode::Always) => Interactive::Always,
            None if api_version == V1 => bail!(
                "interactiveMode must be specified for {user} to use exec authentication plugin"
            ),
            None => Interactive::IfAvailable,
        };
        let env = exec
            .env
            .iter()
            .flatten()
            .filter_map(|entry| Some((entry.get("name")?.clone(), entry.get("value")?.clone())))
            .collect();
        Ok(ExecPlugin {
            api_version,
            command,
            args: exec.args.clone().unwrap_or_default(),
            env,
            install_hint: exec.install_hint.clone().filter(|hint| !hint.is_empty()),
            interactive,
            cluster: exec.provide_cluster_info.then(|| cluster.to_json()),
        })
    }

    /// The command, as messages name it.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// Runs the plugin (blocking) and reads its `ExecCredential`.
    pub fn run(&self, stdin_is_terminal: bool) -> Result<Issued> {
        let interactive = match self.interactive {
            Interactive::Never => false,
            Interactive::IfAvailable => stdin_is_terminal,
            Interactive::Always if stdin_is_terminal => true,
            Interactive::Always => bail!(
                "exec plugin cannot support interactive mode: standard input is not a terminal"
            ),
        };
        let output = Command::new(&self.command)
            .args(&self.args)
            .envs(self.env.iter().map(|(name, value)| (name, value)))
            .env("KUBERNETES_EXEC_INFO", self.exec_info(interactive))
            .stdin(if interactive {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|err| self.start_error(&err))?;
        if !output.status.success() {
            bail!(
                "exec: executable {} failed with exit code {}",
                self.command,
                output.status.code().unwrap_or(-1)
            );
        }
        self.read_credential(&output.stdout)
    }

    /// `KUBERNETES_EXEC_INFO`: what the plugin is asked for.
    fn exec_info(&self, interactive: bool) -> String {
        let mut spec = Map::new();
        if let Some(cluster) = &self.cluster {
            spec.insert("cluster".into(), cluster.clone());
        }
        spec.insert("interactive".into(), Value::Bool(interactive));
        json!({"kind": "ExecCredential", "apiVersion": self.api_version, "spec": spec}).to_string()
    }

    fn start_error(&self, err: &io::Error) -> anyhow::Error {
        if err.kind() == io::ErrorKind::NotFound {
            let hint = self
                .install_hint
                .as_deref()
                .map(|hint| format!("\n\n{hint}"))
                .unwrap_or_default();
            anyhow!(
                "exec: executable {} not found{NOT_INSTALLED}{hint}",
                self.command
            )
        } else {
            anyhow!(
                "exec: executable {}: {}",
                self.command,
                crate::error::io_message(err)
            )
        }
    }

    /// Reads the plugin's stdout. Messages say what is wrong, never what was printed.
    fn read_credential(&self, stdout: &[u8]) -> Result<Issued> {
        let credential = parse_output(stdout)?;
        let returned = credential.get("apiVersion").and_then(Value::as_str);
        if returned != Some(self.api_version.as_str()) {
            bail!(
                "exec plugin is configured to use API version {}, plugin returned version {}",
                self.api_version,
                returned.unwrap_or("(none)")
            );
        }
        let Some(status) = credential.get("status").and_then(Value::as_object) else {
            bail!("exec plugin didn't return a status field");
        };
        let text = |field: &str| {
            status
                .get(field)
                .and_then(Value::as_str)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        let token = text("token");
        let certificate = match (text("clientCertificateData"), text("clientKeyData")) {
            (Some(cert), Some(key)) => Some((cert, SecretString::from(key))),
            (None, None) => None,
            _ => bail!("exec plugin returned only certificate or key, not both"),
        };
        if token.is_none() && certificate.is_none() {
            bail!("exec plugin didn't return a token or cert/key pair");
        }
        let expires = match text("expirationTimestamp") {
            Some(stamp) => Some(stamp.parse::<jiff::Timestamp>().map_err(|_| {
                anyhow!("exec plugin returned an expirationTimestamp that is not RFC 3339")
            })?),
            None => None,
        };
        Ok(Issued {
            token: token.map(SecretString::from),
            certificate,
            expires,
        })
    }
}

/// The plugin's output as a JSON (or, as client-go accepts, YAML) object. A syntax error is
/// reported by position only.
fn parse_output(stdout: &[u8]) -> Result<Map<String, Value>> {
    let json_error = match serde_json::from_slice::<Value>(stdout) {
        Ok(Value::Object(object)) => return Ok(object),
        Ok(_) => bail!("decoding stdout: the plugin did not print an ExecCredential object"),
        Err(err) => err,
    };
    let yaml = std::str::from_utf8(stdout)
        .ok()
        .and_then(|text| crate::yaml::from_str(text).ok());
    match yaml {
        Some(Value::Object(object)) => Ok(object),
        _ => bail!("decoding stdout: {}", syntax_only(&json_error)),
    }
}

/// serde_json's message for a syntax error (`expected value at line 1 column 1`), which names
/// a position and no input.
fn syntax_only(err: &serde_json::Error) -> String {
    format!(
        "invalid JSON at line {} column {}",
        err.line(),
        err.column()
    )
}

impl ClusterInfo<'_> {
    fn to_json(&self) -> Value {
        let mut cluster = Map::new();
        cluster.insert("server".into(), Value::String(self.server.to_owned()));
        if let Some(name) = self.tls_server_name {
            cluster.insert("tls-server-name".into(), Value::String(name.to_owned()));
        }
        if self.insecure_skip_tls_verify {
            cluster.insert("insecure-skip-tls-verify".into(), Value::Bool(true));
        }
        if let Some(data) = self.certificate_authority_data {
            cluster.insert(
                "certificate-authority-data".into(),
                Value::String(data.to_owned()),
            );
        }
        if let Some(proxy) = self.proxy_url {
            cluster.insert("proxy-url".into(), Value::String(proxy.to_owned()));
        }
        if self.disable_compression {
            cluster.insert("disable-compression".into(), Value::Bool(true));
        }
        cluster.insert("config".into(), self.config.cloned().unwrap_or(Value::Null));
        Value::Object(cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret as _;

    fn config(yaml: &str) -> ExecConfig {
        serde_json::from_value(crate::yaml::from_str(yaml).unwrap()).unwrap()
    }

    fn cluster() -> ClusterInfo<'static> {
        ClusterInfo {
            server: "https://k:6443",
            tls_server_name: None,
            insecure_skip_tls_verify: false,
            certificate_authority_data: Some("Q0E="),
            proxy_url: None,
            disable_compression: false,
            config: None,
        }
    }

    fn plugin(yaml: &str) -> ExecPlugin {
        ExecPlugin::new(&config(yaml), "alice", cluster()).unwrap()
    }

    const V1_NEVER: &str =
        "apiVersion: client.authentication.k8s.io/v1\ncommand: get-token\ninteractiveMode: Never\n";

    #[test]
    fn exec_info_is_what_kubectl_sends() {
        let with_cluster = plugin(&format!("{V1_NEVER}provideClusterInfo: true\n"));
        assert_eq!(
            serde_json::from_str::<Value>(&with_cluster.exec_info(false)).unwrap(),
            json!({"kind": "ExecCredential", "apiVersion": V1, "spec": {
                "cluster": {"server": "https://k:6443", "certificate-authority-data": "Q0E=", "config": null},
                "interactive": false,
            }})
        );
        let without = plugin(V1_NEVER);
        assert_eq!(
            without.exec_info(true),
            r#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":true}}"#
        );
    }

    #[test]
    fn kubeconfig_entries_are_checked_like_client_go() {
        let check = |yaml: &str| {
            ExecPlugin::new(&config(yaml), "alice", cluster())
                .err()
                .map(|err| err.to_string())
        };
        assert_eq!(
            check("apiVersion: client.authentication.k8s.io/v1\ncommand: x\n").as_deref(),
            Some("interactiveMode must be specified for alice to use exec authentication plugin")
        );
        assert_eq!(
            check("apiVersion: client.authentication.k8s.io/v1beta1\ncommand: x\n"),
            None
        );
        assert!(
            check("apiVersion: client.authentication.k8s.io/v1alpha1\ncommand: x\n")
                .unwrap()
                .contains("apiVersion must be")
        );
        let beta = plugin("apiVersion: client.authentication.k8s.io/v1beta1\ncommand: x\n");
        assert_eq!(beta.interactive, Interactive::IfAvailable);
    }

    #[test]
    fn credentials_are_read_and_bad_output_is_not_echoed() {
        let plugin = plugin(V1_NEVER);
        let issued = plugin
            .read_credential(
                br#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
                     "status":{"token":"t0k3n","expirationTimestamp":"2026-12-01T10:00:00Z"}}"#,
            )
            .unwrap();
        assert_eq!(issued.token.unwrap().expose_secret(), "t0k3n");
        assert_eq!(
            issued.expires,
            Some("2026-12-01T10:00:00Z".parse().unwrap())
        );
        let error = |stdout: &str| {
            plugin
                .read_credential(stdout.as_bytes())
                .err()
                .map(|err| err.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error("{\"token\": \"s3cret"),
            "decoding stdout: invalid JSON at line 1 column 17"
        );
        assert_eq!(
            error(r#""s3cret""#),
            "decoding stdout: the plugin did not print an ExecCredential object"
        );
        assert_eq!(
            error(
                r#"{"apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"s3cret"}}"#
            ),
            "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1"
        );
        assert_eq!(
            error(r#"{"apiVersion":"client.authentication.k8s.io/v1"}"#),
            "exec plugin didn't return a status field"
        );
        assert_eq!(
            error(r#"{"apiVersion":"client.authentication.k8s.io/v1","status":{}}"#),
            "exec plugin didn't return a token or cert/key pair"
        );
        assert_eq!(
            error(
                r#"{"apiVersion":"client.authentication.k8s.io/v1","status":{"clientKeyData":"s3cret"}}"#
            ),
            "exec plugin returned only certificate or key, not both"
        );
        assert_eq!(
            error(
                r#"{"apiVersion":"client.authentication.k8s.io/v1","status":{"token":"x","expirationTimestamp":"s3cret"}}"#
            ),
            "exec plugin returned an expirationTimestamp that is not RFC 3339"
        );
    }

    #[test]
    fn yaml_output_is_accepted_as_client_go_accepts_it() {
        let issued = plugin(V1_NEVER)
            .read_credential(
                b"apiVersion: client.authentication.k8s.io/v1\nkind: ExecCredential\nstatus:\n  token: t\n",
            )
            .unwrap();
        assert_eq!(issued.token.unwrap().expose_secret(), "t");
    }

    #[test]
    fn always_needs_a_terminal() {
        let always = plugin(
            "apiVersion: client.authentication.k8s.io/v1\ncommand: /nonexistent/x\ninteractiveMode: Always\n",
        );
        assert_eq!(
            always.run(false).err().unwrap().to_string(),
            "exec plugin cannot support interactive mode: standard input is not a terminal"
        );
    }

    #[test]
    fn debug_output_shows_no_environment() {
        let with_env = plugin(&format!(
            "{V1_NEVER}env:\n- name: PASSWORD\n  value: s3cret\n"
        ));
        let debug = format!("{with_env:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("get-token"), "{debug}");
    }
}
