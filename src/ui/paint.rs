//! Colour for what commands print on a terminal, added line by line on the way out, the way
//! kubecolor does for kubectl: the printers stay as they are, so output into a pipe or a file
//! is byte for byte kubectl's, and painting only inserts SGR sequences around words that are
//! already in place (alignment is untouched).
//!
//! A verb calls [`paint_stdout`] once with what its output is; nothing happens unless the
//! Context decided to colour stdout.

use std::io::{self, Write};

use super::colour::{Palette, Style};
use crate::context::Context;
use crate::print::{OutputFormat, PrintOptions};

/// What a command's stdout holds, which says what to paint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Painting {
    /// kubectl's tables, one after another with a blank line between: each header row bold
    /// (when `headers`), and status words coloured.
    Tables { headers: bool },
    /// describe's `Key:  value` text: keys in the key colour, status words coloured.
    Describe,
    /// YAML documents: mapping keys in the key colour.
    Yaml,
}

impl Painting {
    /// What `get`-style print options produce: tables or YAML; the other formats are data for
    /// programs and stay plain.
    pub fn for_print(options: &PrintOptions) -> Option<Painting> {
        match options.format {
            OutputFormat::Table | OutputFormat::Wide => Some(Painting::Tables {
                headers: !options.no_headers,
            }),
            OutputFormat::Yaml => Some(Painting::Yaml),
            _ => None,
        }
    }
}

/// Paints the context's stdout from now on, when the Context decided stdout gets colour.
pub fn paint_stdout(ctx: &mut Context, painting: Option<Painting>) {
    let Some(painting) = painting.filter(|_| ctx.out_terminal().color) else {
        return;
    };
    let out = std::mem::replace(&mut ctx.out, Box::new(io::sink()));
    ctx.out = Box::new(Painter::new(out, painting));
}

/// A writer that paints each complete line and passes it on; a partial line waits for its end
/// (or a flush, which passes it on as it is).
pub struct Painter<W: Write> {
    out: W,
    lines: LinePainter,
    pending: Vec<u8>,
}

impl<W: Write> Painter<W> {
    pub fn new(out: W, painting: Painting) -> Painter<W> {
        Painter {
            out,
            lines: LinePainter::new(painting),
            pending: Vec::new(),
        }
    }
}

impl<W: Write> Write for Painter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(end) = self.pending.iter().position(|&byte| byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            match std::str::from_utf8(&line[..line.len() - 1]) {
                Ok(text) => {
                    let painted = self.lines.paint(text);
                    self.out.write_all(painted.as_bytes())?;
                    self.out.write_all(b"\n")?;
                }
                // Bytes that are not text are passed on untouched.
                Err(_) => self.out.write_all(&line)?,
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.pending)?;
        self.pending.clear();
        self.out.flush()
    }
}

/// Paints one line at a time, remembering what the lines before it were.
#[derive(Debug, Clone)]
pub struct LinePainter {
    painting: Painting,
    palette: Palette,
    /// Tables: the next line starts a table (first line, or after a blank line).
    table_start: bool,
    /// YAML: inside a block scalar (`key: |`) whose key is indented this much.
    block_indent: Option<usize>,
}

impl LinePainter {
    pub fn new(painting: Painting) -> LinePainter {
        LinePainter {
            painting,
            palette: Palette::new(true),
            table_start: true,
            block_indent: None,
        }
    }

    /// `line` (without its newline) painted.
    pub fn paint(&mut self, line: &str) -> String {
        match self.painting {
            Painting::Tables { headers } => {
                let header = std::mem::replace(&mut self.table_start, line.is_empty());
                if header && headers {
                    self.palette.paint(Style::Header, line).into_owned()
                } else {
                    self.statuses(line)
                }
            }
            Painting::Describe => self.describe_line(line),
            Painting::Yaml => self.yaml_line(line),
        }
    }

    /// Every whitespace-separated word that is a status, coloured; the spacing kept.
    fn statuses(&self, line: &str) -> String {
        let mut painted = String::with_capacity(line.len());
        let mut rest = line;
        while !rest.is_empty() {
            let space = rest.len() - rest.trim_start().len();
            painted.push_str(&rest[..space]);
            rest = &rest[space..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            painted.push_str(&self.palette.status(&rest[..end]));
            rest = &rest[end..];
        }
        painted
    }

    /// `  Key:   value`: the key painted, the value's status words coloured.
    fn describe_line(&self, line: &str) -> String {
        let indent = line.len() - line.trim_start().len();
        let text = &line[indent..];
        let key_end = text.find(':').filter(|&colon| {
            let key = &text[..colon];
            let after = &text[colon + 1..];
            key.chars().next().is_some_and(char::is_alphabetic)
                && !key.contains("  ")
                && (after.is_empty() || after.starts_with([' ', '\t']))
        });
        match key_end {
            Some(colon) => format!(
                "{}{}{}",
                &line[..indent],
                self.palette.paint(Style::Key, &text[..=colon]),
                self.statuses(&text[colon + 1..])
            ),
            None => self.statuses(line),
        }
    }

    /// `  key: value`, `- key: value`: the key painted, outside block scalars.
    fn yaml_line(&mut self, line: &str) -> String {
        let indent = line.len() - line.trim_start().len();
        if let Some(block) = self.block_indent {
            if line.trim().is_empty() || indent > block {
                return line.to_string();
            }
            self.block_indent = None;
        }
        let mut start = indent;
        while line[start..].starts_with("- ") {
            start += 2;
        }
        let Some(colon) = yaml_key_end(&line[start..]) else {
            return line.to_string();
        };
        let value = line[start + colon + 1..].trim();
        if value.starts_with(['|', '>']) {
            self.block_indent = Some(start);
        }
        format!(
            "{}{}{}",
            &line[..start],
            self.palette.paint(Style::Key, &line[start..start + colon]),
            &line[start + colon..]
        )
    }
}

/// Where the key of a `key: value` (or `key:`) line ends: a plain key up to `: `, or a quoted
/// one up to its closing quote.
fn yaml_key_end(text: &str) -> Option<usize> {
    let colon = match text.chars().next()? {
        quote @ ('"' | '\'') => text[1..].find(quote).map(|end| end + 2)?,
        '#' | '-' | '[' | '{' => return None,
        _ => text.find(':')?,
    };
    let after = &text[colon..];
    let is_key = after.starts_with(':') && (after.len() == 1 || after[1..].starts_with(' '));
    is_key.then_some(colon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::colour::strip;

    fn paint_all(painting: Painting, text: &str) -> String {
        let mut painter = Painter::new(Vec::new(), painting);
        painter.write_all(text.as_bytes()).unwrap();
        painter.flush().unwrap();
        String::from_utf8(painter.out).unwrap()
    }

    const TABLES: &str = "NAME    READY   STATUS             RESTARTS   AGE\nweb-1   1/1     Running            0          5m\ndb-0    0/1     CrashLoopBackOff   7          5m\n\nNAME   TYPE        CLUSTER-IP\nweb    ClusterIP   10.0.0.1\n";

    #[test]
    fn tables_get_bold_headers_and_coloured_statuses_and_read_the_same() {
        let painted = paint_all(Painting::Tables { headers: true }, TABLES);
        assert_eq!(strip(&painted), TABLES);
        let lines: Vec<&str> = painted.lines().collect();
        assert!(lines[0].starts_with("\x1b[1mNAME    READY"), "{painted}");
        assert!(
            lines[1].contains("\x1b[32mRunning\x1b[0m            0"),
            "{painted}"
        );
        assert!(
            lines[2].contains("\x1b[31mCrashLoopBackOff\x1b[0m"),
            "{painted}"
        );
        assert!(
            lines[4].starts_with("\x1b[1mNAME   TYPE"),
            "the second table's header"
        );
        assert_eq!(lines[5], "web    ClusterIP   10.0.0.1");
    }

    #[test]
    fn without_headers_the_first_row_is_a_row() {
        let rows = "web-1   1/1   Running   0   5m\n";
        let painted = paint_all(Painting::Tables { headers: false }, rows);
        assert_eq!(painted, "web-1   1/1   \x1b[32mRunning\x1b[0m   0   5m\n");
    }

    #[test]
    fn describe_keys_are_painted() {
        let text = "Name:         web-1\nStatus:       Pending\nLabels:       app=web\n              tier=front\nEvents:\n  Type    Reason  Message\n  Normal  Pulled  Pulled image: \"httpd\"\n";
        let painted = paint_all(Painting::Describe, text);
        assert_eq!(strip(&painted), text);
        let lines: Vec<&str> = painted.lines().collect();
        assert_eq!(lines[0], "\x1b[36mName:\x1b[0m         web-1");
        assert_eq!(
            lines[1],
            "\x1b[36mStatus:\x1b[0m       \x1b[33mPending\x1b[0m"
        );
        assert_eq!(lines[3], "              tier=front");
        assert_eq!(lines[4], "\x1b[36mEvents:\x1b[0m");
        assert_eq!(
            lines[6], "  Normal  Pulled  Pulled image: \"httpd\"",
            "no key in a row"
        );
    }

    #[test]
    fn yaml_keys_are_painted_outside_block_scalars() {
        let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  script: |\n    echo a: b\n\n    exit 0\n  \"odd key\": x\nitems:\n- name: web\n  ports:\n  - containerPort: 80\n  - http://x\n";
        let painted = paint_all(Painting::Yaml, text);
        assert_eq!(strip(&painted), text);
        let lines: Vec<&str> = painted.lines().collect();
        assert_eq!(lines[0], "\x1b[36mapiVersion\x1b[0m: v1");
        assert_eq!(lines[3], "  \x1b[36mscript\x1b[0m: |");
        assert_eq!(lines[4], "    echo a: b", "block scalar text is not YAML");
        assert_eq!(lines[7], "  \x1b[36m\"odd key\"\x1b[0m: x");
        assert_eq!(lines[9], "- \x1b[36mname\x1b[0m: web");
        assert_eq!(lines[11], "  - \x1b[36mcontainerPort\x1b[0m: 80");
        assert_eq!(lines[12], "  - http://x");
    }

    #[test]
    fn a_partial_line_waits_for_its_end_or_a_flush() {
        let mut painter = Painter::new(Vec::new(), Painting::Tables { headers: true });
        painter.write_all(b"NAME   STA").unwrap();
        assert!(painter.out.is_empty());
        painter.write_all(b"TUS\nweb    Running").unwrap();
        assert_eq!(painter.out, b"\x1b[1mNAME   STATUS\x1b[0m\n");
        painter.flush().unwrap();
        assert_eq!(&painter.out[painter.out.len() - 7..], b"Running");
    }

    #[test]
    fn print_options_choose_the_painting() {
        let mut options = PrintOptions::new(OutputFormat::Table);
        assert_eq!(
            Painting::for_print(&options),
            Some(Painting::Tables { headers: true })
        );
        options.no_headers = true;
        assert_eq!(
            Painting::for_print(&options),
            Some(Painting::Tables { headers: false })
        );
        options.format = OutputFormat::Yaml;
        assert_eq!(Painting::for_print(&options), Some(Painting::Yaml));
        options.format = OutputFormat::Json;
        assert_eq!(Painting::for_print(&options), None);
    }
}
