//! The manifest reader of `apply -f`, `create -f`, `diff -f` and `delete -f`: bytes (UTF-8 or
//! UTF-16 with a byte-order mark) → YAML or JSON documents → objects, Lists flattened.
#![no_main]

use kz::resource::manifest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = manifest::decode_text(data, "fuzz.yaml") else {
        return;
    };
    for mut object in manifest::parse(&text, "fuzz.yaml").into_iter().flatten() {
        object.set_namespace(Some("fuzz".into()));
    }
});
