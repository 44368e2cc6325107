//! The order go-yaml v2 writes map keys in (its `keyList.Less`), which is kubectl's: runs of
//! digits compare as numbers (`node-9` before `node-10`), and a character that is not a
//! letter comes before one that is (`a_b` before `aZ`). Byte order agrees for most keys, so
//! maps are only re-sorted when it does not.

use std::cmp::Ordering;

/// A string as what go-yaml compares: its bytes when ASCII, else its characters.
trait Unit: Copy + Ord {
    fn is_letter(self) -> bool;
    fn digit(self) -> Option<i64>;
}

impl Unit for u8 {
    fn is_letter(self) -> bool {
        self.is_ascii_alphabetic()
    }

    fn digit(self) -> Option<i64> {
        self.is_ascii_digit().then(|| i64::from(self - b'0'))
    }
}

impl Unit for char {
    fn is_letter(self) -> bool {
        self.is_alphabetic()
    }

    fn digit(self) -> Option<i64> {
        self.to_digit(10).map(i64::from)
    }
}

/// go-yaml's comparison of two keys.
pub fn compare(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        compare_units(a.as_bytes(), b.as_bytes())
    } else {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        compare_units(&a, &b)
    }
}

fn compare_units<T: Unit>(a: &[T], b: &[T]) -> Ordering {
    let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return a.len().cmp(&b.len());
    };
    let (x, y) = (a[i], b[i]);
    match (x.is_letter(), y.is_letter()) {
        (true, true) => return x.cmp(&y),
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    // A run of digits that the differing characters belong to, preceded by a non-zero digit
    // of the common part, counts that digit (go-yaml's `an = 1; bn = 1`).
    let zero = |u: T| u.digit() == Some(0);
    let mut start = 0i64;
    if zero(x) || zero(y) {
        for u in a[..i].iter().rev() {
            match u.digit() {
                Some(0) => {}
                Some(_) => {
                    start = 1;
                    break;
                }
                None => break,
            }
        }
    }
    let number = |units: &[T]| {
        let mut n = start;
        let mut len = 0;
        for u in units {
            let Some(d) = u.digit() else { break };
            n = n.saturating_mul(10).saturating_add(d);
            len += 1;
        }
        (n, len)
    };
    let ((an, alen), (bn, blen)) = (number(&a[i..]), number(&b[i..]));
    an.cmp(&bn).then(alen.cmp(&blen)).then(x.cmp(&y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_in_kubectls_order() {
        // The order kubectl v1.33 printed these ConfigMap keys in (-o yaml).
        let kubectl = [
            "A1", "a-b", "a.b", "a_b", "a1", "a01", "a9", "a10", "aZ", "ab", "node-9", "node-09",
            "node-10",
        ];
        let mut keys = kubectl.to_vec();
        keys.sort_unstable();
        keys.sort_by(|a, b| compare(a, b));
        assert_eq!(keys, kubectl);
    }

    #[test]
    fn non_ascii_keys_compare_by_character() {
        assert_eq!(compare("é1", "é10"), Ordering::Less);
        assert_eq!(compare("é", "e"), Ordering::Greater);
        assert_eq!(compare("x_", "xé"), Ordering::Less);
    }
}
