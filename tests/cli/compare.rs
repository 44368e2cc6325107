//! kz against the real kubectl, byte for byte.

use crate::support::{Sandbox, run};

/// Runs `args` with kz and with kubectl (when installed), asserts that both exit the same way
/// and print the same bytes, and returns kz's stdout.
#[track_caller]
pub fn like_kubectl(sandbox: &Sandbox, args: &[&str]) -> String {
    let kz = run(sandbox.kz(), args);
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, args);
        assert_eq!(
            kz, kubectl,
            "kz (left) and kubectl (right) differ for {args:?}"
        );
    }
    kz.success().to_owned()
}
