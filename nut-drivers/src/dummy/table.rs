//! The variables real dummy-ups 2.8.0 knows (`drivers/dummy-ups.h`): their flags and string
//! lengths, and the three it publishes before reading the definition file.

/// Type of a known variable: `Some(len)` for a writable string of at most `len` bytes,
/// `None` for a writable number.
pub(crate) type Known = (&'static str, Option<i64>);

/// Published before the file is read, with these values (`DU_FLAG_INIT`).
pub(crate) const INITIAL: &[(&str, &str)] = &[
    ("ups.mfr", "Dummy Manufacturer"),
    ("ups.model", "Dummy UPS"),
    ("ups.status", "OL"),
];

/// Unknown names become writable strings of this length.
pub(crate) const UNKNOWN_LEN: i64 = 32;

/// Values longer than this are cut (the driver's 128-byte buffer).
pub(crate) const MAX_VALUE: usize = 127;

const S32: Option<i64> = Some(32);
const S16: Option<i64> = Some(16);
const S1: Option<i64> = Some(1);

/// The table, first match wins (`ups.serial` is listed twice upstream; the first, 32, is
/// the one used).
pub(crate) const KNOWN: &[Known] = &[
    ("ups.mfr", S32),
    ("ups.model", S32),
    ("ups.status", S32),
    ("ups.serial", S32),
    ("ups.load", None),
    ("ups.alarm", S32),
    ("ups.time", S16),
    ("ups.date", S16),
    ("ups.mfr.date", S16),
    ("ups.firmware", S16),
    ("ups.firmware.aux", S16),
    ("ups.temperature", None),
    ("ups.id", S16),
    ("ups.delay.start", None),
    ("ups.delay.reboot", None),
    ("ups.delay.shutdown", None),
    ("ups.test.interval", None),
    ("ups.test.result", S16),
    ("input.voltage", None),
    ("input.voltage.maximum", None),
    ("input.voltage.minimum", None),
    ("input.voltage.nominal", None),
    ("input.transfer.reason", S1),
    ("input.transfer.low", None),
    ("input.transfer.high", None),
    ("input.sensitivity", S1),
    ("input.quality", Some(6)),
    ("input.frequency", None),
    ("input.transfer.boost.low", None),
    ("input.transfer.boost.high", None),
    ("input.transfer.trim.low", None),
    ("input.transfer.trim.high", None),
    ("output.voltage", None),
    ("output.frequency", None),
    ("output.current", None),
    ("battery.charge", None),
    ("battery.charge.low", None),
    ("battery.voltage", None),
    ("battery.current", None),
    ("battery.runtime", None),
    ("battery.runtime.low", None),
    ("battery.charge.restart", None),
    ("battery.temperature", None),
    ("battery.voltage.nominal", None),
    ("ambient.temperature", None),
    ("ambient.temperature.alarm", None),
    ("ambient.temperature.high", None),
    ("ambient.temperature.low", None),
    ("ambient.humidity", None),
    ("ambient.humidity.alarm", None),
    ("ambient.humidity.high", None),
    ("ambient.humidity.low", None),
];

/// The known type of `var` (case-insensitive), if any.
pub(crate) fn lookup(var: &str) -> Option<Option<i64>> {
    KNOWN
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(var))
        .map(|(_, t)| *t)
}
