//! TLS set-up around kube's client: `provider` is the rustls crypto provider kube's
//! connections use, *ring*, set up so that X.509 v1 client certificates work, as they do with
//! kubectl.

mod provider;

pub use provider::install_provider;
