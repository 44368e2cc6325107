//! Label selectors (`app=web,tier!=db,env in (a,b),!legacy`) and field selectors
//! (`status.phase=Running,spec.nodeName!=n1`), parsed and matched as the real server does.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Requirement {
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector(Vec<Requirement>);

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Equals,
    NotEquals,
    Bang,
    Greater,
    Less,
    Open,
    Close,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            ',' => {
                chars.next();
                tokens.push(Token::Comma);
            }
            '(' => {
                chars.next();
                tokens.push(Token::Open);
            }
            ')' => {
                chars.next();
                tokens.push(Token::Close);
            }
            '>' => {
                chars.next();
                tokens.push(Token::Greater);
            }
            '<' => {
                chars.next();
                tokens.push(Token::Less);
            }
            '=' => {
                chars.next();
                if chars.peek() == Some(&'=') {
                    chars.next();
                }
                tokens.push(Token::Equals);
            }
            '!' => {
                chars.next();
                if chars.peek() == Some(&'=') {
                    chars.next();
                    tokens.push(Token::NotEquals);
                } else {
                    tokens.push(Token::Bang);
                }
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if " \t,()=!<>".contains(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        match self.next() {
            Some(Token::Word(w)) => Ok(w),
            other => Err(format!(
                "found '{}', expected: {what}",
                describe(other.as_ref())
            )),
        }
    }

    fn value(&mut self) -> Result<String, String> {
        // A missing value (`app=`) means the empty string.
        match self.peek() {
            Some(Token::Word(_)) => self.word("value"),
            _ => Ok(String::new()),
        }
    }

    fn set(&mut self) -> Result<Vec<String>, String> {
        match self.next() {
            Some(Token::Open) => {}
            other => {
                return Err(format!(
                    "found '{}', expected: '('",
                    describe(other.as_ref())
                ));
            }
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Token::Word(w)) => values.push(w),
                Some(Token::Close) if values.is_empty() => return Ok(values),
                other => {
                    return Err(format!(
                        "found '{}', expected: value",
                        describe(other.as_ref())
                    ));
                }
            }
            match self.next() {
                Some(Token::Comma) => continue,
                Some(Token::Close) => return Ok(values),
                other => {
                    return Err(format!(
                        "found '{}', expected: ',' or ')'",
                        describe(other.as_ref())
                    ));
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        if self.peek() == Some(&Token::Bang) {
            self.next();
            let key = self.word("identifier")?;
            validate_key(&key)?;
            return Ok(Requirement::NotExists(key));
        }
        let key = self.word("identifier")?;
        validate_key(&key)?;
        let requirement = match self.peek() {
            None | Some(Token::Comma) => Requirement::Exists(key),
            Some(Token::Equals) => {
                self.next();
                Requirement::In(key, vec![self.value()?])
            }
            Some(Token::NotEquals) => {
                self.next();
                Requirement::NotIn(key, vec![self.value()?])
            }
            Some(Token::Greater) | Some(Token::Less) => {
                let greater = self.next() == Some(Token::Greater);
                let raw = self.word("value")?;
                let n = raw.parse::<i64>().map_err(|_| {
                    format!("for 'Gt', 'Lt' operators, the value must be an integer: {raw}")
                })?;
                if greater {
                    Requirement::GreaterThan(key, n)
                } else {
                    Requirement::LessThan(key, n)
                }
            }
            Some(Token::Word(op)) if op == "in" || op == "notin" => {
                let negate = op == "notin";
                self.next();
                let values = self.set()?;
                if negate {
                    Requirement::NotIn(key, values)
                } else {
                    Requirement::In(key, values)
                }
            }
            other => {
                return Err(format!(
                    "found '{}', expected: in, notin, =, ==, !=, gt, lt",
                    describe(other)
                ));
            }
        };
        Ok(requirement)
    }
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => String::new(),
        Some(Token::Word(w)) => w.clone(),
        Some(Token::Equals) => "=".into(),
        Some(Token::NotEquals) => "!=".into(),
        Some(Token::Bang) => "!".into(),
        Some(Token::Greater) => ">".into(),
        Some(Token::Less) => "<".into(),
        Some(Token::Open) => "(".into(),
        Some(Token::Close) => ")".into(),
        Some(Token::Comma) => ",".into(),
    }
}

fn validate_key(key: &str) -> Result<(), String> {
    let name = key.rsplit_once('/').map_or(key, |(_, name)| name);
    let valid = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(())
    } else {
        Err(format!(
            "key: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

impl LabelSelector {
    /// Parses the `labelSelector` query parameter.
    pub fn parse(input: &str) -> Result<LabelSelector, String> {
        let mut parser = Parser {
            tokens: tokenize(input)?,
            pos: 0,
        };
        let mut requirements = Vec::new();
        while parser.peek().is_some() {
            requirements.push(
                parser
                    .requirement()
                    .map_err(|e| format!("unable to parse requirement: {e}"))?,
            );
            match parser.next() {
                None | Some(Token::Comma) => {}
                other => {
                    return Err(format!(
                        "unable to parse requirement: found '{}', expected: ','",
                        describe(other.as_ref())
                    ));
                }
            }
        }
        Ok(LabelSelector(requirements))
    }

    /// From a `matchLabels`/`matchExpressions` selector object (Deployments, Services …).
    pub fn from_object(selector: &Value) -> LabelSelector {
        let mut requirements = Vec::new();
        if let Some(labels) = selector.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in labels {
                requirements.push(Requirement::In(
                    k.clone(),
                    vec![v.as_str().unwrap_or_default().to_string()],
                ));
            }
        }
        if let Some(exprs) = selector.get("matchExpressions").and_then(Value::as_array) {
            for e in exprs {
                let key = e["key"].as_str().unwrap_or_default().to_string();
                let values: Vec<String> = e["values"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default();
                requirements.push(match e["operator"].as_str().unwrap_or_default() {
                    "In" => Requirement::In(key, values),
                    "NotIn" => Requirement::NotIn(key, values),
                    "Exists" => Requirement::Exists(key),
                    _ => Requirement::NotExists(key),
                });
            }
        }
        LabelSelector(requirements)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Matches an object's `metadata.labels`.
    pub fn matches(&self, object: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels = object.get("metadata").and_then(|m| m.get("labels"));
        let label = |key: &str| labels.and_then(|l| l.get(key)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Exists(k) => label(k).is_some(),
            Requirement::NotExists(k) => label(k).is_none(),
            Requirement::In(k, values) => label(k).is_some_and(|v| values.iter().any(|x| x == v)),
            Requirement::NotIn(k, values) => {
                label(k).is_none_or(|v| !values.iter().any(|x| x == v))
            }
            Requirement::GreaterThan(k, n) => label(k)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v > *n),
            Requirement::LessThan(k, n) => label(k)
                .and_then(|v| v.parse::<i64>().ok())
                .is_some_and(|v| v < *n),
        })
    }
}

/// A parsed field selector.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses the `fieldSelector` query parameter and checks each field is selectable for the
    /// resource (`group`, `resource`), like the real server.
    pub fn parse(input: &str, group: &str, resource: &str) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for term in input.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = term.split_once('=') {
                (f, true, v)
            } else {
                return Err(format!(
                    "invalid selector: '{input}'; can't understand '{term}'"
                ));
            };
            let field = field.trim();
            if !selectable(group, resource, field) {
                return Err(format!("field label not supported: {field}"));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn matches(&self, object: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        self.0
            .iter()
            .all(|(field, equal, value)| (field_value(object, field) == *value) == *equal)
    }
}

fn selectable(group: &str, resource: &str, field: &str) -> bool {
    if matches!(field, "metadata.name" | "metadata.namespace") {
        return true;
    }
    let fields: &[&str] = match (group, resource) {
        ("", "pods") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ],
        ("", "events") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "secrets") => &["type"],
        ("", "namespaces") => &["status.phase"],
        ("", "nodes") => &["spec.unschedulable"],
        ("", "replicationcontrollers") => &["status.replicas"],
        ("apps", "replicasets") => &["status.replicas"],
        ("batch", "jobs") => &["status.successful"],
        ("certificates.k8s.io", "certificatesigningrequests") => &["spec.signerName"],
        _ => &[],
    };
    fields.contains(&field)
}

fn field_value(object: &Value, field: &str) -> String {
    let pointer = if field == "source" {
        "/source/component".to_string()
    } else {
        format!("/{}", field.replace('.', "/"))
    };
    match object.pointer(&pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ if field == "spec.hostNetwork" || field == "spec.unschedulable" => "false".to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "shop", "labels": labels},
               "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}})
    }

    #[test]
    fn label_selector_operators() {
        let p = pod(json!({"app": "web", "tier": "front", "rank": "3"}));
        let yes = [
            "",
            "app=web",
            "app==web",
            "app!=db",
            "app in (web, api)",
            "app notin (db)",
            "tier",
            "!legacy",
            "rank>2",
            "rank<4",
            "app=web,tier=front",
            "missing!=x",
        ];
        for s in yes {
            assert!(
                LabelSelector::parse(s).expect(s).matches(&p),
                "{s} should match"
            );
        }
        let no = [
            "app=db",
            "app in (db)",
            "app notin (web)",
            "!tier",
            "legacy",
            "rank>3",
            "app=web,tier=back",
        ];
        for s in no {
            assert!(
                !LabelSelector::parse(s).expect(s).matches(&p),
                "{s} should not match"
            );
        }
    }

    #[test]
    fn label_selector_syntax_errors() {
        for s in [
            "app in web",
            "app in (web",
            "app=web=x",
            "=web",
            "a b",
            "rank>x",
            "app in (a,)",
            "-bad-=x",
        ] {
            let err = LabelSelector::parse(s).expect_err(s);
            assert!(err.starts_with("unable to parse requirement"), "{s}: {err}");
        }
    }

    #[test]
    fn selector_objects() {
        let sel = LabelSelector::from_object(&json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]
        }));
        assert!(sel.matches(&pod(json!({"app": "web", "tier": "front"}))));
        assert!(!sel.matches(&pod(json!({"app": "web"}))));
    }

    #[test]
    fn field_selectors() {
        let p = pod(json!({}));
        let sel = |s: &str| FieldSelector::parse(s, "", "pods").expect(s);
        assert!(sel("status.phase=Running,spec.nodeName=n1").matches(&p));
        assert!(sel("metadata.name==p").matches(&p));
        assert!(!sel("status.phase!=Running").matches(&p));
        assert!(sel("spec.hostNetwork=false").matches(&p));
        let err = FieldSelector::parse("spec.bogus=1", "", "pods").expect_err("unsupported");
        assert_eq!(err, "field label not supported: spec.bogus");
        assert!(FieldSelector::parse("nonsense", "", "pods").is_err());
        let event = json!({"involvedObject": {"name": "frontend", "kind": "Deployment"}});
        let esel = FieldSelector::parse(
            "involvedObject.name=frontend,involvedObject.kind=Deployment",
            "",
            "events",
        )
        .expect("events");
        assert!(esel.matches(&event));
    }
}
