//! `-o go-template=…` and `-o go-template-file=FILE`, parsed and run against a pod List.
#![no_main]

use std::io;
use std::sync::LazyLock;

use kz::print::go_template::GoTemplatePrinter;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static PODS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/pods.json")).expect("data/pods.json is JSON")
});

fuzz_target!(|data: &[u8]| {
    let Ok(template) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(printer) = GoTemplatePrinter::new(template) {
        for allow in [true, false] {
            let _ = printer
                .clone()
                .allow_missing_keys(allow)
                .print(&PODS, &mut io::sink());
        }
    }
});
