//! The error type of `nut-monitor`.

use nut_proto::ConfigError;

/// Everything that can go wrong in the monitor crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MonitorError {
    /// A configuration file is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
}
