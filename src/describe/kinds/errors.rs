//! Handing on the error of a fetch a describer cannot do without: kubectl fails the whole
//! description with it (a Namespace whose quotas cannot be listed, a ConfigMap whose events
//! cannot be read), and kz reports it as kubectl does.

use crate::error::server_error;

/// An error that reads like `err` (an API error stays one, so it is reported as kubectl
/// reports it); the fetched answer keeps the original.
pub fn handed_on(err: &anyhow::Error) -> anyhow::Error {
    match server_error(err) {
        Some(server) => anyhow::Error::new(server.clone()),
        None => anyhow::anyhow!("{err:#}"),
    }
}
