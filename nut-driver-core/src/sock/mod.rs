//! The driver ↔ upsd socket protocol as typed messages, without I/O.
//!
//! Both sides read lines with NUT's word splitting (the same rules as the network protocol:
//! quotes, backslash escapes, at most 32 words of 512 bytes) and parse them as leniently as
//! NUT 2.8.0 does: command words are case-insensitive, extra trailing words are ignored, and
//! numbers are read the way C's `atoi()` reads them. Serialising always escapes values, so a
//! value with `"` or `\` survives (2.8.0 drivers do not escape live updates).
//!
//! - [`DriverMsg`]: what a driver sends (`SETINFO`, `ADDCMD`, `DUMPDONE`, `TRACKING`, ...).
//! - [`ServerMsg`]: what upsd sends (`DUMPALL`, `PING`, `SET`, `INSTCMD`, and the commands newer
//!   NUT added: `LOGOUT`, `GETPID`, `DUMPVALUE`, `DUMPSTATUS`, `BROADCAST`, `NOBROADCAST`).

mod driver_msg;
mod server_msg;

pub use driver_msg::{DriverMsg, TrackingResult, VarFlag};
pub use server_msg::ServerMsg;

pub use nut_proto::text::atoi;
use nut_proto::text::{split_line_with, Limits};
use nut_proto::ParseError;

/// Limits of NUT's socket parser: 32 words of 512 bytes; lines capped at 64 KiB.
pub const SOCKET_LIMITS: Limits = Limits::NETWORK;

/// Splits one socket line into words with [`SOCKET_LIMITS`].
pub fn split(line: &str) -> Result<Vec<String>, ParseError> {
    split_line_with(line, SOCKET_LIMITS)
}

fn arg_error(command: &str, reason: &'static str) -> ParseError {
    ParseError::InvalidArgument {
        command: command.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::atoi;

    #[test]
    fn atoi_matches_c() {
        for (s, n) in [
            ("42", 42),
            ("  -7x", -7),
            ("abc", 0),
            ("12abc", 12),
            ("1e9", 1),
            ("+3", 3),
            ("", 0),
            ("99999999999999999999999", i64::MAX),
        ] {
            assert_eq!(atoi(s), n, "{s:?}");
        }
    }
}
