//! Device drivers of Network UPS Tools in Rust.
//!
//! Each driver implements [`nut_driver_core::Driver`]; its binary is a call to
//! [`nut_driver_core::cli::main`]. What exists today:
//!
//! # Layout
//! - [`dummy`]: `dummy-ups`, a simulated device played from a `.dev`/`.seq` file (or `upsc`
//!   output), with `# @...` annotations declaring ENUM/RANGE/STRING types and instant
//!   commands, and a repeater that mirrors a UPS of another NUT server.
//!
//! The device families (USB HID, Megatec Q*, APC Smart, SNMP) are not written yet.
//!
//! ```
//! use nut_drivers::dummy::{DevFile, Step};
//! let f = DevFile::parse("ups.status: OL\nTIMER 5\n");
//! assert_eq!(f.steps[1], Step::Timer(5));
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod dummy;

pub use nut_proto as proto;
