//! `ups.status` as a typed set of NUT's status tokens.

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
