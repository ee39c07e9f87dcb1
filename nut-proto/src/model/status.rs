//! `ups.status` as a typed set of NUT's status tokens (`docs/new-drivers.txt`, "Status data").

use std::{convert::Infallible, fmt, str::FromStr};

/// One token of `ups.status`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusFlag {
    /// `OL`: on line (mains power).
    Online,
    /// `OB`: on battery.
    OnBattery,
    /// `LB`: low battery.
    LowBattery,
    /// `HB`: high battery.
    HighBattery,
    /// `RB`: the battery needs replacing.
    ReplaceBattery,
    /// `CHRG`: charging.
    Charging,
    /// `DISCHRG`: discharging.
    Discharging,
    /// `BYPASS`: on bypass.
    Bypass,
    /// `CAL`: runtime calibration.
    Calibrating,
    /// `OFF`: output off.
    Off,
    /// `OVER`: overloaded.
    Overload,
    /// `TRIM`: trimming incoming voltage.
    Trim,
    /// `BOOST`: boosting incoming voltage.
    Boost,
    /// `FSD`: forced shutdown.
    ForcedShutdown,
    /// `ALARM`: see `ups.alarm`.
    Alarm,
    /// `ECO`: economy / high-efficiency mode.
    Eco,
    /// `WAIT`: upsd is waiting for the driver's data.
    Wait,
    /// `TEST`: a battery test is running.
    Test,
    /// Any other token, kept as written.
    Other(String),
}

/// `ups.status`: an ordered set of tokens; unknown tokens are kept for round-trip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UpsStatus {
    flags: Vec<StatusFlag>,
}

/// Every known flag with its wire token, in the order NUT's docs list them.
const TOKENS: [(StatusFlag, &str); 18] = [
    (StatusFlag::Online, "OL"),
    (StatusFlag::OnBattery, "OB"),
    (StatusFlag::LowBattery, "LB"),
    (StatusFlag::HighBattery, "HB"),
    (StatusFlag::ReplaceBattery, "RB"),
    (StatusFlag::Charging, "CHRG"),
    (StatusFlag::Discharging, "DISCHRG"),
    (StatusFlag::Bypass, "BYPASS"),
    (StatusFlag::Calibrating, "CAL"),
    (StatusFlag::Off, "OFF"),
    (StatusFlag::Overload, "OVER"),
    (StatusFlag::Trim, "TRIM"),
    (StatusFlag::Boost, "BOOST"),
    (StatusFlag::ForcedShutdown, "FSD"),
    (StatusFlag::Alarm, "ALARM"),
    (StatusFlag::Eco, "ECO"),
    (StatusFlag::Wait, "WAIT"),
    (StatusFlag::Test, "TEST"),
];

impl StatusFlag {
    /// The token as it appears in `ups.status`.
    ///
    /// ```
    /// use nut_proto::StatusFlag;
    /// assert_eq!(StatusFlag::OnBattery.as_str(), "OB");
    /// assert_eq!(StatusFlag::Other("XYZ".into()).as_str(), "XYZ");
    /// ```
    pub fn as_str(&self) -> &str {
        if let Self::Other(s) = self {
            return s;
        }
        TOKENS
            .iter()
            .find(|(f, _)| f == self)
            .map_or("", |(_, t)| t)
    }

    /// Reads one token. Matching is exact (upper-case), as NUT's clients compare tokens;
    /// anything else is kept as [`StatusFlag::Other`].
    ///
    /// ```
    /// use nut_proto::StatusFlag;
    /// assert_eq!(StatusFlag::parse("LB"), StatusFlag::LowBattery);
    /// assert_eq!(StatusFlag::parse("lb"), StatusFlag::Other("lb".into()));
    /// ```
    pub fn parse(token: &str) -> Self {
        TOKENS
            .iter()
            .find(|(_, t)| *t == token)
            .map_or_else(|| Self::Other(token.to_owned()), |(f, _)| f.clone())
    }
}

impl fmt::Display for StatusFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl UpsStatus {
    /// An empty status.
    pub fn new() -> Self {
        Self::default()
    }

    /// A status holding `flags` in order, without duplicates.
    ///
    /// ```
    /// use nut_proto::{StatusFlag, UpsStatus};
    /// let s = UpsStatus::from_flags([StatusFlag::OnBattery, StatusFlag::LowBattery]);
    /// assert_eq!(s.to_string(), "OB LB");
    /// ```
    pub fn from_flags(flags: impl IntoIterator<Item = StatusFlag>) -> Self {
        let mut s = Self::default();
        for f in flags {
            s.insert(f);
        }
        s
    }

    /// Whether `flag` is set.
    pub fn contains(&self, flag: &StatusFlag) -> bool {
        self.flags.contains(flag)
    }

    /// Adds `flag` at the end unless it is already set; returns whether it was added.
    pub fn insert(&mut self, flag: StatusFlag) -> bool {
        if self.contains(&flag) {
            return false;
        }
        self.flags.push(flag);
        true
    }

    /// Removes `flag`; returns whether it was set.
    pub fn remove(&mut self, flag: &StatusFlag) -> bool {
        let before = self.flags.len();
        self.flags.retain(|f| f != flag);
        before != self.flags.len()
    }

    /// The flags in order.
    pub fn iter(&self) -> std::slice::Iter<'_, StatusFlag> {
        self.flags.iter()
    }

    /// True when no flag is set.
    pub fn is_empty(&self) -> bool {
        self.flags.is_empty()
    }

    /// Number of flags.
    pub fn len(&self) -> usize {
        self.flags.len()
    }
}

impl<'a> IntoIterator for &'a UpsStatus {
    type Item = &'a StatusFlag;
    type IntoIter = std::slice::Iter<'a, StatusFlag>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl FromStr for UpsStatus {
    type Err = Infallible;

    /// Splits on whitespace; repeated tokens are kept once.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::from_flags(
            s.split_whitespace().map(StatusFlag::parse),
        ))
    }
}

impl fmt::Display for UpsStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, flag) in self.flags.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(flag.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_token_round_trips() {
        for (flag, token) in TOKENS.iter() {
            assert_eq!(StatusFlag::parse(token), *flag);
            assert_eq!(flag.as_str(), *token);
        }
    }

    #[test]
    fn status_table() {
        let table: [(&[StatusFlag], &str); 4] = [
            (&[], ""),
            (&[StatusFlag::Online, StatusFlag::Charging], "OL CHRG"),
            (
                &[
                    StatusFlag::ForcedShutdown,
                    StatusFlag::OnBattery,
                    StatusFlag::LowBattery,
                ],
                "FSD OB LB",
            ),
            (
                &[StatusFlag::Online, StatusFlag::Other("NEWFLAG".into())],
                "OL NEWFLAG",
            ),
        ];
        for (flags, text) in table {
            let status = UpsStatus::from_flags(flags.iter().cloned());
            assert_eq!(status.to_string(), text);
            assert_eq!(text.parse::<UpsStatus>(), Ok(status));
        }
    }

    #[test]
    fn parse_tolerates_extra_blanks_and_duplicates() {
        let s: UpsStatus = "  OL\tOL  CHRG ".parse().expect("infallible");
        assert_eq!(s.to_string(), "OL CHRG");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn insert_remove_contains() {
        let mut s: UpsStatus = "OL CHRG".parse().expect("infallible");
        assert!(s.contains(&StatusFlag::Online));
        assert!(!s.insert(StatusFlag::Online));
        assert!(s.remove(&StatusFlag::Online));
        assert!(!s.remove(&StatusFlag::Online));
        assert!(s.insert(StatusFlag::OnBattery));
        assert_eq!(s.to_string(), "CHRG OB");
        assert_eq!(s.iter().count(), 2);
        assert!(!s.is_empty());
        assert!(UpsStatus::new().is_empty());
    }
}
