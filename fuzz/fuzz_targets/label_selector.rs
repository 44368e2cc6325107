//! `-l`/`--selector`: kubernetes' label selector syntax, parsed and matched.
#![no_main]

use std::collections::BTreeMap;

use kz::selector::LabelSelector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(selector) = LabelSelector::parse(text) {
        let labels = BTreeMap::from([
            ("app".to_string(), "web".to_string()),
            ("tier".to_string(), "3".to_string()),
        ]);
        let _ = selector.matches(&labels);
        let _ = selector.matches_object(&serde_json::json!({"metadata": {"labels": labels}}));
    }
});
