//! Failures of the network layer (absorbed into [`ServerError`](crate::ServerError)).

use std::io;
use std::sync::Arc;

/// Why the network layer or the daemon plumbing failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum NetError {
    /// An I/O operation failed; `context` says which (a path, an address).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The OS error.
        source: Arc<io::Error>,
    },
    /// The TLS certificate or key could not be used.
    #[error("{path}: {reason}")]
    Tls {
        /// The file (CERTFILE or CERTPATH).
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No listening address could be bound.
    #[error("no listening interface available")]
    NoListener,
}

impl PartialEq for NetError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for NetError {}

impl NetError {
    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source: Arc::new(source),
        }
    }
}
