//! What upsmon knows about one monitored UPS, and how a status line changes it.

use std::time::Instant;

use nut_proto::config::NotifyType;

/// Status flags upsmon tracks for one UPS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    /// `OL` seen last.
    pub online: bool,
    /// `OB` seen last.
    pub on_batt: bool,
    /// `LB` present (or presumed: dead while on battery).
    pub low_batt: bool,
    /// `FSD` present.
    pub fsd: bool,
    /// `CAL` present.
    pub cal: bool,
    /// `OFF` present.
    pub off: bool,
    /// `BYPASS` present.
    pub bypass: bool,
    /// `ECO` present.
    pub eco: bool,
    /// `ALARM` present.
    pub alarm: bool,
    /// `OVER` present.
    pub over: bool,
    /// `TRIM` present.
    pub trim: bool,
    /// `BOOST` present.
    pub boost: bool,
    /// Unknown tokens present (the text of the last OTHER notification).
    pub other: Option<String>,
}

/// Communication state, as upsmon keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comm {
    /// Never polled yet.
    Unknown,
    /// The last poll failed.
    Lost,
    /// The last poll worked.
    Ok,
}

/// One monitored UPS.
#[derive(Debug, Clone)]
pub struct UpsTrack {
    /// `ups@host[:port]` as in the MONITOR line.
    pub system: String,
    /// Power value (number of this host's supplies it feeds).
    pub power_value: u32,
    /// This host is the primary for it.
    pub primary: bool,
    /// Current flags.
    pub flags: Flags,
    /// Communication state.
    pub comm: Comm,
    /// `None` until the first OL/OB (so the first OL is not announced).
    pub line_known: bool,
    /// Last successful poll.
    pub last_poll: Option<Instant>,
    /// Last time the UPS was seen not critical (not OB+LB, or calibrating).
    pub last_noncrit: Option<Instant>,
    /// Last REPLBATT warning.
    pub last_rb_warn: Option<Instant>,
    /// Last NOCOMM warning.
    pub last_nocomm_warn: Option<Instant>,
    /// Since when the UPS reports OFF.
    pub off_since: Option<Instant>,
    /// Since when the UPS reports OB+LB.
    pub oblb_since: Option<Instant>,
}

/// Tokens upsmon knows; anything else in `ups.status` raises OTHER.
const KNOWN_TOKENS: [&str; 20] = [
    "OL", "OB", "LB", "HB", "RB", "CHRG", "DISCHRG", "BYPASS", "CAL", "OFF", "OVER", "TRIM",
    "BOOST", "FSD", "ALARM", "ECO", "WAIT", "TEST", "NOCOMM", "DEAD",
];

/// What a poll produced for one UPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollResult {
    /// `ups.status` as the server returned it (without the quotes).
    Status(String),
    /// The UPS could not be read (connection refused or lost, unknown UPS, stale data,
    /// driver not connected...).
    Failed,
    /// Not polled in this cycle: upsd refused the login on a new connection (upsmon keeps
    /// the connection and polls it from the next cycle on). Nothing changes for the UPS.
    Skipped,
}

/// Notifications a status change raises, in the order upsmon raises them, with details.
pub(crate) type Events = Vec<(NotifyType, String)>;

impl UpsTrack {
    /// A UPS not polled yet.
    pub fn new(system: String, power_value: u32, primary: bool) -> Self {
        Self {
            system,
            power_value,
            primary,
            flags: Flags::default(),
            comm: Comm::Unknown,
            line_known: false,
            last_poll: None,
            last_noncrit: None,
            last_rb_warn: None,
            last_nocomm_warn: None,
            off_since: None,
            oblb_since: None,
        }
    }

    /// The UPS answered: COMMOK on a lost → ok transition (not on the first contact).
    fn alive(&mut self, now: Instant, ev: &mut Events) {
        self.last_poll = Some(now);
        if self.comm == Comm::Lost {
            ev.push((NotifyType::CommOk, String::new()));
        }
        self.comm = Comm::Ok;
    }

    /// The UPS did not answer: COMMBAD on the first failure, then NOCOMM every
    /// `nocommwarntime` once the silence is that long. Like upsmon, in whole seconds: the
    /// silence counts from `nocommwarntime`, a repeat needs more than `nocommwarntime`.
    pub(crate) fn gone(&mut self, now: Instant, nocommwarn: std::time::Duration, ev: &mut Events) {
        let limit = nocommwarn.as_secs();
        if self.comm != Comm::Lost {
            self.comm = Comm::Lost;
            ev.push((NotifyType::CommBad, String::new()));
            return;
        }
        let silent = self
            .last_poll
            .is_none_or(|t| now.duration_since(t).as_secs() >= limit);
        if !silent {
            return;
        }
        let warn_due = self
            .last_nocomm_warn
            .is_none_or(|t| now.duration_since(t).as_secs() > limit);
        if warn_due {
            ev.push((NotifyType::NoComm, String::new()));
            self.last_nocomm_warn = Some(now);
        }
    }

    /// Applies one `ups.status` reading, returning the notifications it raises.
    pub(crate) fn apply_status(
        &mut self,
        status: &str,
        now: Instant,
        rbwarn: std::time::Duration,
        nocommwarn: std::time::Duration,
    ) -> Events {
        let mut ev = Events::new();
        if status.trim().is_empty() {
            self.gone(now, nocommwarn, &mut ev);
            return ev;
        }
        self.alive(now, &mut ev);
        // Like upsmon, a flag missing from the line is cleared before the words are read.
        if !status.contains("LB") {
            self.flags.low_batt = false;
        }
        if !status.contains("FSD") {
            self.flags.fsd = false;
        }
        let words: Vec<&str> = status.split_whitespace().collect();
        let has = |w: &str| words.iter().any(|x| x.eq_ignore_ascii_case(w));
        self.clear_gone_flags(&has, &mut ev);
        self.track_other(&words, &mut ev);
        for w in &words {
            self.apply_word(&w.to_ascii_uppercase(), now, rbwarn, &mut ev);
            self.update_crit_timer(now);
        }
        self.track_durations(now);
        ev
    }

    fn clear_gone_flags(&mut self, has: &dyn Fn(&str) -> bool, ev: &mut Events) {
        for (token, clear) in [
            ("CAL", NotifyType::NotCal),
            ("OFF", NotifyType::NotOff),
            ("BYPASS", NotifyType::NotBypass),
            ("ECO", NotifyType::NotEco),
            ("ALARM", NotifyType::NotAlarm),
            ("OVER", NotifyType::NotOver),
            ("TRIM", NotifyType::NotTrim),
            ("BOOST", NotifyType::NotBoost),
        ] {
            let flag = self.flag_mut(token);
            if *flag && !has(token) {
                *flag = false;
                ev.push((clear, String::new()));
            }
        }
    }

    /// The boolean flag tracked for a notifying status token.
    fn flag_mut(&mut self, token: &str) -> &mut bool {
        let f = &mut self.flags;
        match token {
            "CAL" => &mut f.cal,
            "OFF" => &mut f.off,
            "BYPASS" => &mut f.bypass,
            "ECO" => &mut f.eco,
            "ALARM" => &mut f.alarm,
            "OVER" => &mut f.over,
            "TRIM" => &mut f.trim,
            _ => &mut f.boost,
        }
    }

    /// Unknown tokens: OTHER when the set appears or changes, NOTOTHER when it is gone.
    fn track_other(&mut self, words: &[&str], ev: &mut Events) {
        let unknown: Vec<&str> = words
            .iter()
            .copied()
            .filter(|w| !KNOWN_TOKENS.iter().any(|k| k.eq_ignore_ascii_case(w)))
            .collect();
        let now = (!unknown.is_empty()).then(|| unknown.join(" "));
        if now == self.flags.other {
            return;
        }
        match &now {
            Some(text) => ev.push((NotifyType::OtherStatus, text.clone())),
            None => ev.push((NotifyType::NotOtherStatus, String::new())),
        }
        self.flags.other = now;
    }

    fn apply_word(&mut self, w: &str, now: Instant, rbwarn: std::time::Duration, ev: &mut Events) {
        match w {
            "OL" if !self.flags.online => {
                if self.line_known {
                    ev.push((NotifyType::Online, String::new()));
                }
                self.line_known = true;
                self.flags.online = true;
                self.flags.on_batt = false;
            }
            "OB" if !self.flags.on_batt => {
                self.line_known = true;
                ev.push((NotifyType::OnBatt, String::new()));
                self.flags.on_batt = true;
                self.flags.online = false;
            }
            "LB" if !self.flags.low_batt => {
                ev.push((NotifyType::LowBatt, String::new()));
                self.flags.low_batt = true;
            }
            "RB" if self
                .last_rb_warn
                .is_none_or(|t| now.duration_since(t) > rbwarn) =>
            {
                ev.push((NotifyType::ReplBatt, String::new()));
                self.last_rb_warn = Some(now);
            }
            "CAL" | "OFF" | "BYPASS" | "ECO" | "ALARM" | "OVER" | "TRIM" | "BOOST" => {
                let flag = self.flag_mut(w);
                if !*flag {
                    *flag = true;
                    ev.push((NotifyType::parse(w), String::new()));
                }
            }
            "FSD" if !self.flags.fsd => {
                ev.push((NotifyType::Fsd, String::new()));
                self.flags.fsd = true;
            }
            _ => {}
        }
    }

    /// Not OB, not LB, or calibrating: not critical, so remember when that was last true.
    fn update_crit_timer(&mut self, now: Instant) {
        if !self.flags.on_batt || !self.flags.low_batt || self.flags.cal {
            self.last_noncrit = Some(now);
        }
    }

    fn track_durations(&mut self, now: Instant) {
        self.off_since = if self.flags.off {
            self.off_since.or(Some(now))
        } else {
            None
        };
        let oblb = self.flags.on_batt && self.flags.low_batt;
        self.oblb_since = if oblb {
            self.oblb_since.or(Some(now))
        } else {
            None
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn nocomms(track: &mut UpsTrack, t0: Instant, at_ms: &[u64]) -> Vec<u64> {
        let mut warned = Vec::new();
        for &ms in at_ms {
            let mut ev = Events::new();
            track.gone(
                t0 + Duration::from_millis(ms),
                Duration::from_secs(30),
                &mut ev,
            );
            if ev.iter().any(|(t, _)| *t == NotifyType::NoComm) {
                warned.push(ms / 1000);
            }
        }
        warned
    }

    /// Polls that drift by a few milliseconds (as real ones do) must not bring the repeat
    /// forward by a poll: upsmon counts whole seconds and repeats after more than
    /// NOCOMMWARNTIME.
    #[test]
    fn nocomm_repeats_after_more_than_nocommwarntime_whole_seconds() {
        let t0 = Instant::now();
        let mut track = UpsTrack::new("ups@h".into(), 1, false);
        track.alive(t0, &mut Events::new());
        // Polls every 5 s, each 20 ms later than the last.
        let polls: Vec<u64> = (1..=24).map(|i| i * 5_000 + i * 20).collect();
        let mut first = Events::new();
        track.gone(
            t0 + Duration::from_millis(polls[0]),
            Duration::from_secs(30),
            &mut first,
        );
        assert_eq!(first, vec![(NotifyType::CommBad, String::new())]);
        // Silent for 30 s at the 6th poll (30.12 s); repeats at 65.26 (35.14 s later, not
        // at 60.24, 30.12 s later) and at 100.4.
        assert_eq!(nocomms(&mut track, t0, &polls[1..]), [30, 65, 100]);
    }
}
