//! kz as a library: the pure building blocks the `kz` binary wires together.

pub mod print;
