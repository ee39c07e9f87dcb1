//! Everything tokio: the accept loop, per-connection tasks, STARTTLS, and the backends that
//! feed UPS data into the shared [`ServerState`](crate::ServerState).
//!
//! The protocol itself lives in the sans-IO [`Session`](crate::Session) and
//! [`ServerState`](crate::ServerState); this layer only moves bytes:
//!
//! - [`Server::serve`] accepts on any number of bound listeners until `shutdown` resolves,
//!   caps the number of clients ([`ServerOptions::maxconn`]: extra clients are logged and
//!   disconnected at once instead of waiting silently in the kernel queue, as real upsd does),
//!   and spawns one task per client.
//! - Each client task splits its bytes into words with NUT's rules and the network bounds
//!   ([`Limits::NETWORK`](nut_proto::text::Limits::NETWORK): 32 words of 512 bytes, 64 KiB per
//!   line), hands every line to its `Session`, and writes all replies of one read in one write
//!   with `TCP_NODELAY` on. A client that never reads blocks only its own task: the shared
//!   state lock is never held across an `await`, and pending output is bounded.
//! - A [`Backend`] brings each UPS's data: [`DriverSockets`] (the default) connects to driver
//!   sockets like upsd; [`InProcess`] hosts [`Driver`](nut_driver_core::Driver)s in this
//!   process.
//! - [`ServerHandle::reload`] applies a new configuration without dropping clients.

mod backend;
mod connection;
pub mod daemon;
mod driver_link;
mod error;
mod inproc;
mod log;
pub mod os;
pub mod reload;
mod server;
pub mod tls;
pub mod upsd;

pub use backend::{Backend, UpsLink};
pub use driver_link::DriverSockets;
pub use error::NetError;
pub use inproc::InProcess;
pub use log::{Level, Logger};
pub use server::{Server, ServerHandle, ServerOptions};
