//! kz: a fast, friendly Kubernetes command-line client.
//!
//! The library is the spine every verb stands on; `main.rs` only wires it together:
//!
//! - `cli`: the clap definition (global kubectl flags, one Args struct per verb).
//! - `kubeconfig`: loading and merging kubeconfig files like kubectl, flags on top, writes.
//! - `context`: the seam commands get — kubeconfig, namespace, client, discovery, streams.
//! - `streams`: kz's shared, best-effort stderr; `terminal`: terminal facts and `--color`.
//! - `client`: the API client (timeouts, `-v` tracing with secrets redacted, typed errors).
//! - `credentials`: exec plugin and token file tokens, fetched again on expiry and on a 401.
//! - `tls`: the kubeconfig's certificates and keys, checked, and the rustls set-up for kube.
//! - `discovery`: resource names → resource types, with built-ins, a disk cache and refresh.
//! - `resource`: kubectl's resource builder — arguments, selectors and `-f` sources → targets.
//! - `selector`: label selectors matched on the client (objects read from files).
//! - `signals`: Ctrl-C for the commands that wait, stopped the way kubectl stops them.
//! - `error`: kubectl-style error lines and exit codes.
//! - `apply`: server-side apply, kubectl interop (last-applied, managed-field migration), order.
//! - `diff`: `kz diff`'s unified diffs (GNU diff's hunks), Secret masking, external differs.
//! - `warnings`: the server's `Warning` headers, printed once each like kubectl.
//! - `rollout`: what `kz rollout` knows about workloads (status rules, patches, revisions).
//! - `logs`: what `kz logs` knows: kubectl's pod and container choice, log requests, line
//!   formats, and many streams (resumed, picked up as pods come and go) on one writer.
//! - `ui`: what is drawn on a terminal only (live progress).
//! - `complete`: shell completion, answered from the clap definition and the cluster.
//! - `print`: printers that write to `&mut impl Write`; `cmd`: one module per verb.

pub mod api;
pub mod apply;
pub mod cli;
pub mod client;
pub mod cmd;
pub mod complete;
pub mod context;
pub mod credentials;
pub mod describe;
pub mod diff;
pub mod discovery;
pub mod error;
pub mod kubeconfig;
pub mod logs;
pub mod print;
pub mod resource;
pub mod rollout;
pub mod selector;
pub mod signals;
pub mod streams;
pub mod terminal;
pub mod tls;
pub mod ui;
pub mod warnings;
pub mod yaml;
