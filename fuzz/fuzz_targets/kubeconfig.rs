//! Kubeconfig loading: a file's text (one or more YAML documents) → one merged config.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kz::kubeconfig::parse(text);
    }
});
