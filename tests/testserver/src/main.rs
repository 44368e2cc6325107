//! `kz-testserver`: serves a generated cluster for benchmarks and demos.

fn main() {}
