//! One served UPS: its driver link, the data its driver published, staleness and the FSD
//! latch.
//!
//! Mirrors upsd 2.8.0's `sstate.c`: on connect the tree is emptied and `ups.status` reads
//! `WAIT` until the dump arrives; `DATAOK`/`DATASTALE` only count once `DUMPDONE` was seen;
//! a UPS not heard from for more than `MAXAGE` is stale; losing the link empties the tree.
//! Only recognised driver lines count as "heard".

use std::borrow::Cow;
use std::time::{Duration, Instant};

use nut_driver_core::{sock::DriverMsg, tree::VarTree};
use nut_proto::ErrorCode;

use crate::config::UpsDef;

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
    /// False until the driver says `DATAOK`, and after `DATASTALE` (kept across reconnects,
    /// as upsd keeps it).
    pub data_ok: bool,
    /// The FSD latch (set by `FSD`; cleared only by a restart).
    pub fsd: bool,
    /// When anything was last heard from the driver.
    pub last_heard: Option<Instant>,
    /// When the last `PING` was sent.
    pub last_ping: Option<Instant>,
    /// When upsd last complained that the driver could not be reached (kept across
    /// reconnections and reloads, as upsd's `last_connfail`).
    pub last_connfail: Option<Instant>,
}

impl UpsEntry {
    /// A UPS from its definition, with no driver link yet.
    pub fn new(def: &UpsDef) -> Self {
        Self {
            name: def.name.clone(),
            desc: def.desc.clone(),
            driver: def.driver.clone(),
            port: def.port.clone(),
            tree: VarTree::new(),
            link: LinkState::Disconnected,
            data_ok: false,
            fsd: false,
            last_heard: None,
            last_ping: None,
            last_connfail: None,
        }
    }

    /// The definition this entry serves.
    pub fn def(&self) -> UpsDef {
        UpsDef {
            name: self.name.clone(),
            driver: self.driver.clone(),
            port: self.port.clone(),
            desc: self.desc.clone(),
        }
    }

    /// Takes a changed definition (on reload), keeping the data.
    pub(crate) fn update(&mut self, def: &UpsDef) {
        self.name = def.name.clone();
        self.desc = def.desc.clone();
        self.driver = def.driver.clone();
        self.port = def.port.clone();
    }

    /// The driver socket was connected and `DUMPALL` sent.
    pub fn connected(&mut self, now: Instant) {
        self.tree = VarTree::new();
        self.tree.set("ups.status", "WAIT");
        self.link = LinkState::Dumping;
        self.last_heard = Some(now);
        self.last_ping = None;
    }

    /// The driver socket was lost: the data goes with it.
    pub fn lost(&mut self) {
        self.tree = VarTree::new();
        self.link = LinkState::Disconnected;
    }

    /// Applies one line from the driver (ignored while disconnected). Every line counts as
    /// "heard"; `TRACKING` results are recorded by the caller, in the global table.
    pub fn apply(&mut self, msg: &DriverMsg, now: Instant) {
        if self.link == LinkState::Disconnected {
            return;
        }
        match msg {
            DriverMsg::DumpDone => self.link = LinkState::Live,
            DriverMsg::DataOk => self.data_ok = true,
            DriverMsg::DataStale => self.data_ok = false,
            other => {
                self.tree.apply(other);
            }
        }
        self.last_heard = Some(now);
    }

    /// upsd's `ups_available`: `Ok` when the driver is connected and its data fresh at `now`,
    /// else the error a data command answers.
    pub fn available(&self, now: Instant, maxage: Duration) -> Result<(), ErrorCode> {
        if self.link == LinkState::Disconnected {
            return Err(ErrorCode::DriverNotConnected);
        }
        if self.link == LinkState::Live && !self.data_ok {
            return Err(ErrorCode::DataStale);
        }
        if self.silent_for(now) > maxage {
            return Err(ErrorCode::DataStale);
        }
        Ok(())
    }

    /// True when the driver should be prodded with `PING`: connected, nothing heard for more
    /// than a third of `maxage`, and no `PING` sent in that long either.
    pub fn ping_due(&self, now: Instant, maxage: Duration) -> bool {
        let third = maxage / 3;
        let since_ping = self
            .last_ping
            .map_or(Duration::MAX, |t| now.saturating_duration_since(t));
        self.link != LinkState::Disconnected && self.silent_for(now) > third && since_ping > third
    }

    /// Time since the driver was last heard (zero when never connected).
    fn silent_for(&self, now: Instant) -> Duration {
        self.last_heard
            .map_or(Duration::ZERO, |t| now.saturating_duration_since(t))
    }

    /// The value of a variable as served: `ups.status` carries `FSD ` in front while the FSD
    /// latch is set.
    pub fn served_value(&self, var: &str) -> Option<Cow<'_, str>> {
        let value = self.tree.value(var)?;
        Some(if self.fsd && var.eq_ignore_ascii_case("ups.status") {
            Cow::Owned(format!("FSD {value}"))
        } else {
            Cow::Borrowed(value)
        })
    }
}
