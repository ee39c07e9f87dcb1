//! Driver side of Network UPS Tools in Rust.
//!
//! This crate holds what every device driver shares. What exists today:
//!
//! - [`sock`]: the driver ↔ upsd Unix-socket protocol as typed messages ([`sock::DriverMsg`],
//!   [`sock::ServerMsg`]) with parse and serialise, tokio-free, so upsd reuses them.
//! - [`dstate`]: a driver's published state: broadcasts of every change, staleness, the
//!   `ups.status`/`ups.alarm` builders, `driver.*` info, `default.*`/`override.*`.
//! - [`tree`]: the variable tree (values, flags, enums, ranges, commands) with NUT's
//!   case-insensitive ordering and change rules, shared by drivers and upsd.
//!
//! Still to come (see the project's issues): the async driver trait, the driver-side socket
//! server and the driver main loop and command line.
//!
//! ```
//! use nut_driver_core::sock::{DriverMsg, ServerMsg};
//!
//! let msg = DriverMsg::parse(r#"SETINFO ups.status "OL CHRG""#).unwrap();
//! assert_eq!(msg, DriverMsg::SetInfo { var: "ups.status".into(), value: "OL CHRG".into() });
//! assert_eq!(ServerMsg::parse("dumpall").unwrap(), ServerMsg::DumpAll);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod dstate;
pub mod error;
pub mod sock;
pub mod tree;

pub use error::DriverError;
pub use nut_proto as proto;
