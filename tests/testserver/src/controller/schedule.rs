//! Cron schedules as the CronJob controller reads them (robfig/cron's `ParseStandard`): five
//! fields — minute, hour, day of month, month, day of week — each `*`, `?`, a number or name,
//! a range, a step (`*/15`, `1-30/5`) or a list of those; or a descriptor such as `@hourly`.
//! Times are UTC, like a kube-controller-manager whose local zone is UTC.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

/// The longest stretch searched for a missed start, in minutes (a little over a year, so a
/// yearly schedule is still found).
const MAX_SEARCH_MINUTES: i64 = 367 * 24 * 60;

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// A parsed schedule: one bit per allowed value of each field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    /// Whether the day-of-month or day-of-week field was `*` (then both must match; else
    /// either may, as in every cron).
    any_day: bool,
}

/// One field's bounds and names.
struct Field {
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// The value of the first name (months count from 1, weekdays from 0).
    first_name: u32,
}

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        let expanded = match text {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, dom, month, dow] = fields.as_slice() else {
            return Err(format!(
                "expected exactly 5 fields, found {}: {text}",
                fields.len()
            ));
        };
        let (days_of_month, dom_star) = parse_field(dom, &Field::new(1, 31))?;
        let (days_of_week, dow_star) = parse_field(dow, &Field::named(0, 6, WEEKDAYS, 0))?;
        Ok(Schedule {
            minutes: parse_field(minute, &Field::new(0, 59))?.0,
            hours: parse_field(hour, &Field::new(0, 23))?.0,
            days_of_month,
            months: parse_field(month, &Field::named(1, 12, MONTHS, 1))?.0,
            days_of_week,
            any_day: dom_star || dow_star,
        })
    }

    /// Whether the schedule fires at the start of this minute.
    pub fn matches(&self, at: DateTime) -> bool {
        let bit = |set: u64, value: i8| set & (1 << value) != 0;
        let dom = bit(self.days_of_month, at.day());
        let dow = bit(self.days_of_week, at.weekday().to_sunday_zero_offset());
        let day = if self.any_day { dom && dow } else { dom || dow };
        bit(self.minutes, at.minute())
            && bit(self.hours, at.hour())
            && bit(self.months, at.month())
            && day
    }

    /// The latest start in `(after, until]`, if any (the CronJob controller starts only the
    /// most recent of the starts it missed).
    pub fn latest_between(&self, after: Timestamp, until: Timestamp) -> Option<Timestamp> {
        let utc = TimeZone::UTC;
        let mut minute = until
            .to_zoned(utc.clone())
            .datetime()
            .with()
            .second(0)
            .subsec_nanosecond(0)
            .build()
            .ok()?;
        for _ in 0..MAX_SEARCH_MINUTES {
            let at = minute.to_zoned(utc.clone()).ok()?.timestamp();
            if at <= after {
                return None;
            }
            if self.matches(minute) {
                return Some(at);
            }
            minute = minute.checked_sub(SignedDuration::from_mins(1)).ok()?;
        }
        None
    }
}

impl Field {
    fn new(min: u32, max: u32) -> Field {
        Field::named(min, max, &[], 0)
    }

    fn named(min: u32, max: u32, names: &'static [&'static str], first_name: u32) -> Field {
        Field {
            min,
            max,
            names,
            first_name,
        }
    }

    fn value(&self, text: &str) -> Result<u32, String> {
        let lower = text.to_ascii_lowercase();
        if let Some(i) = self.names.iter().position(|name| *name == lower) {
            return Ok(self.first_name + i as u32);
        }
        let value: u32 = text
            .parse()
            .map_err(|_| format!("failed to parse int from {text}"))?;
        if value < self.min || value > self.max {
            return Err(format!("{value} out of range [{}, {}]", self.min, self.max));
        }
        Ok(value)
    }
}

/// One field's bits, and whether it was `*` or `?` without a step.
fn parse_field(text: &str, field: &Field) -> Result<(u64, bool), String> {
    let mut bits = 0;
    let mut star = false;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step
                    .parse()
                    .map_err(|_| format!("failed to parse int from {step}"))?;
                if step == 0 {
                    return Err(format!("step of range should be a positive number: {part}"));
                }
                (range, Some(step))
            }
            None => (part, None),
        };
        let (start, end) = if range == "*" || range == "?" {
            star |= step.is_none();
            (field.min, field.max)
        } else if let Some((low, high)) = range.split_once('-') {
            (field.value(low)?, field.value(high)?)
        } else {
            let value = field.value(range)?;
            // `5/10` runs from 5 to the end of the field.
            (value, if step.is_some() { field.max } else { value })
        };
        if start > end {
            return Err(format!(
                "beginning of range ({start}) beyond end of range ({end}): {part}"
            ));
        }
        let step = step.unwrap_or(1) as usize;
        for value in (start..=end).step_by(step) {
            bits |= 1 << value;
        }
    }
    Ok((bits, star))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("timestamp")
    }

    #[test]
    fn the_latest_missed_start_is_found() {
        let every_half_hour = Schedule::parse("*/30 * * * *").expect("schedule");
        assert_eq!(
            every_half_hour.latest_between(at("2026-11-22T03:51:16Z"), at("2026-11-22T04:07:04Z")),
            Some(at("2026-11-22T04:00:00Z"))
        );
        assert_eq!(
            every_half_hour.latest_between(at("2026-11-22T04:00:00Z"), at("2026-11-22T04:29:59Z")),
            None
        );
        assert_eq!(
            every_half_hour.latest_between(at("2026-11-22T03:00:00Z"), at("2026-11-22T04:45:00Z")),
            Some(at("2026-11-22T04:30:00Z"))
        );
    }

    #[test]
    fn days_match_like_cron() {
        // The 1st of the month or any Monday, at 09:15.
        let either = Schedule::parse("15 9 1 * mon").expect("schedule");
        assert!(either.matches(DateTime::constant(2026, 11, 23, 9, 15, 0, 0))); // a Monday
        assert!(either.matches(DateTime::constant(2026, 12, 1, 9, 15, 0, 0))); // a Tuesday
        assert!(!either.matches(DateTime::constant(2026, 11, 24, 9, 15, 0, 0)));
        let mondays = Schedule::parse("15 9 * * 1").expect("schedule");
        assert!(!mondays.matches(DateTime::constant(2026, 12, 1, 9, 15, 0, 0)));
        let daily = Schedule::parse("@daily").expect("schedule");
        assert!(daily.matches(DateTime::constant(2026, 12, 1, 0, 0, 0, 0)));
        let listed = Schedule::parse("0,10-20/5 * * jan-mar *").expect("schedule");
        assert!(listed.matches(DateTime::constant(2026, 2, 1, 3, 15, 0, 0)));
        assert!(!listed.matches(DateTime::constant(2026, 2, 1, 3, 12, 0, 0)));
        assert!(!listed.matches(DateTime::constant(2026, 4, 1, 3, 10, 0, 0)));
    }

    #[test]
    fn bad_schedules_are_refused() {
        for bad in [
            "* * * *",
            "61 * * * *",
            "*/0 * * * *",
            "x * * * *",
            "5-1 * * * *",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }
}
