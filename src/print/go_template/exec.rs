//! Execution: walks the tree over the object, with Go's rules for dot, variables and their
//! scopes, truth, `range` over lists and (sorted) maps, field chains on maps and nil, and
//! `missingkey=error`.

use std::io::{self, Write};

use serde_json::Value;

use super::funcs;
use super::parse::{Branches, Command, Node, Operand, Pipeline, Range, Span, Term};
use crate::print::gofmt::printf::Arg;
use crate::print::gofmt::{self, GoNumber, NumberMode};

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/// A value during execution, typed as Go would hold it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val<'a> {
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
    pub(super) fn scalar(&self) -> Val<'_> {
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
    pub(super) fn truth(&self) -> bool {
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

    /// The value as Go's `fmt` receives it in an `interface{}`: a missing key becomes nil.
    pub(super) fn arg(&self) -> Arg<'_> {
        match self {
            Val::Missing | Val::Nil => Arg::Nil,
            Val::Json(value) => Arg::Json(value),
            Val::Str(s) => Arg::Str(s),
            Val::Int(i) => Arg::Int(*i),
            Val::Float(f) => Arg::Float(*f),
            Val::Bool(b) => Arg::Bool(*b),
        }
    }

    /// The Go type, as error messages name it: `int64` for an integer from the object, `int`
    /// for a constant.
    pub(super) fn type_name(&self) -> &'static str {
        self.arg().type_name()
    }

    /// What `{{…}}` prints: Go's `%v`, `<no value>` for a missing key.
    pub(super) fn to_text(&self) -> String {
        match self {
            Val::Missing => "<no value>".to_string(),
            other => other.arg().to_text(),
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
pub(super) struct Failure {
    pub(super) span: Span,
    pub(super) message: String,
}

/// Why an execution stopped early.
pub(super) enum Stop {
    Failed(Failure),
    /// Writing the output failed.
    Io(io::Error),
}

pub(super) type Exec<T> = Result<T, Failure>;

pub(super) fn fail<T>(span: &Span, message: impl Into<String>) -> Exec<T> {
    Err(Failure {
        span: span.clone(),
        message: message.into(),
    })
}

/// Runs `nodes` on `data`, writing as it goes (like Go, output written before an error stays
/// written). `missing_key_error` is Go's `missingkey=error`.
pub(super) fn execute<W: Write>(
    nodes: &[Node],
    data: &Value,
    missing_key_error: bool,
    out: &mut W,
) -> Result<(), Stop> {
    let mut state = State {
        vars: vec![("$".to_string(), Val::Json(data))],
        missing_key_error,
        out,
        io_error: None,
    };
    match state.list(&Val::Json(data), nodes) {
        Ok(_) => Ok(()),
        Err(failure) => Err(match state.io_error.take() {
            Some(err) => Stop::Io(err),
            None => Stop::Failed(failure),
        }),
    }
}

/// Variables in scope (innermost last) and the output.
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
                funcs::call(&command.span, name, args)
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
            Term::Function(name) => funcs::call(&operand.span, name, Vec::new())?,
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
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::GoTemplate;
    use super::super::fixtures::{deployment, err, ok, pods, thing};

    #[test]
    fn printf_of_a_padded_list_past_the_limit_is_an_error_not_all_memory() {
        // Found by the go_template fuzz target: `%4000000A` pads every member of the List.
        assert_eq!(
            err(r#"{{printf "%4000000A" $}}"#, &pods()),
            r#"template: output:1:2: executing "output" at <printf "%4000000A" $>: error calling printf: the text is longer than kz's limit of 64 MiB"#
        );
        let t = thing();
        assert_eq!(
            err(
                r#"{{$x := printf "%9000000d" 1}}{{print $x $x $x $x $x $x $x $x}}"#,
                &t
            ),
            r#"template: output:1:32: executing "output" at <print $x $x $x $x $x $x $x $x>: error calling print: the text is longer than kz's limit of 64 MiB"#
        );
        assert_eq!(ok(r#"{{len (printf "%9000000d" 1)}}"#, &t), "9000000");
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
}
