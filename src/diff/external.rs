//! `KUBECTL_EXTERNAL_DIFF`: a program of the user's that compares two directories, `LIVE-…`
//! and `MERGED-…` under the temporary directory, with one file per object in each, named as
//! kubectl names them. Read as kubectl reads it: the program, then words split on single
//! spaces, of which only those made of letters, digits, `-` and `=` are kept; the program gets
//! the two directories first and those words after. It follows diff's convention: exit 0 for
//! no differences, 1 for differences, anything else is a failure.

use std::path::Path;
use std::process::{Command, ExitStatus};

use anyhow::{Context as _, Result, bail};

use super::Pair;

/// The environment variable that names the program.
pub const ENV: &str = "KUBECTL_EXTERNAL_DIFF";

/// The user's diff program and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalDiff {
    program: String,
    args: Vec<String>,
}

impl ExternalDiff {
    /// The program `KUBECTL_EXTERNAL_DIFF`'s value names; `None` when it is unset or empty.
    pub fn parse(value: Option<&str>) -> Option<ExternalDiff> {
        let value = value.filter(|value| !value.is_empty())?;
        let mut words = value.split(' ');
        let program = words.next().unwrap_or_default().to_owned();
        let args = words
            .filter(|word| {
                !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '=')
            })
            .map(str::to_owned)
            .collect();
        Some(ExternalDiff { program, args })
    }

    /// Writes `pairs` into a `LIVE-…` and a `MERGED-…` directory, runs the program on them
    /// with the terminal's standard streams, and says whether it found differences. The
    /// directories are removed afterwards.
    pub fn run(&self, pairs: &[Pair]) -> Result<bool> {
        let live = directory("LIVE-")?;
        let merged = directory("MERGED-")?;
        for pair in pairs {
            write(live.path(), &pair.name, &pair.live)?;
            write(merged.path(), &pair.name, &pair.merged)?;
        }
        let status = Command::new(&self.program)
            .arg(live.path())
            .arg(merged.path())
            .args(&self.args)
            .status()
            .with_context(|| format!("failed to run {:?}", self.program))?;
        differences(&self.program, status)
    }
}

fn directory(prefix: &str) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .with_context(|| format!("creating a temporary {prefix}… directory"))
}

fn write(directory: &Path, name: &str, text: &str) -> Result<()> {
    let path = directory.join(name);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
}

/// diff's convention: 0 the same, 1 different, anything else (or a signal) a failure.
fn differences(program: &str, status: ExitStatus) -> Result<bool> {
    match status.code() {
        Some(0) => Ok(false),
        Some(1) => Ok(true),
        Some(code) => bail!("failed to run {program:?}: exit status {code}"),
        None => bail!("failed to run {program:?}: {status}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_on_spaces_and_odd_ones_dropped() {
        assert_eq!(ExternalDiff::parse(None), None);
        assert_eq!(ExternalDiff::parse(Some("")), None);
        assert_eq!(
            ExternalDiff::parse(Some("colordiff -N  -u --color=always $(rm) a;b")),
            Some(ExternalDiff {
                program: "colordiff".into(),
                args: vec!["-N".into(), "-u".into(), "--color=always".into()],
            })
        );
        assert_eq!(
            ExternalDiff::parse(Some("/usr/bin/diff")),
            Some(ExternalDiff {
                program: "/usr/bin/diff".into(),
                args: Vec::new(),
            })
        );
    }
}
