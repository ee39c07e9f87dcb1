//! TRACKING ids and their results, global across connections (as in upsd 2.8.0).
//!
//! An id is added as pending when a tracked SET or INSTCMD goes to the driver; the driver's
//! `TRACKING <id> <code>` sets its result; results older than `TRACKINGDELAY` are dropped.
//! Ids are compared ignoring case. A code other than 0–3 (or -1, pending) answers
//! `ERR UNKNOWN`, as upsd's lookup falls through for it.

use std::time::{Duration, Instant};

use nut_driver_core::sock::TrackingResult;

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

impl TrackingState {
    /// From the code a driver reports (`-1` is pending again, as in upsd).
    pub fn from_code(code: i64) -> Self {
        match TrackingResult::from_code(code) {
            TrackingResult::Handled => Self::Success,
            TrackingResult::Invalid => Self::Invalid,
            TrackingResult::Failed => Self::Failed,
            TrackingResult::Other(-1) => Self::Pending,
            _ => Self::Unknown,
        }
    }

    /// The reply line to `GET TRACKING <id>` (without the newline).
    pub fn reply(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Success => "SUCCESS",
            Self::Unknown => "ERR UNKNOWN",
            Self::Invalid => "ERR INVALID-ARGUMENT",
            Self::Failed => "ERR FAILED",
        }
    }
}

#[derive(Debug, Clone)]
struct Entry {
    id: String,
    state: TrackingState,
    created: Instant,
}

/// Tracking ids handed out by the server, global across connections.
#[derive(Debug, Clone, Default)]
pub struct TrackingTable {
    entries: Vec<Entry>,
}

impl TrackingTable {
    /// Records a new pending id.
    pub fn add(&mut self, id: &str, now: Instant) {
        self.entries.push(Entry {
            id: id.to_owned(),
            state: TrackingState::Pending,
            created: now,
        });
    }

    /// Sets the result of an id from the driver's code; false for an unknown id.
    pub fn set(&mut self, id: &str, code: i64) -> bool {
        match self
            .entries
            .iter_mut()
            .find(|e| e.id.eq_ignore_ascii_case(id))
        {
            Some(e) => {
                e.state = TrackingState::from_code(code);
                true
            }
            None => false,
        }
    }

    /// The state of an id.
    pub fn get(&self, id: &str) -> Option<TrackingState> {
        self.entries
            .iter()
            .find(|e| e.id.eq_ignore_ascii_case(id))
            .map(|e| e.state)
    }

    /// Drops results older than `delay`.
    pub fn expire(&mut self, now: Instant, delay: Duration) {
        self.entries
            .retain(|e| now.saturating_duration_since(e.created) <= delay);
    }

    /// Number of ids kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no id is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Formats 16 random bytes as an upper-case UUID version 4 (RFC 4122 variant bits set).
///
/// ```
/// use nut_server::state::uuid_v4;
/// assert_eq!(uuid_v4([0xff; 16]), "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF");
/// ```
pub fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: Vec<String> = b.iter().map(|x| format!("{x:02X}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        hex[0..4].concat(),
        hex[4..6].concat(),
        hex[6..8].concat(),
        hex[8..10].concat(),
        hex[10..16].concat()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_set_case_insensitively_and_expire() {
        let t0 = Instant::now();
        let mut t = TrackingTable::default();
        t.add("ABC", t0);
        assert_eq!(t.get("abc"), Some(TrackingState::Pending));
        assert!(t.set("abc", 3));
        assert_eq!(t.get("ABC").map(TrackingState::reply), Some("ERR FAILED"));
        assert!(!t.set("other", 0));
        t.add("DEF", t0 + Duration::from_secs(5));
        t.expire(t0 + Duration::from_secs(10), Duration::from_secs(10));
        assert_eq!(t.len(), 2, "exactly TRACKINGDELAY old is kept");
        t.expire(t0 + Duration::from_secs(11), Duration::from_secs(10));
        assert_eq!(t.get("ABC"), None);
        assert_eq!(t.get("DEF"), Some(TrackingState::Pending));
    }

    #[test]
    fn codes_map_like_upsd() {
        let r = |c| TrackingState::from_code(c).reply();
        assert_eq!(r(0), "SUCCESS");
        assert_eq!(r(1), "ERR UNKNOWN");
        assert_eq!(r(2), "ERR INVALID-ARGUMENT");
        assert_eq!(r(3), "ERR FAILED");
        assert_eq!(r(-1), "PENDING");
        assert_eq!(r(42), "ERR UNKNOWN");
    }

    #[test]
    fn uuid_shape() {
        let id = uuid_v4([0; 16]);
        assert_eq!(id, "00000000-0000-4000-8000-000000000000");
    }
}
