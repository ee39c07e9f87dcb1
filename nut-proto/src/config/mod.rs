//! Parsers for NUT's configuration files, each a pure function from the file's text (and its
//! name, for error messages) to a typed value.
//!
//! Every format follows what the NUT 2.8.0 program that reads it accepts:
//! - problems that make the program exit are returned as `Err(ConfigError)`;
//! - problems it only logs (a line that cannot be split into words, an unknown directive, a
//!   bad value) are kept as [`Parsed::warnings`], each with its file and line, and the line is
//!   skipped.
//!
//! Each config type implements `Display`, writing a file that parses back to the same value.
//!
//! # Layout
//! - [`ups_conf`]: `ups.conf` (drivers, read by upsdrvctl, the drivers and upsd).
//! - [`upsd_conf`]: `upsd.conf` (server settings).
//! - [`upsd_users`]: `upsd.users` (server accounts).
//! - [`upsmon_conf`]: `upsmon.conf` (monitor settings, notifications).
//! - [`upssched_conf`]: `upssched.conf` (timers driven by notifications).
//! - [`nut_conf`]: `nut.conf` (the shell fragment selecting the `MODE`).
//! - [`hosts_conf`]: `hosts.conf` (UPSes the CGI programs may show).
//! - [`notify`]: the notification types shared by upsmon and upssched.
//!
//! # Example
//! ```
//! use nut_proto::config::ups_conf::UpsConf;
//!
//! let parsed = UpsConf::parse("[myups]\n driver = dummy-ups\n port = ups.dev\n", "ups.conf").unwrap();
//! let ups = &parsed.config.sections[0];
//! assert_eq!((ups.name.as_str(), ups.driver.as_deref()), ("myups", Some("dummy-ups")));
//! assert!(parsed.warnings.is_empty());
//! ```

mod common;
pub mod hosts_conf;
pub mod notify;
pub mod nut_conf;
pub mod ups_conf;
pub mod upsd_conf;
pub mod upsd_users;
pub mod upsmon_conf;
pub mod upssched_conf;

use crate::error::ConfigError;

pub use hosts_conf::HostsConf;
pub use notify::NotifyType;
pub use nut_conf::NutConf;
pub use ups_conf::UpsConf;
pub use upsd_conf::UpsdConf;
pub use upsd_users::UpsdUsers;
pub use upsmon_conf::UpsmonConf;
pub use upssched_conf::UpsschedConf;

/// A successfully parsed configuration and the non-fatal problems found on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    /// The configuration.
    pub config: T,
    /// Lines that NUT would log and skip, in file order.
    pub warnings: Vec<ConfigError>,
}
