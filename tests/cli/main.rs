//! End-to-end tests: the real `kz` binary against the in-process test API server.

mod basics;
