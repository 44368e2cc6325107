//! The parser: turns the lexer's pieces into a tree of text, actions, `if`/`with`/`range`
//! blocks, pipelines, commands and operands, checking what Go's parser checks (known functions,
//! declared variables, `break`/`continue` inside `range`, balanced blocks).

use super::GoTemplateError;
use super::funcs;
use super::lex::{self, Piece, Tok, Token, line_of};
use crate::print::gofmt;

// ---------------------------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------------------------

/// Where a node starts and how Go shows it in errors.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Span {
    pub(super) pos: usize,
    pub(super) text: String,
}

/// One element of a template: text, an action printing a pipeline, or a block.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
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
pub(super) struct Branches {
    pub(super) arms: Vec<(Pipeline, Vec<Node>)>,
    pub(super) otherwise: Vec<Node>,
}

/// `range` with its body and its `else` list (run when there is nothing to iterate).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Range {
    pub(super) pipe: Pipeline,
    pub(super) body: Vec<Node>,
    pub(super) otherwise: Vec<Node>,
}

/// `[$x[, $y] := | =] command | command …`: each command's value is the last argument of the
/// next.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pipeline {
    pub(super) span: Span,
    /// Variables declared (`:=`) or assigned (`=`) by the pipeline.
    pub(super) vars: Vec<String>,
    pub(super) assign: bool,
    pub(super) commands: Vec<Command>,
}

/// A function and its arguments, or a single value.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Command {
    pub(super) span: Span,
    pub(super) args: Vec<Operand>,
}

/// What an operand starts with.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Term {
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
pub(super) struct Operand {
    pub(super) span: Span,
    pub(super) term: Term,
    pub(super) fields: Vec<String>,
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// How a list of nodes ended.
#[derive(Debug, PartialEq)]
enum ListEnd {
    Eof,
    End,
    Else { tokens: Vec<Token>, pos: usize },
}

/// Parses a template into its tree, with Go's parse errors (`template: output:LINE: …`).
pub(super) fn parse(src: &str) -> Result<Vec<Node>, GoTemplateError> {
    Parser::parse(src)
}

/// How deep blocks and parenthesized pipelines may nest together. Parsing, executing and
/// dropping the tree each recurse once per level; Go stops at 10,000 levels ("max expression
/// depth exceeded") because its stacks grow, and kz's do not.
pub(super) const MAX_DEPTH: usize = 100;

struct Parser<'t> {
    src: &'t str,
    pieces: std::vec::IntoIter<Piece>,
    /// Variables in scope, innermost last.
    vars: Vec<String>,
    range_depth: usize,
    /// Blocks and parenthesized pipelines open around what is being parsed.
    depth: usize,
}

impl<'t> Parser<'t> {
    fn error(&self, pos: usize, message: impl Into<String>) -> GoTemplateError {
        GoTemplateError::Parse {
            line: line_of(self.src, pos),
            message: message.into(),
        }
    }

    fn parse(src: &'t str) -> Result<Vec<Node>, GoTemplateError> {
        let pieces = lex::pieces(src)?;
        let mut parser = Parser {
            src,
            pieces: pieces.into_iter(),
            vars: vec!["$".to_string()],
            range_depth: 0,
            depth: 0,
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
                "if" => nodes.push(Node::If(
                    self.nested(pos, |parser| parser.branches(rest(), pos, "if"))?,
                )),
                "with" => nodes.push(Node::With(
                    self.nested(pos, |parser| parser.branches(rest(), pos, "with"))?,
                )),
                "range" => nodes.push(self.nested(pos, |parser| parser.range(rest(), pos))?),
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

    /// Parses one level deeper, or fails past [`MAX_DEPTH`] with Go's words.
    fn nested<T>(
        &mut self,
        pos: usize,
        parse: impl FnOnce(&mut Self) -> Result<T, GoTemplateError>,
    ) -> Result<T, GoTemplateError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(pos, "max expression depth exceeded"));
        }
        self.depth += 1;
        let parsed = parse(self);
        self.depth -= 1;
        parsed
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
        self.pipeline_of(&tokens, pos, context, allow_two_vars)
    }

    /// [`Parser::pipeline`] of borrowed tokens: a parenthesized pipeline is parsed where it
    /// is, not copied, so nesting costs no memory per level.
    fn pipeline_of(
        &mut self,
        tokens: &[&Token],
        pos: usize,
        context: &str,
        allow_two_vars: bool,
    ) -> Result<Pipeline, GoTemplateError> {
        let mut tokens = trim_spaces(tokens);
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
                w if funcs::FUNCTIONS.contains(&w) => Term::Function(w.to_string()),
                w if funcs::GO_ONLY_FUNCTIONS.contains(&w) => {
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
                let inner = &tokens[i + 1..close];
                next = close + 1;
                Term::Pipeline(Box::new(self.nested(token.pos, |parser| {
                    parser.pipeline_of(inner, token.pos, "parenthesized pipeline", false)
                })?))
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
    let (digits, radix) = radix.unwrap_or((digits, 10));
    if digits.starts_with(['+', '-']) {
        return None;
    }
    if radix == 10 && digits.contains(['.', 'e', 'E']) {
        return digits
            .parse::<f64>()
            .ok()
            .map(|f| Term::Float(if negative { -f } else { f }));
    }
    // Through i128, so that the most negative int64 is a constant too.
    let magnitude = i128::from_str_radix(digits, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok().map(Term::Int)
}

#[cfg(test)]
mod tests {
    use super::super::GoTemplate;
    use super::super::fixtures::{ok, run, thing};
    use super::MAX_DEPTH;

    #[test]
    fn nesting_past_the_limit_is_a_parse_error_not_a_stack_overflow() {
        let data = serde_json::json!({"one": [1]});
        // Around what prints, opened and closed `n` times each.
        let shapes = [
            ("", "{{if 1}}", "x", "{{end}}", ""),
            ("", "{{with .}}", "x", "{{end}}", ""),
            ("", "{{range $.one}}", "x", "{{end}}", ""),
            ("{{", "(", "1", ")", "}}"),
        ];
        for (before, open, output, close, after) in shapes {
            let template = |n: usize| {
                format!(
                    "{before}{}{output}{}{after}",
                    open.repeat(n),
                    close.repeat(n)
                )
            };
            let shape = template(1);
            assert_eq!(run(&template(MAX_DEPTH), &data).expect(&shape), output);
            let err = run(&template(100_000), &data).expect_err(&shape);
            assert_eq!(
                err.to_string(),
                "template: output:1: max expression depth exceeded",
                "{shape}"
            );
        }
    }

    #[test]
    fn integer_constants_span_int64() {
        let t = thing();
        assert_eq!(
            ok(
                "{{9223372036854775807}} {{-9223372036854775808}} {{-0x10}} {{0b11}}",
                &t
            ),
            "9223372036854775807 -9223372036854775808 -16 3"
        );
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
}
