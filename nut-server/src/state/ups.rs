//! One served UPS.

use std::time::Instant;

use nut_driver_core::tree::VarTree;

/// Where the link to a UPS's driver stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// No connection to the driver socket.
    Disconnected,
    /// Connected, `DUMPALL` sent, waiting for `DUMPDONE` (`ups.status` reads `WAIT`).
    Dumping,
    /// The dump is complete; updates flow.
    Live,
}

/// A UPS as upsd serves it.
#[derive(Debug, Clone)]
pub struct UpsEntry {
    /// Name from `ups.conf` (the section name).
    pub name: String,
    /// `desc` from `ups.conf`.
    pub desc: Option<String>,
    /// `driver` from `ups.conf`.
    pub driver: String,
    /// `port` from `ups.conf`.
    pub port: String,
    /// Data published by the driver.
    pub tree: VarTree,
    /// Link state.
    pub link: LinkState,
    /// False after the driver said `DATASTALE` (until `DATAOK`).
    pub data_ok: bool,
    /// The FSD latch (set by `FSD`; cleared only by a restart).
    pub fsd: bool,
    /// When anything was last heard from the driver.
    pub last_heard: Option<Instant>,
}
