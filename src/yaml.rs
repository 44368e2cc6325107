//! YAML in the style kubectl writes it (sigs.k8s.io/yaml): keys sorted, `- ` list items at the
//! parent's indentation, long strings kept on one line.

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

/// Serialises `value` as one YAML document. Maps must already be in the wanted key order;
/// convert to `serde_json::Value` first to get kubectl's sorted keys.
pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    // Like go-yaml: strings with newlines as literal blocks (`|`), long ones on one line.
    let options = serde_saphyr::ser_options! {
        prefer_block_scalars: true,
        folded_wrap_chars: usize::MAX,
    };
    serde_saphyr::to_string_with_options(value, options).context("serialising YAML")
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
