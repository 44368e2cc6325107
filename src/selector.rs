//! Label selectors matched on the client, for objects read from files (`apply -f … -l`), the
//! way kubectl's builder filters them: `app=web`, `app==web`, `tier!=db`, `env in (a,b)`,
//! `env notin (a)`, `app`, `!app`, `replicas>2`, `replicas<5`, comma-separated and all
//! required.

use std::collections::BTreeMap;
use std::fmt;

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

/// A parsed label selector; the empty one matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

/// Why a selector does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectorError(String);

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SelectorError {}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Comma,
    Open,
    Close,
    Not,
    Equals,
    DoubleEquals,
    NotEquals,
    Greater,
    Less,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Token::Word(word) => word.as_str(),
            Token::Comma => ",",
            Token::Open => "(",
            Token::Close => ")",
            Token::Not => "!",
            Token::Equals => "=",
            Token::DoubleEquals => "==",
            Token::NotEquals => "!=",
            Token::Greater => ">",
            Token::Less => "<",
        };
        f.write_str(text)
    }
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let token = match c {
            c if c.is_whitespace() => continue,
            ',' => Token::Comma,
            '(' => Token::Open,
            ')' => Token::Close,
            '>' => Token::Greater,
            '<' => Token::Less,
            '=' if chars.peek() == Some(&'=') => {
                chars.next();
                Token::DoubleEquals
            }
            '=' => Token::Equals,
            '!' if chars.peek() == Some(&'=') => {
                chars.next();
                Token::NotEquals
            }
            '!' => Token::Not,
            c => {
                let mut word = c.to_string();
                while let Some(&next) = chars.peek() {
                    if next.is_whitespace() || ",()=!<>".contains(next) {
                        break;
                    }
                    word.push(next);
                    chars.next();
                }
                Token::Word(word)
            }
        };
        out.push(token);
    }
    out
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn unexpected(found: Option<Token>, expected: &str) -> SelectorError {
        match found {
            Some(token) => SelectorError(format!(
                "unable to parse requirement: found '{token}', expected: {expected}"
            )),
            None => SelectorError(format!(
                "unable to parse requirement: found end of the selector, expected: {expected}"
            )),
        }
    }

    fn key(&mut self) -> Result<String, SelectorError> {
        match self.next() {
            Some(Token::Word(key)) => check_key(&key).map(|()| key),
            other => Err(Parser::unexpected(other, "a label key")),
        }
    }

    /// A value after `=`, `==` or `!=`: a word, or nothing (`app=`).
    fn value(&mut self) -> String {
        match self.peek() {
            Some(Token::Word(value)) => {
                let value = value.clone();
                self.at += 1;
                value
            }
            _ => String::new(),
        }
    }

    /// `(a, b, c)` after `in` / `notin`.
    fn values(&mut self) -> Result<Vec<String>, SelectorError> {
        match self.next() {
            Some(Token::Open) => {}
            other => return Err(Parser::unexpected(other, "'('")),
        }
        let mut values = Vec::new();
        loop {
            match self.next() {
                Some(Token::Word(value)) => values.push(value),
                Some(Token::Close) if values.is_empty() => return Ok(values),
                other => return Err(Parser::unexpected(other, "a value or ')'")),
            }
            match self.next() {
                Some(Token::Comma) => {}
                Some(Token::Close) => return Ok(values),
                other => return Err(Parser::unexpected(other, "',' or ')'")),
            }
        }
    }

    fn number(&mut self) -> Result<i64, SelectorError> {
        match self.next() {
            Some(Token::Word(word)) => word.parse().map_err(|_| {
                SelectorError(format!(
                    "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: {word:?}"
                ))
            }),
            other => Err(Parser::unexpected(other, "an integer")),
        }
    }

    fn requirement(&mut self) -> Result<Requirement, SelectorError> {
        if self.peek() == Some(&Token::Not) {
            self.at += 1;
            return Ok(Requirement::DoesNotExist(self.key()?));
        }
        let key = self.key()?;
        let requirement = match self.peek().cloned() {
            None | Some(Token::Comma) => Requirement::Exists(key),
            Some(Token::Equals | Token::DoubleEquals) => {
                self.at += 1;
                Requirement::Equals(key, self.value())
            }
            Some(Token::NotEquals) => {
                self.at += 1;
                Requirement::NotEquals(key, self.value())
            }
            Some(Token::Greater) => {
                self.at += 1;
                Requirement::GreaterThan(key, self.number()?)
            }
            Some(Token::Less) => {
                self.at += 1;
                Requirement::LessThan(key, self.number()?)
            }
            Some(Token::Word(word)) if word == "in" => {
                self.at += 1;
                Requirement::In(key, self.values()?)
            }
            Some(Token::Word(word)) if word == "notin" => {
                self.at += 1;
                Requirement::NotIn(key, self.values()?)
            }
            other => {
                self.at += 1;
                return Err(Parser::unexpected(
                    other,
                    "'=', '!=', '==', 'in', 'notin', '>', '<' or ','",
                ));
            }
        };
        Ok(requirement)
    }
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// alphanumerics, `-`, `_` or `.` that starts and ends alphanumeric.
fn check_key(key: &str) -> Result<(), SelectorError> {
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
        Err(SelectorError(format!(
            "unable to parse requirement: invalid label key {key:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        )))
    }
}

impl LabelSelector {
    /// Parses `text` (kubernetes' `labels.Parse`).
    pub fn parse(text: &str) -> Result<LabelSelector, SelectorError> {
        let mut parser = Parser {
            tokens: tokens(text),
            at: 0,
        };
        let mut requirements = Vec::new();
        while parser.peek().is_some() {
            requirements.push(parser.requirement()?);
            match parser.next() {
                None | Some(Token::Comma) => {}
                other => return Err(Parser::unexpected(other, "','")),
            }
        }
        Ok(LabelSelector(requirements))
    }

    /// Whether an object with these labels is selected.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|requirement| match requirement {
            Requirement::Equals(key, value) => labels.get(key) == Some(value),
            Requirement::NotEquals(key, value) => labels.get(key) != Some(value),
            Requirement::In(key, values) => labels.get(key).is_some_and(|v| values.contains(v)),
            Requirement::NotIn(key, values) => labels.get(key).is_none_or(|v| !values.contains(v)),
            Requirement::Exists(key) => labels.contains_key(key),
            Requirement::DoesNotExist(key) => !labels.contains_key(key),
            Requirement::GreaterThan(key, n) => number(labels, key).is_some_and(|v| v > *n),
            Requirement::LessThan(key, n) => number(labels, key).is_some_and(|v| v < *n),
        })
    }

    /// Whether an object (its `metadata.labels`) is selected.
    pub fn matches_object(&self, object: &serde_json::Value) -> bool {
        let labels = object["metadata"]["labels"]
            .as_object()
            .map(|labels| {
                labels
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        self.matches(&labels)
    }
}

fn number(labels: &BTreeMap<String, String>, key: &str) -> Option<i64> {
    labels.get(key).and_then(|value| value.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn selects(selector: &str, pairs: &[(&str, &str)]) -> bool {
        LabelSelector::parse(selector)
            .expect("selector")
            .matches(&labels(pairs))
    }

    #[test]
    fn every_operator_matches_like_kubernetes() {
        let web = [("app", "web"), ("tier", "front"), ("replicas", "3")];
        let cases = [
            ("", true),
            ("app=web", true),
            ("app==web", true),
            ("app=db", false),
            ("app!=db", true),
            ("app!=web", false),
            ("missing!=x", true),
            ("app in (web, api)", true),
            ("app in (api)", false),
            ("app notin (api)", true),
            ("missing notin (api)", true),
            ("app notin (web)", false),
            ("app", true),
            ("missing", false),
            ("!missing", true),
            ("!app", false),
            ("replicas>2", true),
            ("replicas<3", false),
            ("app=web,tier=front", true),
            ("app=web, tier=back", false),
            ("example.com/role", false),
        ];
        for (selector, expected) in cases {
            assert_eq!(selects(selector, &web), expected, "{selector}");
        }
        assert!(selects("role=", &[("role", "")]));
    }

    #[test]
    fn malformed_selectors_say_what_was_expected() {
        let error = |text: &str| LabelSelector::parse(text).unwrap_err().to_string();
        assert_eq!(
            error("app in web"),
            "unable to parse requirement: found 'web', expected: '('"
        );
        assert_eq!(
            error("app in (a"),
            "unable to parse requirement: found end of the selector, expected: ',' or ')'"
        );
        assert_eq!(
            error("replicas>x"),
            "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer: \"x\""
        );
        assert!(error("-app=x").contains("invalid label key \"-app\""));
        assert!(error("app=web tier=x").contains("found 'tier', expected: ','"));
    }
}
