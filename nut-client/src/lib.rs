//! An async client for the Network UPS Tools network protocol (RFC 9271, protocol 1.3).
//!
//! `nut-client` talks to a NUT server (`upsd`, ours or the original) the way `upsc`, `upsrw`,
//! `upscmd` and `upsmon` do: one [`Client`] is one connection, with a typed async method per
//! request ([`Client::list_vars`], [`Client::get_var`], [`Client::set_var`],
//! [`Client::instcmd_wait`], [`Client::login`], …), optional STARTTLS with rustls, and a
//! timeout on connecting and on every request. Values come back as plain `String`s, exactly
//! as the server sent them.
//!
//! What it does not do: it parses no protocol text itself (every request and reply is a type
//! of [`nut_proto`], re-exported as [`proto`]); it keeps no state beyond the connection (no
//! polling loop, no reconnects: that is `nut-monitor`'s job); it sends one request at a time.
//! It reads no configuration files except the certificate files a [`TlsConfig`] names
//! (the `tools` module, which is the programs' logic, does print and prompt).
//!
//! # Layout
//! - [`Client`] (`client/`): connect, attach, and the request methods, one file per command
//!   family; STARTTLS for the default [`Transport`].
//! - [`ClientConfig`], [`TlsMode`] (`config.rs`): timeouts, limits, STARTTLS policy.
//! - [`TlsConfig`] (`tls.rs`): CA file or directory, pinned certificate, client certificate.
//! - [`Transport`] (`transport.rs`): TCP that can be upgraded to TLS in place.
//! - [`ClientError`], [`TlsError`] (`error.rs`).
//! - `connection.rs` (private): request out, reply lines in, through
//!   [`nut_proto::text::LineDecoder`] with a bounded line length.
//! - [`blocking`] (feature `blocking`, on by default): the same API without async.
//! - [`tools`] (feature `tools`, on by default): the logic of NUT's client programs `upsc`,
//!   `upscmd`, `upsrw` and `upslog`, NUT-exact, on top of [`Client`]'s raw lines
//!   ([`Client::raw_line`]) and libupsclient's error texts ([`ClientError::upscli_text`]).
//!
//! # Example
//! ```no_run
//! # async fn demo() -> Result<(), nut_client::ClientError> {
//! use nut_client::Client;
//!
//! let mut client = Client::connect("127.0.0.1", 3493).await?;
//! for (ups, desc) in client.list_ups().await? {
//!     let status = client.get_var(&ups, "ups.status").await?;
//!     println!("{ups} ({desc}): {status}");
//! }
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod config;
mod connection;
mod error;
mod tls;
#[cfg(feature = "tools")]
pub mod tools;
mod transport;

pub use nut_proto as proto;

pub use client::{Client, TrackingStatus, DEFAULT_TRACKING_TIMEOUT};
pub use config::{ClientConfig, TlsMode, DEFAULT_MAX_LINE, DEFAULT_MAX_LIST_ITEMS};
pub use error::{ClientError, Stage as UpscliStage, TlsError};
pub use tls::TlsConfig;
pub use transport::Transport;
