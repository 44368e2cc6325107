//! Human-readable durations, as `k8s.io/apimachinery/pkg/util/duration.HumanDuration` prints
//! ages: two significant units while they matter ("6m58s", "3h12m", "2d5h", "3y14d"), one
//! otherwise ("15m", "20h", "45d", "9y").

use jiff::{SignedDuration, Timestamp};

/// The apiserver's human duration for ages: "0s", "59s", "15m", "6m58s", "3h", "2d", "2y"…
pub fn human_duration(d: std::time::Duration) -> String {
    human_signed(SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX))
}

/// The human duration from `then` to `now`. A `then` slightly in the future (less than two
/// seconds, clock skew) prints as "0s"; further in the future it is "<invalid>".
pub fn human_duration_between(then: Timestamp, now: Timestamp) -> String {
    human_signed(now.duration_since(then))
}

/// What printers show for a timestamp's age: "<unknown>" when there is none.
pub(crate) fn age_of(then: Option<Timestamp>, now: Timestamp) -> String {
    match then {
        Some(then) => human_duration_between(then, now),
        None => "<unknown>".to_string(),
    }
}

fn human_signed(d: SignedDuration) -> String {
    // Whole seconds, truncated towards zero like Go's int(d.Seconds()).
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 2 * 60 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_remainder(minutes, "m", seconds % 60, "s");
    }
    if minutes < 3 * 60 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return with_remainder(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        return with_remainder(days, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 24 * 365 * 8 {
        return with_remainder(years, "y", days % 365, "d");
    }
    format!("{years}y")
}

/// "5m" or "5m30s": the smaller unit only when it is not zero.
fn with_remainder(major: i64, major_unit: &str, minor: i64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major}{major_unit}")
    } else {
        format!("{major}{major_unit}{minor}{minor_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn secs(s: u64) -> String {
        human_duration(Duration::from_secs(s))
    }

    #[test]
    fn seconds_up_to_two_minutes() {
        assert_eq!(secs(0), "0s");
        assert_eq!(secs(59), "59s");
        assert_eq!(secs(119), "119s");
        assert_eq!(human_duration(Duration::from_millis(1999)), "1s");
    }

    #[test]
    fn minutes_with_seconds_below_ten_minutes() {
        assert_eq!(secs(120), "2m");
        assert_eq!(secs(6 * 60 + 58), "6m58s");
        assert_eq!(secs(10 * 60 - 1), "9m59s");
        assert_eq!(secs(10 * 60 + 30), "10m");
        assert_eq!(secs(3 * 3600 - 1), "179m");
    }

    #[test]
    fn hours_days_and_years() {
        assert_eq!(secs(3 * 3600), "3h");
        assert_eq!(secs(3 * 3600 + 12 * 60 + 5), "3h12m");
        assert_eq!(secs(8 * 3600 + 59 * 60), "8h");
        assert_eq!(secs(48 * 3600 - 1), "47h");
        assert_eq!(secs(48 * 3600), "2d");
        assert_eq!(secs(53 * 3600), "2d5h");
        assert_eq!(secs(8 * 86400), "8d");
        assert_eq!(secs(729 * 86400), "729d");
        assert_eq!(secs(730 * 86400), "2y");
        assert_eq!(secs(744 * 86400), "2y14d");
        assert_eq!(secs(8 * 365 * 86400), "8y");
        assert_eq!(secs(20 * 365 * 86400 + 86400 * 100), "20y");
    }

    #[test]
    fn future_times_tolerate_clock_skew() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let later = |ms: i64| now.checked_add(SignedDuration::from_millis(ms)).unwrap();
        assert_eq!(human_duration_between(later(1500), now), "0s");
        assert_eq!(human_duration_between(later(1999), now), "0s");
        assert_eq!(human_duration_between(later(2000), now), "<invalid>");
        assert_eq!(age_of(None, now), "<unknown>");
    }
}
