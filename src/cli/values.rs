//! Value parsers for kubectl's flag formats: Go booleans and Go durations.

use std::time::Duration;

use jiff::SignedDuration;

/// Go's `strconv.ParseBool`, which kubectl's boolean flags use (`--namespaced=false`).
pub fn parse_go_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("invalid boolean value {text:?}: use true or false")),
    }
}

const TIMEOUT_HELP: &str = "Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)";

/// `--request-timeout`: a whole number of seconds (`30`) or a Go duration (`30s`, `1m`,
/// `1h30m`, `500ms`). Zero means no timeout.
pub fn parse_request_timeout(text: &str) -> Result<Duration, String> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse_go_duration(text).ok_or_else(|| format!("invalid timeout value {text:?}. {TIMEOUT_HELP}"))
}

/// A `--timeout` flag: a Go duration (`30s`, `2m`, `1h30m`), as kubectl's `time.Duration`
/// flags read it; what zero means is the flag's own.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    parse_go_duration(text).ok_or_else(|| format!("time: invalid duration {text:?}"))
}

/// `logs --since`: a Go duration that may be negative (`-5m`), so that the command, not the
/// parser, says kubectl's "must be greater than 0".
pub fn parse_signed_duration(text: &str) -> Result<SignedDuration, String> {
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let duration = parse_go_duration(magnitude)
        .and_then(|d| SignedDuration::try_from(d).ok())
        .ok_or_else(|| format!("time: invalid duration {text:?}"))?;
    Ok(if negative { -duration } else { duration })
}

/// Go's `time.ParseDuration` for non-negative values: one or more `<number><unit>` terms.
pub fn parse_go_duration(text: &str) -> Option<Duration> {
    let text = text.strip_prefix('+').unwrap_or(text);
    if text == "0" {
        return Some(Duration::ZERO);
    }
    if text.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = text;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, after) = rest.split_at(number_len);
        if number.is_empty() || number == "." {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let unit_len = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let nanos_per_unit = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += value * nanos_per_unit;
        rest = after;
    }
    if !total.is_finite() || total > u64::MAX as f64 {
        return None;
    }
    Some(Duration::from_nanos(total.round() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeout_accepts_kubectl_formats() {
        assert_eq!(parse_request_timeout("0"), Ok(Duration::ZERO));
        assert_eq!(parse_request_timeout("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_request_timeout("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_request_timeout("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(
            parse_request_timeout("1h30m"),
            Ok(Duration::from_secs(5400))
        );
        assert_eq!(
            parse_request_timeout("500ms"),
            Ok(Duration::from_millis(500))
        );
        assert_eq!(
            parse_request_timeout("1.5s"),
            Ok(Duration::from_millis(1500))
        );
        assert_eq!(parse_request_timeout("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn request_timeout_rejects_nonsense() {
        for bad in ["", "abc", "10x", "-1", "-5s", "s", "1.2.3s", "5 s"] {
            let err = parse_request_timeout(bad).expect_err(bad);
            assert!(err.contains("Timeout must be"), "{bad}: {err}");
        }
    }

    #[test]
    fn go_bools() {
        assert_eq!(parse_go_bool("true"), Ok(true));
        assert_eq!(parse_go_bool("F"), Ok(false));
        assert_eq!(parse_go_bool("0"), Ok(false));
        assert!(parse_go_bool("yes").is_err());
    }
}
