//! Notification types of upsmon (`NOTIFYMSG`, `NOTIFYFLAG`) and upssched (`AT`).

use std::fmt;

/// An upsmon notification type. Names are matched without regard to case, as upsmon does.
///
/// The first eleven are those of NUT 2.8.0; the rest were added in later releases and are
/// recognised so that newer configuration files do not produce warnings. Anything else
/// (such as the SUSPEND_* types of recent NUT) is [`NotifyType::Other`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NotifyType {
    /// The UPS is back on line power.
    Online,
    /// The UPS is on battery.
    OnBatt,
    /// The UPS battery is low.
    LowBatt,
    /// The primary upsmon set the forced-shutdown flag.
    Fsd,
    /// Communication with the UPS was established.
    CommOk,
    /// Communication with the UPS was lost.
    CommBad,
    /// The system is being shut down.
    Shutdown,
    /// The battery needs replacing.
    ReplBatt,
    /// The UPS could not be contacted for a while.
    NoComm,
    /// upsmon's privileged parent process died.
    NoParent,
    /// The UPS is calibrating.
    Cal,
    /// Calibration finished (NUT 2.8.2+).
    NotCal,
    /// The UPS is administratively off (NUT 2.8.1+).
    Off,
    /// The UPS is no longer off (NUT 2.8.1+).
    NotOff,
    /// The UPS is on bypass (NUT 2.8.1+).
    Bypass,
    /// The UPS is no longer on bypass (NUT 2.8.1+).
    NotBypass,
    /// Shutdown started; the primary waits for secondaries (after NUT 2.8.3).
    ShutdownHostsync,
    /// The UPS is in ECO (high-efficiency) mode.
    Eco,
    /// The UPS left ECO mode.
    NotEco,
    /// The UPS reports active alarms.
    Alarm,
    /// The UPS has no active alarm any more.
    NotAlarm,
    /// The UPS is overloaded.
    Over,
    /// The UPS is no longer overloaded.
    NotOver,
    /// The UPS trims (bucks) the incoming voltage.
    Trim,
    /// The UPS no longer trims.
    NotTrim,
    /// The UPS boosts the incoming voltage.
    Boost,
    /// The UPS no longer boosts.
    NotBoost,
    /// The status holds tokens upsmon does not know.
    OtherStatus,
    /// No unknown status token any more.
    NotOtherStatus,
    /// Any other name, kept as written (upsmon warns about these and ignores them).
    Other(String),
}

const NAMES: [(&str, NotifyType); 29] = [
    ("ONLINE", NotifyType::Online),
    ("ONBATT", NotifyType::OnBatt),
    ("LOWBATT", NotifyType::LowBatt),
    ("FSD", NotifyType::Fsd),
    ("COMMOK", NotifyType::CommOk),
    ("COMMBAD", NotifyType::CommBad),
    ("SHUTDOWN", NotifyType::Shutdown),
    ("REPLBATT", NotifyType::ReplBatt),
    ("NOCOMM", NotifyType::NoComm),
    ("NOPARENT", NotifyType::NoParent),
    ("CAL", NotifyType::Cal),
    ("NOTCAL", NotifyType::NotCal),
    ("OFF", NotifyType::Off),
    ("NOTOFF", NotifyType::NotOff),
    ("BYPASS", NotifyType::Bypass),
    ("NOTBYPASS", NotifyType::NotBypass),
    ("SHUTDOWN_HOSTSYNC", NotifyType::ShutdownHostsync),
    ("ECO", NotifyType::Eco),
    ("NOTECO", NotifyType::NotEco),
    ("ALARM", NotifyType::Alarm),
    ("NOTALARM", NotifyType::NotAlarm),
    ("OVER", NotifyType::Over),
    ("NOTOVER", NotifyType::NotOver),
    ("TRIM", NotifyType::Trim),
    ("NOTTRIM", NotifyType::NotTrim),
    ("BOOST", NotifyType::Boost),
    ("NOTBOOST", NotifyType::NotBoost),
    ("OTHER", NotifyType::OtherStatus),
    ("NOTOTHER", NotifyType::NotOtherStatus),
];

impl NotifyType {
    /// Every known type, in upsmon's order.
    pub fn all() -> impl Iterator<Item = Self> {
        NAMES.into_iter().map(|(_, t)| t)
    }

    /// Reads a name, without regard to case; unknown names become [`NotifyType::Other`].
    ///
    /// ```
    /// use nut_proto::config::NotifyType;
    /// assert_eq!(NotifyType::parse("onbatt"), NotifyType::OnBatt);
    /// assert_eq!(NotifyType::parse("eco"), NotifyType::Eco);
    /// assert_eq!(NotifyType::parse("SUSPEND_STARTING"), NotifyType::Other("SUSPEND_STARTING".into()));
    /// ```
    pub fn parse(name: &str) -> Self {
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or_else(|| Self::Other(name.to_owned()), |(_, t)| t.clone())
    }

    /// upsmon's number for the type (`NOTIFY_ONLINE` is 0, `NOTIFY_COMMBAD` 5, ...), as its
    /// debug output shows it; `None` for [`NotifyType::Other`].
    ///
    /// ```
    /// use nut_proto::config::NotifyType;
    /// assert_eq!(NotifyType::CommBad.code(), Some(5));
    /// assert_eq!(NotifyType::NotOtherStatus.code(), Some(29));
    /// ```
    pub fn code(&self) -> Option<u8> {
        let code = match self {
            Self::Online => 0,
            Self::OnBatt => 1,
            Self::LowBatt => 2,
            Self::Fsd => 3,
            Self::CommOk => 4,
            Self::CommBad => 5,
            Self::Shutdown => 6,
            Self::ReplBatt => 7,
            Self::NoComm => 8,
            Self::NoParent => 9,
            Self::Cal => 10,
            Self::NotCal => 11,
            Self::Off => 12,
            Self::NotOff => 13,
            Self::Bypass => 14,
            Self::NotBypass => 15,
            Self::Eco => 16,
            Self::NotEco => 17,
            Self::Alarm => 18,
            Self::NotAlarm => 19,
            Self::Over => 20,
            Self::NotOver => 21,
            Self::Trim => 22,
            Self::NotTrim => 23,
            Self::Boost => 24,
            Self::NotBoost => 25,
            Self::ShutdownHostsync => 26,
            Self::OtherStatus => 28,
            Self::NotOtherStatus => 29,
            Self::Other(_) => return None,
        };
        Some(code)
    }

    /// The upper-case name, or the text of [`NotifyType::Other`].
    pub fn name(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => NAMES
                .iter()
                .find(|(_, t)| t == known)
                .map_or("", |(n, _)| n),
        }
    }

    /// True for the types NUT knows.
    pub fn is_known(&self) -> bool {
        !matches!(self, Self::Other(_))
    }
}

impl fmt::Display for NotifyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in NotifyType::all() {
            assert_eq!(NotifyType::parse(t.name()), t);
            assert_eq!(NotifyType::parse(&t.name().to_lowercase()), t);
        }
        assert_eq!(NotifyType::all().count(), NAMES.len());
        assert!(!NotifyType::parse("BOGUS").is_known());
    }
}
