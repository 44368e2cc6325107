//! Writing one scalar as go-yaml's emitter does (its `yaml_emitter_write_*_scalar`): a long
//! scalar outside a key is folded at a space once its line passes 80 columns, and after a line
//! break inside a scalar (`\n` in a literal block; U+0085, U+2028, U+2029 anywhere) the next
//! character is indented. kubectl's `-o yaml` is go-yaml's output, folds included.

use std::fmt::Write as _;

use super::is_printable;

/// go-yaml's preferred line width (`best_width`).
const BEST_WIDTH: usize = 80;

/// The emitter's state while one scalar is written.
pub struct Scalar<'o> {
    out: &'o mut String,
    /// Characters since the line began.
    column: usize,
    /// The scalar's indentation: its key's or `-`'s plus two.
    indent: usize,
    /// Long lines may be folded (not inside a simple key).
    allow_breaks: bool,
    /// The line so far is indentation only.
    indention: bool,
    /// The last character written is whitespace.
    whitespace: bool,
}

impl<'o> Scalar<'o> {
    /// A scalar `s` appended to `out`, after its key's `:` or its `-` and one space;
    /// `indent` is the indentation of that key or `-`.
    pub fn new(out: &'o mut String, s: &str, indent: usize, allow_breaks: bool) -> Scalar<'o> {
        // Only a space can end a line: without one the column never matters (after a line
        // break inside the scalar it is counted afresh).
        let allow_breaks = allow_breaks && s.contains(' ');
        let column = if allow_breaks {
            let line_start = out.rfind('\n').map_or(0, |i| i + 1);
            out[line_start..].chars().count()
        } else {
            0
        };
        Scalar {
            out,
            column,
            indent: indent + 2,
            allow_breaks,
            indention: false,
            whitespace: false,
        }
    }

    /// Whether the scalar ended with a line break (a literal block's last line), so that
    /// what follows starts on this line.
    pub fn at_line_start(&self) -> bool {
        self.column == 0
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// A line break of the text itself: `\n` is a new line, the others are written as they
    /// are and count as one.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    /// A new line (unless this one is still blank up to the indentation), then the
    /// indentation.
    fn write_indent(&mut self) {
        if !self.indention
            || self.column > self.indent
            || (self.column == self.indent && !self.whitespace)
        {
            self.put_break();
        }
        while self.column < self.indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    /// Whether a space may end this line here (each style adds its own conditions): not
    /// after another space, and past the width.
    fn folds_at(&self, spaces: bool) -> bool {
        self.allow_breaks && !spaces && self.column > BEST_WIDTH
    }

    pub fn plain(self, s: &str) -> bool {
        self.text(s, None)
    }

    pub fn single_quoted(self, s: &str) -> bool {
        self.text(s, Some('\''))
    }

    /// Plain or single-quoted text: go-yaml's two writers differ only in the quotes, the
    /// quote doubled inside, and never folding at the text's first or last character (where
    /// plain text has no space anyway).
    fn text(mut self, s: &str, quote: Option<char>) -> bool {
        let quoted_inside = quote.is_some_and(|q| s.contains(q));
        if !self.allow_breaks && !quoted_inside && !s.contains(is_break) {
            self.out.extend(quote);
            self.out.push_str(s);
            self.out.extend(quote);
            return false;
        }
        if let Some(q) = quote {
            self.put(q);
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == ' ' {
                let inside = i > 0 && i + 1 < s.len();
                let next_space = chars.peek().is_some_and(|&(_, next)| next == ' ');
                if self.folds_at(spaces) && inside && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if Some(c) == quote {
                    self.put(c);
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if let Some(q) = quote {
            self.put(q);
        }
        self.at_line_start()
    }

    pub fn double_quoted(mut self, s: &str) -> bool {
        if !self.allow_breaks && !s.contains(needs_escape) {
            self.out.push('"');
            self.out.push_str(s);
            self.out.push('"');
            return false;
        }
        self.put('"');
        let mut spaces = false;
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if needs_escape(c) {
                self.escape(c);
                spaces = false;
            } else if c == ' ' {
                if self.folds_at(spaces) && i > 0 && i + 1 < s.len() {
                    self.write_indent();
                    // A space starting the next line would be lost: it is escaped.
                    if chars.peek().is_some_and(|&(_, next)| next == ' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.put('"');
        false
    }

    fn escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => Some('0'),
            '\u{7}' => Some('a'),
            '\u{8}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{b}' => Some('v'),
            '\u{c}' => Some('f'),
            '\r' => Some('r'),
            '\u{1b}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{a0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(short) = short {
            self.put(short);
            return;
        }
        let code = u32::from(c);
        let before = self.out.len();
        // Writing into a String cannot fail.
        let _ = match code {
            0..=0xff => write!(self.out, "x{code:02X}"),
            0x100..=0xffff => write!(self.out, "u{code:04X}"),
            _ => write!(self.out, "U{code:08X}"),
        };
        self.column += self.out.len() - before;
    }

    /// `|`, `|-` or `|+` (with `2` first when the text starts with a space or a line
    /// break), then the text's lines at the scalar's indentation; empty lines stay empty.
    pub fn literal(mut self, s: &str) -> bool {
        self.put('|');
        if s.starts_with(|c: char| c == ' ' || is_break(c)) {
            self.put('2');
        }
        let mut from_end = s.chars().rev();
        let (last, before) = (from_end.next(), from_end.next());
        if !last.is_some_and(is_break) {
            self.put('-');
        } else if before.is_none_or(is_break) {
            self.put('+');
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in s.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
        self.at_line_start()
    }
}

/// What a double-quoted scalar writes as an escape.
fn needs_escape(c: char) -> bool {
    !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\'
}

/// go-yaml's `is_break`.
pub fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}
