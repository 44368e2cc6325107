//! `kz logs`: what kubectl's logs command knows, and what stern adds.
//!
//! - `pick`: which pods and containers (kubectl's rules, notices and errors; pure).
//! - `pods`: a workload's pods, best first, waiting for one to appear.
//! - `request`: a container's log request, and where a cut stream resumes.
//! - `format`: how a line is written (prefix, colour, `-o raw|json`, `--include/--exclude`).
//! - `colour`: the prefix palette.
//! - `stream`: reading one container's log, resumed when the server cuts it.
//! - `run`: all the streams on one writer, in order or at once, with `--watch-pods`.

pub mod colour;
pub mod format;
pub mod pick;
pub mod pods;
pub mod request;
pub mod run;
pub mod stream;
