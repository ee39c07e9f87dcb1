//! Numbers read the way NUT's C code reads them (`atoi`, `strtol(s, NULL, 10)`): leading
//! blanks, an optional sign, then decimal digits up to the first other byte. NUT applies
//! these to driver lines, `SET VAR` ranges, upssched delays and status thresholds, so
//! matching them is part of compatibility (strict parsing is used where we deliberately
//! differ).

/// The leading integer of `s`, or `None` when no digit follows the blanks and sign.
/// Out-of-range values saturate, as `strtol` clamps to `LONG_MIN`/`LONG_MAX`.
///
/// ```
/// use nut_proto::text::leading_int;
/// assert_eq!(leading_int("  -7x"), Some(-7));
/// assert_eq!(leading_int("abc"), None);
/// ```
pub fn leading_int(s: &str) -> Option<i64> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut any = false;
    let mut n: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        any = true;
        n = n.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    any.then_some(if neg { -n } else { n })
}

/// C `atoi`/`atol`: [`leading_int`], or 0 when there is no number (`abc` is 0, `12abc` is
/// 12, `1e9` is 1).
pub fn atoi(s: &str) -> i64 {
    leading_int(s).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_c() {
        for (s, n) in [
            ("42", Some(42)),
            ("  -7x", Some(-7)),
            ("\t+3", Some(3)),
            ("abc", None),
            ("", None),
            ("-", None),
            ("12abc", Some(12)),
            ("1e9", Some(1)),
            ("99999999999999999999999", Some(i64::MAX)),
            ("-99999999999999999999999", Some(-i64::MAX)),
        ] {
            assert_eq!(leading_int(s), n, "{s:?}");
            assert_eq!(atoi(s), n.unwrap_or(0), "{s:?}");
        }
    }
}
