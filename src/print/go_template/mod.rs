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
//!
//! One module per layer: `lex` splits the text into pieces and tokens, `parse` builds the
//! tree, `exec` walks it over the object and `funcs` holds the functions. `printf`, `print` and
//! what `{{…}}` prints are Go's `fmt`, in [`crate::print::gofmt`].

mod exec;
#[cfg(test)]
mod fixtures;
mod funcs;
mod lex;
mod parse;

use std::fmt;
use std::io::{self, Write};

use serde_json::Value;

use crate::print::gofmt::{self, NumberMode};
use exec::{Failure, Stop};
use lex::line_of;
use parse::Node;

/// The template's name, as kubectl names it; Go's errors quote it.
const NAME: &str = "output";

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
            nodes: parse::parse(template)?,
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
        exec::execute(&self.nodes, data, self.missing_key_error, out).map_err(|stop| match stop {
            Stop::Io(err) => GoTemplateError::Io(err),
            Stop::Failed(failure) => self.locate(failure),
        })
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
    use serde_json::json;

    use super::*;

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
}
