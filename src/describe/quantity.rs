//! Kubernetes resource quantities (`100m`, `128Mi`, `1.5`, `2e3`) as describers need them:
//! parsed, summed, compared, and printed in canonical form like apimachinery's
//! `Quantity.String()`, plus kubectl's integer percentages of one quantity in another.
//!
//! A quantity is held as a whole number of nano-units (what apimachinery rounds every value
//! to), which is exact for every quantity a cluster realistically holds.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// How a quantity is written: it keeps the form of the value it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `m`, `k`, `M`, … or no suffix.
    DecimalSi,
    /// `Ki`, `Mi`, `Gi`, …
    BinarySi,
    /// `e3`, `E-6`.
    DecimalExponent,
}

const NANOS_PER_UNIT: i128 = 1_000_000_000;

/// A resource quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity::ZERO
    }
}

impl Quantity {
    /// Zero, as an unset quantity is.
    pub const ZERO: Quantity = Quantity {
        nanos: 0,
        format: Format::DecimalSi,
    };

    /// Parses a quantity as the API server accepts it; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Quantity> {
        let (negative, rest) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if (whole.is_empty() && fraction.is_empty()) || fraction.contains('.') {
            return None;
        }
        let digits: i128 = format!("{whole}{fraction}").parse().ok()?;
        let (format, base, exponent) = interpret_suffix(suffix)?;
        // value = digits × 10^-len(fraction) × base^exponent, in nano-units, rounded up.
        let mut numerator = digits;
        let mut denominator: i128 = 1;
        match base {
            Base::Ten => {
                let shift = exponent + 9 - i32::try_from(fraction.len()).ok()?;
                if shift >= 0 {
                    numerator = numerator.checked_mul(10i128.checked_pow(shift.unsigned_abs())?)?;
                } else {
                    denominator = 10i128.checked_pow(shift.unsigned_abs())?;
                }
            }
            Base::Two => {
                numerator =
                    numerator.checked_mul(1024i128.checked_pow(exponent.unsigned_abs())?)?;
                let shift = 9 - i32::try_from(fraction.len()).ok()?;
                if shift >= 0 {
                    numerator = numerator.checked_mul(10i128.checked_pow(shift.unsigned_abs())?)?;
                } else {
                    denominator = 10i128.checked_pow(shift.unsigned_abs())?;
                }
            }
        }
        let magnitude = ceil_div(numerator, denominator);
        let nanos = if negative { -magnitude } else { magnitude };
        // A binary quantity below one is shown in decimal form.
        let format = if format == Format::BinarySi && nanos.abs() < NANOS_PER_UNIT {
            Format::DecimalSi
        } else {
            format
        };
        Some(Quantity { nanos, format })
    }

    /// A quantity field of an object: a string or a number; zero when missing or invalid.
    pub fn of(value: &Value) -> Quantity {
        match value {
            Value::String(text) => Quantity::parse(text).unwrap_or_default(),
            Value::Number(number) => Quantity::parse(&number.to_string()).unwrap_or_default(),
            _ => Quantity::ZERO,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// Adds `other`, keeping this quantity's format.
    pub fn add(&mut self, other: Quantity) {
        self.nanos = self.nanos.saturating_add(other.nanos);
    }

    /// The value in thousandths, rounded up (apimachinery's `MilliValue`).
    pub fn milli_value(&self) -> i128 {
        ceil_div(self.nanos, 1_000_000)
    }

    /// The value in whole units, rounded up (apimachinery's `Value`).
    pub fn value(&self) -> i128 {
        ceil_div(self.nanos, NANOS_PER_UNIT)
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl fmt::Display for Quantity {
    /// The canonical form (apimachinery's `CanonicalizeBytes`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos == 0 {
            return f.write_str("0");
        }
        let binary = self.format == Format::BinarySi
            && self.nanos.abs() >= 1024 * NANOS_PER_UNIT
            && self.nanos % NANOS_PER_UNIT == 0;
        if binary {
            let mut amount = self.nanos / NANOS_PER_UNIT;
            let mut power = 0;
            while power < BINARY_SUFFIXES.len() - 1 && amount % 1024 == 0 {
                amount /= 1024;
                power += 1;
            }
            return write!(f, "{amount}{}", BINARY_SUFFIXES[power]);
        }
        let mut amount = self.nanos;
        let mut exponent: i32 = -9;
        while amount % 10 == 0 {
            amount /= 10;
            exponent += 1;
        }
        match exponent % 3 {
            1 | -2 => {
                amount *= 10;
                exponent -= 1;
            }
            2 | -1 => {
                amount *= 100;
                exponent -= 2;
            }
            _ => {}
        }
        let suffix = match (self.format, decimal_suffix(exponent)) {
            (Format::DecimalExponent, _) | (_, None) if exponent != 0 => format!("e{exponent}"),
            (Format::DecimalExponent, _) | (_, None) => String::new(),
            (_, Some(suffix)) => suffix.to_string(),
        };
        write!(f, "{amount}{suffix}")
    }
}

/// `part` as a percentage of `whole`, as kubectl computes it: `int64(float64(part) /
/// float64(whole) * 100)`. Go turns the infinity or NaN of a zero `whole` into the smallest
/// int64 on amd64, and so does this.
pub fn percent(part: i128, whole: i128) -> i64 {
    if whole == 0 {
        return i64::MIN;
    }
    // Float conversion is the point here: kubectl's percentages are float64 arithmetic.
    (part as f64 / whole as f64 * 100.0) as i64
}

const BINARY_SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

fn decimal_suffix(exponent: i32) -> Option<&'static str> {
    Some(match exponent {
        -9 => "n",
        -6 => "u",
        -3 => "m",
        0 => "",
        3 => "k",
        6 => "M",
        9 => "G",
        12 => "T",
        15 => "P",
        18 => "E",
        _ => return None,
    })
}

enum Base {
    Ten,
    Two,
}

/// A suffix's format, base and exponent (`Mi` → binary, 2^(10·2) as 1024²).
fn interpret_suffix(suffix: &str) -> Option<(Format, Base, i32)> {
    if let Some(power) = BINARY_SUFFIXES.iter().skip(1).position(|s| *s == suffix) {
        let power = i32::try_from(power + 1).ok()?;
        return Some((Format::BinarySi, Base::Two, power));
    }
    let exponent = match suffix {
        "n" => -9,
        "u" => -6,
        "m" => -3,
        "" => 0,
        "k" => 3,
        "M" => 6,
        "G" => 9,
        "T" => 12,
        "P" => 15,
        "E" => 18,
        _ => {
            let digits = suffix
                .strip_prefix('e')
                .or_else(|| suffix.strip_prefix('E'))?;
            let exponent: i32 = digits.parse().ok()?;
            return Some((Format::DecimalExponent, Base::Ten, exponent));
        }
    };
    Some((Format::DecimalSi, Base::Ten, exponent))
}

/// `numerator / denominator` rounded away from zero.
fn ceil_div(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    if numerator % denominator == 0 {
        quotient
    } else if numerator > 0 {
        quotient + 1
    } else {
        quotient - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> String {
        Quantity::parse(text).expect(text).to_string()
    }

    #[test]
    fn quantities_print_in_canonical_form() {
        for (given, shown) in [
            ("0", "0"),
            ("100m", "100m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1500m", "1500m"),
            ("1000", "1k"),
            ("10", "10"),
            ("8", "8"),
            ("32Gi", "32Gi"),
            ("2048Ki", "2Mi"),
            ("1025Ki", "1025Ki"),
            ("0.5Gi", "512Mi"),
            ("0.5Ki", "512"),
            ("1.5Gi", "1536Mi"),
            ("12e3", "12e3"),
            ("1e3", "1e3"),
            ("100Gi", "100Gi"),
            ("1n", "1n"),
            ("0.1n", "1n"),
            ("-100m", "-100m"),
            ("110", "110"),
        ] {
            assert_eq!(canonical(given), shown, "{given}");
        }
        assert_eq!(Quantity::parse("1x"), None);
        assert_eq!(Quantity::parse(""), None);
        assert_eq!(Quantity::parse("."), None);
    }

    #[test]
    fn sums_keep_the_first_format() {
        let mut total = Quantity::parse("32Mi").expect("q");
        total.add(Quantity::parse("32Mi").expect("q"));
        assert_eq!(total.to_string(), "64Mi");
        let mut cpu = Quantity::parse("50m").expect("q");
        cpu.add(Quantity::parse("1").expect("q"));
        assert_eq!(cpu.to_string(), "1050m");
        assert_eq!(cpu.milli_value(), 1050);
        assert_eq!(cpu.value(), 2);
    }

    #[test]
    fn percentages_truncate_like_kubectl() {
        assert_eq!(percent(100, 8000), 1);
        assert_eq!(percent(50, 8000), 0);
        assert_eq!(percent(0, 0), i64::MIN);
    }
}
