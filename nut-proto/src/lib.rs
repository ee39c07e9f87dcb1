//! Sans-IO building blocks of Network UPS Tools in Rust.
//!
//! `nut-proto` turns NUT text into typed values and back: the network protocol of `upsd`
//! (RFC 9271, protocol version 1.3), NUT's configuration files, and the data model of UPS
//! names, variables, types and status flags. It does no I/O of its own: no sockets, no files,
//! no clock. Callers hand it bytes or strings and get values back (and the reverse), so every
//! other crate of the workspace — server, client, monitor, drivers — shares one definition of
//! each message.
//!
//! # Layout
//! - [`text`]: word splitting with NUT's quoting rules, quoting for output, line framing.
//! - [`model`]: UPS addresses, variable types, `ups.status` flags.
//! - [`request`] / [`response`]: every message of the network protocol, parse and `Display`.
//! - [`config`]: `ups.conf`, `upsd.conf`, `upsd.users`, `upsmon.conf`, `upssched.conf`,
//!   `nut.conf`, `hosts.conf`.
//! - [`error`]: [`ParseError`], [`ConfigError`] and the crate-wide [`ProtoError`].
//!
//! # Example
//! ```
//! use nut_proto::text::split_line;
//! let words = split_line(r#"VAR myups ups.status "OL CHRG""#).unwrap();
//! assert_eq!(words, ["VAR", "myups", "ups.status", "OL CHRG"]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
pub mod error;
pub mod model;
pub mod request;
pub mod response;
pub mod text;

pub use error::{ConfigError, ConfigErrorKind, ParseError, ProtoError};
pub use model::{SplitName, StatusFlag, UpsAddr, UpsStatus, VarKind, VarType, DEFAULT_PORT};
pub use request::{Get, List, Request};
pub use response::{ErrorCode, ListCollector, ListError, ListItem, ListKind, Response};
