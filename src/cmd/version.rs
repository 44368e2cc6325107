//! `kz version`: the client's version and, unless `--client`, the server's.

use std::io::Write;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::cli::{StructuredOutput, VersionArgs};
use crate::context::Context;
use crate::print;

/// kz's own version, in the shape of Kubernetes' `version.Info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientVersion {
    pub major: String,
    pub minor: String,
    pub git_version: String,
    pub platform: String,
}

impl ClientVersion {
    pub fn current() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        };
        ClientVersion {
            major: env!("CARGO_PKG_VERSION_MAJOR").to_owned(),
            minor: env!("CARGO_PKG_VERSION_MINOR").to_owned(),
            git_version: format!("v{}", env!("CARGO_PKG_VERSION")),
            platform: format!("{}/{arch}", std::env::consts::OS),
        }
    }
}

/// The server's `/version`, fields in the order the server sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerVersion {
    pub major: String,
    pub minor: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub emulation_major: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub emulation_minor: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub min_compatibility_major: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub min_compatibility_minor: String,
    pub git_version: String,
    pub git_commit: String,
    pub git_tree_state: String,
    pub build_date: String,
    pub go_version: String,
    pub compiler: String,
    pub platform: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionReport {
    pub client_version: ClientVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_version: Option<ServerVersion>,
}

pub fn run(args: VersionArgs, ctx: &mut Context) -> Result<()> {
    let client_version = ClientVersion::current();
    if args.client {
        let report = VersionReport {
            client_version,
            server_version: None,
        };
        return print(&mut ctx.out, &report, args.output);
    }
    // Like kubectl, print what we know even when the server cannot be reached, then fail.
    let server = fetch_server_version(ctx);
    let report = VersionReport {
        client_version,
        server_version: server.as_ref().ok().cloned(),
    };
    print(&mut ctx.out, &report, args.output)?;
    server.map(|_| ())
}

fn fetch_server_version(ctx: &mut Context) -> Result<ServerVersion> {
    let client = ctx.client()?;
    let response = ctx.block_on(async { client.get("/version", "application/json").await })??;
    response.json()
}

pub fn print<W: Write>(
    out: &mut W,
    report: &VersionReport,
    output: Option<StructuredOutput>,
) -> Result<()> {
    match output {
        None => {
            writeln!(out, "Client Version: {}", report.client_version.git_version)?;
            if let Some(server) = &report.server_version {
                writeln!(out, "Server Version: {}", server.git_version)?;
            }
            Ok(())
        }
        Some(StructuredOutput::Json) => print::write_json(out, report, 2),
        // kubectl's YAML has sorted keys.
        Some(StructuredOutput::Yaml) => print::write_yaml(out, report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> VersionReport {
        let server: ServerVersion =
            serde_json::from_str(include_str!("../../tests/fixtures/http/001-version.json"))
                .unwrap();
        VersionReport {
            client_version: ClientVersion {
                major: "0".into(),
                minor: "1".into(),
                git_version: "v0.1.0".into(),
                platform: "linux/amd64".into(),
            },
            server_version: Some(server),
        }
    }

    fn render(report: &VersionReport, output: Option<StructuredOutput>) -> String {
        let mut out = Vec::new();
        print(&mut out, report, output).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_has_client_and_server_lines_without_kustomize() {
        assert_eq!(
            render(&report(), None),
            "Client Version: v0.1.0\nServer Version: v1.33.5\n"
        );
        let client_only = VersionReport {
            server_version: None,
            ..report()
        };
        assert_eq!(render(&client_only, None), "Client Version: v0.1.0\n");
    }

    #[test]
    fn json_keeps_the_server_document() {
        let json: serde_json::Value =
            serde_json::from_str(&render(&report(), Some(StructuredOutput::Json))).unwrap();
        assert_eq!(json["serverVersion"]["gitVersion"], "v1.33.5");
        assert_eq!(json["serverVersion"]["emulationMinor"], "33");
        assert_eq!(json["clientVersion"]["gitVersion"], "v0.1.0");
        assert!(
            render(&report(), Some(StructuredOutput::Json))
                .starts_with("{\n  \"clientVersion\": {\n    \"major\": \"0\",")
        );
    }

    #[test]
    fn yaml_keys_are_sorted_like_kubectl() {
        let yaml = render(&report(), Some(StructuredOutput::Yaml));
        assert!(
            yaml.starts_with("clientVersion:\n  gitVersion: v0.1.0\n  major: \"0\"\n  minor: \"1\"\n  platform: linux/amd64\nserverVersion:\n  buildDate:"),
            "{yaml}"
        );
    }
}
