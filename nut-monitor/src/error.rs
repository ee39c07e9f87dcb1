//! The error type of `nut-monitor`.

use std::fmt;
use std::io;
use std::sync::Arc;

use nut_proto::ConfigError;

/// Everything that can go wrong in the monitor crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// A configuration file is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A file, socket or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The system error.
        source: IoError,
    },
    /// upssched could not reach its timer daemon, nor start one.
    #[error("Unable to connect to daemon and unable to start daemon")]
    DaemonUnreachable,
}

impl MonitorError {
    /// An I/O error while doing `context`.
    pub fn io(context: impl Into<String>, e: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source: IoError(Arc::new(e)),
        }
    }
}

/// An [`io::Error`] that can be cloned and compared (by kind and text).
#[derive(Debug, Clone)]
pub struct IoError(pub Arc<io::Error>);

impl PartialEq for IoError {
    fn eq(&self, other: &Self) -> bool {
        self.0.kind() == other.0.kind() && self.0.to_string() == other.0.to_string()
    }
}

impl Eq for IoError {}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}
