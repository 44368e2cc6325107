//! Sets of field paths, as structured-merge-diff keeps them for `metadata.managedFields`, and the
//! schema-aware walks over objects that produce them.
//!
//! A path is a sequence of [`PathElement`]s: `.spec`, `.containers[name="web"]`, `[="x"]`.
//! A [`FieldSet`] is a trie of paths; `fieldsV1` is its JSON encoding (`f:`, `k:`, `v:`, `i:`
//! prefixes, `.` for "the node itself is a member too").
//!
//! Lists are identified per schema: associative lists (`x-kubernetes-list-type: map` or a merge
//! key) by their key fields, sets of scalars by value, everything else is atomic (a leaf). Objects
//! merge key by key unless `x-kubernetes-map-type: atomic`. Without a schema (custom resources,
//! unknown fields) objects merge and lists are atomic.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use super::schema::{ListType, Node};

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathElement {
    /// An object field: `.name`, `f:name`.
    Field(String),
    /// An associative list item by its key fields, as canonical JSON: `k:{"name":"web"}`.
    Key(String),
    /// A set item by its value, as canonical JSON: `v:"x"`.
    Value(String),
    /// A list item by position: `i:0`.
    Index(usize),
}

impl PathElement {
    fn encode(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(json) => format!("k:{json}"),
            PathElement::Value(json) => format!("v:{json}"),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    fn decode(text: &str) -> Result<PathElement, String> {
        let (prefix, rest) = text
            .split_once(':')
            .ok_or_else(|| format!("unknown fieldsV1 key {text:?}"))?;
        match prefix {
            "f" => Ok(PathElement::Field(rest.to_string())),
            "k" => {
                let key: Value = serde_json::from_str(rest)
                    .map_err(|e| format!("bad key {rest:?} in fieldsV1: {e}"))?;
                Ok(PathElement::Key(canonical(&key)))
            }
            "v" => {
                let value: Value = serde_json::from_str(rest)
                    .map_err(|e| format!("bad value {rest:?} in fieldsV1: {e}"))?;
                Ok(PathElement::Value(canonical(&value)))
            }
            "i" => rest
                .parse()
                .map(PathElement::Index)
                .map_err(|e| format!("bad index {rest:?} in fieldsV1: {e}")),
            _ => Err(format!("unknown fieldsV1 key {text:?}")),
        }
    }
}

/// The way the server prints paths in conflict messages: `.spec.containers[name="web"].image`.
impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(json) => match serde_json::from_str::<Map<String, Value>>(json) {
                Ok(fields) => {
                    let parts: Vec<String> =
                        fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    write!(f, "[{}]", parts.join(","))
                }
                Err(_) => write!(f, "[{json}]"),
            },
            PathElement::Value(json) => write!(f, "[={json}]"),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A path, printed like the server prints it.
pub struct DisplayPath<'a>(pub &'a [PathElement]);

impl fmt::Display for DisplayPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|pe| write!(f, "{pe}"))
    }
}

/// Compact JSON with object keys sorted (serde_json's map is ordered by key).
fn canonical(value: &Value) -> String {
    value.to_string()
}

/// A set of paths: this node's membership and its children.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSet {
    member: bool,
    children: BTreeMap<PathElement, FieldSet>,
}

impl FieldSet {
    pub fn new() -> Self {
        FieldSet::default()
    }

    pub fn insert(&mut self, path: &[PathElement]) {
        match path.split_first() {
            None => self.member = true,
            Some((first, rest)) => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    /// Whether `path` itself is a member.
    pub fn has(&self, path: &[PathElement]) -> bool {
        match path.split_first() {
            None => self.member,
            Some((first, rest)) => self.children.get(first).is_some_and(|c| c.has(rest)),
        }
    }

    /// Whether no path is a member.
    pub fn is_empty(&self) -> bool {
        !self.member && self.children.values().all(FieldSet::is_empty)
    }

    pub fn union_with(&mut self, other: &FieldSet) {
        self.member |= other.member;
        for (pe, child) in &other.children {
            self.children
                .entry(pe.clone())
                .or_default()
                .union_with(child);
        }
    }

    /// Removes every path of `other` from this set.
    pub fn subtract(&mut self, other: &FieldSet) {
        if other.member {
            self.member = false;
        }
        for (pe, theirs) in &other.children {
            if let Some(ours) = self.children.get_mut(pe) {
                ours.subtract(theirs);
            }
        }
        self.children.retain(|_, child| !child.is_empty());
    }

    /// Drops nodes with no members below them, so equal sets compare equal.
    pub fn prune_empty(&mut self) {
        for child in self.children.values_mut() {
            child.prune_empty();
        }
        self.children.retain(|_, child| !child.is_empty());
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let children = self
            .children
            .iter()
            .filter_map(|(pe, ours)| {
                let both = ours.intersection(other.children.get(pe)?);
                (!both.is_empty()).then(|| (pe.clone(), both))
            })
            .collect();
        FieldSet {
            member: self.member && other.member,
            children,
        }
    }

    pub fn child_mut(&mut self, pe: &PathElement) -> Option<&mut FieldSet> {
        self.children.get_mut(pe)
    }

    /// Removes a whole subtree below this node.
    pub fn remove_child(&mut self, pe: &PathElement) {
        self.children.remove(pe);
    }

    /// Keeps only the children `keep` accepts.
    pub fn retain_children(&mut self, keep: impl Fn(&PathElement) -> bool) {
        self.children.retain(|pe, _| keep(pe));
    }

    pub fn set_member(&mut self, member: bool) {
        self.member = member;
    }

    /// Every member path, in the server's order: a node's members before its subtrees.
    pub fn paths(&self) -> Vec<Vec<PathElement>> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Vec<PathElement>, out: &mut Vec<Vec<PathElement>>) {
        for (pe, child) in &self.children {
            if child.member {
                prefix.push(pe.clone());
                out.push(prefix.clone());
                prefix.pop();
            }
        }
        for (pe, child) in &self.children {
            prefix.push(pe.clone());
            child.collect_paths(prefix, out);
            prefix.pop();
        }
    }

    /// The `fieldsV1` encoding.
    pub fn to_fields_v1(&self) -> Value {
        let mut object = Map::new();
        if self.member && !self.children.is_empty() {
            object.insert(".".to_string(), Value::Object(Map::new()));
        }
        for (pe, child) in &self.children {
            if !child.is_empty() {
                object.insert(pe.encode(), child.to_fields_v1());
            }
        }
        Value::Object(object)
    }

    /// Decodes `fieldsV1`.
    pub fn from_fields_v1(fields: &Value) -> Result<FieldSet, String> {
        let object = fields
            .as_object()
            .ok_or_else(|| format!("fieldsV1 node is not an object: {fields}"))?;
        let mut set = FieldSet::new();
        for (key, child) in object {
            if key == "." {
                set.member = true;
                continue;
            }
            let mut child = FieldSet::from_fields_v1(child)?;
            if child.children.is_empty() {
                child.member = true;
            }
            set.children.insert(PathElement::decode(key)?, child);
        }
        Ok(set)
    }
}

/// How a value is walked: merged key by key, merged item by item, or compared as a whole.
enum Shape {
    Map,
    List,
    Leaf,
}

/// The shape of `value` under `schema`; `None` schema is the deduced type of custom resources.
fn shape(value: &Value, schema: Option<&Node>) -> Shape {
    match value {
        Value::Object(_) if schema.is_some_and(Node::is_atomic_map) => Shape::Leaf,
        Value::Object(_) => Shape::Map,
        Value::Array(_) => match schema.map(Node::list_type) {
            Some(ListType::Map(_) | ListType::Set) => Shape::List,
            Some(ListType::Atomic) | None => Shape::Leaf,
        },
        _ => Shape::Leaf,
    }
}

fn field_schema(schema: Option<&Node>, name: &str) -> Option<Node> {
    schema.and_then(|s| s.field(name))
}

fn items_schema(schema: Option<&Node>) -> Option<Node> {
    schema.and_then(Node::items)
}

/// The path element naming `item` in a list of the given shape.
fn item_element(
    item: &Value,
    keys: &[String],
    is_set: bool,
    items: Option<&Node>,
    index: usize,
) -> PathElement {
    if is_set {
        return PathElement::Value(canonical(item));
    }
    let Value::Object(object) = item else {
        return PathElement::Index(index);
    };
    let mut key = Map::new();
    for name in keys {
        let value = object
            .get(name)
            .cloned()
            .or_else(|| field_schema(items, name).and_then(|s| s.default_value().cloned()));
        if let Some(value) = value {
            key.insert(name.clone(), value);
        }
    }
    PathElement::Key(canonical(&Value::Object(key)))
}

/// The path element of each item of a list (by key, by value or by position).
fn list_elements(list: &[Value], schema: Option<&Node>) -> Vec<PathElement> {
    let (keys, is_set) = match schema.map(Node::list_type) {
        Some(ListType::Map(keys)) => (keys, false),
        Some(ListType::Set) => (Vec::new(), true),
        _ => (Vec::new(), false),
    };
    let items = items_schema(schema);
    list.iter()
        .enumerate()
        .map(|(i, item)| item_element(item, &keys, is_set, items.as_ref(), i))
        .collect()
}

/// A list's items by path element; the first of duplicates wins.
pub fn index_items<'a>(list: &'a [Value], schema: Option<&Node>) -> Vec<(PathElement, &'a Value)> {
    let mut out: Vec<(PathElement, &Value)> = Vec::with_capacity(list.len());
    for (pe, item) in list_elements(list, schema).into_iter().zip(list) {
        if !out.iter().any(|(seen, _)| *seen == pe) {
            out.push((pe, item));
        }
    }
    out
}

fn as_list(value: Option<&Value>) -> &[Value] {
    value
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn find_item<'a>(items: &[(PathElement, &'a Value)], pe: &PathElement) -> Option<&'a Value> {
    items.iter().find(|(p, _)| p == pe).map(|(_, v)| *v)
}

/// What changed between two objects: structured-merge-diff's `Compare`.
#[derive(Debug, Default)]
pub struct Comparison {
    pub added: FieldSet,
    pub removed: FieldSet,
    pub modified: FieldSet,
}

impl Comparison {
    /// What a create sets: the comparison with the kind's zero value (see [`zero_value`]).
    pub fn of_new(new: &Value, schema: Option<&Node>) -> Comparison {
        let zero = schema
            .map(zero_value)
            .unwrap_or_else(|| Value::Object(Map::new()));
        Comparison::between(&zero, new, schema)
    }

    pub fn between(old: &Value, new: &Value, schema: Option<&Node>) -> Comparison {
        let mut comparison = Comparison::default();
        comparison.walk(Some(old), Some(new), schema, &mut Vec::new());
        comparison
    }

    /// Leaves compared by value; items (map keys, list items) present on one side only are
    /// added or removed together with everything below them.
    fn walk(
        &mut self,
        old: Option<&Value>,
        new: Option<&Value>,
        schema: Option<&Node>,
        path: &mut Vec<PathElement>,
    ) {
        let (old, new) = (old.filter(|v| !v.is_null()), new.filter(|v| !v.is_null()));
        let Some(sample) = new.or(old) else {
            return;
        };
        let same_kind = match (old, new) {
            (Some(o), Some(n)) => std::mem::discriminant(o) == std::mem::discriminant(n),
            _ => true,
        };
        match shape(sample, schema) {
            Shape::Map if same_kind => self.walk_map(old, new, schema, path),
            Shape::List if same_kind => self.walk_list(old, new, schema, path),
            _ => self.leaf(old, new, path),
        }
    }

    fn walk_map(
        &mut self,
        old: Option<&Value>,
        new: Option<&Value>,
        schema: Option<&Node>,
        path: &mut Vec<PathElement>,
    ) {
        let empty = Map::new();
        let old_map = old.and_then(Value::as_object).unwrap_or(&empty);
        let new_map = new.and_then(Value::as_object).unwrap_or(&empty);
        if old_map.is_empty() && new_map.is_empty() {
            // Empty maps are leaves, so `{}` versus absent is still a change.
            return self.leaf(old, new, path);
        }
        let keys: std::collections::BTreeSet<&String> =
            old_map.keys().chain(new_map.keys()).collect();
        for key in keys {
            path.push(PathElement::Field(key.clone()));
            let child = field_schema(schema, key);
            let (o, n) = (old_map.get(key), new_map.get(key));
            self.walk(o, n, child.as_ref(), path);
            self.item(o, n, path);
            path.pop();
        }
    }

    fn walk_list(
        &mut self,
        old: Option<&Value>,
        new: Option<&Value>,
        schema: Option<&Node>,
        path: &mut Vec<PathElement>,
    ) {
        let old_items = index_items(as_list(old), schema);
        let new_items = index_items(as_list(new), schema);
        let items = items_schema(schema);
        let mut elements: Vec<&PathElement> = old_items.iter().map(|(pe, _)| pe).collect();
        elements.extend(
            new_items
                .iter()
                .map(|(pe, _)| pe)
                .filter(|pe| !old_items.iter().any(|(o, _)| o == *pe)),
        );
        for pe in elements {
            let (o, n) = (find_item(&old_items, pe), find_item(&new_items, pe));
            path.push(pe.clone());
            self.walk(o, n, items.as_ref(), path);
            self.item(o, n, path);
            path.pop();
        }
    }

    fn leaf(&mut self, old: Option<&Value>, new: Option<&Value>, path: &[PathElement]) {
        if path.is_empty() {
            return;
        }
        match (old, new) {
            (None, Some(_)) => self.added.insert(path),
            (Some(_), None) => self.removed.insert(path),
            (Some(o), Some(n)) if o != n => self.modified.insert(path),
            _ => {}
        }
    }

    /// Items added or removed as a whole. An old `null` counts as present, as in the server's
    /// typed objects, where a required field exists (as `null`) even when unset.
    fn item(&mut self, old: Option<&Value>, new: Option<&Value>, path: &[PathElement]) {
        let new = new.filter(|v| !v.is_null());
        match (old, new) {
            (None, Some(_)) => self.added.insert(path),
            (Some(o), None) if !o.is_null() => self.removed.insert(path),
            _ => {}
        }
    }

    /// Paths whose values this change sets: modified or added.
    pub fn changed(&self) -> FieldSet {
        let mut set = self.modified.clone();
        set.union_with(&self.added);
        set
    }
}

/// The zero value of a kind as the server's typed objects have it: non-pointer struct fields
/// (those the schema defaults to `{}`) present, recursively, and required fields present as
/// `null`. A create is compared against this, so those fields are not "added" by the creator.
pub fn zero_value(schema: &Node) -> Value {
    zero_struct(schema, 0)
}

fn zero_struct(schema: &Node, depth: usize) -> Value {
    let mut out = Map::new();
    if depth > 32 {
        return Value::Object(out);
    }
    for (name, property) in schema.properties() {
        let defaults_to_object = property.default_value().is_some_and(Value::is_object);
        if defaults_to_object && property.is_struct() {
            out.insert(name.to_string(), zero_struct(&property, depth + 1));
        } else if schema.is_required(name) {
            out.insert(name.to_string(), Value::Null);
        }
    }
    Value::Object(out)
}

/// The fields an applied configuration specifies: its leaves and list items (structured-merge-
/// diff's `ToFieldSet`). Maps themselves are not members; `null`s are skipped.
pub fn fields_of(config: &Value, schema: Option<&Node>) -> FieldSet {
    let mut set = FieldSet::new();
    collect_fields(config, schema, &mut Vec::new(), &mut set);
    set
}

fn collect_fields(
    value: &Value,
    schema: Option<&Node>,
    path: &mut Vec<PathElement>,
    set: &mut FieldSet,
) {
    if value.is_null() {
        return;
    }
    match (shape(value, schema), value) {
        (Shape::Map, Value::Object(map)) => {
            for (key, child) in map {
                path.push(PathElement::Field(key.clone()));
                collect_fields(child, field_schema(schema, key).as_ref(), path, set);
                path.pop();
            }
        }
        (Shape::List, Value::Array(list)) => {
            let items = items_schema(schema);
            for (pe, item) in index_items(list, schema) {
                path.push(pe);
                set.insert(path);
                collect_fields(item, items.as_ref(), path, set);
                path.pop();
            }
        }
        _ if !path.is_empty() => set.insert(path),
        _ => {}
    }
}

/// Makes every declared struct field on the way to a member a member too (structured-merge-
/// diff's `EnsureNamedFieldsAreMembers`), so pruning can remove emptied structs.
pub fn ensure_named_fields_are_members(set: &mut FieldSet, schema: Option<&Node>) {
    for (pe, child) in set.children.iter_mut() {
        let child_schema = match pe {
            PathElement::Field(name) => field_schema(schema, name),
            _ => items_schema(schema),
        };
        ensure_named_fields_are_members(child, child_schema.as_ref());
        if let PathElement::Field(name) = pe
            && schema.is_some_and(|s| s.has_property(name))
            && !child.is_empty()
        {
            child.member = true;
        }
    }
}

/// Removes from `value` every field and list item `set` has as a member, with what is below it.
pub fn remove_members(value: &mut Value, set: &FieldSet, schema: Option<&Node>) {
    match value {
        Value::Object(map) => {
            for (pe, child) in &set.children {
                let PathElement::Field(name) = pe else {
                    continue;
                };
                if child.member {
                    map.remove(name);
                } else if let Some(v) = map.get_mut(name) {
                    remove_members(v, child, field_schema(schema, name).as_ref());
                }
            }
        }
        Value::Array(list) => {
            let elements = list_elements(list, schema);
            let items = items_schema(schema);
            let mut kept = Vec::with_capacity(list.len());
            for (pe, mut item) in elements.iter().zip(std::mem::take(list)) {
                match set.children.get(pe) {
                    Some(child) if child.member => {}
                    Some(child) => {
                        remove_members(&mut item, child, items.as_ref());
                        kept.push(item);
                    }
                    None => kept.push(item),
                }
            }
            *list = kept;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_v1_round_trips() {
        let encoded = json!({
            "f:data": {".": {}, "f:a": {}},
            "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}},
            "f:metadata": {"f:finalizers": {"v:\"x\"": {}}}
        });
        let set = FieldSet::from_fields_v1(&encoded).expect("decodes");
        assert_eq!(set.to_fields_v1(), encoded);
        let printed: Vec<String> = set
            .paths()
            .iter()
            .map(|p| DisplayPath(p).to_string())
            .collect();
        assert_eq!(
            printed,
            [
                ".data",
                ".data.a",
                ".metadata.finalizers[=\"x\"]",
                ".spec.containers[name=\"web\"]",
                ".spec.containers[name=\"web\"].image"
            ]
        );
    }

    #[test]
    fn set_operations() {
        let a = FieldSet::from_fields_v1(&json!({"f:a": {}, "f:b": {"f:c": {}, "f:d": {}}}))
            .expect("a");
        let b = FieldSet::from_fields_v1(&json!({"f:b": {"f:c": {}}, "f:e": {}})).expect("b");
        let mut diff = a.clone();
        diff.subtract(&b);
        assert_eq!(diff.to_fields_v1(), json!({"f:a": {}, "f:b": {"f:d": {}}}));
        assert_eq!(
            a.intersection(&b).to_fields_v1(),
            json!({"f:b": {"f:c": {}}})
        );
        let mut union = a.clone();
        union.union_with(&b);
        assert_eq!(
            union.to_fields_v1(),
            json!({"f:a": {}, "f:b": {"f:c": {}, "f:d": {}}, "f:e": {}})
        );
        let mut all = a.clone();
        all.subtract(&a);
        assert!(all.is_empty());
    }

    #[test]
    fn comparison_marks_new_subtrees_and_changed_leaves() {
        let old = json!({"data": {"a": "1", "gone": "x"}, "keep": {}});
        let new = json!({"data": {"a": "2"}, "labels": {"l": "v"}, "empty": {}, "keep": {}});
        let c = Comparison::between(&old, &new, None);
        assert_eq!(c.modified.to_fields_v1(), json!({"f:data": {"f:a": {}}}));
        assert_eq!(c.removed.to_fields_v1(), json!({"f:data": {"f:gone": {}}}));
        assert_eq!(
            c.added.to_fields_v1(),
            json!({"f:empty": {}, "f:labels": {".": {}, "f:l": {}}})
        );
    }
}
