//! Secrets: the type and the size of each value, never a value itself.

use anyhow::Result;
use base64::Engine;
use serde_json::Value;

use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct Secret;

impl Describer for Secret {
    fn shows_events(&self) -> bool {
        false
    }

    fn describe(
        &self,
        object: &Value,
        _fetched: &Fetched,
        _settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);
        put!(w, 0, "\nType:\t{}\n", text(&object["type"]));
        // kubectl prints a service-account token secret's `token` in clear; kz prints its size
        // like every other value. Keys are sorted (kubectl walks a Go map).
        w.write(0, "\nData\n====\n");
        for (key, value) in object["data"].as_object().into_iter().flatten() {
            put!(w, 0, "{key}:\t{} bytes\n", decoded_len(value));
        }
        Ok(())
    }
}

/// How many bytes a base64 value (a Secret's data, a ConfigMap's binaryData) holds.
pub fn decoded_len(value: &Value) -> usize {
    let encoded = text(value);
    match base64::engine::general_purpose::STANDARD.decode(encoded) {
        Ok(bytes) => bytes.len(),
        // Not valid base64 (the server never sends that): its length as three quarters.
        Err(_) => encoded.trim_end_matches('=').len() * 3 / 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::{fixture_item, kubectl_stdout, settings};

    #[test]
    fn the_recorded_secret_reads_like_kubectl() {
        let secret = fixture_item("037-list-secrets.json", "shop-secret");
        let text = crate::describe::render(&Secret, &secret, &Fetched::default(), &settings())
            .expect("text");
        assert_eq!(text, kubectl_stdout("describe-secret.txt"));
    }

    #[test]
    fn values_are_never_printed() {
        let secret = serde_json::json!({
            "metadata": {"name": "sa-token", "namespace": "shop"},
            "type": "kubernetes.io/service-account-token",
            // "s3cr3t-password", "eyJhbGciOi.token", "ca-data"
            "data": {
                "password": "czNjcjN0LXBhc3N3b3Jk",
                "token": "ZXlKaGJHY2lPaS50b2tlbg==",
                "ca.crt": "Y2EtZGF0YQ==",
            },
        });
        let text = crate::describe::render(&Secret, &secret, &Fetched::default(), &settings())
            .expect("text");
        assert!(
            text.ends_with(
                "Data\n====\nca.crt:    7 bytes\npassword:  15 bytes\ntoken:     16 bytes\n"
            ),
            "{text}"
        );
        for value in [
            "s3cr3t",
            "czNjcjN0",
            "eyJhbGci",
            "ZXlKaGJH",
            "ca-data",
            "Y2EtZGF0YQ",
        ] {
            assert!(!text.contains(value), "{value} shown in {text}");
        }
    }
}
