//! `upsd` as a library: the data server of Network UPS Tools in Rust.
//!
//! A sans-IO core decides everything the protocol says; a thin tokio layer moves bytes:
//!
//! - What it does not do in the core: no sockets, no files, no clock reads — [`Session`] and
//!   [`ServerState`] take `now` as an argument and are tested without I/O.
//! - What the network layer adds ([`net`]): bound listeners in, a connection cap, one task per
//!   client, STARTTLS with rustls, driver links, reloads.
//!
//! # Layout
//! - [`config`]: [`ServedConfig`] from upsd.conf, upsd.users and ups.conf.
//! - [`auth`]: user rights from upsd.users.
//! - [`descriptions`]: variable and command descriptions (`cmdvartab`).
//! - [`state`]: the served UPS table, logins, FSD latch, TRACKING.
//! - [`session`]: one client's conversation, request line in, reply out.
//! - [`net`]: [`Server`], [`Backend`] ([`DriverSockets`], [`InProcess`]), TLS, daemon plumbing.
//!
//! # Example
//! ```no_run
//! use nut_server::{Descriptions, Server, ServerOptions, ServerState, ServedConfig, UpsDef};
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let cfg = ServedConfig::new(vec![UpsDef::new("ups", "dummy-ups", "ups.dev")], Default::default());
//! let server = Server::new(ServerState::new(cfg, Descriptions::builtin()), ServerOptions::new("/run/nut"));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3493").await?;
//! server.serve(vec![listener], async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
pub mod config;
pub mod descriptions;
pub mod error;
pub mod net;
pub mod session;
pub mod state;

pub use config::{ServedConfig, UpsDef};
pub use descriptions::Descriptions;
pub use error::ServerError;
pub use session::{NeedsExclusive, Reply, Session, TlsPolicy};
pub use state::{ConnId, ReloadReport, ServerState};

pub use net::{Backend, DriverSockets, InProcess, Server, ServerHandle, ServerOptions, UpsLink};

pub use nut_driver_core as driver_core;
pub use nut_proto as proto;
