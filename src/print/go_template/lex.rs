//! The lexer: splits a template into text and actions and an action into tokens, the way
//! Go's `text/template/parse` lexer does (`{{-`/`-}}` trimming, `{{/* comments */}}`, quoted,
//! raw and character constants, numbers in Go's syntaxes).

use super::GoTemplateError;
use crate::print::gofmt;
use crate::print::jsonpath;

/// One token of an action.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Space,
    Dot,
    Field(String),
    Variable(String),
    Ident(String),
    String(String),
    Char(i64),
    Number(String),
    Declare,
    Assign,
    Pipe,
    LeftParen,
    RightParen,
    Comma,
}

/// A token and where it is in the template (byte offsets).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) pos: usize,
    pub(super) end: usize,
}

/// A piece of the template: text, or the tokens of one action.
#[derive(Debug)]
pub(super) enum Piece {
    Text(String),
    Action { pos: usize, tokens: Vec<Token> },
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Splits `src` into text and actions, applying trim markers and dropping comments.
pub(super) fn pieces(src: &str) -> Result<Vec<Piece>, GoTemplateError> {
    Lexer { src, pos: 0 }.pieces()
}

struct Lexer<'t> {
    src: &'t str,
    pos: usize,
}

impl<'t> Lexer<'t> {
    fn error(&self, pos: usize, message: impl Into<String>) -> GoTemplateError {
        GoTemplateError::Parse {
            line: line_of(self.src, pos),
            message: message.into(),
        }
    }

    fn pieces(mut self) -> Result<Vec<Piece>, GoTemplateError> {
        let mut pieces = Vec::new();
        let mut trim_next_text = false;
        loop {
            let rest = &self.src[self.pos..];
            let text_end = rest.find("{{").unwrap_or(rest.len());
            let mut text = &rest[..text_end];
            if trim_next_text {
                text = text.trim_start_matches(is_space);
            }
            let after_open = &rest[text_end..];
            let trim_left = after_open.len() > 3
                && after_open[2..].starts_with('-')
                && after_open[3..].starts_with(is_space);
            if trim_left {
                text = text.trim_end_matches(is_space);
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(text.to_string()));
            }
            if text_end == rest.len() {
                return Ok(pieces);
            }
            let open = self.pos + text_end;
            self.pos = open + if trim_left { 4 } else { 2 };
            let (tokens, trim_right) = self.action(open)?;
            trim_next_text = trim_right;
            if let Some(tokens) = tokens {
                pieces.push(Piece::Action { pos: open, tokens });
            }
        }
    }

    /// Lexes one action after its `{{`; `None` for a comment.
    fn action(&mut self, open: usize) -> Result<(Option<Vec<Token>>, bool), GoTemplateError> {
        if self.src[self.pos..].starts_with("/*") {
            let close = self.src[self.pos..]
                .find("*/")
                .ok_or_else(|| self.error(open, "unclosed comment"))?;
            self.pos += close + 2;
            let rest = &self.src[self.pos..];
            let trim = rest.starts_with(" -}}")
                || (rest.len() > 4 && rest.starts_with(is_space) && rest[1..].starts_with("-}}"));
            if trim {
                self.pos += 4;
            } else if rest.starts_with("}}") {
                self.pos += 2;
            } else {
                return Err(self.error(open, "comment ends before closing delimiter"));
            }
            return Ok((None, trim));
        }
        let mut tokens = Vec::new();
        let mut depth = 0usize;
        loop {
            let rest = &self.src[self.pos..];
            if rest.starts_with("}}")
                || (rest.starts_with(is_space) && rest[1..].starts_with("-}}"))
            {
                if depth > 0 {
                    return Err(self.error(self.pos, "unclosed left paren"));
                }
                let trim = !rest.starts_with("}}");
                self.pos += if trim { 4 } else { 2 };
                return Ok((Some(tokens), trim));
            }
            let start = self.pos;
            let Some(c) = rest.chars().next() else {
                return Err(self.error(open, "unclosed action"));
            };
            let tok = match c {
                c if is_space(c) => {
                    let len = rest.find(|c| !is_space(c)).unwrap_or(rest.len());
                    if rest[len..].is_empty() {
                        return Err(self.error(open, "unclosed action"));
                    }
                    self.pos += len;
                    if rest[len..].starts_with("}}") || rest[len..].starts_with("-}}") {
                        // Spaces before the closing delimiter are not separators.
                        if rest[len..].starts_with("-}}") {
                            self.pos -= 1;
                        }
                        continue;
                    }
                    Tok::Space
                }
                '|' => self.single(Tok::Pipe),
                '(' => {
                    depth += 1;
                    self.single(Tok::LeftParen)
                }
                ')' => {
                    depth = depth
                        .checked_sub(1)
                        .ok_or_else(|| self.error(start, "unexpected right paren"))?;
                    self.single(Tok::RightParen)
                }
                ',' => self.single(Tok::Comma),
                ':' if rest.starts_with(":=") => {
                    self.pos += 2;
                    Tok::Declare
                }
                '=' => self.single(Tok::Assign),
                '"' => Tok::String(self.quoted(open)?),
                '`' => {
                    let len = rest[1..]
                        .find('`')
                        .ok_or_else(|| self.error(open, "unterminated raw quoted string"))?;
                    self.pos += len + 2;
                    Tok::String(rest[1..=len].to_string())
                }
                '\'' => Tok::Char(self.char_constant(open)?),
                '$' => Tok::Variable(format!("${}", self.word(1))),
                '.' if !rest[1..].starts_with(|c: char| c.is_ascii_digit()) => {
                    let name = self.word(1);
                    if name.is_empty() {
                        Tok::Dot
                    } else {
                        Tok::Field(name)
                    }
                }
                c if c.is_ascii_digit() || matches!(c, '.' | '+' | '-') => {
                    let len = number_len(rest);
                    self.pos += len;
                    Tok::Number(rest[..len].to_string())
                }
                c if is_ident_char(c) => Tok::Ident(self.word(0)),
                c => {
                    return Err(self.error(
                        start,
                        format!("unexpected {} in command", gofmt::quote(&c.to_string())),
                    ));
                }
            };
            tokens.push(Token {
                tok,
                pos: start,
                end: self.pos,
            });
        }
    }

    fn single(&mut self, tok: Tok) -> Tok {
        self.pos += 1;
        tok
    }

    /// The identifier starting `skip` bytes in; advances past it.
    fn word(&mut self, skip: usize) -> String {
        let rest = &self.src[self.pos + skip..];
        let len = rest.find(|c| !is_ident_char(c)).unwrap_or(rest.len());
        self.pos += skip + len;
        rest[..len].to_string()
    }

    fn quoted(&mut self, open: usize) -> Result<String, GoTemplateError> {
        let rest = &self.src[self.pos..];
        let mut escaped = false;
        let mut end = None;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                '\n' => break,
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end.ok_or_else(|| self.error(open, "unterminated quoted string"))?;
        let literal = &rest[..=end];
        self.pos += end + 1;
        jsonpath::unquote(literal)
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| self.error(open, "invalid syntax"))
    }

    fn char_constant(&mut self, open: usize) -> Result<i64, GoTemplateError> {
        let rest = &self.src[self.pos..];
        let end = rest[1..]
            .find('\'')
            .map(|n| n + 1)
            .filter(|&n| n > 1)
            .ok_or_else(|| self.error(open, "unterminated character constant"))?;
        let end = if rest[1..end].ends_with('\\') && rest[end + 1..].starts_with('\'') {
            end + 1
        } else {
            end
        };
        let literal = &rest[..=end];
        self.pos += end + 1;
        let bytes = jsonpath::unquote(literal)
            .ok_or_else(|| self.error(open, format!("malformed character constant: {literal}")))?;
        let text = String::from_utf8(bytes).unwrap_or_default();
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(i64::from(u32::from(c))),
            _ => Err(self.error(open, format!("malformed character constant: {literal}"))),
        }
    }
}

/// The length of the number at the start of `text`: digits, letters (hex, exponents), `.`,
/// `_`, and a sign at the start or after an exponent.
fn number_len(text: &str) -> usize {
    let mut previous = None;
    for (i, c) in text.char_indices() {
        let sign_allowed = i == 0 || matches!(previous, Some('e' | 'E' | 'p' | 'P'));
        let part = c.is_ascii_alphanumeric()
            || matches!(c, '.' | '_')
            || (sign_allowed && matches!(c, '+' | '-'));
        if !part {
            return i;
        }
        previous = Some(c);
    }
    text.len()
}

/// The 1-based line of byte offset `pos`, as Go's errors number lines.
pub(super) fn line_of(src: &str, pos: usize) -> usize {
    1 + src[..pos.min(src.len())].matches('\n').count()
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{ok, thing};

    #[test]
    fn literals() {
        let t = thing();
        assert_eq!(
            ok(
                r#"{{"a\tb"}}{{"\n"}}{{`raw\n`}} {{1e6}} {{0x1F}} {{'a'}} {{-3}} {{true}} {{1.50}}"#,
                &t
            ),
            "a\tb\nraw\\n 1e+06 31 97 -3 true 1.5"
        );
    }

    #[test]
    fn trimming_and_comments() {
        let t = thing();
        assert_eq!(
            ok(
                "{{- \"  trimmed  \" -}}  |  {{/* c */}}x {{- /* d */ -}} y",
                &t
            ),
            "  trimmed  |  xy"
        );
        assert_eq!(ok("a\n  {{- .kind}}\n{{- /* */}}", &t), "aThing");
    }
}
