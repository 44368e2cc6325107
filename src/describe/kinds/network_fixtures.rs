//! Recorded objects and kubectl outputs for the network describers' unit tests.

use serde_json::Value;

use crate::describe::{Describer, Fetched, Settings};

/// The items of a recorded list under `tests/fixtures/http/`.
pub fn recorded_items(file: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/http/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("recorded list");
    let list: Value = serde_json::from_str(&text).expect("JSON");
    list["items"].as_array().expect("items").clone()
}

/// The stdout kubectl printed, from `tests/fixtures/kubectl/`.
pub fn kubectl_stdout(file: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/kubectl/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let recorded = std::fs::read_to_string(&path).expect("kubectl fixture");
    let (_, rest) = recorded.split_once("# --- stdout\n").expect("stdout");
    let (stdout, _) = rest.split_once("# --- stderr").expect("stderr");
    stdout.to_string()
}

/// `object` described with `related` answers and no events.
pub fn render(
    describer: &dyn Describer,
    object: &Value,
    related: Vec<anyhow::Result<Value>>,
) -> String {
    let fetched = Fetched {
        related,
        events: Some(Ok(Vec::new())),
    };
    let settings = Settings {
        show_events: true,
        now: "2026-11-22T04:00:00Z".parse().expect("time"),
    };
    crate::describe::render(describer, object, &fetched, &settings).expect("description")
}

/// A server's NotFound answer, as the command's fetches report it.
pub fn not_found(message: &str) -> anyhow::Error {
    anyhow::Error::new(crate::error::ServerError {
        status: crate::error::Status {
            kind: "Status".to_string(),
            message: message.to_string(),
            reason: "NotFound".to_string(),
            code: 404,
            details: None,
        },
    })
}
