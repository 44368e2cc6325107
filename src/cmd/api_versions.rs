//! `kz api-versions`: every group/version the server serves, sorted, one per line.

use std::io::Write;

use anyhow::Result;

use crate::context::Context;
use crate::discovery::Catalog;

pub fn run(ctx: &mut Context) -> Result<()> {
    let mut discovery = ctx.discovery()?;
    // Like kubectl: always fresh, so a new API group shows at once.
    let catalog = ctx.block_on(async { discovery.refresh().await.cloned() })??;
    print(&mut ctx.out, &catalog)
}

pub fn print<W: Write>(out: &mut W, catalog: &Catalog) -> Result<()> {
    for version in catalog.group_versions() {
        writeln!(out, "{version}")?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::discovery::tests::fixture_catalog;

    #[test]
    fn output_matches_kubectl() {
        let mut out = Vec::new();
        print(&mut out, &fixture_catalog()).unwrap();
        let expected = include_str!("../../tests/fixtures/kubectl/api-versions.txt");
        assert_eq!(String::from_utf8(out).unwrap(), fixture_stdout(expected));
    }

    /// The stdout section of a recorded kubectl transcript.
    pub fn fixture_stdout(transcript: &str) -> String {
        let start =
            transcript.find("# --- stdout\n").expect("stdout marker") + "# --- stdout\n".len();
        let end = transcript.find("# --- stderr").expect("stderr marker");
        transcript[start..end].to_owned()
    }
}
