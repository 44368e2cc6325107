//! What kz draws on a terminal and nowhere else: live progress displays (indicatif). Commands
//! choose them only when the stream they would print to is a terminal, and keep kubectl's
//! plain lines otherwise.

pub mod rollout;
