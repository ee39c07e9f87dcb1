//! The served state: every UPS from `ups.conf` with the data its driver published, logged-in
//! clients, the FSD latch, and TRACKING results. Pure data with methods; no I/O, no clock
//! reads (time is passed in).

mod tracking;
mod ups;

pub use tracking::{TrackingState, TrackingTable};
pub use ups::{LinkState, UpsEntry};

/// Identifies one client connection for the lifetime of the server.
pub type ConnId = u64;
