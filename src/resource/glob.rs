//! `-f 'manifests/*.yaml'`: Go's `filepath.Glob` and `filepath.Match`, which kubectl applies to
//! a `-f` path that does not exist. `*` is any run of characters but `/`, `?` one character,
//! `[a-z]` and `[^a-z]` classes, `\` escapes the next character. Matches are listed directory
//! by directory in byte order, as Go lists them.

use std::path::{Path, PathBuf};

/// Go's `filepath.ErrBadPattern`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern")]
pub struct BadPattern;

/// Whether `pattern` has any of Go's glob characters.
pub fn has_meta(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '\\'])
}

/// The paths matching `pattern`, sorted per directory; an empty list when nothing matches
/// (unreadable directories count as empty, like Go).
pub fn glob(pattern: &str) -> Result<Vec<PathBuf>, BadPattern> {
    // Go checks the whole pattern first, so a bad one fails even where nothing would match.
    Pattern::parse(pattern)?;
    if !has_meta(pattern) {
        let exists = std::fs::symlink_metadata(pattern).is_ok();
        return Ok(if exists {
            vec![PathBuf::from(pattern)]
        } else {
            Vec::new()
        });
    }
    let (dir, file) = match pattern.rfind('/') {
        Some(slash) => (&pattern[..=slash], &pattern[slash + 1..]),
        None => ("", pattern),
    };
    let dir = clean_glob_dir(dir);
    let file = Pattern::parse(file)?;
    if !has_meta(dir) {
        return Ok(matches_in(Path::new(dir), &file));
    }
    if dir == pattern {
        return Err(BadPattern);
    }
    Ok(glob(dir)?
        .iter()
        .flat_map(|parent| matches_in(parent, &file))
        .collect())
}

/// Go's `cleanGlobPath`: `` → `.`, `/` stays, a trailing slash goes.
fn clean_glob_dir(dir: &str) -> &str {
    match dir {
        "" => ".",
        "/" => "/",
        dir => &dir[..dir.len() - 1],
    }
}

/// The entries of `dir` whose names match `pattern`, in byte order.
fn matches_in(dir: &Path, pattern: &Pattern) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter(|name| name.to_str().is_some_and(|name| pattern.matches(name)))
        .map(|name| {
            if dir == Path::new(".") {
                PathBuf::from(name)
            } else {
                dir.join(name)
            }
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`
    Any,
    /// `*`
    Star,
    /// `[…]`: inclusive ranges, possibly negated (`[^…]`).
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A parsed `filepath.Match` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Token>);

impl Pattern {
    pub fn parse(pattern: &str) -> Result<Pattern, BadPattern> {
        let mut chars = pattern.chars().peekable();
        let mut tokens = Vec::new();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Star,
                '?' => Token::Any,
                '\\' => Token::Char(chars.next().ok_or(BadPattern)?),
                '[' => {
                    let negated = chars.next_if_eq(&'^').is_some();
                    let mut ranges = Vec::new();
                    loop {
                        if !ranges.is_empty() && chars.next_if_eq(&']').is_some() {
                            break;
                        }
                        let lo = class_char(&mut chars)?;
                        let hi = if chars.next_if_eq(&'-').is_some() {
                            class_char(&mut chars)?
                        } else {
                            lo
                        };
                        ranges.push((lo, hi));
                    }
                    Token::Class { negated, ranges }
                }
                c => Token::Char(c),
            });
        }
        Ok(Pattern(tokens))
    }

    /// Whether the whole of `name` matches (`*` and `?` never match `/`).
    pub fn matches(&self, name: &str) -> bool {
        let name: Vec<char> = name.chars().collect();
        matches_from(&self.0, &name)
    }
}

/// One character of a class: Go's `getEsc` (`-` and `]` must be escaped, the class must end).
fn class_char(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<char, BadPattern> {
    let c = match chars.next() {
        None | Some('-') | Some(']') => return Err(BadPattern),
        Some('\\') => chars.next().ok_or(BadPattern)?,
        Some(c) => c,
    };
    if chars.peek().is_none() {
        return Err(BadPattern);
    }
    Ok(c)
}

fn matches_from(tokens: &[Token], name: &[char]) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return name.is_empty();
    };
    match token {
        Token::Star => (0..=name.len())
            .take_while(|&n| n == 0 || name[n - 1] != '/')
            .any(|n| matches_from(rest, &name[n..])),
        _ => match name.split_first() {
            Some((&c, tail)) if matches_one(token, c) => matches_from(rest, tail),
            _ => false,
        },
    }
}

fn matches_one(token: &Token, c: char) -> bool {
    match token {
        Token::Char(expected) => *expected == c,
        Token::Any => c != '/',
        Token::Class { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        Token::Star => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, name: &str) -> bool {
        Pattern::parse(pattern).expect("valid").matches(name)
    }

    #[test]
    fn match_follows_go() {
        assert!(matches("*.yaml", "web.yaml"));
        assert!(matches("*.yaml", ".hidden.yaml"));
        assert!(!matches("*.yaml", "web.yml"));
        assert!(!matches("*", "a/b"));
        assert!(matches("w?b", "web"));
        assert!(!matches("w?b", "w/b"));
        assert!(matches("[a-c]x", "bx"));
        assert!(!matches("[^a-c]x", "bx"));
        assert!(matches("[^a-c]x", "dx"));
        assert!(matches("\\*", "*"));
        assert!(!matches("\\*", "a"));
        assert!(matches("a*b*c", "axxbyyc"));
        assert!(!matches("a*b*c", "axxbyy"));
    }

    #[test]
    fn bad_patterns_are_rejected_whole() {
        for bad in ["[", "[a", "[]a]", "[a-]", "x\\", "[^", "ok*[z-"] {
            assert_eq!(Pattern::parse(bad), Err(BadPattern), "{bad}");
        }
        assert_eq!(BadPattern.to_string(), "syntax error in pattern");
    }

    #[test]
    fn glob_lists_matches_per_directory_in_order() {
        let dir = tempfile::TempDir::new().expect("dir");
        for rel in ["b/2.yaml", "b/1.yaml", "a/3.yaml", "a/x.json", "top.yaml"] {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, "").expect("write");
        }
        let root = dir.path().display().to_string();
        let found = |pattern: &str| -> Vec<String> {
            glob(&format!("{root}/{pattern}"))
                .expect("valid")
                .iter()
                .map(|p| {
                    p.strip_prefix(dir.path())
                        .expect("inside")
                        .display()
                        .to_string()
                })
                .collect()
        };
        assert_eq!(found("*/*.yaml"), ["a/3.yaml", "b/1.yaml", "b/2.yaml"]);
        assert_eq!(found("?/x.*"), ["a/x.json"]);
        assert_eq!(found("top.yaml"), ["top.yaml"]);
        assert!(found("nothing*").is_empty());
        assert!(found("missing.yaml").is_empty());
        assert_eq!(glob(&format!("{root}/[")), Err(BadPattern));
    }
}
