//! The resource arguments of `get`, `describe`, `delete`…: `pods`, `pods,svc web`,
//! `deploy/web svc/web`, and the one object of `logs`, `exec`… The input is the arguments,
//! one a line.
#![no_main]

use kz::resource::args::parse_object_arg;
use kz::resource::parse_args;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let args: Vec<String> = text.lines().map(str::to_string).collect();
    let _ = parse_args(&args);
    for arg in &args {
        let _ = parse_object_arg(arg, "pods");
    }
});
