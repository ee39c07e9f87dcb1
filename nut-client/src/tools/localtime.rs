//! Local time for upslog's `%TIME%`: `TZ` or `/etc/localtime`, read as a TZif file.
//!
//! Supported: `TZ` unset (`/etc/localtime`), `TZ=:Area/City` or `TZ=Area/City` (under
//! `/usr/share/zoneinfo`), `TZ=/path`, and POSIX strings without DST rules (`UTC0`,
//! `JST-9`). Times past a TZif file's last transition use that transition's offset, so
//! "slim" zone files with recurring DST rules may be an hour off; anything unreadable
//! falls back to UTC.

use super::strftime::Tm;

/// Breaks down `unix` in the local time zone.
pub fn localtime(unix: i64) -> Tm {
    let tz = std::env::var("TZ").ok();
    let (off, zone) = zone_offset(tz.as_deref(), unix).unwrap_or_else(|| (0, "UTC".to_string()));
    Tm::from_unix(unix, off, &zone)
}

fn zone_offset(tz: Option<&str>, unix: i64) -> Option<(i64, String)> {
    let path = match tz {
        None => "/etc/localtime".to_string(),
        Some(t) => {
            let name = t.strip_prefix(':').unwrap_or(t);
            if let Some(fixed) = posix_fixed(name) {
                return Some(fixed);
            }
            if name.starts_with('/') {
                name.to_string()
            } else {
                format!("/usr/share/zoneinfo/{name}")
            }
        }
    };
    let data = std::fs::read(path).ok()?;
    tzif_offset(&data, unix)
}

/// `NAME[+-]h[:mm]` without DST: POSIX offsets are west-positive.
fn posix_fixed(s: &str) -> Option<(i64, String)> {
    let name_len = s.find(|c: char| !c.is_ascii_alphabetic())?;
    let (name, rest) = s.split_at(name_len);
    if name.len() < 3 || rest.is_empty() {
        return None;
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'-' => (1, &rest[1..]),
        b'+' => (-1, &rest[1..]),
        _ => (-1, rest),
    };
    let (h, m) = digits.split_once(':').unwrap_or((digits, "0"));
    let h: i64 = h.parse().ok()?;
    let m: i64 = m.parse().ok()?;
    Some((sign * (h * 3600 + m * 60), name.to_string()))
}

fn be(data: &[u8], at: usize, n: usize) -> Option<i64> {
    let bytes = data.get(at..at + n)?;
    let mut v: i64 = if bytes.first()? & 0x80 != 0 { -1 } else { 0 };
    for b in bytes {
        v = (v << 8) | i64::from(*b);
    }
    Some(v)
}

/// Offset and abbreviation in effect at `unix`, from a TZif (v1 or v2+) file.
pub fn tzif_offset(data: &[u8], unix: i64) -> Option<(i64, String)> {
    if data.get(..4)? != b"TZif" {
        return None;
    }
    let counts = |base: usize| -> Option<[usize; 6]> {
        let mut c = [0usize; 6];
        for (i, slot) in c.iter_mut().enumerate() {
            *slot = usize::try_from(be(data, base + 20 + 4 * i, 4)?).ok()?;
        }
        Some(c)
    };
    let c1 = counts(0)?;
    let v1_len = c1[3] * 5 + c1[4] * 6 + c1[5] + c1[2] * 8 + c1[1] + c1[0];
    let (base, c, tsize) = if data[4] >= b'2' {
        let b = 44 + v1_len;
        (b, counts(b)?, 8)
    } else {
        (0, c1, 4)
    };
    let [_, _, _, timecnt, typecnt, charcnt] = c;
    let times = base + 44;
    let idxs = times + timecnt * tsize;
    let types = idxs + timecnt;
    let chars = types + typecnt * 6;
    let mut ty = 0usize;
    for i in 0..timecnt {
        if be(data, times + i * tsize, tsize)? > unix {
            break;
        }
        ty = usize::from(*data.get(idxs + i)?);
    }
    if ty >= typecnt {
        return None;
    }
    let off = be(data, types + ty * 6, 4)?;
    let abbr_at = usize::from(*data.get(types + ty * 6 + 5)?);
    let abbr = data.get(chars + abbr_at..chars + charcnt)?;
    let end = abbr.iter().position(|b| *b == 0).unwrap_or(abbr.len());
    Some((off, String::from_utf8_lossy(&abbr[..end]).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A v1 TZif file: one transition at t=1000 from type 0 (UTC) to type 1 (+3600 "ABC").
    fn sample() -> Vec<u8> {
        let mut d = b"TZif".to_vec();
        d.push(0);
        d.extend([0u8; 15]);
        for n in [0u32, 0, 0, 1, 2, 8] {
            d.extend(n.to_be_bytes());
        }
        d.extend(1000i32.to_be_bytes());
        d.push(1);
        d.extend(0i32.to_be_bytes());
        d.extend([0, 0]);
        d.extend(3600i32.to_be_bytes());
        d.extend([0, 4]);
        d.extend(b"UTC\0ABC\0");
        d
    }

    #[test]
    fn reads_transitions() {
        let d = sample();
        assert_eq!(tzif_offset(&d, 10), Some((0, "UTC".into())));
        assert_eq!(tzif_offset(&d, 5000), Some((3600, "ABC".into())));
        assert_eq!(tzif_offset(b"nope", 0), None);
        assert_eq!(tzif_offset(&d[..30], 0), None);
    }

    #[test]
    fn posix_fixed_zones() {
        assert_eq!(posix_fixed("UTC0"), Some((0, "UTC".into())));
        assert_eq!(posix_fixed("JST-9"), Some((9 * 3600, "JST".into())));
        assert_eq!(posix_fixed("EST5"), Some((-5 * 3600, "EST".into())));
        assert_eq!(zone_offset(Some("XYZ-1:30"), 0), Some((5400, "XYZ".into())));
    }
}
