//! TLS set-up around kube's client.
//!
//! - `material` reads the kubeconfig's CA bundle, client certificate and client key, checks
//!   them with errors that name the field and the file, and hands them to kube inline.
//! - `provider` is the rustls crypto provider kube's connections use: *ring*, set up so that
//!   X.509 v1 client certificates work, as they do with kubectl.

mod der;
mod material;
mod provider;

pub use material::{inline_cluster, inline_user};
pub use provider::install_provider;
