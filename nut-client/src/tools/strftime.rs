//! `strftime(3)` in the C locale, for upslog's `%TIME format%`.
//!
//! Times are broken down in UTC plus a fixed offset (see [`Tm::from_unix`]); the caller
//! decides the offset. Unknown conversions are copied as written, as glibc does.

/// NUT formats the time into a 512-byte buffer; longer results come out empty.
const MAX_LEN: usize = 511;

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A broken-down time (`struct tm`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tm {
    /// Year (e.g. 2026).
    pub year: i64,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
    /// Hour, 0..=23.
    pub hour: u32,
    /// Minute.
    pub min: u32,
    /// Second.
    pub sec: u32,
    /// Day of week, 0 = Sunday.
    pub wday: u32,
    /// Day of year, 0-based.
    pub yday: u32,
    /// Seconds east of UTC.
    pub gmtoff: i64,
    /// Zone abbreviation (`%Z`).
    pub zone: String,
    /// Seconds since the epoch (`%s`).
    pub unix: i64,
}

impl Tm {
    /// Breaks down `unix` seconds shifted by `gmtoff` seconds, named `zone`.
    pub fn from_unix(unix: i64, gmtoff: i64, zone: &str) -> Self {
        let local = unix + gmtoff;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        let yday = (days - days_from_civil(year, 1, 1)) as u32;
        Self {
            year,
            month,
            day,
            hour: secs / 3600,
            min: secs / 60 % 60,
            sec: secs % 60,
            wday: (days + 4).rem_euclid(7) as u32,
            yday,
            gmtoff,
            zone: zone.to_string(),
            unix,
        }
    }
}

/// Days since 1970-01-01 to (year, month, day) — Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats `tm` with `fmt`; an over-long result gives an empty string, as in NUT.
pub fn strftime(fmt: &str, tm: &Tm) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // E and O modifiers change nothing in the C locale
        let mut conv = chars.next();
        if matches!(conv, Some('E' | 'O')) {
            conv = chars.next();
        }
        match conv {
            Some(conv) => out += &convert(conv, tm),
            None => out.push('%'),
        }
    }
    if out.len() > MAX_LEN {
        out.clear();
    }
    out
}

fn convert(c: char, tm: &Tm) -> String {
    match c {
        'a' => DAYS[tm.wday as usize % 7][..3].to_string(),
        'A' => DAYS[tm.wday as usize % 7].to_string(),
        'b' | 'h' => MONTHS[(tm.month as usize + 11) % 12][..3].to_string(),
        'B' => MONTHS[(tm.month as usize + 11) % 12].to_string(),
        'c' => strftime("%a %b %e %H:%M:%S %Y", tm),
        'C' => format!("{:02}", tm.year.div_euclid(100)),
        'd' => format!("{:02}", tm.day),
        'D' | 'x' => strftime("%m/%d/%y", tm),
        'e' => format!("{:2}", tm.day),
        'F' => strftime("%Y-%m-%d", tm),
        'G' => iso_week(tm).0.to_string(),
        'g' => format!("{:02}", iso_week(tm).0.rem_euclid(100)),
        'H' => format!("{:02}", tm.hour),
        'I' => format!("{:02}", (tm.hour + 11) % 12 + 1),
        'j' => format!("{:03}", tm.yday + 1),
        'k' => format!("{:2}", tm.hour),
        'l' => format!("{:2}", (tm.hour + 11) % 12 + 1),
        'm' => format!("{:02}", tm.month),
        'M' => format!("{:02}", tm.min),
        'n' => "\n".into(),
        'p' => if tm.hour < 12 { "AM" } else { "PM" }.into(),
        'P' => if tm.hour < 12 { "am" } else { "pm" }.into(),
        'r' => strftime("%I:%M:%S %p", tm),
        'R' => strftime("%H:%M", tm),
        's' => tm.unix.to_string(),
        'S' => format!("{:02}", tm.sec),
        't' => "\t".into(),
        'T' | 'X' => strftime("%H:%M:%S", tm),
        'u' => ((tm.wday + 6) % 7 + 1).to_string(),
        'U' => format!("{:02}", (tm.yday + 7 - tm.wday) / 7),
        'V' => format!("{:02}", iso_week(tm).1),
        'w' => tm.wday.to_string(),
        'W' => format!("{:02}", (tm.yday + 7 - (tm.wday + 6) % 7) / 7),
        'y' => format!("{:02}", tm.year.rem_euclid(100)),
        'Y' => tm.year.to_string(),
        'z' => {
            let off = tm.gmtoff.abs() / 60;
            let sign = if tm.gmtoff < 0 { '-' } else { '+' };
            format!("{sign}{:02}{:02}", off / 60, off % 60)
        }
        'Z' => tm.zone.clone(),
        '%' => "%".into(),
        other => format!("%{other}"),
    }
}

/// ISO 8601 (year, week).
fn iso_week(tm: &Tm) -> (i64, u32) {
    let wday = i64::from((tm.wday + 6) % 7); // Monday = 0
    let yday = i64::from(tm.yday);
    let week = (yday - wday + 10) / 7;
    let weeks_in = |y: i64| {
        let jan1 = (days_from_civil(y, 1, 1) + 3).rem_euclid(7); // Monday = 0
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if jan1 == 3 || (leap && jan1 == 2) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        (tm.year - 1, weeks_in(tm.year - 1))
    } else if week > i64::from(weeks_in(tm.year)) {
        (tm.year + 1, 1)
    } else {
        (tm.year, week as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-21 20:53:20 UTC, a Saturday
    const T: i64 = 1_795_294_400;

    #[test]
    fn breaks_down_utc() {
        let tm = Tm::from_unix(T, 0, "UTC");
        assert_eq!((tm.year, tm.month, tm.day, tm.wday), (2026, 11, 21, 6));
        assert_eq!(strftime("%Y%m%d %H%M%S", &tm), "20261121 205320");
    }

    #[test]
    fn upslog_default_time_format() {
        let tm = Tm::from_unix(0, 0, "UTC");
        assert_eq!(strftime("%Y%m%d %H%M%S", &tm), "19700101 000000");
        assert_eq!(strftime("%c", &tm), "Thu Jan  1 00:00:00 1970");
    }

    #[test]
    fn conversions() {
        let tm = Tm::from_unix(T, 3600, "CET");
        assert_eq!(
            strftime("%a %A %b %B %e %j %u %w", &tm),
            "Sat Saturday Nov November 21 325 6 6"
        );
        assert_eq!(
            strftime("%I %p %r %R %T %D %F", &tm),
            "09 PM 09:53:20 PM 21:53 21:53:20 11/21/26 2026-11-21"
        );
        assert_eq!(strftime("%z %Z %s %%", &tm), format!("+0100 CET {T} %"));
        assert_eq!(strftime("%G-W%V %U %W %C %y", &tm), "2026-W47 46 46 20 26");
        assert_eq!(strftime("%Q %", &tm), "%Q %");
        assert_eq!(strftime("%Ey", &tm), "26");
        let neg = Tm::from_unix(T, -(3 * 3600 + 1800), "X");
        assert_eq!(strftime("%z", &neg), "-0330");
    }

    #[test]
    fn iso_weeks_at_year_edges() {
        // 2021-01-01 is a Friday: ISO week 53 of 2020
        let tm = Tm::from_unix(1_609_459_200, 0, "UTC");
        assert_eq!(strftime("%G %V %g", &tm), "2020 53 20");
    }

    #[test]
    fn over_long_results_are_empty() {
        let tm = Tm::from_unix(T, 0, "UTC");
        assert_eq!(strftime(&"%A".repeat(100), &tm), "");
    }
}
