//! The time stamp NUT's programs put before each stderr line when debugging (`-D`).

use std::time::Duration;

/// `elapsed` (time since the program started) as NUT prints it before a debug-mode stderr
/// line: seconds right-aligned in four columns, six decimals, a tab.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(nut_proto::text::debug_stamp(Duration::from_micros(1_250_000)), "   1.250000\t");
/// assert_eq!(nut_proto::text::debug_stamp(Duration::from_secs(12345)), "12345.000000\t");
/// ```
pub fn debug_stamp(elapsed: Duration) -> String {
    format!("{:4}.{:06}\t", elapsed.as_secs(), elapsed.subsec_micros())
}
