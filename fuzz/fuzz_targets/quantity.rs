//! Resource quantities (`500m`, `1Gi`, `1e3`) as describe reads them from objects, printed
//! back canonically and combined.
#![no_main]

use kz::describe::quantity::{self, Quantity};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = quantity::canonical(text);
    let of = Quantity::of(&Value::String(text.to_string()));
    if let Some(parsed) = Quantity::parse(text) {
        let _ = parsed.canonical();
        let _ = (parsed.value(), parsed.milli_value(), parsed.is_zero());
        let sum = parsed.add(&of);
        let _ = sum.canonical();
        let _ = parsed.whole_in_my_format(sum.value());
        let _ = quantity::percent(parsed.value(), sum.value());
        let _ = parsed.partial_cmp(&of);
    }
});
