//! What kz draws on a terminal and nowhere else: live progress displays (indicatif). Commands
//! choose them only when the stream they would print to is a terminal, and keep kubectl's
//! plain lines otherwise. `colour` is kz's palette and `paint` colours a command's stdout
//! (tables, describe, YAML) when the Context decided stdout gets colour.

pub mod colour;
pub mod paint;
pub mod rollout;
