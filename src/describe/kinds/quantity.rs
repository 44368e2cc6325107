//! Just enough of apimachinery's `resource.Quantity` for a quota's Used column: the format a
//! quantity string is written in, its value rounded up to a whole number, and how Go writes
//! a whole number back in a format. Quantities from the server are already canonical, so
//! everywhere else kz prints them as they came.

/// How a quantity is written: `5Gi`, `5G` / `5`, or `5e9`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    BinarySI,
    DecimalSI,
    DecimalExponent,
}

/// A parsed quantity: `digits × 10^exp10 × 1024^exp1024`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity {
    digits: i128,
    exp10: i32,
    exp1024: u32,
    pub format: Format,
}

impl Quantity {
    /// Parses `1.5Gi`, `500m`, `2`, `1e3`; `None` for anything else.
    pub fn parse(text: &str) -> Option<Quantity> {
        let number_end = text
            .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(number_end);
        let (negative, number) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() {
            return None;
        }
        let mut digits: i128 = 0;
        for c in whole.chars().chain(fraction.chars()) {
            let digit = c.to_digit(10)?;
            digits = digits.checked_mul(10)?.checked_add(i128::from(digit))?;
        }
        if negative {
            digits = -digits;
        }
        let mut exp10 = -i32::try_from(fraction.len()).ok()?;
        let (format, exp1024) = match suffix {
            "Ki" => (Format::BinarySI, 1),
            "Mi" => (Format::BinarySI, 2),
            "Gi" => (Format::BinarySI, 3),
            "Ti" => (Format::BinarySI, 4),
            "Pi" => (Format::BinarySI, 5),
            "Ei" => (Format::BinarySI, 6),
            _ => {
                let (format, shift) = match suffix {
                    "" => (Format::DecimalSI, 0),
                    "n" => (Format::DecimalSI, -9),
                    "u" => (Format::DecimalSI, -6),
                    "m" => (Format::DecimalSI, -3),
                    "k" => (Format::DecimalSI, 3),
                    "M" => (Format::DecimalSI, 6),
                    "G" => (Format::DecimalSI, 9),
                    "T" => (Format::DecimalSI, 12),
                    "P" => (Format::DecimalSI, 15),
                    "E" => (Format::DecimalSI, 18),
                    other => {
                        let exponent = other.strip_prefix(['e', 'E'])?;
                        (Format::DecimalExponent, exponent.parse::<i32>().ok()?)
                    }
                };
                exp10 += shift;
                (format, 0)
            }
        };
        Some(Quantity {
            digits,
            exp10,
            exp1024,
            format,
        })
    }

    /// The value rounded up to a whole number (Go's `Quantity.Value`); `None` on overflow.
    pub fn value(&self) -> Option<i128> {
        let mut value = self.digits;
        for _ in 0..self.exp1024 {
            value = value.checked_mul(1024)?;
        }
        if self.exp10 >= 0 {
            value.checked_mul(10i128.checked_pow(self.exp10.unsigned_abs())?)
        } else {
            let divisor = 10i128.checked_pow(self.exp10.unsigned_abs())?;
            let quotient = value.div_euclid(divisor);
            Some(if value.rem_euclid(divisor) == 0 {
                quotient
            } else {
                quotient + 1
            })
        }
    }
}

/// A whole number written as Go's `resource.NewQuantity(value, format).String()` writes it.
pub fn whole_number(value: i128, format: Format) -> String {
    if format == Format::BinarySI && !(-1024 < value && value < 1024) {
        const SUFFIXES: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        let mut number = value;
        let mut power = 0;
        while power < 6 && number != 0 && number % 1024 == 0 {
            number /= 1024;
            power += 1;
        }
        return format!("{number}{}", SUFFIXES[power]);
    }
    let mut number = value;
    let mut exponent = 0;
    while exponent < 18 && number != 0 && number % 1000 == 0 {
        number /= 1000;
        exponent += 3;
    }
    let suffix = match (format, exponent) {
        (_, 0) => String::new(),
        (Format::DecimalExponent, e) => format!("e{e}"),
        (_, 3) => "k".to_string(),
        (_, 6) => "M".to_string(),
        (_, 9) => "G".to_string(),
        (_, 12) => "T".to_string(),
        (_, 15) => "P".to_string(),
        _ => "E".to_string(),
    };
    format!("{number}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_with_their_format_and_round_up() {
        let q = |s: &str| Quantity::parse(s).expect(s);
        assert_eq!(q("1Gi").format, Format::BinarySI);
        assert_eq!(q("1Gi").value(), Some(1 << 30));
        assert_eq!(q("500m").format, Format::DecimalSI);
        assert_eq!(q("500m").value(), Some(1));
        assert_eq!(q("1.5k").value(), Some(1500));
        assert_eq!(q("2e3").format, Format::DecimalExponent);
        assert_eq!(q("2e3").value(), Some(2000));
        assert_eq!(q("-1").value(), Some(-1));
        assert!(Quantity::parse("lots").is_none());
        assert!(Quantity::parse("").is_none());
    }

    #[test]
    fn whole_numbers_are_written_like_go() {
        assert_eq!(whole_number(0, Format::BinarySI), "0");
        assert_eq!(whole_number(1000, Format::BinarySI), "1k");
        assert_eq!(whole_number(1 << 30, Format::BinarySI), "1Gi");
        assert_eq!(whole_number(500_000_000, Format::BinarySI), "500000000");
        assert_eq!(whole_number(2000, Format::DecimalSI), "2k");
        assert_eq!(whole_number(1_500_000_000, Format::DecimalSI), "1500M");
        assert_eq!(whole_number(3000, Format::DecimalExponent), "3e3");
        assert_eq!(whole_number(7, Format::DecimalSI), "7");
    }
}
