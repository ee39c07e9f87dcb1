//! `upsd` as a library: the data server of Network UPS Tools in Rust.
//!
//! This crate will hold a sans-IO per-connection session, the served UPS table, permission
//! checks from `upsd.users`, links to driver sockets, STARTTLS, and a thin tokio layer that serves
//! the NUT network protocol (RFC 9271) on bound listeners.
//!
//! The sans-IO core is in place: [`config`], [`auth`], [`descriptions`], [`state`] and
//! [`session`]; the network layer is not written yet.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod config;
pub mod descriptions;
pub mod error;
pub mod session;
pub mod state;

pub use config::{ServedConfig, UpsDef};
pub use descriptions::Descriptions;
pub use error::ServerError;
pub use session::{Reply, Session, TlsPolicy};
pub use state::{ConnId, ServerState};

pub use nut_driver_core as driver_core;
pub use nut_proto as proto;
