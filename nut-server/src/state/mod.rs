//! The served state: every UPS from `ups.conf` with the data its driver published, logged-in
//! clients, the FSD latch, and TRACKING results. Pure data with methods; no I/O, no clock
//! reads (time is passed in), no OS randomness (tracking ids come from a generator the caller
//! seeds or supplies).

mod logins;
mod tracking;
mod ups;

use std::fmt;
use std::time::Instant;

use nut_driver_core::sock::DriverMsg;

pub use logins::Login;
pub use tracking::{uuid_v4, TrackingState, TrackingTable};
pub use ups::{LinkState, UpsEntry};

use crate::{auth::Users, config::ServedConfig, config::UpsDef, descriptions::Descriptions};
use logins::Logins;

/// Identifies one client connection for the lifetime of the server. The network layer hands
/// them out in increasing order of connection: `LIST CLIENT` lists higher ids first (newest
/// connection first, as upsd does).
pub type ConnId = u64;

/// Source of the 16 random bytes behind each tracking id.
pub type IdSource = Box<dyn FnMut() -> [u8; 16] + Send + Sync>;

/// What a [`ServerState::reload`] changed that upsd reports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// UPSes kept whose driver changed (upsd: `Redefined UPS [x]`), in `ups.conf` order.
    pub redefined: Vec<String>,
    /// UPSes no longer in `ups.conf` (upsd: `Deleting UPS [x]`), each with the clients that
    /// were logged in to it and are to be disconnected (`Kicking client ...`).
    pub deleted: Vec<(String, Vec<Login>)>,
    /// How many UPSes are served now.
    pub remaining: usize,
}

/// The least time between two complaints about a driver that cannot be reached.
pub const CONNFAIL_INTERVAL: std::time::Duration = std::time::Duration::from_secs(300);

/// Everything upsd serves, shared by all sessions.
pub struct ServerState {
    cfg: ServedConfig,
    upses: Vec<UpsEntry>,
    descriptions: Descriptions,
    logins: Logins,
    tracking: TrackingTable,
    ids: IdSource,
}

impl fmt::Debug for ServerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerState")
            .field("cfg", &self.cfg)
            .field("upses", &self.upses)
            .field("logins", &self.logins)
            .field("tracking", &self.tracking)
            .finish_non_exhaustive()
    }
}

impl ServerState {
    /// The state for a configuration, with every driver disconnected.
    ///
    /// Tracking ids come from a xorshift generator with a fixed seed until
    /// [`ServerState::seed_tracking_ids`] or [`ServerState::set_id_source`] is called: the
    /// server binary seeds it from the OS so ids differ from one start to the next (real upsd
    /// hands out the same sequence after every start).
    pub fn new(cfg: ServedConfig, descriptions: Descriptions) -> Self {
        let upses = cfg.upses.iter().map(UpsEntry::new).collect();
        let mut state = Self {
            cfg,
            upses,
            descriptions,
            logins: Logins::default(),
            tracking: TrackingTable::default(),
            ids: Box::new(|| [0; 16]),
        };
        state.seed_tracking_ids(0x9e37_79b9_7f4a_7c15);
        state
    }

    /// Seeds the tracking id generator (xorshift64*; a zero seed is replaced by a constant).
    pub fn seed_tracking_ids(&mut self, seed: u64) {
        let mut x = if seed == 0 {
            0x2545_f491_4f6c_dd1d
        } else {
            seed
        };
        self.ids = Box::new(move || {
            let mut out = [0u8; 16];
            for half in out.chunks_mut(8) {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                half.copy_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_be_bytes());
            }
            out
        });
    }

    /// Replaces the tracking id generator (tests use a fixed sequence).
    pub fn set_id_source(&mut self, ids: IdSource) {
        self.ids = ids;
    }

    /// Applies a new configuration: users, limits and the UPS table. UPSes that remain (same
    /// name, ignoring case) keep their data, link and FSD latch; new ones start disconnected;
    /// removed ones are dropped with their logins. Says what upsd logs of it.
    pub fn reload(&mut self, cfg: ServedConfig) -> ReloadReport {
        let mut report = ReloadReport::default();
        let mut old = std::mem::take(&mut self.upses);
        let mut kept = Vec::with_capacity(cfg.upses.len());
        for def in &cfg.upses {
            let same = |u: &UpsEntry| u.name.eq_ignore_ascii_case(&def.name);
            kept.push(match old.iter().position(same) {
                Some(i) => {
                    let mut entry = old.remove(i);
                    // upsd reconnects (and says so) when the socket name changes.
                    if !entry.driver.eq(&def.driver) {
                        report.redefined.push(def.name.clone());
                    }
                    entry.update(def);
                    entry
                }
                None => UpsEntry::new(def),
            });
        }
        self.upses = kept;
        report.remaining = self.upses.len();
        for gone in old {
            let kicked = self
                .logins
                .of_ups(&gone.name)
                .into_iter()
                .cloned()
                .collect();
            self.logins.drop_ups(&gone.name);
            report.deleted.push((gone.name, kicked));
        }
        self.cfg = cfg;
        report
    }

    /// The UPS definitions, in `ups.conf` order (for driver links).
    pub fn ups_defs(&self) -> Vec<UpsDef> {
        self.upses.iter().map(UpsEntry::def).collect()
    }

    /// The configuration in force.
    pub fn config(&self) -> &ServedConfig {
        &self.cfg
    }

    /// The users in force.
    pub fn users(&self) -> &Users {
        &self.cfg.users
    }

    /// The descriptions used by `GET DESC` / `GET CMDDESC`.
    pub fn descriptions(&self) -> &Descriptions {
        &self.descriptions
    }

    /// Replaces the descriptions.
    pub fn set_descriptions(&mut self, descriptions: Descriptions) {
        self.descriptions = descriptions;
    }

    /// Every UPS, in `ups.conf` order.
    pub fn upses(&self) -> &[UpsEntry] {
        &self.upses
    }

    /// A UPS by name, ignoring case (upsd's `get_ups_ptr`).
    pub fn ups(&self, name: &str) -> Option<&UpsEntry> {
        self.upses
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    /// A UPS by name, ignoring case, for changes.
    pub fn ups_mut(&mut self, name: &str) -> Option<&mut UpsEntry> {
        self.upses
            .iter_mut()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }

    /// The driver socket of `ups` was connected and `DUMPALL` sent: the tree is emptied and
    /// `ups.status` reads `WAIT` until the dump is done.
    pub fn driver_connected(&mut self, ups: &str, now: Instant) {
        if let Some(u) = self.ups_mut(ups) {
            u.connected(now);
        }
    }

    /// One line from the driver of `ups`.
    pub fn driver_msg(&mut self, ups: &str, msg: &DriverMsg, now: Instant) {
        if let DriverMsg::Tracking { id, result } = msg {
            self.tracking.set(id, result.code());
        }
        if let Some(u) = self.ups_mut(ups) {
            u.apply(msg, now);
        }
    }

    /// The driver of `ups` could not be reached at `now`: true when upsd complains about it,
    /// that is when it did not in the last [`CONNFAIL_INTERVAL`] (upsd's `SS_CONNFAIL_INT`).
    pub fn driver_unreachable(&mut self, ups: &str, now: Instant) -> bool {
        let Some(u) = self.ups_mut(ups) else {
            return false;
        };
        let due = (u.last_connfail).is_none_or(|t| now.duration_since(t) >= CONNFAIL_INTERVAL);
        if due {
            u.last_connfail = Some(now);
        }
        due
    }

    /// The driver socket of `ups` was lost: its data is gone.
    pub fn driver_lost(&mut self, ups: &str) {
        if let Some(u) = self.ups_mut(ups) {
            u.lost();
        }
    }

    /// True when the driver of `ups` should get a `PING`: nothing heard from it for more than
    /// `MAXAGE/3`, and no `PING` sent in that long.
    pub fn ping_due(&self, ups: &str, now: Instant) -> bool {
        self.ups(ups)
            .is_some_and(|u| u.ping_due(now, self.cfg.maxage))
    }

    /// Records that a `PING` went to the driver of `ups`.
    pub fn ping_sent(&mut self, ups: &str, now: Instant) {
        if let Some(u) = self.ups_mut(ups) {
            u.last_ping = Some(now);
        }
    }

    /// The earliest instant at which a driver will need a `PING` or a UPS turn stale, for the
    /// network layer's timer (`None` when no driver is connected).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let third = self.cfg.maxage / 3;
        self.upses
            .iter()
            .filter(|u| u.link != LinkState::Disconnected)
            .filter_map(|u| u.last_heard)
            .map(|t| t + third)
            .min()
    }

    /// Drops tracking results older than `TRACKINGDELAY`.
    pub fn tracking_expire(&mut self, now: Instant) {
        self.tracking.expire(now, self.cfg.trackingdelay);
    }

    /// The tracking table.
    pub fn tracking(&self) -> &TrackingTable {
        &self.tracking
    }

    /// A new tracking id (upper-case UUID v4), registered as pending.
    pub(crate) fn new_tracking_id(&mut self) -> String {
        uuid_v4((self.ids)())
    }

    /// Registers a tracking id as pending.
    pub(crate) fn tracking_add(&mut self, id: &str, now: Instant) {
        self.tracking.add(id, now);
    }

    /// Number of clients logged in to `ups` (canonical or any-case name).
    pub fn numlogins(&self, ups: &str) -> usize {
        self.logins.count(ups)
    }

    /// Logged-in clients of `ups`, newest connection first.
    pub fn clients(&self, ups: &str) -> Vec<&Login> {
        self.logins.of_ups(ups)
    }

    /// Records that connection `conn` from `addr` logged in to `ups`.
    pub(crate) fn login(&mut self, conn: ConnId, ups: &str, addr: &str) {
        self.logins.add(conn, ups, addr);
    }

    /// Forgets the login of a closed connection.
    pub(crate) fn logout(&mut self, conn: ConnId) {
        self.logins.remove(conn);
    }
}
