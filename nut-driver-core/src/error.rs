//! The error type of `nut-driver-core`.

use std::sync::Arc;

use nut_proto::ParseError;

/// Everything that can go wrong in the driver core.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// A driver-socket line that is not a message of the protocol.
    #[error("driver socket: {0}")]
    Parse(#[from] ParseError),
    /// An operating-system error (device, socket, file).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// The device did not answer in time.
    #[error("device timeout: {0}")]
    Timeout(String),
    /// The device is absent or does not speak the expected protocol.
    #[error("device not found: {0}")]
    NoDevice(String),
    /// The device answered something the driver cannot use.
    #[error("bad device reply: {0}")]
    BadReply(String),
    /// A driver option or configuration value is wrong.
    #[error("configuration: {0}")]
    Config(String),
    /// The driver cannot do this (e.g. no way to power the load off).
    #[error("not supported: {0}")]
    Unsupported(String),
}

impl PartialEq for DriverError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl DriverError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source: Arc::new(source),
        }
    }
}
