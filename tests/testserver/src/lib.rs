//! kz-testserver: an in-process Kubernetes API server that behaves like kube-apiserver for
//! everything kz (and kubectl) use. See DESIGN.md, "The test API server".

pub mod controller;
pub mod events;
pub mod patch;
pub mod status;
pub mod store;
pub mod table;
