//! [`ClientConfig`]: timeouts, limits and whether to use STARTTLS.

use std::time::Duration;

use crate::tls::TlsConfig;

/// Whether [`Client::connect_with`](crate::Client::connect_with) sends STARTTLS.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum TlsMode {
    /// Never: the whole session is plain text.
    #[default]
    Plain,
    /// Send STARTTLS; if the server answers that TLS is not configured or not supported
    /// (`ERR FEATURE-NOT-CONFIGURED`, `FEATURE-NOT-SUPPORTED`, `UNKNOWN-COMMAND`), carry on in
    /// plain text, as `upsc` does. A failed handshake is still an error.
    Try(TlsConfig),
    /// Send STARTTLS and fail unless the session is encrypted.
    Require(TlsConfig),
}

/// Settings of a client connection.
///
/// ```
/// use std::time::Duration;
/// use nut_client::ClientConfig;
///
/// let config = ClientConfig::default().io_timeout(Duration::from_secs(5));
/// assert_eq!(config.connect_timeout, Duration::from_secs(10));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Limit for establishing the TCP connection (and the STARTTLS handshake).
    pub connect_timeout: Duration,
    /// Limit for one request: sending it and reading its whole reply.
    pub io_timeout: Duration,
    /// STARTTLS policy.
    pub tls: TlsMode,
    /// Longest reply line accepted, in bytes.
    pub max_line: usize,
    /// Most items accepted in one list reply.
    pub max_list_items: usize,
}

/// Default limit for one list reply; real devices have a few hundred variables.
pub const DEFAULT_MAX_LIST_ITEMS: usize = 100_000;
/// Default longest reply line; upstream replies are at most 512 bytes.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            io_timeout: Duration::from_secs(30),
            tls: TlsMode::Plain,
            max_line: DEFAULT_MAX_LINE,
            max_list_items: DEFAULT_MAX_LIST_ITEMS,
        }
    }
}

impl ClientConfig {
    /// Sets the connect timeout.
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the per-request timeout.
    #[must_use]
    pub fn io_timeout(mut self, timeout: Duration) -> Self {
        self.io_timeout = timeout;
        self
    }

    /// Sets the STARTTLS policy.
    #[must_use]
    pub fn tls(mut self, mode: TlsMode) -> Self {
        self.tls = mode;
        self
    }

    /// Sets the longest reply line accepted.
    #[must_use]
    pub fn max_line(mut self, bytes: usize) -> Self {
        self.max_line = bytes;
        self
    }

    /// Sets the most items accepted in one list reply.
    #[must_use]
    pub fn max_list_items(mut self, items: usize) -> Self {
        self.max_list_items = items;
        self
    }
}
