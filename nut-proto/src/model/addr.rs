//! `upsname[@host[:port]]` addresses.

/// The IANA port of the NUT network protocol.
pub const DEFAULT_PORT: u16 = 3493;

/// A UPS address as clients take it on the command line: `upsname[@host[:port]]`.
///
/// `host` may be a name, an IPv4 address or a bracketed IPv6 address (`ups@[::1]:3493`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UpsAddr {
    /// UPS name (`None` only for a bare `host[:port]`, as `upsc -l` takes).
    pub ups: Option<String>,
    /// Host name or address; `localhost` when absent.
    pub host: String,
    /// TCP port.
    pub port: u16,
}
