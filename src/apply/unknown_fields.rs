//! Fields the type does not have, under server-side apply.
//!
//! The API server refuses an apply with unknown fields whatever `fieldValidation` says (a 500:
//! `failed to create typed patch object (…): .spec.foo: field not declared in schema`), where
//! kubectl's client-side apply gets `--validate=warn|ignore` honoured. So kz reads the
//! paths from that answer, takes those fields out of the configuration and applies again,
//! warning about each with `--validate=warn` (the server's words: `unknown field "spec.foo"`),
//! and with `--validate=strict` says which fields are unknown.

use serde_json::Value;

const NOT_DECLARED: &str = ": field not declared in schema";

/// One step of a structured-merge-diff path: `.name`, `[key="value",…]`, `[=value]` or `[3]`.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Keyed(Vec<(String, Value)>),
    Value(Value),
    Index(usize),
}

/// The undeclared fields the server's message names, each as the path it gave.
pub fn undeclared_paths(message: &str) -> Vec<String> {
    if !message.starts_with("failed to create typed patch object") {
        return Vec::new();
    }
    message
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let before = line.strip_suffix(NOT_DECLARED)?;
            // The first line is `failed to create typed patch object (…): .path`.
            let path = match before.rfind("): ") {
                Some(at) if before.starts_with("failed") => &before[at + 3..],
                _ => before,
            };
            path.starts_with('.').then(|| path.to_owned())
        })
        .collect()
}

fn parse(path: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            steps.push(Step::Field(after[..end].to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = closing_bracket(after)?;
            steps.push(selector(&after[..end])?);
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// The `]` that ends a selector, skipping those inside quoted values.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return Some(at),
            _ => {}
        }
    }
    None
}

fn selector(text: &str) -> Option<Step> {
    if let Ok(index) = text.parse::<usize>() {
        return Some(Step::Index(index));
    }
    if let Some(value) = text.strip_prefix('=') {
        return serde_json::from_str(value).ok().map(Step::Value);
    }
    // `name="web",port=80`: JSON values separated by commas outside quotes.
    let mut keys = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (key, after) = rest.split_once('=')?;
        let mut stream = serde_json::Deserializer::from_str(after).into_iter::<Value>();
        let value = stream.next()?.ok()?;
        let used = stream.byte_offset();
        keys.push((key.to_owned(), value));
        rest = after[used..].strip_prefix(',').unwrap_or(&after[used..]);
    }
    Some(Step::Keyed(keys))
}

/// Removes the field at `path` from `object`; returns the path as the server's warnings
/// write it (`spec.template.spec.containers[0].foo`), or `None` when it is not there.
pub fn remove(object: &mut Value, path: &str) -> Option<String> {
    let steps = parse(path)?;
    let (last, parents) = steps.split_last()?;
    let Step::Field(name) = last else {
        return None;
    };
    let mut shown = String::new();
    let mut at = object;
    for step in parents {
        at = match step {
            Step::Field(field) => {
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(field);
                at.get_mut(field)?
            }
            Step::Index(index) => {
                shown.push_str(&format!("[{index}]"));
                at.get_mut(*index)?
            }
            Step::Keyed(keys) => {
                let items = at.as_array_mut()?;
                let index = items
                    .iter()
                    .position(|item| keys.iter().all(|(key, value)| &item[key] == value))?;
                shown.push_str(&format!("[{index}]"));
                &mut items[index]
            }
            Step::Value(value) => {
                let items = at.as_array_mut()?;
                let index = items.iter().position(|item| item == value)?;
                shown.push_str(&format!("[{index}]"));
                &mut items[index]
            }
        };
    }
    at.as_object_mut()?.remove(name)?;
    if !shown.is_empty() {
        shown.push('.');
    }
    shown.push_str(name);
    Some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_servers_message_gives_the_paths() {
        let one = "failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): .spec.foo: field not declared in schema";
        assert_eq!(undeclared_paths(one), [".spec.foo"]);
        let two = "failed to create typed patch object (shop/web; apps/v1, Kind=Deployment): errors:\n  .spec.foo: field not declared in schema\n  .spec.template.spec.containers[name=\"main\"].bar: field not declared in schema";
        assert_eq!(
            undeclared_paths(two),
            [
                ".spec.foo",
                ".spec.template.spec.containers[name=\"main\"].bar"
            ]
        );
        assert!(undeclared_paths("something else: field not declared in schema").is_empty());
    }

    #[test]
    fn fields_are_removed_through_keyed_lists_values_and_indexes() {
        let mut object = json!({
            "spec": {"foo": 1, "template": {"spec": {"containers": [
                {"name": "side", "image": "a"},
                {"name": "main", "image": "b", "bar": true, "ports": [{"containerPort": 80, "protocol": "TCP", "x": 1}]}
            ]}}, "finalizers": ["a", "b"], "list": [{"y": 2}]}
        });
        assert_eq!(
            remove(&mut object, ".spec.foo").as_deref(),
            Some("spec.foo")
        );
        assert_eq!(
            remove(
                &mut object,
                ".spec.template.spec.containers[name=\"main\"].bar"
            )
            .as_deref(),
            Some("spec.template.spec.containers[1].bar")
        );
        assert_eq!(
            remove(
                &mut object,
                ".spec.template.spec.containers[name=\"main\"].ports[containerPort=80,protocol=\"TCP\"].x"
            )
            .as_deref(),
            Some("spec.template.spec.containers[1].ports[0].x")
        );
        assert_eq!(
            remove(&mut object, ".spec.list[0].y").as_deref(),
            Some("spec.list[0].y")
        );
        assert_eq!(remove(&mut object, ".spec.missing"), None);
        assert_eq!(remove(&mut object, ".spec.finalizers[=\"b\"]"), None);
        assert_eq!(
            object,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "side", "image": "a"},
                {"name": "main", "image": "b", "ports": [{"containerPort": 80, "protocol": "TCP"}]}
            ]}}, "finalizers": ["a", "b"], "list": [{}]}})
        );
    }
}
