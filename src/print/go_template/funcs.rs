//! The functions templates call: Go's builtins (`and or not len index printf print println
//! eq ne lt le gt ge`) and kubectl's (`base64decode`, `exists`), with Go's error texts.

use serde_json::Value;

use super::exec::{Exec, Val, fail};
use super::parse::Span;
use crate::print::gofmt::printf::{self, Arg};

/// The functions a template can call: Go's builtins that kubectl users need, and kubectl's
/// `base64decode` and `exists`.
pub(super) const FUNCTIONS: &[&str] = &[
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
/// Go's builtins kz does not implement: a template using one is rejected, not misprinted.
pub(super) const GO_ONLY_FUNCTIONS: &[&str] = &["html", "js", "urlquery", "slice", "call"];

/// Calls the function `name` (the parser has checked that it exists) on `args`.
pub(super) fn call<'a>(span: &Span, name: &str, args: Vec<Val<'a>>) -> Exec<Val<'a>> {
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
            Some((format, rest)) => match as_str(format) {
                Some(format) => {
                    let rest: Vec<Arg> = rest.iter().map(Val::arg).collect();
                    printf::sprintf(format, &rest)
                        .map(Val::Str)
                        .map_err(|err| err.to_string())
                }
                None => return fail(span, wrong_type(format)),
            },
            None => {
                return fail(
                    span,
                    "wrong number of args for printf: want at least 1 got 0",
                );
            }
        },
        "print" | "println" => {
            let args: Vec<Arg> = args.iter().map(Val::arg).collect();
            let text = if name == "print" {
                printf::sprint(&args)
            } else {
                printf::sprintln(&args)
            };
            text.map(Val::Str).map_err(|err| err.to_string())
        }
        "eq" | "ne" | "lt" | "le" | "gt" | "ge" => compare(name, &args).map(Val::Bool),
        "base64decode" => match args.as_slice() {
            [value] => match as_str(value) {
                Some(text) => base64_decode(text).map(Val::Str),
                None => return fail(span, wrong_type(value)),
            },
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

/// A string argument: a string constant or a string from the object.
fn as_str<'v>(value: &'v Val) -> Option<&'v str> {
    match value {
        Val::Str(s) => Some(s),
        Val::Json(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Go's error for a value that is not the string a function wants.
fn wrong_type(value: &Val) -> String {
    format!(
        "wrong type for value; expected string; got {}",
        value.type_name()
    )
}

fn length(value: &Val) -> Result<Val<'static>, String> {
    let n = match value.scalar() {
        // Go fails while inspecting a missing value, with reflect's own message.
        Val::Missing => return Err("reflect: call of reflect.Value.Type on zero Value".to_string()),
        Val::Nil => return Err("len of nil pointer".to_string()),
        Val::Json(Value::Array(items)) => items.len(),
        Val::Json(Value::Object(map)) => map.len(),
        Val::Str(s) => s.len(),
        other => return Err(format!("len of type {}", other.type_name())),
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
            (Val::Json(Value::Array(_) | Value::String(_)), _) => {
                return Err(format!(
                    "cannot index slice/array with type {}",
                    key.type_name()
                ));
            }
            (Val::Json(Value::Object(map)), Val::Str(k)) => {
                map.get(&k).map_or(Val::Missing, Val::Json)
            }
            (Val::Json(Value::Object(_)), _) => {
                return Err(format!(
                    "value has type {}; should be string",
                    key.type_name()
                ));
            }
            (other, _) => return Err(format!("can't index item of type {}", other.type_name())),
        };
    }
    Ok(item)
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::print::go_template::fixtures::{ok, thing};

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

    /// kubectl v1.32 takes the format from the object too (kz used to reject any string that
    /// was not a constant).
    #[test]
    fn printf_takes_its_format_from_the_object() {
        let t = json!({"fmt": "%d-%s"});
        assert_eq!(ok(r#"{{printf .fmt 1 "a"}}"#, &t), "1-a");
        assert_eq!(
            ok(r#"{{.fmt | printf "%s|%d" "a" | printf}}"#, &t),
            "a|%!!(MISSING)d(string=%!d(MISSING)-%!s(MISSING))"
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
