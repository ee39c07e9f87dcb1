//! `upsd` as a library: the data server of Network UPS Tools in Rust.
//!
//! This crate will hold a sans-IO per-connection session, the served UPS table, permission
//! checks from `upsd.users`, links to driver sockets, STARTTLS, and a thin tokio layer that serves
//! the NUT network protocol (RFC 9271) on bound listeners.
//!
//! It is an empty skeleton for now: nothing here works yet, and nothing pretends to.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod state;

pub use nut_driver_core as driver_core;
pub use nut_proto as proto;
