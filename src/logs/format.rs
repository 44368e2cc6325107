//! How each log line is written: kubectl's way (the line as the server sent it, after
//! `[pod/NAME/CONTAINER] ` with `--prefix`), the message alone (`-o raw`) or one JSON object
//! (`-o json`); and which lines are written at all (`--include`, `--exclude`).

use anyhow::{Context as _, Result};
use jiff::Timestamp;
use regex::bytes::Regex;
use serde_json::Value;

use super::colour;
use super::pick::Source;

/// `-o`: the shape of each written line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Style {
    /// kubectl's output.
    #[default]
    Kubectl,
    /// The message alone.
    Raw,
    /// `{"pod":…,"container":…,"namespace":…,"timestamp":…,"message":…}`.
    Json,
}

/// `--include` and `--exclude`: a line is written when it matches one of the includes (if
/// there are any) and none of the excludes. They look at the message, not the timestamp.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl Filter {
    /// Compiles the expressions; a bad one is an error naming its flag.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Filter> {
        let compile = |flag: &str, patterns: &[String]| -> Result<Vec<Regex>> {
            patterns
                .iter()
                .map(|p| Regex::new(p).with_context(|| format!("invalid {flag} expression {p:?}")))
                .collect()
        };
        Ok(Filter {
            include: compile("--include", include)?,
            exclude: compile("--exclude", exclude)?,
        })
    }

    /// Whether a line with this message is written.
    pub fn keeps(&self, message: &[u8]) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.is_match(message)))
            && !self.exclude.iter().any(|r| r.is_match(message))
    }
}

/// Everything about writing lines that is the same for every stream of a command.
#[derive(Debug, Clone, Default)]
pub struct LineFormat {
    pub style: Style,
    /// Prefix each line with its source (kubectl style only).
    pub prefix: bool,
    /// Colour the prefixes.
    pub colour: bool,
    /// The user asked for timestamps (`--timestamps`): they stay in kubectl-style lines.
    pub timestamps: bool,
    pub filter: Filter,
}

/// One line as read: the whole line as sent (its newline, if it had one, taken off), and its
/// time and message when the server was asked for timestamps.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub whole: &'a [u8],
    pub time: Option<Timestamp>,
    pub message: &'a [u8],
    /// Whether the line ended with a newline (a `--limit-bytes` cut may end mid-line).
    pub ended: bool,
}

/// The writer of one stream's lines: the command's format with this source's prefix ready.
#[derive(Debug, Clone)]
pub struct SourceFormat {
    source: Source,
    prefix: Vec<u8>,
}

impl LineFormat {
    /// The format of one source's lines.
    pub fn for_source(&self, source: &Source) -> SourceFormat {
        let prefix = if self.prefix && self.style == Style::Kubectl {
            let bracketed = format!("[{}]", source.label());
            let bracketed = if self.colour {
                colour::paint(&bracketed, colour::code_for(&source.label()))
            } else {
                bracketed
            };
            format!("{bracketed} ").into_bytes()
        } else {
            Vec::new()
        };
        SourceFormat {
            source: source.clone(),
            prefix,
        }
    }

    /// Appends `line`, formatted, to `out`; false (and nothing appended) when it is filtered
    /// out.
    pub fn write(&self, source: &SourceFormat, line: &Line<'_>, out: &mut Vec<u8>) -> bool {
        if !self.filter.keeps(line.message) {
            return false;
        }
        match self.style {
            Style::Kubectl => {
                out.extend_from_slice(&source.prefix);
                let text = if self.timestamps {
                    line.whole
                } else {
                    line.message
                };
                out.extend_from_slice(text);
                if line.ended {
                    out.push(b'\n');
                }
            }
            Style::Raw => {
                out.extend_from_slice(line.message);
                out.push(b'\n');
            }
            Style::Json => {
                // Written by hand to keep the fields in this order (serde_json sorts them).
                let string = |text: &str| Value::String(text.to_string()).to_string();
                let time = line
                    .time
                    .map_or_else(|| "null".to_string(), |t| string(&t.to_string()));
                let object = format!(
                    "{{\"pod\":{},\"container\":{},\"namespace\":{},\"timestamp\":{time},\"message\":{}}}\n",
                    string(&source.source.pod),
                    string(&source.source.container),
                    string(&source.source.namespace),
                    string(&String::from_utf8_lossy(line.message)),
                );
                out.extend_from_slice(object.as_bytes());
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            namespace: "shop".into(),
            pod: "web-1".into(),
            container: "app".into(),
        }
    }

    fn line(whole: &'static [u8]) -> Line<'static> {
        let (time, message) = super::super::request::split_timestamp(whole);
        Line {
            whole,
            time,
            message,
            ended: true,
        }
    }

    fn written(format: &LineFormat, line: &Line<'_>) -> String {
        let mut out = Vec::new();
        format.write(&format.for_source(&source()), line, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    const STAMPED: &[u8] = b"2026-11-22T10:00:17.000000000Z GET /health 200";

    #[test]
    fn kubectl_lines_keep_timestamps_only_when_asked() {
        let plain = LineFormat::default();
        assert_eq!(written(&plain, &line(STAMPED)), "GET /health 200\n");
        let stamped = LineFormat {
            timestamps: true,
            prefix: true,
            ..LineFormat::default()
        };
        assert_eq!(
            written(&stamped, &line(STAMPED)),
            "[pod/web-1/app] 2026-11-22T10:00:17.000000000Z GET /health 200\n"
        );
        let cut = Line {
            ended: false,
            ..line(b"GET /hea")
        };
        assert_eq!(written(&plain, &cut), "GET /hea");
    }

    #[test]
    fn prefixes_are_coloured_when_colour_is_on() {
        let coloured = LineFormat {
            prefix: true,
            colour: true,
            ..LineFormat::default()
        };
        let code = colour::code_for("pod/web-1/app");
        assert_eq!(
            written(&coloured, &line(b"hello")),
            format!("\x1b[{code}m[pod/web-1/app]\x1b[0m hello\n")
        );
    }

    #[test]
    fn raw_and_json_lines() {
        let raw = LineFormat {
            style: Style::Raw,
            prefix: true,
            timestamps: true,
            ..LineFormat::default()
        };
        assert_eq!(written(&raw, &line(STAMPED)), "GET /health 200\n");
        let json = LineFormat {
            style: Style::Json,
            ..LineFormat::default()
        };
        assert_eq!(
            written(&json, &line(STAMPED)),
            "{\"pod\":\"web-1\",\"container\":\"app\",\"namespace\":\"shop\",\"timestamp\":\"2026-11-22T10:00:17Z\",\"message\":\"GET /health 200\"}\n"
        );
        let quoted = written(&json, &line(b"say \"hi\"\t\xff"));
        let object: Value = serde_json::from_str(&quoted).expect("valid JSON");
        assert_eq!(object["message"], "say \"hi\"\t\u{fffd}");
        assert_eq!(object["timestamp"], Value::Null);
    }

    #[test]
    fn filters_look_at_the_message() {
        let filter = Filter::new(&["GET|POST".into()], &["/health".into()]).expect("valid");
        assert!(filter.keeps(b"POST /orders"));
        assert!(!filter.keeps(b"GET /health"));
        assert!(!filter.keeps(b"DELETE /orders"));
        let format = LineFormat {
            filter: Filter::new(&["2026".into()], &[]).expect("valid"),
            ..LineFormat::default()
        };
        assert_eq!(
            written(&format, &line(STAMPED)),
            "",
            "the time is not searched"
        );
        let err = Filter::new(&[], &["(".into()]).unwrap_err();
        assert!(
            format!("{err:#}").starts_with("invalid --exclude expression \"(\""),
            "{err:#}"
        );
    }
}
