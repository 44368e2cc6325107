//! RFC 6902 JSON patch (`application/json-patch+json`).
//!
//! Errors are answered the way kube-apiserver's patch handler does: a patch body that does not
//! decode as a list of operations is `400 BadRequest` with the decoder's message; any operation
//! that fails to apply (missing path, failed `test`, unknown `op`, bad index) is
//! `422 Invalid` with the generic message "the server rejected our request due to an error in
//! our request" and empty details — the handler wraps the json-patch library's error in
//! `NewGenericServerResponse(422, …)`, which drops the library's text.

use serde_json::{Value, json};

use crate::status::ApiError;

/// The message kube-apiserver answers a JSON patch that does not apply with.
const NOT_APPLICABLE: &str = "the server rejected our request due to an error in our request";

/// Applies an RFC 6902 patch to `target`. On error `target` is left unchanged.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), ApiError> {
    let operations = decode(patch)?;
    let mut working = target.clone();
    for operation in operations {
        apply_operation(&mut working, operation).map_err(|_reason| not_applicable())?;
    }
    *target = working;
    Ok(())
}

fn not_applicable() -> ApiError {
    ApiError::new(422, "Invalid", NOT_APPLICABLE).with_details(json!({}))
}

/// The operations of a patch body, or the 400 the server's decoder answers.
fn decode(patch: &Value) -> Result<Vec<&serde_json::Map<String, Value>>, ApiError> {
    let Some(operations) = patch.as_array() else {
        return Err(ApiError::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type jsonpatch.Patch",
            json_type(patch)
        )));
    };
    operations
        .iter()
        .map(|op| {
            op.as_object().ok_or_else(|| {
                ApiError::bad_request(format!(
                    "json: cannot unmarshal {} into Go value of type jsonpatch.Operation",
                    json_type(op)
                ))
            })
        })
        .collect()
}

/// How Go's encoding/json names a JSON value's type in unmarshal errors.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Why one operation did not apply; only used for debugging, the client sees the generic 422.
type OpError = String;

fn apply_operation(doc: &mut Value, op: &serde_json::Map<String, Value>) -> Result<(), OpError> {
    let kind = op.get("op").and_then(Value::as_str).unwrap_or_default();
    let path = pointer(op, "path")?;
    match kind {
        "add" => add(doc, &path, value(op)?.clone()),
        "remove" => remove(doc, &path).map(drop),
        "replace" => {
            remove(doc, &path)?;
            add(doc, &path, value(op)?.clone())
        }
        "move" => {
            let from = pointer(op, "from")?;
            let moved = remove(doc, &from)?;
            add(doc, &path, moved)
        }
        "copy" => {
            let from = pointer(op, "from")?;
            let copied = get(doc, &from)?.clone();
            add(doc, &path, copied)
        }
        "test" => {
            let expected = value(op)?;
            match get(doc, &path) {
                Ok(actual) if actual == expected => Ok(()),
                _ => Err(format!("testing value {} failed", join(&path))),
            }
        }
        other => Err(format!("Unexpected kind: {other}")),
    }
}

fn value(op: &serde_json::Map<String, Value>) -> Result<&Value, OpError> {
    op.get("value")
        .ok_or_else(|| "operation missing value".to_string())
}

/// The reference tokens of the JSON pointer in `op[field]`, `~1` and `~0` unescaped.
fn pointer(op: &serde_json::Map<String, Value>, field: &str) -> Result<Vec<String>, OpError> {
    let raw = op
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("operation missing {field}"))?;
    parse_pointer(raw)
}

fn parse_pointer(raw: &str) -> Result<Vec<String>, OpError> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let rest = raw
        .strip_prefix('/')
        .ok_or_else(|| format!("invalid JSON pointer {raw:?}"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn join(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("/{t}")).collect()
}

fn get<'a>(doc: &'a Value, tokens: &[String]) -> Result<&'a Value, OpError> {
    tokens.iter().try_fold(doc, |node, token| {
        match node {
            Value::Object(map) => map.get(token),
            Value::Array(items) => array_index(token, items.len()).and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or_else(|| format!("missing path {}", join(tokens)))
    })
}

/// The container holding the last token of `tokens`, and that token.
fn parent<'a, 'b>(
    doc: &'a mut Value,
    tokens: &'b [String],
) -> Result<(&'a mut Value, &'b str), OpError> {
    let (last, ancestors) = tokens
        .split_last()
        .ok_or_else(|| "the document root cannot be the target".to_string())?;
    let mut node = doc;
    for token in ancestors {
        node = match node {
            Value::Object(map) => map.get_mut(token),
            Value::Array(items) => {
                let len = items.len();
                array_index(token, len).and_then(move |i| items.get_mut(i))
            }
            _ => None,
        }
        .ok_or_else(|| format!("missing path {}", join(tokens)))?;
    }
    Ok((node, last))
}

/// A valid index into a list of `len` items (no sign, no leading zeros).
fn array_index(token: &str, len: usize) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) {
        return None;
    }
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok().filter(|&i| i < len)
}

fn add(doc: &mut Value, tokens: &[String], value: Value) -> Result<(), OpError> {
    if tokens.is_empty() {
        *doc = value;
        return Ok(());
    }
    match parent(doc, tokens)? {
        (Value::Object(map), key) => {
            map.insert(key.to_string(), value);
            Ok(())
        }
        (Value::Array(items), "-") => {
            items.push(value);
            Ok(())
        }
        (Value::Array(items), token) => {
            // Inserting at the end (index == len) is allowed.
            let index = array_index(token, items.len() + 1)
                .ok_or_else(|| format!("index {token} out of bounds"))?;
            items.insert(index, value);
            Ok(())
        }
        _ => Err(format!("cannot add to a scalar at {}", join(tokens))),
    }
}

fn remove(doc: &mut Value, tokens: &[String]) -> Result<Value, OpError> {
    let missing = || format!("missing path {}", join(tokens));
    match parent(doc, tokens)? {
        (Value::Object(map), key) => map.remove(key).ok_or_else(missing),
        (Value::Array(items), token) => {
            let index = array_index(token, items.len()).ok_or_else(missing)?;
            Ok(items.remove(index))
        }
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patched(doc: Value, patch: Value) -> Result<Value, ApiError> {
        let mut doc = doc;
        json_patch(&mut doc, &patch).map(|()| doc)
    }

    #[test]
    fn applies_every_operation() {
        let doc = json!({"a": {"b": 1}, "list": [1, 2], "x/y": {"~k": 0}});
        let patch = json!([
            {"op": "add", "path": "/a/c", "value": 2},
            {"op": "add", "path": "/list/-", "value": 3},
            {"op": "add", "path": "/list/0", "value": 0},
            {"op": "replace", "path": "/a/b", "value": 10},
            {"op": "move", "from": "/a/c", "path": "/moved"},
            {"op": "copy", "from": "/list", "path": "/copied"},
            {"op": "remove", "path": "/list/1"},
            {"op": "test", "path": "/x~1y/~0k", "value": 0},
            {"op": "replace", "path": "/x~1y/~0k", "value": 5},
        ]);
        assert_eq!(
            patched(doc, patch).expect("applies"),
            json!({"a": {"b": 10}, "list": [0, 2, 3], "moved": 2,
                   "copied": [0, 1, 2, 3], "x/y": {"~k": 5}})
        );
    }

    #[test]
    fn failed_operations_are_422_and_leave_the_target_alone() {
        let generic = ApiError::new(422, "Invalid", NOT_APPLICABLE).with_details(json!({}));
        let doc = json!({"data": {"a": "1"}});
        for patch in [
            json!([{"op": "remove", "path": "/data/missing"}]),
            json!([{"op": "replace", "path": "/nope/x", "value": 1}]),
            json!([{"op": "test", "path": "/data/a", "value": "2"}]),
            json!([{"op": "add", "path": "/data/a/deeper", "value": 1}]),
            json!([{"op": "frobnicate", "path": "/data"}]),
            json!([{"op": "add", "path": "/data", "value": 1}, {"op": "remove", "path": "/zz"}]),
        ] {
            let mut target = doc.clone();
            assert_eq!(
                json_patch(&mut target, &patch),
                Err(generic.clone()),
                "{patch}"
            );
            assert_eq!(target, doc);
        }
        assert_eq!(
            json_patch(
                &mut json!({"l": [1]}),
                &json!([{"op": "add", "path": "/l/5", "value": 1}])
            ),
            Err(generic)
        );
    }

    #[test]
    fn a_body_that_is_not_a_list_is_400() {
        let err = json_patch(&mut json!({}), &json!({"op": "add"})).expect_err("rejected");
        assert_eq!(err.code, 400);
        assert_eq!(
            err.message,
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
        );
    }
}
