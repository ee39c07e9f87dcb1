//! The crate-wide error of `nut-server`.

use nut_proto::{ConfigError, ParseError};

/// Everything that can go wrong in `nut-server` outside of protocol replies (which are
/// `ERR <code>` lines, [`nut_proto::ErrorCode`], sent to the client and never an `Err` here).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// A configuration file could not be parsed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Malformed protocol text where a whole message was required.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// `ups.conf` defines no usable UPS and `ALLOW_NO_DEVICE` is not set.
    #[error("Fatal error: at least one UPS must be defined in ups.conf")]
    NoDevices,
    /// Two `ups.conf` sections name the same UPS, ignoring case (upsd finds UPSes by
    /// case-insensitive name, so the second could never be reached).
    // ---- variants added by the network layer (h8-server-net) go below this line ----
    /// The network layer failed (binding, TLS setup, files of the daemon plumbing).
    #[error(transparent)]
    Net(#[from] crate::net::NetError),
}
