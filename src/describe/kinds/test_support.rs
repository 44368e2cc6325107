//! Recorded objects and kubectl outputs for the describers' unit tests.

use serde_json::Value;

use crate::describe::Settings;

/// The item called `name` of the recorded List in `tests/fixtures/http/<file>`.
pub fn fixture_item(file: &str, name: &str) -> Value {
    let path = format!("{}/tests/fixtures/http/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("a recorded list");
    let list: Value = serde_json::from_str(&text).expect("JSON");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["metadata"]["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no {name} in {file}"))
}

/// The stdout of the recorded kubectl run `tests/fixtures/kubectl/<file>`.
pub fn kubectl_stdout(file: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/kubectl/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let recorded = std::fs::read_to_string(&path).expect("a recorded kubectl run");
    recorded
        .split_once("# --- stdout\n")
        .and_then(|(_, rest)| rest.split_once("# --- stderr"))
        .expect("stdout")
        .0
        .to_string()
}

/// Settings with events shown and a fixed "now".
pub fn settings() -> Settings {
    Settings {
        show_events: true,
        now: "2026-11-22T04:10:00Z".parse().expect("time"),
    }
}
