//! `-o jsonpath=…` (as text and as JSON) and `--sort-by` (kubectl's relaxed form), parsed and
//! run against a pod List.
#![no_main]

use std::io;
use std::sync::LazyLock;

use kz::print::jsonpath::{JsonPath, JsonPathOutput, JsonPathPrinter, relaxed};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static PODS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/pods.json")).expect("data/pods.json is JSON")
});

fuzz_target!(|data: &[u8]| {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
    for output in [JsonPathOutput::Text, JsonPathOutput::Json] {
        if let Ok(printer) = JsonPathPrinter::new(template, output) {
            for allow in [true, false] {
                let _ = printer
                    .clone()
                    .allow_missing_keys(allow)
                    .print(&PODS, &mut io::sink());
            }
        }
    }
    if let Ok(path) = relaxed(template).and_then(|expr| JsonPath::parse(&expr)) {
        let _ = path.evaluate(&PODS).map(|groups| groups.len());
    }
});
