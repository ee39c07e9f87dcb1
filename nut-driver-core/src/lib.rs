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
//! - [`driver`]: the async [`Driver`] trait every device driver implements, and its options.
//! - [`sockserver`] and [`runloop`] (tokio): the driver-side socket server — any number of
//!   clients, bounded per-client queues — and the loop that polls the device, answers
//!   `DUMPALL`/`PING`/`SET`/`INSTCMD` with `TRACKING`, and re-initialises a lost device.
//!
//! - [`cli`]: the command line and process life every driver binary shares (NUT's `-a`/`-s`/
//!   `-x`/`-F`/`-u`/`-k`/`-c` flags, `ups.conf`, socket, PID file, signals).
//! - [`upsdrvctl`]: starting, stopping and shutting down the drivers `ups.conf` lists.
//!
//! The `sock`, `tree` and `dstate` modules do no I/O; only `sockserver` and `runloop` use
//! tokio.
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

pub mod cli;
pub mod driver;
pub mod dstate;
pub mod error;
pub mod runloop;
pub mod sock;
pub mod sockserver;
pub mod tree;
pub mod upsdrvctl;

pub use driver::{Driver, DriverInfo, DriverOption, DriverOptions};
pub use dstate::DriverState;
pub use error::DriverError;
pub use nut_proto as proto;
