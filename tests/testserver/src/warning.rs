//! `Warning` response headers, as kube-apiserver's warning recorder writes them: one
//! `299 - "text"` header per distinct warning, in the order they were added.

use std::sync::Mutex;

use hyper::Response;
use hyper::header::HeaderValue;

use crate::server::Body;

/// The warnings of one request.
#[derive(Debug, Default)]
pub struct Warnings(Mutex<Vec<String>>);

impl Warnings {
    /// Records a warning; one already recorded is not repeated.
    pub fn add(&self, text: impl Into<String>) {
        let text = text.into();
        let mut warnings = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !warnings.contains(&text) {
            warnings.push(text);
        }
    }

    /// Adds a `Warning` header per recorded warning to `response`.
    pub fn write_to(&self, response: &mut Response<Body>) {
        let warnings = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for text in warnings.iter() {
            if let Ok(value) = HeaderValue::from_str(&header_value(text)) {
                response.headers_mut().append("warning", value);
            }
        }
    }
}

/// `299 - "text"`, the text quoted with `"` and `\` escaped (RFC 7234's quoted-string).
pub fn header_value(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    format!("299 - \"{quoted}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_the_text_and_says_each_warning_once() {
        assert_eq!(
            header_value(r#"unknown field "spec.foo""#),
            r#"299 - "unknown field \"spec.foo\"""#
        );
        let warnings = Warnings::default();
        warnings.add("a");
        warnings.add("b");
        warnings.add("a");
        let mut response = Response::new(crate::server::full(""));
        warnings.write_to(&mut response);
        let headers: Vec<_> = response.headers().get_all("warning").iter().collect();
        assert_eq!(headers, ["299 - \"a\"", "299 - \"b\""]);
    }
}
