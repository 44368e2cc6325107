//! YAML in and out: parsing with serde-saphyr (errors with a position), writing in the style
//! kubectl writes it (sigs.k8s.io/yaml), through `print::kubectl_yaml`.

use anyhow::{Context as _, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Parses every document in `text`. Errors are one line with the position ("line 2 column
/// 11: unclosed bracket '['"), for messages that already name the file.
pub fn from_multiple<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, serde_saphyr::Error> {
    serde_saphyr::from_multiple_with_options(text, parse_options())
}

/// Parses a single document; see `from_multiple`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options(text, parse_options())
}

fn parse_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        with_snippet: false,
    }
}

/// Serialises `value` as one YAML document, as kubectl writes YAML (see
/// `print::kubectl_yaml`): sorted keys, go-yaml's quoting, literal blocks for multi-line text.
pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    let value = serde_json::to_value(value).context("serialising YAML")?;
    Ok(crate::print::kubectl_yaml::to_string(&value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_errors_are_one_line_with_a_position() {
        let err = from_str::<serde_json::Value>("apiVersion: v1\nclusters: [\n").unwrap_err();
        let text = err.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(text.contains("line 2"), "{text}");
    }

    #[test]
    fn writes_kubeconfig_shaped_documents_like_kubectl() {
        let doc = json!({
            "apiVersion": "v1",
            "clusters": [{"cluster": {"server": "https://127.0.0.1:6443"}, "name": "c1"}],
            "current-context": "",
            "preferences": {},
            "users": null,
            "major": "1",
            "long": "x".repeat(120),
        });
        let text = to_string(&doc).unwrap();
        let expected = format!(
            "apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:6443\n  name: c1\ncurrent-context: \"\"\nlong: {}\nmajor: \"1\"\npreferences: {{}}\nusers: null\n",
            "x".repeat(120)
        );
        assert_eq!(text, expected);
    }
}
