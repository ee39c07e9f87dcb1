//! The error type of `nut-driver-core`.

use nut_proto::ParseError;

/// Everything that can go wrong in the driver core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// A driver-socket line that is not a message of the protocol.
    #[error("driver socket: {0}")]
    Parse(#[from] ParseError),
}
