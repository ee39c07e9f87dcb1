//! `upsmon` and `upssched` logic for Network UPS Tools in Rust.
//!
//! The part of UPS software that must never miss a shutdown. Decisions are made by a sans-IO
//! state machine that takes poll results and the clock as input and returns what to do
//! (notify, set FSD, wait for secondaries, run the shutdown command), so they can be tested
//! against every power scenario with a fake clock.
//!
//! # Layout
//! - [`upsmon`]: the shutdown decision ([`upsmon::Monitor`]), notifications and settings.
//! - [`upssched`]: which `AT` lines a notification triggers, the daemon protocol, and the
//!   timer daemon's state ([`upssched::TimerDaemon`]).
//! - [`runtime`]: the tokio layer: polling upsd through `nut-client`, notifications,
//!   POWERDOWNFLAG and SHUTDOWNCMD, privilege separation, PID files, and upssched's client
//!   and timer daemon. The `upsmon` and `upssched` binaries are thin wrappers around it.
//! - [`error`]: the crate's error type, [`MonitorError`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod runtime;
pub mod upsmon;
pub mod upssched;

pub use error::MonitorError;
pub use nut_proto as proto;
