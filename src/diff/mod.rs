//! `kz diff`'s output, below the command: each object's live and merged versions as the YAML
//! kubectl writes into its `LIVE-…` and `MERGED-…` files (managedFields left out unless asked
//! for, Secrets' values masked: `mask`), compared by kz itself into a unified diff in the
//! shape of kubectl's default `diff -u -N` (`unified`), or handed to the user's
//! `KUBECTL_EXTERNAL_DIFF` program (`external`). Colours are kz's palette's (`ui::colour`).

pub mod external;
pub mod mask;
pub mod unified;

use std::borrow::Cow;
use std::io::{self, Write};

use anyhow::Result;
use serde_json::Value;

use crate::discovery::ResourceType;
use crate::ui::colour::{Palette, Style};
use unified::Mark;

/// One object's two versions, as the files kubectl would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The file name: `apps.v1.Deployment.shop.web` (`v1.Namespace..shop` for an object
    /// without a namespace).
    pub name: String,
    /// The live object's YAML, empty when there is none.
    pub live: String,
    /// The object as the apply would leave it, in YAML.
    pub merged: String,
}

impl Pair {
    /// The versions of an object of type `rt`, as the server has it (`live`) and as the
    /// server's dry run answered (`merged`).
    pub fn new(
        rt: &ResourceType,
        namespace: Option<&str>,
        name: &str,
        mut live: Option<Value>,
        mut merged: Value,
        show_managed_fields: bool,
    ) -> Result<Pair> {
        if !show_managed_fields {
            for object in live.iter_mut().chain([&mut merged]) {
                if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
                    metadata.remove("managedFields");
                }
            }
        }
        if mask::is_secret(&merged) {
            mask::mask(live.as_mut(), &mut merged);
        }
        Ok(Pair {
            name: file_name(rt, namespace, name),
            live: match &live {
                Some(live) => crate::yaml::to_string(live)?,
                None => String::new(),
            },
            merged: crate::yaml::to_string(&merged)?,
        })
    }
}

/// kubectl's name for an object's file: `[group.]version.Kind.namespace.name`.
pub fn file_name(rt: &ResourceType, namespace: Option<&str>, name: &str) -> String {
    let group = if rt.group.is_empty() {
        String::new()
    } else {
        format!("{}.", rt.group)
    };
    format!(
        "{group}{}.{}.{}.{name}",
        rt.version,
        rt.kind,
        namespace.unwrap_or_default()
    )
}

/// Writes `pair`'s unified diff, as `diff -u -N LIVE MERGED` prints it for one file, with
/// `time` as both files' time (GNU diff's `2026-11-22 04:07:16.756477366 +0000`); nothing
/// when the versions are the same. With colour, the file headers are bold, the hunk headers
/// cyan, removed lines red and added ones green. Says whether there were differences.
pub fn write_unified(
    out: &mut dyn Write,
    pair: &Pair,
    time: &str,
    palette: Palette,
) -> io::Result<bool> {
    let hunks = unified::hunks(&pair.live, &pair.merged, unified::CONTEXT);
    if hunks.is_empty() {
        return Ok(false);
    }
    let name = &pair.name;
    let header = |text: String| palette.paint(Style::Header, &text).into_owned();
    writeln!(
        out,
        "{}",
        header(format!("diff -u -N LIVE/{name} MERGED/{name}"))
    )?;
    writeln!(out, "{}", header(format!("--- LIVE/{name}\t{time}")))?;
    writeln!(out, "{}", header(format!("+++ MERGED/{name}\t{time}")))?;
    for hunk in hunks {
        writeln!(out, "{}", palette.paint(Style::Key, &hunk.header()))?;
        for (mark, line) in hunk.lines {
            // The colour ends before the newline, so that a pager's next line starts clean.
            let (text, newline) = match line.strip_suffix('\n') {
                Some(text) => (text, true),
                None => (line, false),
            };
            let text = format!("{}{text}", mark.symbol());
            let text = match mark {
                Mark::Context => Cow::Borrowed(text.as_str()),
                Mark::Removed => palette.paint(Style::Removed, &text),
                Mark::Added => palette.paint(Style::Added, &text),
            };
            writeln!(out, "{text}")?;
            if !newline {
                writeln!(out, "\\ No newline at end of file")?;
            }
        }
    }
    Ok(true)
}

/// The time as GNU diff prints a file's: local time with nanoseconds and the UTC offset.
pub fn file_time(now: &jiff::Zoned) -> String {
    format!(
        "{}.{:09} {}",
        now.strftime("%Y-%m-%d %H:%M:%S"),
        now.subsec_nanosecond(),
        now.strftime("%z")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rt(group: &str, version: &str, kind: &str) -> ResourceType {
        ResourceType {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            resource: String::new(),
            singular: String::new(),
            namespaced: true,
            verbs: Vec::new(),
            short_names: Vec::new(),
            categories: Vec::new(),
            subresources: Vec::new(),
        }
    }

    #[test]
    fn files_are_named_like_kubectls() {
        assert_eq!(
            file_name(&rt("apps", "v1", "Deployment"), Some("shop"), "web"),
            "apps.v1.Deployment.shop.web"
        );
        assert_eq!(
            file_name(&rt("", "v1", "Namespace"), None, "shop"),
            "v1.Namespace..shop"
        );
    }

    #[test]
    fn managed_fields_are_left_out_and_secrets_masked() {
        let secret = |value: &str| {
            json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "token", "managedFields": [{"manager": "kz"}]},
                "data": {"key": value}})
        };
        let pair = Pair::new(
            &rt("", "v1", "Secret"),
            Some("shop"),
            "token",
            Some(secret("YQ==")),
            secret("Yg=="),
            false,
        )
        .expect("pair");
        assert_eq!(
            pair.live,
            "apiVersion: v1\ndata:\n  key: '*** (before)'\nkind: Secret\nmetadata:\n  name: token\n"
        );
        assert!(
            pair.merged.contains("key: '*** (after)'"),
            "{}",
            pair.merged
        );
        let shown = Pair::new(
            &rt("", "v1", "Secret"),
            None,
            "token",
            None,
            secret("Yg=="),
            true,
        )
        .expect("pair");
        assert_eq!(shown.live, "");
        assert!(shown.merged.contains("managedFields"), "{}", shown.merged);
    }

    #[test]
    fn the_diff_has_kubectls_headers_and_colours_only_when_asked() {
        let pair = Pair {
            name: "v1.ConfigMap.shop.settings".into(),
            live: "a: 1\nb: 2\n".into(),
            merged: "a: 1\nb: 3\n".into(),
        };
        let time = "2026-11-22 04:07:16.756477366 +0000";
        let mut plain = Vec::new();
        assert!(write_unified(&mut plain, &pair, time, Palette::new(false)).expect("written"));
        assert_eq!(
            String::from_utf8(plain).expect("utf-8"),
            "diff -u -N LIVE/v1.ConfigMap.shop.settings MERGED/v1.ConfigMap.shop.settings\n\
             --- LIVE/v1.ConfigMap.shop.settings\t2026-11-22 04:07:16.756477366 +0000\n\
             +++ MERGED/v1.ConfigMap.shop.settings\t2026-11-22 04:07:16.756477366 +0000\n\
             @@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n"
        );
        let mut coloured = Vec::new();
        write_unified(&mut coloured, &pair, time, Palette::new(true)).expect("written");
        let coloured = String::from_utf8(coloured).expect("utf-8");
        assert!(coloured.contains("\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n a: 1\n\x1b[31m-b: 2\x1b[0m\n\x1b[32m+b: 3\x1b[0m\n"), "{coloured:?}");
        let same = Pair {
            merged: pair.live.clone(),
            ..pair
        };
        let mut nothing = Vec::new();
        assert!(!write_unified(&mut nothing, &same, time, Palette::new(false)).expect("written"));
        assert!(nothing.is_empty());
    }

    #[test]
    fn file_times_look_like_gnu_diffs() {
        let time: jiff::Zoned = "2026-11-22T04:07:16.75647+00:00[UTC]"
            .parse()
            .expect("time");
        assert_eq!(file_time(&time), "2026-11-22 04:07:16.756470000 +0000");
    }
}
