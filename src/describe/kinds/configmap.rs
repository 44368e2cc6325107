//! ConfigMaps: the data shown whole, key by key, then the sizes of the binary data.

use anyhow::Result;
use serde_json::Value;

use super::errors::handed_on;
use crate::describe::events::describe_events;
use crate::describe::fields::{annotations, labels, text};
use crate::describe::{Describer, Fetched, PrefixWriter, Settings};
use crate::put;

pub struct ConfigMap;

impl Describer for ConfigMap {
    fn describe(
        &self,
        object: &Value,
        fetched: &Fetched,
        settings: &Settings,
        w: &mut PrefixWriter,
    ) -> Result<()> {
        let meta = &object["metadata"];
        put!(w, 0, "Name:\t{}\n", text(&meta["name"]));
        put!(w, 0, "Namespace:\t{}\n", text(&meta["namespace"]));
        labels(w, "Labels", &meta["labels"]);
        annotations(w, "Annotations", &meta["annotations"]);

        // kubectl walks Go maps here, in no fixed order; kz sorts by key.
        w.write(0, "\nData\n====\n");
        for (key, value) in object["data"].as_object().into_iter().flatten() {
            put!(w, 0, "{key}:\n----\n");
            put!(w, 0, "{}\n", text(value));
            w.write(0, "\n");
        }
        w.write(0, "\nBinaryData\n====\n");
        for (key, value) in object["binaryData"].as_object().into_iter().flatten() {
            put!(w, 0, "{key}: {} bytes\n", super::secret::decoded_len(value));
        }
        w.write(0, "\n");

        // Unlike every other describer, kubectl fails a ConfigMap's description when its
        // events cannot be read.
        match &fetched.events {
            Some(Ok(events)) => describe_events(events, settings.now, w),
            Some(Err(err)) => return Err(handed_on(err)),
            None => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::kinds::test_support::{fixture_item, kubectl_stdout, settings};

    #[test]
    fn the_recorded_configmap_reads_like_kubectl() {
        let cm = fixture_item("035-list-configmaps.json", "shop-config");
        let fetched = Fetched {
            related: Vec::new(),
            events: Some(Ok(Vec::new())),
        };
        let text = crate::describe::render(&ConfigMap, &cm, &fetched, &settings()).expect("text");
        // kubectl printed the two keys in Go's random map order (theme first); kz sorts them.
        let recorded = kubectl_stdout("describe-configmap.txt");
        let swapped = recorded.replace(
            "theme:\n----\ndark\n\nlimits.conf:\n----\nmax=10\n\n\n",
            "limits.conf:\n----\nmax=10\n\n\ntheme:\n----\ndark\n\n",
        );
        assert_ne!(recorded, swapped, "the recorded key order changed");
        assert_eq!(text, swapped);
    }

    #[test]
    fn binary_data_shows_sizes_and_unreadable_events_fail_the_description() {
        let cm = serde_json::json!({
            "metadata": {"name": "blob", "namespace": "shop"},
            "binaryData": {"logo.png": "iVBORw0KGgo="},
        });
        let mut fetched = Fetched::default();
        let text = crate::describe::render(&ConfigMap, &cm, &fetched, &settings()).expect("text");
        assert!(
            text.ends_with("\nData\n====\n\nBinaryData\n====\nlogo.png: 8 bytes\n\n"),
            "{text}"
        );
        fetched.events = Some(Err(anyhow::anyhow!("forbidden")));
        assert!(crate::describe::render(&ConfigMap, &cm, &fetched, &settings()).is_err());
    }
}
