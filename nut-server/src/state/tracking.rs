//! TRACKING ids and their results.

/// The state of one tracked SET or INSTCMD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingState {
    /// Sent to the driver, no answer yet.
    Pending,
    /// The driver handled it (`SUCCESS`).
    Success,
    /// The driver did not know it (`ERR UNKNOWN`).
    Unknown,
    /// Invalid argument (`ERR INVALID-ARGUMENT`).
    Invalid,
    /// The driver failed (`ERR FAILED`).
    Failed,
}

/// Tracking ids handed out by the server, global across connections.
#[derive(Debug, Clone, Default)]
pub struct TrackingTable {}
