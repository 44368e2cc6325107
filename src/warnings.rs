//! The server's `Warning` response headers (RFC 7234 `299 - "text"`), printed on stderr as
//! kubectl prints them: `Warning: text`, each distinct text once per command.

use std::collections::HashSet;
use std::sync::Mutex;

use http::HeaderMap;

use crate::streams::Stderr;

/// Prints each distinct warning the server sends once.
pub struct Warnings {
    stderr: Stderr,
    seen: Mutex<HashSet<String>>,
}

impl Warnings {
    pub fn new(stderr: Stderr) -> Warnings {
        Warnings {
            stderr,
            seen: Mutex::new(HashSet::new()),
        }
    }

    /// Prints the warnings in `headers` not printed before.
    pub fn report(&self, headers: &HeaderMap) {
        for value in headers.get_all(http::header::WARNING) {
            let Some(text) = value.to_str().ok().and_then(warning_text) else {
                continue;
            };
            let fresh = self
                .seen
                .lock()
                .map(|mut seen| seen.insert(text.clone()))
                .unwrap_or(true);
            if fresh {
                self.stderr.line(format!("Warning: {text}"));
            }
        }
    }
}

/// The text of one `Warning` header value: `299 - "unknown field \"x\""` → `unknown field "x"`.
/// Only code 299 (miscellaneous persistent warning) is what the API server sends; the agent is
/// `-` or a host, and a date may follow the quoted text.
fn warning_text(value: &str) -> Option<String> {
    let rest = value.trim().strip_prefix("299")?.trim_start();
    let (_agent, rest) = rest.split_once(char::is_whitespace)?;
    let mut chars = rest.trim_start().strip_prefix('"')?.chars();
    let mut text = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.push(chars.next()?),
            '"' => return Some(text),
            c => text.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_unquote_like_client_go() {
        assert_eq!(
            warning_text(r#"299 - "unknown field \"spec.foo\"""#).as_deref(),
            Some(r#"unknown field "spec.foo""#)
        );
        assert_eq!(
            warning_text(
                r#"299 kube-apiserver "v1 Endpoints is deprecated" "Mon, 01 Jan 2026 00:00:00 GMT""#
            )
            .as_deref(),
            Some("v1 Endpoints is deprecated")
        );
        assert_eq!(warning_text(r#"199 - "not a server warning""#), None);
        assert_eq!(warning_text(r#"299 - "unterminated"#), None);
    }

    #[test]
    fn each_warning_is_printed_once() {
        let captured = crate::streams::Captured::default();
        let warnings = Warnings::new(Stderr::new(captured.clone()));
        let mut headers = HeaderMap::new();
        headers.append(
            http::header::WARNING,
            r#"299 - "unknown field \"a\"""#.parse().expect("header"),
        );
        headers.append(
            http::header::WARNING,
            r#"299 - "unknown field \"b\"""#.parse().expect("header"),
        );
        warnings.report(&headers);
        warnings.report(&headers);
        assert_eq!(
            captured.text(),
            "Warning: unknown field \"a\"\nWarning: unknown field \"b\"\n"
        );
    }
}
