//! Driver side of Network UPS Tools in Rust.
//!
//! This crate will hold what every device driver shares: the async driver trait (initialise,
//! poll, shut the load off, instant commands, writable variables), the driver state ("dstate":
//! variables with flags, enumerations, ranges, commands, alarms and `driver.*` info), the
//! driver↔upsd Unix-socket protocol as typed messages usable by both sides, and the driver main
//! loop and command line that NUT drivers share.
//!
//! It is an empty skeleton for now: nothing here works yet, and nothing pretends to.
#![forbid(unsafe_code)]

pub use nut_proto as proto;
