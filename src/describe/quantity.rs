//! Resource quantities (`500m`, `1Gi`, `1e3`) as apimachinery's `resource.Quantity` reads
//! and prints them: describers print a quantity's canonical form (`0.5` → `500m`, `1024Mi` →
//! `1Gi`, `1000` → `1k`), whatever the object says, and compare or add them (a pod's QoS
//! class).
//!
//! A quantity is held in nano-units, rounded away from zero like Kubernetes rounds anything
//! finer than that.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// Nano-units in one unit.
const NANOS: i128 = 1_000_000_000;

/// How a quantity was written, which decides how it is printed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// `1Ki`, `5Gi`.
    BinarySI,
    /// `500m`, `2k`, `12`.
    DecimalSI,
    /// `1e3`, `5E-3`.
    DecimalExponent,
}

/// A parsed quantity. Quantities compare by amount (`1Ki` = `1024`), as Go's `Cmp` does.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    nanos: i128,
    format: Format,
}

impl Quantity {
    /// Reads `text` the way `resource.ParseQuantity` does; `None` when it is no quantity
    /// (or too large to hold).
    pub fn parse(text: &str) -> Option<Quantity> {
        let text = text.trim();
        let (positive, rest) = match text.as_bytes().first()? {
            b'-' => (false, &text[1..]),
            b'+' => (true, &text[1..]),
            _ => (true, text),
        };
        let number_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if fraction.contains('.') {
            return None;
        }
        let (base, exponent, format) = interpret_suffix(suffix)?;
        // The number as an integer over 10^len(fraction), scaled to nano-units.
        let digits: i128 = format!("{whole}{fraction}0").parse::<i128>().ok()? / 10;
        let mut numerator = digits.checked_mul(NANOS)?;
        let mut denominator = 10i128.checked_pow(u32::try_from(fraction.len()).ok()?)?;
        if base == 10 {
            if exponent >= 0 {
                numerator = numerator.checked_mul(10i128.checked_pow(exponent.unsigned_abs())?)?;
            } else {
                denominator =
                    denominator.checked_mul(10i128.checked_pow(exponent.unsigned_abs())?)?;
            }
        } else {
            numerator = numerator.checked_mul(2i128.checked_pow(exponent.unsigned_abs())?)?;
        }
        // Anything finer than a nano-unit is rounded up.
        let mut nanos = numerator / denominator;
        if numerator % denominator != 0 {
            nanos += 1;
        }
        Some(Quantity {
            nanos: if positive { nanos } else { -nanos },
            format,
        })
    }

    /// No amount at all.
    pub fn zero() -> Quantity {
        Quantity {
            nanos: 0,
            format: Format::DecimalSI,
        }
    }

    /// One unit.
    pub fn one() -> Quantity {
        Quantity {
            nanos: NANOS,
            format: Format::DecimalSI,
        }
    }

    /// Whether the quantity is more than zero.
    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }

    /// The sum of two quantities, in the format of the first (Go's `Quantity.Add`).
    pub fn add(&self, other: &Quantity) -> Quantity {
        Quantity {
            nanos: self.nanos.saturating_add(other.nanos),
            format: self.format,
        }
    }

    /// The value in whole units, rounded up (Go's `Value`).
    pub fn value(&self) -> i128 {
        ceil_div(self.nanos, NANOS)
    }

    /// The value in thousandths, rounded up (Go's `MilliValue`).
    pub fn milli_value(&self) -> i128 {
        ceil_div(self.nanos, NANOS / 1000)
    }

    /// Whether both were written the same way (binary, decimal or exponent).
    pub fn same_format(&self, other: &Quantity) -> bool {
        self.format == other.format
    }

    /// `value` whole units written in this quantity's format (Go's
    /// `resource.NewQuantity(value, q.Format).String()`): a quota's Used in its Hard's form.
    pub fn whole_in_my_format(&self, value: i128) -> String {
        Quantity {
            nanos: value.saturating_mul(NANOS),
            format: self.format,
        }
        .canonical()
    }

    /// A quantity field of an object: a string or a number; zero when missing or invalid.
    pub fn of(value: &Value) -> Quantity {
        match value {
            Value::String(text) => Quantity::parse(text).unwrap_or_else(Quantity::zero),
            Value::Number(number) => {
                Quantity::parse(&number.to_string()).unwrap_or_else(Quantity::zero)
            }
            _ => Quantity::zero(),
        }
    }

    pub fn is_zero(&self) -> bool {
        self.nanos == 0
    }

    /// The canonical text, as Go's `Quantity.String` prints it.
    pub fn canonical(&self) -> String {
        if self.nanos == 0 {
            return "0".to_string();
        }
        let binary = self.format == Format::BinarySI
            && self.nanos.unsigned_abs() >= (1024 * NANOS).unsigned_abs()
            && self.nanos % NANOS == 0;
        if binary {
            let mut amount = self.nanos / NANOS;
            let mut power = 0;
            while amount % 1024 == 0 && power < 6 {
                amount /= 1024;
                power += 1;
            }
            let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][power];
            return format!("{amount}{suffix}");
        }
        let mut amount = self.nanos;
        let mut exponent: i32 = -9;
        while amount % 10 == 0 {
            amount /= 10;
            exponent += 1;
        }
        while exponent % 3 != 0 {
            amount *= 10;
            exponent -= 1;
        }
        let suffix = match (self.format, exponent) {
            (Format::DecimalExponent, 0) => String::new(),
            (Format::DecimalExponent, e) => format!("e{e}"),
            (_, e) => decimal_suffix(e).map_or_else(|| format!("e{e}"), String::from),
        };
        format!("{amount}{suffix}")
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.nanos == other.nanos
    }
}

impl Default for Quantity {
    fn default() -> Self {
        Quantity::zero()
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl fmt::Display for Quantity {
    /// The canonical form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// `part` as a percentage of `whole`, as kubectl computes it: `int64(float64(part) /
/// float64(whole) * 100)`. Go turns the infinity or NaN of a zero `whole` into the smallest
/// int64 on amd64, and so does this.
pub fn percent(part: i128, whole: i128) -> i64 {
    if whole == 0 {
        return i64::MIN;
    }
    // Float arithmetic is the point here: kubectl's percentages are float64 arithmetic.
    (part as f64 / whole as f64 * 100.0) as i64
}

/// `text`'s canonical form, or `text` itself when it is no quantity.
pub fn canonical(text: &str) -> String {
    Quantity::parse(text).map_or_else(|| text.to_string(), |q| q.canonical())
}

/// The base, exponent and format a suffix stands for.
fn interpret_suffix(suffix: &str) -> Option<(u32, i32, Format)> {
    let decimal = |e| Some((10, e, Format::DecimalSI));
    let binary = |e| Some((2, e, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let exponent = suffix.strip_prefix(['e', 'E'])?;
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some((10, exponent.parse().ok()?, Format::DecimalExponent))
        }
    }
}

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

fn ceil_div(a: i128, b: i128) -> i128 {
    let quotient = a / b;
    if a % b > 0 { quotient + 1 } else { quotient }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_saturated_at_the_most_negative_amount_prints() {
        let huge = Quantity::parse("-123456789035782Pi").unwrap();
        let sum = huge.add(&huge);
        assert_eq!(sum.nanos, i128::MIN);
        assert_eq!(sum.canonical(), format!("{}n", i128::MIN));
    }

    #[test]
    fn quantities_print_in_canonical_form() {
        for (given, shown) in [
            ("0", "0"),
            ("100m", "100m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1000", "1k"),
            ("32Gi", "32Gi"),
            ("2048Ki", "2Mi"),
            ("1025Ki", "1025Ki"),
            ("0.5Gi", "512Mi"),
            ("0.5Ki", "512"),
            ("1.5Gi", "1536Mi"),
            ("12e3", "12e3"),
            ("1e3", "1e3"),
            ("1n", "1n"),
            ("0.1n", "1n"),
            ("-100m", "-100m"),
            ("110", "110"),
        ] {
            assert_eq!(
                Quantity::parse(given).expect(given).to_string(),
                shown,
                "{given}"
            );
        }
        assert_eq!(Quantity::of(&serde_json::json!(2)).to_string(), "2");
        assert!(Quantity::of(&Value::Null).is_zero());
    }

    #[test]
    fn sums_keep_the_first_format_and_percentages_truncate() {
        let q = |s: &str| Quantity::parse(s).expect(s);
        assert_eq!(q("32Mi").add(&q("32Mi")).to_string(), "64Mi");
        let cpu = q("50m").add(&q("1"));
        assert_eq!(
            (cpu.to_string(), cpu.milli_value(), cpu.value()),
            ("1050m".to_string(), 1050, 2)
        );
        assert_eq!(percent(100, 8000), 1);
        assert_eq!(percent(50, 8000), 0);
        assert_eq!(percent(0, 0), i64::MIN);
    }

    #[test]
    fn whole_numbers_are_written_in_a_quantitys_format_like_go() {
        let format_of = |s: &str| Quantity::parse(s).expect(s);
        let binary = format_of("1Gi");
        assert_eq!(binary.whole_in_my_format(0), "0");
        assert_eq!(binary.whole_in_my_format(1000), "1k");
        assert_eq!(binary.whole_in_my_format(1 << 30), "1Gi");
        assert_eq!(binary.whole_in_my_format(500_000_000), "500000000");
        let decimal = format_of("2k");
        assert_eq!(decimal.whole_in_my_format(2000), "2k");
        assert_eq!(decimal.whole_in_my_format(1_500_000_000), "1500M");
        assert_eq!(decimal.whole_in_my_format(7), "7");
        assert_eq!(format_of("1e3").whole_in_my_format(3000), "3e3");
        assert!(!binary.same_format(&decimal));
    }

    #[test]
    fn quantities_print_in_canonical_form_like_apimachinery() {
        for (given, printed) in [
            ("50m", "50m"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1000m", "1"),
            ("1000", "1k"),
            ("32Mi", "32Mi"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("0.5Ki", "512"),
            ("1Ki", "1Ki"),
            ("1e3", "1e3"),
            ("10e3", "10e3"),
            ("1.5Gi", "1536Mi"),
            ("0", "0"),
            ("0Mi", "0"),
            ("100M", "100M"),
            ("0.1m", "100u"),
            ("1n", "1n"),
            ("0.0000000001", "1n"),
            ("-2", "-2"),
        ] {
            assert_eq!(canonical(given), printed, "{given}");
        }
        assert_eq!(canonical("lots"), "lots");
        assert_eq!(canonical("1.2.3"), "1.2.3");
    }

    #[test]
    fn quantities_compare_and_round_up() {
        let parse = |t| Quantity::parse(t).expect("quantity");
        assert!(parse("1") == parse("1000m").add(&parse("0")));
        assert!(parse("1Ki") == parse("1024"));
        assert!(parse("1Ki") > parse("1k"));
        assert_eq!(parse("1500m").value(), 2);
        assert_eq!(parse("0.1m").milli_value(), 1);
        assert_eq!(parse("1Mi").value(), 1_048_576);
        assert!(!parse("0").is_positive());
    }
}
