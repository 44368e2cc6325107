//! Durations: `--request-timeout`, `--timeout`, and `logs --since` (which may be negative).
#![no_main]

use kz::cli::{parse_request_timeout, parse_signed_duration, parse_timeout};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_request_timeout(text);
    let _ = parse_timeout(text);
    let _ = parse_signed_duration(text);
});
