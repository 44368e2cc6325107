//! `-o custom-columns=SPEC` and `-o custom-columns-file=FILE`, parsed and printed for a pod
//! List.
#![no_main]

use std::io;
use std::sync::LazyLock;

use kz::print::custom_columns::{CustomColumns, CustomColumnsPrinter};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

static PODS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/pods.json")).expect("data/pods.json is JSON")
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = [
        CustomColumns::from_spec(text),
        CustomColumns::from_template(text),
    ];
    for columns in parsed.into_iter().flatten() {
        let mut printer = CustomColumnsPrinter::new(columns, false);
        if printer.add(&PODS).is_ok() {
            let _ = printer.flush(&mut io::sink());
        }
    }
});
