//! `-o go-template=…` and `-o go-template-file=…`: the part of Go's `text/template` that
//! kubectl users write, with kubectl's extra functions (`base64decode`, `exists`).
//!
//! Supported: text and `{{…}}` actions with `{{-`/`-}}` trimming and `{{/* comments */}}`;
//! `.`, `.a.b`, `$`, `$x.a`, `(pipeline).a`; string (`"…"`, `` `…` ``), character, number,
//! `true`/`false`/`nil` literals; pipelines `a | f b`; variables `$x := …`, `$x = …`;
//! `if`/`else if`/`else`, `range` (with `$i, $e :=`, `else`, `break`, `continue`),
//! `with`/`else with`/`else`; functions `and or not len index printf print println eq ne lt le
//! gt ge base64decode exists`.
//!
//! Values behave as in kubectl, which hands the template an unstructured object: integers are
//! `int64` (`{{.spec.replicas}}` prints `3`), other numbers `float64`, a missing key prints
//! `<no value>`, maps print as `map[k:v]`. Errors use Go's texts and positions
//! (`template: output:1:12: executing "output" at <…>: …`).
//!
//! Not supported, and rejected with an error rather than misprinted: `define`, `template`,
//! `block`, and the functions `html`, `js`, `urlquery`, `slice`, `call`.

pub mod gofmt;

use std::fmt;
use std::io::{self, Write};

use serde_json::Value;

use gofmt::{GoNumber, NumberMode};

const NAME: &str = "output";

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A template error; `Display` is Go's text.
#[derive(Debug)]
pub enum GoTemplateError {
    /// `template: output:LINE: MESSAGE`
    Parse { line: usize, message: String },
    /// `template: output:LINE:COL: executing "output" at <CONTEXT>: MESSAGE`
    Execute {
        line: usize,
        column: usize,
        context: String,
        message: String,
    },
    /// Writing the output failed.
    Io(io::Error),
}

impl fmt::Display for GoTemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse { line, message } => write!(f, "template: {NAME}:{line}: {message}"),
            Self::Execute {
                line,
                column,
                context,
                message,
            } => write!(
                f,
                "template: {NAME}:{line}:{column}: executing \"{NAME}\" at <{context}>: {message}"
            ),
            Self::Io(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for GoTemplateError {}

impl From<io::Error> for GoTemplateError {
    fn from(err: io::Error) -> Self {
        Self::Io(err)
    }
}

/// kubectl's go-template printer errors, worded as kubectl prints them after `error: `.
#[derive(Debug)]
pub enum GoTemplatePrinterError {
    /// `-o go-template=` with nothing after the `=`.
    NoTemplate,
    /// The template does not parse.
    Parse {
        template: String,
        source: GoTemplateError,
    },
    /// The template failed on an object (the debugging text already went to the output).
    Execute {
        template: String,
        source: GoTemplateError,
    },
    /// Writing the output failed.
    Io(io::Error),
}

impl fmt::Display for GoTemplatePrinterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoTemplate => f.write_str("template format specified but no template given"),
            Self::Parse { template, source } => {
                write!(f, "error parsing template {template}, {source}")
            }
            Self::Execute { template, source } => write!(
                f,
                "error executing template {}: {source}",
                gofmt::quote(template)
            ),
            Self::Io(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for GoTemplatePrinterError {}

// ---------------------------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------------------------

/// Where a node starts and how Go shows it in errors.
#[derive(Debug, Clone, PartialEq)]
struct Span {
    pos: usize,
    text: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Branches),
    With(Branches),
    Range(Range),
    Break,
    Continue,
}

/// `if`/`with` with their `else if`/`else with` chain: the first true condition wins.
#[derive(Debug, Clone, PartialEq)]
struct Branches {
    arms: Vec<(Pipeline, Vec<Node>)>,
    otherwise: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
struct Range {
    pipe: Pipeline,
    body: Vec<Node>,
    otherwise: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
struct Pipeline {
    span: Span,
    /// Variables declared (`:=`) or assigned (`=`) by the pipeline.
    vars: Vec<String>,
    assign: bool,
    commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
struct Command {
    span: Span,
    args: Vec<Operand>,
}

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Dot,
    /// `.a.b` applied to dot.
    Field(Vec<String>),
    /// `$x` (or `$`).
    Variable(String),
    Function(String),
    Pipeline(Box<Pipeline>),
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
}

/// A term followed by a field chain: `$x.a`, `(index . 0).name`.
#[derive(Debug, Clone, PartialEq)]
struct Operand {
    span: Span,
    term: Term,
    fields: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
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

#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    pos: usize,
    end: usize,
}

/// A piece of the template: text, or the tokens of one action.
#[derive(Debug)]
enum Piece {
    Text(String),
    Action { pos: usize, tokens: Vec<Token> },
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
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

    /// Splits the template into text and actions, applying trim markers and dropping
    /// comments.
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
        super::jsonpath::unquote(literal)
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
        let bytes = super::jsonpath::unquote(literal)
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

fn line_of(src: &str, pos: usize) -> usize {
    1 + src[..pos.min(src.len())].matches('\n').count()
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

const FUNCTIONS: &[&str] = &[
    "and",
    "or",
    "not",
    "len",
    "index",
    "printf",
    "print",
    "println",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "base64decode",
    "exists",
];
const GO_ONLY_FUNCTIONS: &[&str] = &["html", "js", "urlquery", "slice", "call"];

/// How a list of nodes ended.
#[derive(Debug, PartialEq)]
enum ListEnd {
    Eof,
    End,
    Else { tokens: Vec<Token>, pos: usize },
}

struct Parser<'t> {
    src: &'t str,
    pieces: std::vec::IntoIter<Piece>,
    /// Variables in scope, innermost last.
    vars: Vec<String>,
    range_depth: usize,
}

impl<'t> Parser<'t> {
    fn error(&self, pos: usize, message: impl Into<String>) -> GoTemplateError {
        GoTemplateError::Parse {
            line: line_of(self.src, pos),
            message: message.into(),
        }
    }

    fn parse(src: &'t str) -> Result<Vec<Node>, GoTemplateError> {
        let pieces = Lexer { src, pos: 0 }.pieces()?;
        let mut parser = Parser {
            src,
            pieces: pieces.into_iter(),
            vars: vec!["$".to_string()],
            range_depth: 0,
        };
        let (nodes, end) = parser.list()?;
        match end {
            ListEnd::Eof => Ok(nodes),
            ListEnd::End => Err(parser.error(src.len(), "unexpected {{end}}")),
            ListEnd::Else { pos, .. } => Err(parser.error(pos, "unexpected {{else}}")),
        }
    }

    /// Parses nodes up to `{{end}}`, `{{else…}}` or the end of the template.
    fn list(&mut self) -> Result<(Vec<Node>, ListEnd), GoTemplateError> {
        let mut nodes = Vec::new();
        while let Some(piece) = self.pieces.next() {
            let (pos, tokens) = match piece {
                Piece::Text(text) => {
                    nodes.push(Node::Text(text));
                    continue;
                }
                Piece::Action { pos, tokens } => (pos, tokens),
            };
            let keyword = match tokens.first().map(|t| &t.tok) {
                Some(Tok::Ident(word)) => word.as_str(),
                Some(_) => "",
                None => return Err(self.error(pos, "missing value for command")),
            };
            let rest = || {
                tokens[1..]
                    .iter()
                    .skip_while(|t| t.tok == Tok::Space)
                    .cloned()
                    .collect::<Vec<_>>()
            };
            match keyword {
                "end" => {
                    return self
                        .keyword_alone(&tokens, pos, ListEnd::End)
                        .map(|end| (nodes, end));
                }
                "else" => {
                    return Ok((
                        nodes,
                        ListEnd::Else {
                            tokens: rest(),
                            pos,
                        },
                    ));
                }
                "if" => nodes.push(Node::If(self.branches(rest(), pos, "if")?)),
                "with" => nodes.push(Node::With(self.branches(rest(), pos, "with")?)),
                "range" => nodes.push(self.range(rest(), pos)?),
                "break" | "continue" => {
                    if self.range_depth == 0 {
                        return Err(
                            self.error(pos, format!("{{{{{keyword}}}}} outside {{{{range}}}}"))
                        );
                    }
                    let node = if keyword == "break" {
                        Node::Break
                    } else {
                        Node::Continue
                    };
                    self.keyword_alone(&tokens, pos, ())?;
                    nodes.push(node);
                }
                "define" | "template" | "block" => {
                    return Err(
                        self.error(pos, format!("{{{{{keyword}}}}} is not supported by kz"))
                    );
                }
                _ => nodes.push(Node::Action(self.pipeline(&tokens, pos, "command", false)?)),
            }
        }
        Ok((nodes, ListEnd::Eof))
    }

    fn keyword_alone<T>(
        &self,
        tokens: &[Token],
        pos: usize,
        value: T,
    ) -> Result<T, GoTemplateError> {
        match tokens.get(1) {
            None => Ok(value),
            Some(token) => Err(self.error(
                pos,
                format!(
                    "unexpected {} in {}",
                    describe(self.src, token),
                    token_text(self.src, &tokens[0])
                ),
            )),
        }
    }

    /// `if`/`with` and their `else if`/`else with` chains.
    fn branches(
        &mut self,
        tokens: Vec<Token>,
        pos: usize,
        keyword: &str,
    ) -> Result<Branches, GoTemplateError> {
        let mark = self.vars.len();
        let mut arms = Vec::new();
        let mut condition = self.pipeline(&tokens, pos, keyword, false)?;
        loop {
            let (body, end) = self.list()?;
            arms.push((condition, body));
            match end {
                ListEnd::Eof => return Err(self.error(self.src.len(), "unexpected EOF")),
                ListEnd::End => {
                    self.vars.truncate(mark);
                    return Ok(Branches {
                        arms,
                        otherwise: Vec::new(),
                    });
                }
                ListEnd::Else { tokens, pos } => {
                    let chained = matches!(tokens.first(), Some(Token { tok: Tok::Ident(w), .. }) if w == keyword);
                    if chained {
                        condition = self.pipeline(&tokens[1..], pos, keyword, false)?;
                        continue;
                    }
                    if let Some(token) = tokens.iter().find(|t| t.tok != Tok::Space) {
                        return Err(self.error(
                            pos,
                            format!("unexpected {} in else", describe(self.src, token)),
                        ));
                    }
                    let otherwise = self.else_list()?;
                    self.vars.truncate(mark);
                    return Ok(Branches { arms, otherwise });
                }
            }
        }
    }

    /// The list after a plain `{{else}}`, which must end with `{{end}}`.
    fn else_list(&mut self) -> Result<Vec<Node>, GoTemplateError> {
        let (nodes, end) = self.list()?;
        match end {
            ListEnd::End => Ok(nodes),
            ListEnd::Eof => Err(self.error(self.src.len(), "unexpected EOF")),
            ListEnd::Else { pos, .. } => Err(self.error(pos, "expected end; found {{else}}")),
        }
    }

    fn range(&mut self, tokens: Vec<Token>, pos: usize) -> Result<Node, GoTemplateError> {
        let mark = self.vars.len();
        let pipe = self.pipeline(&tokens, pos, "range", true)?;
        self.range_depth += 1;
        let (body, end) = self.list()?;
        self.range_depth -= 1;
        let otherwise = match end {
            ListEnd::End => Vec::new(),
            ListEnd::Eof => return Err(self.error(self.src.len(), "unexpected EOF")),
            ListEnd::Else { tokens, pos } => {
                if let Some(token) = tokens.iter().find(|t| t.tok != Tok::Space) {
                    return Err(self.error(
                        pos,
                        format!("unexpected {} in else", describe(self.src, token)),
                    ));
                }
                self.else_list()?
            }
        };
        self.vars.truncate(mark);
        Ok(Node::Range(Range {
            pipe,
            body,
            otherwise,
        }))
    }

    /// `[$a[, $b] (:=|=)] command { | command }`
    fn pipeline(
        &mut self,
        tokens: &[Token],
        pos: usize,
        context: &str,
        allow_two_vars: bool,
    ) -> Result<Pipeline, GoTemplateError> {
        let tokens: Vec<&Token> = tokens.iter().collect();
        let mut tokens = trim_spaces(&tokens);
        let (vars, assign) = self.declarations(&mut tokens, allow_two_vars, context)?;
        let span = Span {
            pos: tokens.first().map_or(pos, |t| t.pos),
            text: span_text(self.src, tokens),
        };
        let mut commands = Vec::new();
        for part in tokens.split(|t| t.tok == Tok::Pipe) {
            let part = trim_spaces(part);
            if part.is_empty() {
                return Err(self.error(pos, format!("missing value for {context}")));
            }
            commands.push(self.command(part)?);
        }
        if commands.is_empty() {
            return Err(self.error(pos, format!("missing value for {context}")));
        }
        if !assign {
            self.vars.extend(vars.iter().cloned());
        }
        Ok(Pipeline {
            span,
            vars,
            assign,
            commands,
        })
    }

    fn declarations(
        &mut self,
        tokens: &mut &[&Token],
        allow_two_vars: bool,
        context: &str,
    ) -> Result<(Vec<String>, bool), GoTemplateError> {
        let words: Vec<&Tok> = tokens
            .iter()
            .map(|t| &t.tok)
            .filter(|t| **t != Tok::Space)
            .collect();
        let (vars, assign, used) = match words.as_slice() {
            [Tok::Variable(a), Tok::Declare, ..] => (vec![a.clone()], false, 2),
            [Tok::Variable(a), Tok::Assign, ..] => (vec![a.clone()], true, 2),
            [
                Tok::Variable(a),
                Tok::Comma,
                Tok::Variable(b),
                Tok::Declare | Tok::Assign,
                ..,
            ] => {
                if !allow_two_vars {
                    return Err(
                        self.error(tokens[0].pos, format!("too many declarations in {context}"))
                    );
                }
                let assign = matches!(words[3], Tok::Assign);
                (vec![a.clone(), b.clone()], assign, 4)
            }
            _ => return Ok((Vec::new(), false)),
        };
        if assign {
            for var in &vars {
                if !self.vars.contains(var) {
                    return Err(self.error(tokens[0].pos, format!("undefined variable \"{var}\"")));
                }
            }
        }
        let mut seen = 0;
        let skip = tokens
            .iter()
            .position(|t| {
                if t.tok != Tok::Space {
                    seen += 1;
                }
                seen > used
            })
            .unwrap_or(tokens.len());
        *tokens = trim_spaces(&tokens[skip..]);
        Ok((vars, assign))
    }

    fn command(&mut self, tokens: &[&Token]) -> Result<Command, GoTemplateError> {
        let span = Span {
            pos: tokens[0].pos,
            text: span_text(self.src, tokens),
        };
        let mut args = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            if tokens[i].tok == Tok::Space {
                i += 1;
                continue;
            }
            let (operand, next) = self.operand(tokens, i)?;
            if next < tokens.len() && tokens[next].tok != Tok::Space {
                return Err(self.error(
                    tokens[next].pos,
                    format!("unexpected {} in operand", describe(self.src, tokens[next])),
                ));
            }
            args.push(operand);
            i = next;
        }
        Ok(Command { span, args })
    }

    /// A term and its field chain starting at `tokens[i]`; returns the index after it.
    fn operand(
        &mut self,
        tokens: &[&Token],
        i: usize,
    ) -> Result<(Operand, usize), GoTemplateError> {
        let token = tokens[i];
        let mut next = i + 1;
        let term = match &token.tok {
            Tok::Dot => Term::Dot,
            Tok::Field(name) => {
                let mut names = vec![name.clone()];
                while let Some(Tok::Field(name)) = tokens.get(next).map(|t| &t.tok) {
                    names.push(name.clone());
                    next += 1;
                }
                Term::Field(names)
            }
            Tok::Variable(name) => {
                if !self.vars.contains(name) {
                    return Err(self.error(token.pos, format!("undefined variable \"{name}\"")));
                }
                Term::Variable(name.clone())
            }
            Tok::Ident(word) => match word.as_str() {
                "true" => Term::Bool(true),
                "false" => Term::Bool(false),
                "nil" => Term::Nil,
                w if FUNCTIONS.contains(&w) => Term::Function(w.to_string()),
                w if GO_ONLY_FUNCTIONS.contains(&w) => {
                    return Err(self.error(
                        token.pos,
                        format!("function \"{w}\" is not supported by kz"),
                    ));
                }
                w => return Err(self.error(token.pos, format!("function \"{w}\" not defined"))),
            },
            Tok::String(s) => Term::String(s.clone()),
            Tok::Char(c) => Term::Int(*c),
            Tok::Number(text) => number(text)
                .ok_or_else(|| self.error(token.pos, format!("bad number syntax: \"{text}\"")))?,
            Tok::LeftParen => {
                let close = matching_paren(tokens, i)
                    .ok_or_else(|| self.error(token.pos, "unclosed left paren"))?;
                let inner: Vec<Token> = tokens[i + 1..close].iter().map(|t| (*t).clone()).collect();
                next = close + 1;
                Term::Pipeline(Box::new(self.pipeline(
                    &inner,
                    token.pos,
                    "parenthesized pipeline",
                    false,
                )?))
            }
            _ => {
                return Err(self.error(
                    token.pos,
                    format!("unexpected {} in operand", describe(self.src, token)),
                ));
            }
        };
        let mut fields = Vec::new();
        if !matches!(term, Term::Field(_)) {
            while let Some(Tok::Field(name)) = tokens.get(next).map(|t| &t.tok) {
                fields.push(name.clone());
                next += 1;
            }
        }
        let span = Span {
            // Go reports a field chain at its second link.
            pos: match &term {
                Term::Field(names) if names.len() > 1 => tokens[i + 1].pos,
                _ if !fields.is_empty() => tokens[next - fields.len()].pos,
                _ => token.pos,
            },
            text: span_text(self.src, &tokens[i..next]),
        };
        Ok((Operand { span, term, fields }, next))
    }
}

fn trim_spaces<'a, 'b>(tokens: &'a [&'b Token]) -> &'a [&'b Token] {
    let start = tokens
        .iter()
        .position(|t| t.tok != Tok::Space)
        .unwrap_or(tokens.len());
    let end = tokens
        .iter()
        .rposition(|t| t.tok != Tok::Space)
        .map_or(start, |e| e + 1);
    &tokens[start..end]
}

fn span_text(src: &str, tokens: &[&Token]) -> String {
    match (tokens.first(), tokens.last()) {
        (Some(first), Some(last)) => src[first.pos..last.end].to_string(),
        _ => String::new(),
    }
}

fn token_text<'s>(src: &'s str, token: &Token) -> &'s str {
    &src[token.pos..token.end]
}

fn describe(src: &str, token: &Token) -> String {
    gofmt::quote(token_text(src, token))
}

fn matching_paren(tokens: &[&Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.tok {
            Tok::LeftParen => depth += 1,
            Tok::RightParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A Go number constant: `int` unless written with a fraction or exponent.
fn number(text: &str) -> Option<Term> {
    let clean = text.replace('_', "");
    let (negative, digits) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let sign = if negative { -1 } else { 1 };
    let radix = [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ]
    .iter()
    .find_map(|(prefix, radix)| digits.strip_prefix(prefix).map(|d| (d, *radix)));
    if let Some((digits, radix)) = radix {
        return i64::from_str_radix(digits, radix)
            .ok()
            .map(|n| Term::Int(sign * n));
    }
    if digits.contains(['.', 'e', 'E']) {
        return digits
            .parse::<f64>()
            .ok()
            .map(|f| Term::Float(if negative { -f } else { f }));
    }
    digits.parse::<i64>().ok().map(|n| Term::Int(sign * n))
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// A value during execution, typed as Go would hold it.
#[derive(Debug, Clone, PartialEq)]
enum Val<'a> {
    /// Go's invalid value: a missing key. Prints `<no value>`.
    Missing,
    /// A part of the object; JSON null is a nil `interface{}`.
    Json(&'a Value),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// The `nil` literal.
    Nil,
}

impl Val<'_> {
    /// The value with JSON scalars turned into Go scalars; objects, arrays and null stay.
    fn scalar(&self) -> Val<'_> {
        match self {
            Val::Json(Value::String(s)) => Val::Str(s.clone()),
            Val::Json(Value::Bool(b)) => Val::Bool(*b),
            Val::Json(Value::Number(n)) => match gofmt::go_number(n, NumberMode::Unstructured) {
                GoNumber::Int(i) => Val::Int(i),
                GoNumber::Float(f) => Val::Float(f),
            },
            Val::Json(Value::Null) => Val::Nil,
            other => other.clone(),
        }
    }

    /// Go's `isTrue`: zero values, empty collections, nil and missing values are false.
    fn truth(&self) -> bool {
        match self.scalar() {
            Val::Missing | Val::Nil => false,
            Val::Json(Value::Array(items)) => !items.is_empty(),
            Val::Json(Value::Object(map)) => !map.is_empty(),
            Val::Json(_) => true,
            Val::Str(s) => !s.is_empty(),
            Val::Int(i) => i != 0,
            Val::Float(f) => f != 0.0,
            Val::Bool(b) => b,
        }
    }

    /// The Go type, as `%!d(float64=1.5)` and error messages name it.
    fn go_type(&self) -> &'static str {
        match self.scalar() {
            Val::Json(Value::Array(_)) => "[]interface {}",
            Val::Json(Value::Object(_)) => "map[string]interface {}",
            Val::Str(_) => "string",
            Val::Int(_) => "int",
            Val::Float(_) => "float64",
            Val::Bool(_) => "bool",
            _ => "<nil>",
        }
    }

    /// The type Go names for a value that came out of the object (`int64` rather than `int`).
    fn printf_type(&self) -> &'static str {
        match self {
            Val::Json(Value::Number(n)) => match gofmt::go_number(n, NumberMode::Unstructured) {
                GoNumber::Int(_) => "int64",
                GoNumber::Float(_) => "float64",
            },
            other => other.go_type(),
        }
    }

    /// What `{{…}}` prints: Go's `%v`, `<no value>` for a missing key.
    fn to_text(&self) -> String {
        match self {
            Val::Missing => "<no value>".to_string(),
            Val::Json(value) => gofmt::value_to_string(value, NumberMode::Unstructured),
            Val::Str(s) => s.clone(),
            Val::Int(i) => i.to_string(),
            Val::Float(f) => gofmt::format_float(*f),
            Val::Bool(b) => b.to_string(),
            Val::Nil => "<nil>".to_string(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------

/// How a list ended: normally, or by `{{break}}`/`{{continue}}`.
#[derive(Debug, PartialEq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

/// An execution error before Go's position prefix is added.
struct Failure {
    span: Span,
    message: String,
}

type Exec<T> = Result<T, Failure>;

fn fail<T>(span: &Span, message: impl Into<String>) -> Exec<T> {
    Err(Failure {
        span: span.clone(),
        message: message.into(),
    })
}

struct State<'a, 'w, W: Write> {
    vars: Vec<(String, Val<'a>)>,
    missing_key_error: bool,
    out: &'w mut W,
    io_error: Option<io::Error>,
}

impl<'a, W: Write> State<'a, '_, W> {
    fn write(&mut self, span: &Span, text: &str) -> Exec<()> {
        match self.out.write_all(text.as_bytes()) {
            Ok(()) => Ok(()),
            Err(err) => {
                self.io_error = Some(err);
                fail(span, "write error")
            }
        }
    }

    fn list(&mut self, dot: &Val<'a>, nodes: &[Node]) -> Exec<Flow> {
        let mark = self.vars.len();
        let flow = self.nodes(dot, nodes);
        self.vars.truncate(mark);
        flow
    }

    fn nodes(&mut self, dot: &Val<'a>, nodes: &[Node]) -> Exec<Flow> {
        for node in nodes {
            match node {
                Node::Text(text) => self.write(
                    &Span {
                        pos: 0,
                        text: String::new(),
                    },
                    text,
                )?,
                Node::Action(pipe) => {
                    let value = self.pipeline(dot, pipe)?;
                    if pipe.vars.is_empty() {
                        self.write(&pipe.span, &value.to_text())?;
                    }
                }
                Node::If(branches) => {
                    if let Some(flow) = self.branches(dot, branches, false)? {
                        return Ok(flow);
                    }
                }
                Node::With(branches) => {
                    if let Some(flow) = self.branches(dot, branches, true)? {
                        return Ok(flow);
                    }
                }
                Node::Range(range) => self.range(dot, range)?,
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    /// Runs the first arm whose condition holds (`with` also moves dot to it), or the
    /// `else` list. Returns a `break`/`continue` that must leave the enclosing range.
    fn branches(&mut self, dot: &Val<'a>, branches: &Branches, with: bool) -> Exec<Option<Flow>> {
        let mark = self.vars.len();
        let mut chosen = None;
        for (condition, body) in &branches.arms {
            let value = self.pipeline(dot, condition)?;
            if value.truth() {
                chosen = Some((if with { value } else { dot.clone() }, body));
                break;
            }
        }
        let flow = match chosen {
            Some((dot, body)) => self.list(&dot, body)?,
            None => self.list(dot, &branches.otherwise)?,
        };
        self.vars.truncate(mark);
        Ok((flow != Flow::Normal).then_some(flow))
    }

    fn range(&mut self, dot: &Val<'a>, range: &Range) -> Exec<()> {
        let mark = self.vars.len();
        let value = self.pipeline_value(dot, &range.pipe)?;
        let items: Vec<(Val<'a>, Val<'a>)> = match &value {
            Val::Missing => Vec::new(),
            Val::Json(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    (
                        Val::Int(i64::try_from(i).unwrap_or(i64::MAX)),
                        Val::Json(item),
                    )
                })
                .collect(),
            Val::Json(Value::Object(map)) => gofmt::sorted_entries(map)
                .into_iter()
                .map(|(key, item)| (Val::Str(key.clone()), Val::Json(item)))
                .collect(),
            other => {
                return fail(
                    &range.pipe.commands[0].args[0].span,
                    format!("range can't iterate over {}", other.to_text()),
                );
            }
        };
        let iterated = !items.is_empty();
        for (key, item) in items {
            self.vars.truncate(mark);
            match range.pipe.vars.as_slice() {
                [element] => self.bind(element, item.clone(), range.pipe.assign),
                [index, element] => {
                    self.bind(index, key, range.pipe.assign);
                    self.bind(element, item.clone(), range.pipe.assign);
                }
                _ => {}
            }
            if self.list(&item, &range.body)? == Flow::Break {
                break;
            }
        }
        self.vars.truncate(mark);
        if !iterated {
            self.list(dot, &range.otherwise)?;
        }
        Ok(())
    }

    fn bind(&mut self, name: &str, value: Val<'a>, assign: bool) {
        if assign {
            if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                slot.1 = value;
            }
        } else {
            self.vars.push((name.to_string(), value));
        }
    }

    /// Evaluates a pipeline and binds its declared variables (range binds per item).
    fn pipeline(&mut self, dot: &Val<'a>, pipe: &Pipeline) -> Exec<Val<'a>> {
        let value = self.pipeline_value(dot, pipe)?;
        for name in &pipe.vars {
            self.bind(name, value.clone(), pipe.assign);
        }
        Ok(value)
    }

    fn pipeline_value(&mut self, dot: &Val<'a>, pipe: &Pipeline) -> Exec<Val<'a>> {
        let mut value = None;
        for command in &pipe.commands {
            value = Some(self.command(dot, command, value)?);
        }
        Ok(value.unwrap_or(Val::Missing))
    }

    fn command(
        &mut self,
        dot: &Val<'a>,
        command: &Command,
        piped: Option<Val<'a>>,
    ) -> Exec<Val<'a>> {
        let first = &command.args[0];
        let has_args = command.args.len() > 1 || piped.is_some();
        match &first.term {
            Term::Function(name) => {
                let mut args = Vec::new();
                for arg in &command.args[1..] {
                    args.push(self.operand(dot, arg)?);
                }
                args.extend(piped);
                self.call(&command.span, name, args)
            }
            Term::Field(names) if has_args => fail(
                &first.span,
                format!(
                    "{} is not a method but has arguments",
                    names[names.len() - 1]
                ),
            ),
            Term::Nil => fail(&first.span, "nil is not a command"),
            _ if has_args => fail(
                &first.span,
                format!("can't give argument to non-function {}", first.span.text),
            ),
            _ => self.operand(dot, first),
        }
    }

    fn operand(&mut self, dot: &Val<'a>, operand: &Operand) -> Exec<Val<'a>> {
        let value = match &operand.term {
            Term::Dot => dot.clone(),
            Term::Field(names) => return self.fields(dot.clone(), names, &operand.span),
            Term::Variable(name) => self
                .vars
                .iter()
                .rev()
                .find(|(n, _)| n == name)
                .map_or(Val::Missing, |(_, v)| v.clone()),
            Term::Function(name) => self.call(&operand.span, name, Vec::new())?,
            Term::Pipeline(pipe) => {
                let mark = self.vars.len();
                let value = self.pipeline(dot, pipe)?;
                self.vars.truncate(mark);
                value
            }
            Term::String(s) => Val::Str(s.clone()),
            Term::Int(i) => Val::Int(*i),
            Term::Float(f) => Val::Float(*f),
            Term::Bool(b) => Val::Bool(*b),
            Term::Nil => Val::Nil,
        };
        self.fields(value, &operand.fields, &operand.span)
    }

    /// Follows `.a.b` from `value` with Go's rules for maps, nil and missing keys.
    fn fields(&self, mut value: Val<'a>, names: &[String], span: &Span) -> Exec<Val<'a>> {
        for name in names {
            value = match value {
                Val::Missing if self.missing_key_error => {
                    return fail(
                        span,
                        format!("nil data; no entry for key {}", gofmt::quote(name)),
                    );
                }
                Val::Missing => Val::Missing,
                Val::Json(Value::Object(map)) => match map.get(name) {
                    Some(item) => Val::Json(item),
                    None if self.missing_key_error => {
                        return fail(
                            span,
                            format!("map has no entry for key {}", gofmt::quote(name)),
                        );
                    }
                    None => Val::Missing,
                },
                Val::Json(Value::Null) | Val::Nil => {
                    return fail(
                        span,
                        format!("nil pointer evaluating interface {{}}.{name}"),
                    );
                }
                _ => {
                    return fail(
                        span,
                        format!("can't evaluate field {name} in type interface {{}}"),
                    );
                }
            };
        }
        Ok(value)
    }

    fn call(&mut self, span: &Span, name: &str, args: Vec<Val<'a>>) -> Exec<Val<'a>> {
        let result = match name {
            "and" | "or" => {
                if args.is_empty() {
                    return fail(
                        span,
                        format!("wrong number of args for {name}: want at least 1 got 0"),
                    );
                }
                let stop = |v: &Val| if name == "and" { !v.truth() } else { v.truth() };
                let last = args.len() - 1;
                let pick = args.iter().position(stop).unwrap_or(last);
                Ok(args.into_iter().nth(pick).unwrap_or(Val::Missing))
            }
            "not" => match args.as_slice() {
                [value] => Ok(Val::Bool(!value.truth())),
                _ => {
                    return fail(
                        span,
                        format!("wrong number of args for not: want 1 got {}", args.len()),
                    );
                }
            },
            "len" => match args.as_slice() {
                [value] => length(value),
                _ => {
                    return fail(
                        span,
                        format!("wrong number of args for len: want 1 got {}", args.len()),
                    );
                }
            },
            "index" => match args.split_first() {
                Some((item, keys)) => index(item.clone(), keys),
                None => {
                    return fail(
                        span,
                        "wrong number of args for index: want at least 1 got 0",
                    );
                }
            },
            "printf" => match args.split_first() {
                Some((Val::Str(format), rest)) => Ok(Val::Str(sprintf(format, rest))),
                Some((other, _)) => {
                    return fail(
                        span,
                        format!(
                            "wrong type for value; expected string; got {}",
                            other.printf_type()
                        ),
                    );
                }
                None => {
                    return fail(
                        span,
                        "wrong number of args for printf: want at least 1 got 0",
                    );
                }
            },
            "print" => Ok(Val::Str(sprint(&args, false))),
            "println" => Ok(Val::Str(sprint(&args, true))),
            "eq" | "ne" | "lt" | "le" | "gt" | "ge" => compare(name, &args).map(Val::Bool),
            "base64decode" => match args.as_slice() {
                [Val::Str(text)] => base64_decode(text).map(Val::Str),
                [value] if matches!(value.scalar(), Val::Str(_)) => match value.scalar() {
                    Val::Str(text) => base64_decode(&text).map(Val::Str),
                    _ => Ok(Val::Missing),
                },
                [other] => {
                    return fail(
                        span,
                        format!(
                            "wrong type for value; expected string; got {}",
                            other.printf_type()
                        ),
                    );
                }
                _ => {
                    return fail(
                        span,
                        format!(
                            "wrong number of args for base64decode: want 1 got {}",
                            args.len()
                        ),
                    );
                }
            },
            "exists" => match args.split_first() {
                Some((item, keys)) => Ok(Val::Bool(exists(item, keys))),
                None => {
                    return fail(
                        span,
                        "wrong number of args for exists: want at least 1 got 0",
                    );
                }
            },
            _ => return fail(span, format!("function \"{name}\" not defined")),
        };
        result.or_else(|message| fail(span, format!("error calling {name}: {message}")))
    }
}

fn length(value: &Val) -> Result<Val<'static>, String> {
    let n = match value.scalar() {
        // Go fails while inspecting a missing value, with reflect's own message.
        Val::Missing => return Err("reflect: call of reflect.Value.Type on zero Value".to_string()),
        Val::Nil => return Err("len of nil pointer".to_string()),
        Val::Json(Value::Array(items)) => items.len(),
        Val::Json(Value::Object(map)) => map.len(),
        Val::Str(s) => s.len(),
        other => return Err(format!("len of type {}", other.printf_type())),
    };
    Ok(Val::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn index<'a>(mut item: Val<'a>, keys: &[Val<'a>]) -> Result<Val<'a>, String> {
    for key in keys {
        item = match (&item, key.scalar()) {
            (Val::Missing | Val::Nil | Val::Json(Value::Null), _) => {
                return Err("index of untyped nil".to_string());
            }
            (Val::Json(Value::Array(items)), Val::Int(i)) => {
                let found = usize::try_from(i).ok().and_then(|i| items.get(i));
                Val::Json(found.ok_or_else(|| format!("index out of range: {i}"))?)
            }
            (Val::Json(Value::String(s)), Val::Int(i)) => {
                let found = usize::try_from(i).ok().and_then(|i| s.as_bytes().get(i));
                Val::Int(i64::from(
                    *found.ok_or_else(|| format!("index out of range: {i}"))?,
                ))
            }
            (Val::Json(Value::Array(_) | Value::String(_)), Val::Missing | Val::Nil) => {
                return Err("cannot index slice/array with nil".to_string());
            }
            (Val::Json(Value::Array(_) | Value::String(_)), other) => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    key_type(key, &other)
                ));
            }
            (Val::Json(Value::Object(map)), Val::Str(k)) => {
                map.get(&k).map_or(Val::Missing, Val::Json)
            }
            (Val::Json(Value::Object(_)), other) => {
                return Err(format!(
                    "value has type {}; should be string",
                    key_type(key, &other)
                ));
            }
            (other, _) => return Err(format!("can't index item of type {}", other.printf_type())),
        };
    }
    Ok(item)
}

fn key_type(key: &Val, scalar: &Val) -> &'static str {
    match key {
        Val::Json(_) => key.printf_type(),
        _ => scalar.go_type(),
    }
}

/// kubectl's `exists`: whether following `keys` from `item` reaches a non-nil value.
fn exists(item: &Val, keys: &[Val]) -> bool {
    let mut current = match item {
        Val::Json(value) => *value,
        _ => return false,
    };
    for key in keys {
        current = match (current, key.scalar()) {
            (Value::Array(items), Val::Int(i)) => {
                match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                    Some(next) => next,
                    None => return false,
                }
            }
            (Value::Object(map), Val::Str(k)) => match map.get(&k) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    !current.is_null()
}

/// Go's `print`/`println`: `print` puts spaces only between operands that are not strings.
fn sprint(args: &[Val], line: bool) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_string = |v: &Val| matches!(v.scalar(), Val::Str(_));
        if i > 0 && (line || (!is_string(arg) && !is_string(&args[i - 1]))) {
            out.push(' ');
        }
        out.push_str(&printf_arg(arg).to_text());
    }
    if line {
        out.push('\n');
    }
    out
}

/// A value handed to a `...interface{}` function: a missing key becomes nil.
fn printf_arg<'v, 'a>(value: &'v Val<'a>) -> std::borrow::Cow<'v, Val<'a>> {
    match value {
        Val::Missing => std::borrow::Cow::Owned(Val::Nil),
        other => std::borrow::Cow::Borrowed(other),
    }
}

/// Go's comparison functions (text/template's `eq`, `lt`, …).
fn compare(name: &str, args: &[Val]) -> Result<bool, String> {
    const BAD_TYPE: &str = "invalid type for comparison";
    const INCOMPATIBLE: &str = "incompatible types for comparison";
    let (first, rest) = match args.split_first() {
        Some((first, rest)) if !rest.is_empty() => (first.scalar(), rest),
        _ => return Err("missing argument for comparison".to_string()),
    };
    let basic = |v: &Val| !matches!(v, Val::Missing | Val::Nil | Val::Json(_));
    let eq = |a: &Val, b: &Val| -> Result<bool, String> {
        Ok(match (a, b) {
            (Val::Int(x), Val::Int(y)) => x == y,
            (Val::Float(x), Val::Float(y)) => x == y,
            (Val::Str(x), Val::Str(y)) => x == y,
            (Val::Bool(x), Val::Bool(y)) => x == y,
            (Val::Missing | Val::Nil, Val::Missing | Val::Nil) => true,
            _ if basic(a) && basic(b) => return Err(INCOMPATIBLE.to_string()),
            _ if basic(a) || basic(b) => false,
            _ => return Err("non-comparable types".to_string()),
        })
    };
    let lt = |a: &Val, b: &Val| -> Result<bool, String> {
        if !basic(a) || !basic(b) {
            return Err(BAD_TYPE.to_string());
        }
        Ok(match (a, b) {
            (Val::Int(x), Val::Int(y)) => x < y,
            (Val::Float(x), Val::Float(y)) => x < y,
            (Val::Str(x), Val::Str(y)) => x < y,
            (Val::Bool(_), Val::Bool(_)) => return Err(BAD_TYPE.to_string()),
            _ => return Err(INCOMPATIBLE.to_string()),
        })
    };
    if name == "eq" {
        for other in rest {
            if eq(&first, &other.scalar())? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    let [second] = rest else {
        return Err(format!(
            "wrong number of args for {name}: want 2 got {}",
            args.len()
        ));
    };
    let second = second.scalar();
    match name {
        "ne" => eq(&first, &second).map(|e| !e),
        "lt" => lt(&first, &second),
        "ge" => lt(&first, &second).map(|l| !l),
        "le" => Ok(lt(&first, &second)? || eq(&first, &second)?),
        _ => Ok(!(lt(&first, &second)? || eq(&first, &second)?)),
    }
}

/// Go's `base64.StdEncoding.DecodeString`, with kubectl's error wording.
fn base64_decode(text: &str) -> Result<String, String> {
    let fail = |at: usize| format!("base64 decode failed: illegal base64 data at input byte {at}");
    let value = |b: u8| -> Option<u32> {
        match b {
            b'A'..=b'Z' => Some(u32::from(b - b'A')),
            b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let bytes: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b != b'\n' && *b != b'\r')
        .collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.chunks(4).count();
    for (n, chunk) in bytes.chunks(4).enumerate() {
        if chunk.len() < 4 {
            return Err(fail(chunk[0].0));
        }
        let mut acc = 0u32;
        let mut digits = 0;
        for (i, &(at, b)) in chunk.iter().enumerate() {
            if b == b'=' {
                let padding_ok =
                    i >= 2 && n + 1 == chunks && chunk[i..].iter().all(|(_, b)| *b == b'=');
                if !padding_ok {
                    return Err(fail(at));
                }
                break;
            }
            acc = (acc << 6) | value(b).ok_or_else(|| fail(at))?;
            digits += 1;
        }
        acc <<= 6 * (4 - digits);
        let decoded = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&decoded[..digits - 1]);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

// ---------------------------------------------------------------------------------------------
// printf
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    zero: bool,
    space: bool,
    sharp: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

/// Go's `fmt.Sprintf` for the verbs templates use (`v s d q t f e g x X o c b %`), with Go's
/// `%!d(string=x)`, `%!d(MISSING)` and `%!(EXTRA …)` texts for mismatches.
fn sprintf(format: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        while let Some(&flag) = chars.peek() {
            match flag {
                '-' => spec.minus = true,
                '+' => spec.plus = true,
                '0' => spec.zero = true,
                ' ' => spec.space = true,
                '#' => spec.sharp = true,
                _ => break,
            }
            chars.next();
        }
        spec.width = digits(&mut chars);
        if chars.peek() == Some(&'.') {
            chars.next();
            spec.precision = Some(digits(&mut chars).unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        match args.next() {
            None => out.push_str(&format!("%!{verb}(MISSING)")),
            Some(arg) => out.push_str(&pad(
                &spec,
                &format_verb(verb, &spec, &printf_arg(arg)),
                verb,
            )),
        }
    }
    let extra: Vec<String> = args
        .map(|arg| {
            let arg = printf_arg(arg);
            match arg.as_ref() {
                Val::Nil => "<nil>".to_string(),
                other => format!("{}={}", other.printf_type(), other.to_text()),
            }
        })
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

fn digits(chars: &mut std::iter::Peekable<std::str::Chars>) -> Option<usize> {
    let mut number = None;
    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
        number = Some(number.unwrap_or(0) * 10 + d as usize);
        chars.next();
    }
    number
}

fn pad(spec: &Spec, text: &str, verb: char) -> String {
    let len = text.chars().count();
    let Some(width) = spec.width.filter(|&w| w > len) else {
        return text.to_string();
    };
    let fill = width - len;
    if spec.minus {
        format!("{text}{}", " ".repeat(fill))
    } else if spec.zero && matches!(verb, 'd' | 'f' | 'e' | 'g' | 'x' | 'X' | 'o' | 'b') {
        let (sign, digits) = match text.strip_prefix(['-', '+']) {
            Some(rest) => (&text[..1], rest),
            None => ("", text),
        };
        format!("{sign}{}{digits}", "0".repeat(fill))
    } else {
        format!("{}{text}", " ".repeat(fill))
    }
}

fn bad_verb(verb: char, value: &Val) -> String {
    match value {
        Val::Nil | Val::Json(Value::Null) => format!("%!{verb}(<nil>)"),
        other => format!("%!{verb}({}={})", other.printf_type(), other.to_text()),
    }
}

fn signed(spec: &Spec, negative: bool, digits: String) -> String {
    let sign = if negative {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    format!("{sign}{digits}")
}

/// A member of a map or slice: Go prints a nil member as `<nil>` whatever the verb.
fn format_member(verb: char, spec: &Spec, value: &Value) -> String {
    match value {
        Value::Null => "<nil>".to_string(),
        other => format_verb(verb, spec, &Val::Json(other)),
    }
}

/// One verb applied to one value; maps and slices apply it to their members, like Go.
fn format_verb(verb: char, spec: &Spec, value: &Val) -> String {
    match value {
        Val::Json(Value::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| format_member(verb, spec, item))
                .collect();
            return format!("[{}]", parts.join(" "));
        }
        Val::Json(Value::Object(map)) => {
            let parts: Vec<String> = gofmt::sorted_entries(map)
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        format_verb(verb, spec, &Val::Str(k.clone())),
                        format_member(verb, spec, v)
                    )
                })
                .collect();
            return format!("map[{}]", parts.join(" "));
        }
        _ => {}
    }
    let scalar = value.scalar();
    match (verb, &scalar) {
        ('v', _) => match &scalar {
            Val::Str(s) if spec.sharp => gofmt::quote(s),
            Val::Float(f) => float_verb('g', spec, *f),
            Val::Int(i) => signed(spec, *i < 0, i.unsigned_abs().to_string()),
            _ => scalar.to_text(),
        },
        ('s', Val::Str(s)) => match spec.precision {
            Some(p) => s.chars().take(p).collect(),
            None => s.clone(),
        },
        ('q', Val::Str(s)) => gofmt::quote(s),
        ('t', Val::Bool(b)) => b.to_string(),
        ('d', Val::Int(i)) => signed(spec, *i < 0, i.unsigned_abs().to_string()),
        ('x', Val::Int(i)) => signed(
            spec,
            *i < 0,
            format!(
                "{}{:x}",
                if spec.sharp { "0x" } else { "" },
                i.unsigned_abs()
            ),
        ),
        ('X', Val::Int(i)) => signed(
            spec,
            *i < 0,
            format!(
                "{}{:X}",
                if spec.sharp { "0X" } else { "" },
                i.unsigned_abs()
            ),
        ),
        ('o', Val::Int(i)) => signed(spec, *i < 0, format!("{:o}", i.unsigned_abs())),
        ('b', Val::Int(i)) => signed(spec, *i < 0, format!("{:b}", i.unsigned_abs())),
        ('c', Val::Int(i)) => u32::try_from(*i)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{FFFD}')
            .to_string(),
        ('q', Val::Int(i)) => {
            let c = u32::try_from(*i)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            let quoted = gofmt::quote(&c.to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1].replace("\\\"", "\""))
        }
        ('x', Val::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
        ('X', Val::Str(s)) => s.bytes().map(|b| format!("{b:02X}")).collect(),
        ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Val::Float(f)) => float_verb(verb, spec, *f),
        _ => bad_verb(verb, value),
    }
}

fn float_verb(verb: char, spec: &Spec, f: f64) -> String {
    let negative = f.is_sign_negative() && f != 0.0;
    let abs = f.abs();
    let text = match (verb, spec.precision) {
        ('f' | 'F', p) => format!("{abs:.*}", p.unwrap_or(6)),
        ('e' | 'E', p) => go_exponent(&format!("{abs:.*e}", p.unwrap_or(6))),
        (_, None) => gofmt::format_float(abs),
        (_, Some(p)) => {
            let p = p.max(1);
            let exp = if abs == 0.0 {
                0
            } else {
                abs.log10().floor() as i32
            };
            if exp < -4 || exp >= p as i32 {
                go_exponent(&format!("{abs:.*e}", p - 1))
            } else {
                let fixed = format!("{abs:.*}", usize::try_from(p as i32 - 1 - exp).unwrap_or(0));
                if fixed.contains('.') {
                    fixed
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_string()
                } else {
                    fixed
                }
            }
        }
    };
    let text = if verb.is_ascii_uppercase() {
        text.to_uppercase()
    } else {
        text
    };
    signed(spec, negative, text)
}

/// Rust's `1.5e0` as Go's `1.5e+00`.
fn go_exponent(rust: &str) -> String {
    match rust.split_once('e') {
        Some((mantissa, exp)) => {
            let exp: i32 = exp.parse().unwrap_or(0);
            format!(
                "{mantissa}e{}{:02}",
                if exp < 0 { '-' } else { '+' },
                exp.abs()
            )
        }
        None => rust.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// A parsed Go template.
#[derive(Debug, Clone, PartialEq)]
pub struct GoTemplate {
    source: String,
    nodes: Vec<Node>,
    missing_key_error: bool,
}

impl GoTemplate {
    /// Parses a template (named `output`, as kubectl names it).
    pub fn parse(template: &str) -> Result<GoTemplate, GoTemplateError> {
        Ok(GoTemplate {
            source: template.to_string(),
            nodes: Parser::parse(template)?,
            missing_key_error: false,
        })
    }

    /// `--allow-missing-template-keys=false`: Go's `missingkey=error`.
    pub fn allow_missing_keys(mut self, allow: bool) -> GoTemplate {
        self.missing_key_error = !allow;
        self
    }

    /// Executes the template on `data`, writing as it goes (like Go, output written before an
    /// error stays written).
    pub fn execute(&self, data: &Value, out: &mut impl Write) -> Result<(), GoTemplateError> {
        let mut state = State {
            vars: vec![("$".to_string(), Val::Json(data))],
            missing_key_error: self.missing_key_error,
            out,
            io_error: None,
        };
        match state.list(&Val::Json(data), &self.nodes) {
            Ok(_) => Ok(()),
            Err(failure) => match state.io_error.take() {
                Some(err) => Err(GoTemplateError::Io(err)),
                None => Err(self.locate(failure)),
            },
        }
    }

    fn locate(&self, failure: Failure) -> GoTemplateError {
        let pos = failure.span.pos.min(self.source.len());
        let before = &self.source[..pos];
        let column = before.rfind('\n').map_or(pos, |nl| pos - nl - 1);
        GoTemplateError::Execute {
            line: line_of(&self.source, pos),
            column,
            context: failure.span.text,
            message: failure.message,
        }
    }
}

/// kubectl's `-o go-template` / `-o go-template-file` printer.
#[derive(Debug, Clone)]
pub struct GoTemplatePrinter {
    template: GoTemplate,
}

impl GoTemplatePrinter {
    /// Parses `template` (the text after `-o go-template=`, or a template file's content).
    pub fn new(template: &str) -> Result<Self, GoTemplatePrinterError> {
        if template.is_empty() {
            return Err(GoTemplatePrinterError::NoTemplate);
        }
        GoTemplate::parse(template)
            .map(|template| GoTemplatePrinter { template })
            .map_err(|source| GoTemplatePrinterError::Parse {
                template: template.to_string(),
                source,
            })
    }

    /// `--allow-missing-template-keys` (kubectl's default: true).
    pub fn allow_missing_keys(mut self, allow: bool) -> Self {
        self.template = self.template.allow_missing_keys(allow);
        self
    }

    /// Prints one object. On an execution error kubectl writes debugging details to the
    /// *output* after whatever the template already printed; kz does the same.
    pub fn print(
        &self,
        object: &Value,
        out: &mut impl Write,
    ) -> Result<(), GoTemplatePrinterError> {
        let source = match self.template.execute(object, out) {
            Ok(()) => return Ok(()),
            Err(GoTemplateError::Io(err)) => return Err(GoTemplatePrinterError::Io(err)),
            Err(source) => source,
        };
        let mut raw = String::new();
        gofmt::write_json(&mut raw, object, None, NumberMode::Unstructured);
        let details = format!(
            "Error executing template: {source}. Printing more information for debugging the \
             template:\n\ttemplate was:\n\t\t{}\n\traw data was:\n\t\t{raw}\n\tobject given to \
             template engine was:\n\t\t{}\n\n",
            self.template.source,
            gofmt::value_to_string(object, NumberMode::Unstructured)
        );
        out.write_all(details.as_bytes())
            .map_err(GoTemplatePrinterError::Io)?;
        Err(GoTemplatePrinterError::Execute {
            template: self.template.source.clone(),
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        serde_json::from_str(include_str!(
            "../../tests/fixtures/http/088-get-deployment.json"
        ))
        .expect("fixture")
    }

    fn pods() -> Value {
        serde_json::from_str(include_str!("../../tests/fixtures/http/029-list-pods.json"))
            .expect("fixture")
    }

    /// The object the behaviour below was checked on with kubectl v1.32
    /// (`kubectl annotate --local -f obj.json foo=bar -o go-template=…`).
    fn thing() -> Value {
        json!({
            "kind": "Thing",
            "metadata": {"name": "x", "annotations": {"foo": "bar", "kubernetes.io/change-cause": "a<b&c>"}},
            "things": [
                {"a": 1, "b": "two", "c": [1, 2, 3]},
                {"a": 2.5, "b": null, "m": {"z": 1, "a": [true]}}
            ],
            "n": 1000000,
            "f": 1.5,
            "big": 1e21
        })
    }

    fn run(template: &str, data: &Value) -> Result<String, GoTemplateError> {
        let template = GoTemplate::parse(template)?;
        let mut out = Vec::new();
        template.execute(data, &mut out)?;
        Ok(String::from_utf8(out).expect("utf-8"))
    }

    fn ok(template: &str, data: &Value) -> String {
        run(template, data).unwrap_or_else(|err| panic!("{template}: {err}"))
    }

    fn err(template: &str, data: &Value) -> String {
        match run(template, data) {
            Ok(out) => panic!("{template}: expected an error, got {out:?}"),
            Err(err) => err.to_string(),
        }
    }

    #[test]
    fn fields_and_values() {
        let d = deployment();
        assert_eq!(ok("{{.metadata.name}}", &d), "frontend");
        assert_eq!(
            ok("{{.spec.replicas}}", &d),
            d["spec"]["replicas"].to_string()
        );
        assert_eq!(
            ok(
                "{{.metadata.labels}}",
                &json!({"metadata": {"labels": {"b": "2", "a": "1"}}})
            ),
            "map[a:1 b:2]"
        );
        let t = thing();
        assert_eq!(
            ok(
                "{{.n}} {{.f}} {{.big}} {{.things}} {{.metadata.nope}} {{.nope.deeper}}",
                &t
            ),
            "1000000 1.5 1e+21 [map[a:1 b:two c:[1 2 3]] map[a:2.5 b:<nil> m:map[a:[true] z:1]]] \
             <no value> <no value>"
        );
        assert_eq!(
            ok("{{$.kind}}|{{ .kind }}|{{.}}", &json!({"kind": "K"})),
            "K|K|map[kind:K]"
        );
    }

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
    fn range_over_pods() {
        let pods = pods();
        let out = ok(
            r#"{{range .items}}{{.metadata.name}}{{"\t"}}{{.status.podIP}}{{"\n"}}{{end}}"#,
            &pods,
        );
        let names: Vec<&str> = pods["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|pod| pod["metadata"]["name"].as_str())
            .collect();
        assert_eq!(out.lines().count(), names.len());
        assert!(out.starts_with("cache-0\t10.244.1.3\n"), "{out}");
        assert_eq!(ok("{{len .items}}", &pods), names.len().to_string());
    }

    #[test]
    fn range_forms() {
        let t = thing();
        assert_eq!(ok("{{range .things}}{{.a}},{{end}}", &t), "1,2.5,");
        assert_eq!(
            ok("{{range $i, $e := .things}}{{$i}}:{{$e.a}} {{end}}", &t),
            "0:1 1:2.5 "
        );
        assert_eq!(
            ok("{{range $e := .things}}{{$e.b}};{{end}}", &t),
            "two;<nil>;"
        );
        assert_eq!(
            ok(
                "{{range $k, $v := .metadata.annotations}}{{$k}}={{$v}};{{end}}",
                &t
            ),
            "foo=bar;kubernetes.io/change-cause=a<b&c>;"
        );
        assert_eq!(ok("{{range .nope}}x{{else}}empty{{end}}", &t), "empty");
        assert_eq!(
            ok(
                "{{range .things}}{{if .m}}{{break}}{{end}}{{.a}}{{end}}",
                &t
            ),
            "1"
        );
        assert_eq!(
            ok(
                "{{range .things}}{{if .m}}{{continue}}{{end}}{{.a}}{{end}}!",
                &t
            ),
            "1!"
        );
        assert_eq!(
            err("{{range .kind}}x{{end}}", &t),
            r#"template: output:1:8: executing "output" at <.kind>: range can't iterate over Thing"#
        );
        assert_eq!(
            err("{{range 3}}{{.}}{{end}}", &t),
            r#"template: output:1:8: executing "output" at <3>: range can't iterate over 3"#
        );
    }

    #[test]
    fn conditionals_and_with() {
        let t = thing();
        assert_eq!(
            ok("{{if .nope}}a{{else if .kind}}b{{else}}c{{end}}", &t),
            "b"
        );
        assert_eq!(ok("{{if .nope}}a{{else}}c{{end}}", &t), "c");
        assert_eq!(ok("{{with .metadata}}{{.name}}{{end}}", &t), "x");
        assert_eq!(
            ok("{{with .nope}}a{{else with .kind}}{{.}}{{end}}", &t),
            "Thing"
        );
        assert_eq!(ok("{{with $x := .metadata}}{{$x.name}}{{end}}", &t), "x");
        assert_eq!(
            ok(
                "{{if and .kind .nope}}y{{else if or .nope .n}}z{{end}}|{{and 1 0 2}}|{{or 0 \"\" \"x\"}}|{{not .nope}}",
                &t
            ),
            "z|0|x|true"
        );
    }

    #[test]
    fn variables() {
        let t = thing();
        assert_eq!(ok("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", &t), "2");
        assert_eq!(
            ok("{{$n := .metadata.name}}{{range .things}}{{$n}}{{end}}", &t),
            "xx"
        );
        assert_eq!(
            err("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}{{$y}}", &t),
            r#"template: output:1: undefined variable "$y""#
        );
        assert_eq!(
            err("{{if true}}{{$x := 1}}{{end}}{{$x}}", &t),
            r#"template: output:1: undefined variable "$x""#
        );
    }

    #[test]
    fn functions() {
        let t = thing();
        assert_eq!(
            ok(
                r#"{{index .metadata.annotations "foo"}}|{{index .things 0 "c" 1}}|{{index .kind 0}}|{{index .metadata.annotations "nope"}}"#,
                &t
            ),
            "bar|2|84|<no value>"
        );
        assert_eq!(
            ok("{{len .things}} {{len .kind}} {{len .metadata}}", &t),
            "2 5 2"
        );
        assert_eq!(
            ok(
                r#"{{eq .kind "Thing" "x"}} {{eq 1 2 1}} {{ne .nope "x"}} {{lt "a" "b"}} {{ge 2 2}} {{gt 1.5 1.2}} {{le .n 5}}"#,
                &t
            ),
            "true true true true true true false"
        );
        assert_eq!(
            ok(
                r#"{{exists . "metadata" "name"}} {{exists . "things" 1 "b"}} {{exists . "things" 5}}"#,
                &t
            ),
            "true false false"
        );
        assert_eq!(ok(r#"{{"aGVsbG8=" | base64decode}}"#, &t), "hello");
        assert_eq!(
            ok(r#"{{print 1 2 "a" "b" 3}}|{{println "x" 1}}"#, &t),
            "1 2ab3|x 1\n"
        );
    }

    #[test]
    fn printf_like_go() {
        let t = thing();
        assert_eq!(
            ok(
                r#"{{printf "%d" 3}} {{printf "%5.2f|%-4s|%x" .f "ab" 255}} {{printf "%v" .metadata.annotations}}"#,
                &t
            ),
            "3  1.50|ab  |ff map[foo:bar kubernetes.io/change-cause:a<b&c>]"
        );
        assert_eq!(
            ok(r#"{{printf "%d %s" .f .n}}|{{printf "%s" .things}}"#, &t),
            "%!d(float64=1.5) %!s(int64=1000000)|[map[a:%!s(int64=1) b:two c:[%!s(int64=1) \
             %!s(int64=2) %!s(int64=3)]] map[a:%!s(float64=2.5) b:<nil> m:map[a:[%!s(bool=true)] \
             z:%!s(int64=1)]]]"
        );
        assert_eq!(
            ok(
                r#"{{printf "%5d|%-5d|%05d" 42 42 42}}|{{printf "%x %q %c" "hi" 65 65}}"#,
                &t
            ),
            "   42|42   |00042|6869 'A' A"
        );
        assert_eq!(
            ok(r#"{{printf "%.1f %e %g %v" .f .f .f .big}}"#, &t),
            "1.5 1.500000e+00 1.5 1e+21"
        );
        assert_eq!(
            ok(
                r#"{{printf "%d"}} {{printf "x" 1}} {{printf "%z" 1}} {{printf "%v" .nope}}"#,
                &t
            ),
            "%!d(MISSING) x%!(EXTRA int=1) %!z(int=1) <nil>"
        );
        assert_eq!(ok(r#"{{.metadata.name | printf "%q"}}"#, &t), r#""x""#);
        assert_eq!(ok(r#"{{.kind | printf "%s-%s" "a"}}"#, &t), "a-Thing");
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

    #[test]
    fn parse_errors() {
        let cases = [
            (
                "{{foo}}",
                r#"template: output:1: function "foo" not defined"#,
            ),
            (
                r#"{{"a" | foo}}"#,
                r#"template: output:1: function "foo" not defined"#,
            ),
            ("{{.kind", "template: output:1: unclosed action"),
            ("{{end}}", "template: output:1: unexpected {{end}}"),
            (
                "a\n{{.kind}} {{end}}",
                "template: output:2: unexpected {{end}}",
            ),
            ("{{range .things}}", "template: output:1: unexpected EOF"),
            ("{{if}}x{{end}}", "template: output:1: missing value for if"),
            (
                "{{html .x}}",
                r#"template: output:1: function "html" is not supported by kz"#,
            ),
            (
                "{{define \"x\"}}{{end}}",
                "template: output:1: {{define}} is not supported by kz",
            ),
            (
                "{{break}}",
                "template: output:1: {{break}} outside {{range}}",
            ),
        ];
        for (template, want) in cases {
            match GoTemplate::parse(template) {
                Ok(parsed) => panic!("{template}: parsed as {parsed:?}"),
                Err(err) => assert_eq!(err.to_string(), want, "{template}"),
            }
        }
    }

    #[test]
    fn execution_errors() {
        let t = thing();
        let cases = [
            (
                "{{.metadata.name.x}}",
                r#"template: output:1:11: executing "output" at <.metadata.name.x>: can't evaluate field x in type interface {}"#,
            ),
            (
                "{{.things.x}}",
                r#"template: output:1:9: executing "output" at <.things.x>: can't evaluate field x in type interface {}"#,
            ),
            (
                "{{index .things 5}}",
                r#"template: output:1:2: executing "output" at <index .things 5>: error calling index: index out of range: 5"#,
            ),
            (
                r#"{{index .metadata.labels "x"}}"#,
                r#"template: output:1:2: executing "output" at <index .metadata.labels "x">: error calling index: index of untyped nil"#,
            ),
            (
                "{{eq .n 1000000.0}}",
                r#"template: output:1:2: executing "output" at <eq .n 1000000.0>: error calling eq: incompatible types for comparison"#,
            ),
            (
                "{{lt .nope 1}}",
                r#"template: output:1:2: executing "output" at <lt .nope 1>: error calling lt: invalid type for comparison"#,
            ),
            (
                "{{len 3}}",
                r#"template: output:1:2: executing "output" at <len 3>: error calling len: len of type int"#,
            ),
            (
                "{{len .nope}}",
                r#"template: output:1:2: executing "output" at <len .nope>: error calling len: reflect: call of reflect.Value.Type on zero Value"#,
            ),
            (
                "{{.kind 1}}",
                r#"template: output:1:2: executing "output" at <.kind>: kind is not a method but has arguments"#,
            ),
            (
                r#"{{base64decode "a"}}"#,
                r#"template: output:1:2: executing "output" at <base64decode "a">: error calling base64decode: base64 decode failed: illegal base64 data at input byte 0"#,
            ),
        ];
        for (template, want) in cases {
            assert_eq!(err(template, &t), want, "{template}");
        }
    }

    #[test]
    fn missing_keys_can_be_errors() {
        let template = GoTemplate::parse("{{.metadata.nope}}")
            .expect("parse")
            .allow_missing_keys(false);
        let mut out = Vec::new();
        let error = template.execute(&thing(), &mut out).expect_err("missing");
        assert_eq!(
            error.to_string(),
            r#"template: output:1:11: executing "output" at <.metadata.nope>: map has no entry for key "nope""#
        );
    }

    #[test]
    fn printer_matches_kubectl() {
        assert_eq!(
            GoTemplatePrinter::new("").expect_err("empty").to_string(),
            "template format specified but no template given"
        );
        assert_eq!(
            GoTemplatePrinter::new("{{foo}}")
                .expect_err("parse")
                .to_string(),
            r#"error parsing template {{foo}}, template: output:1: function "foo" not defined"#
        );
        let printer = GoTemplatePrinter::new("{{.kind}}-{{index .a 5}}").expect("parse");
        let mut out = Vec::new();
        let error = printer
            .print(&json!({"kind": "K", "a": [1, null]}), &mut out)
            .expect_err("out of range");
        let message = r#"template: output:1:12: executing "output" at <index .a 5>: error calling index: index out of range: 5"#;
        assert_eq!(
            error.to_string(),
            format!(r#"error executing template "{{{{.kind}}}}-{{{{index .a 5}}}}": {message}"#)
        );
        assert_eq!(
            String::from_utf8(out).expect("utf-8"),
            format!(
                "K-Error executing template: {message}. Printing more information for debugging \
                 the template:\n\ttemplate was:\n\t\t{{{{.kind}}}}-{{{{index .a 5}}}}\n\traw data \
                 was:\n\t\t{{\"a\":[1,null],\"kind\":\"K\"}}\n\tobject given to template engine \
                 was:\n\t\tmap[a:[1 <nil>] kind:K]\n\n"
            )
        );
    }

    #[test]
    fn base64_rules() {
        assert_eq!(base64_decode("aGk=").as_deref(), Ok("hi"));
        assert_eq!(
            base64_decode("aGVsbG8gd29ybGQ=").as_deref(),
            Ok("hello world")
        );
        assert_eq!(
            base64_decode("aGk").expect_err("short"),
            "base64 decode failed: illegal base64 data at input byte 0"
        );
        assert_eq!(
            base64_decode("aG=k").expect_err("padding"),
            "base64 decode failed: illegal base64 data at input byte 2"
        );
    }
}
