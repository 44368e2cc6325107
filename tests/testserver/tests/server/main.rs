//! End-to-end tests of the test API server over real HTTP(S): the server is only as good as
//! its fidelity to kube-apiserver, so it is checked against the recorded fixtures and, when
//! kubectl is installed, by the real kubectl.

mod api;
mod bench_smoke;
mod binaries;
mod client;
mod fidelity;
mod http;
mod kubectl;
mod last_applied;
mod readme;
mod validation;
