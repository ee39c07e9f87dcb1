//! upsmon's decisions as a sans-IO state machine.
//!
//! Inputs are poll results for every monitored UPS (its `ups.status` or a failure), answers to
//! `NUMLOGINS` queries, a user-requested forced shutdown (`upsmon -c fsd`), and the clock,
//! always passed in. Outputs are what the I/O layer must do: poll, notify, set FSD on a UPS,
//! count logins, and finally run the shutdown.
//!
//! The rules are upsmon's:
//! - a UPS is critical when it reports FSD, or OB+LB (not while calibrating); a secondary waits
//!   up to HOSTSYNC for the primary to set FSD before it calls OB+LB critical on its own; a UPS
//!   not heard from for DEADTIME while last known on battery is presumed low (OB+LB);
//! - the power value of every non-critical UPS is added up; below MINSUPPLIES the shutdown
//!   starts: FSD is set on every UPS this host is primary for, then the primary waits (up to
//!   HOSTSYNC) until it is the only client logged in to each, then SHUTDOWN is announced,
//!   FINALDELAY passes, and the shutdown command runs; a host that is primary for nothing
//!   goes straight to the announcement;
//! - polls happen every POLLFREQ, or POLLFREQALERT while any UPS is on battery.
//!
//! Newer NUT behaviour is included where it cannot change a 2.8.0 decision: CAL/NOTCAL,
//! OFF/NOTOFF, BYPASS/NOTBYPASS notifications, OFFDURATION (administratively off for that
//! long counts as critical) and OBLBDURATION (OB+LB must last that long).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use nut_monitor::upsmon::{Input, Monitor, Output, PollResult, Settings};
//! use nut_proto::config::UpsmonConf;
//!
//! let conf = UpsmonConf::parse("MONITOR ups@localhost 1 mon pass secondary\n", "upsmon.conf")
//!     .unwrap()
//!     .config;
//! let t0 = Instant::now();
//! let mut m = Monitor::new(Settings::from_conf(&conf), t0);
//! assert_eq!(m.poll_output(), Some(Output::PollAll));
//! m.handle_input(Input::Polled(vec![PollResult::Status("OB LB".into())]), t0);
//! // A secondary gives the primary HOSTSYNC seconds to set FSD before shutting down.
//! let mut outputs = Vec::new();
//! m.handle_timeout(t0 + Duration::from_secs(16));
//! m.handle_input(Input::Polled(vec![PollResult::Status("OB LB".into())]), t0 + Duration::from_secs(16));
//! while let Some(o) = m.poll_output() { outputs.push(o); }
//! assert!(outputs.iter().any(|o| matches!(o, Output::Notify(n) if n.kind.name() == "SHUTDOWN")));
//! ```

mod notify;
mod settings;
mod ups;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use nut_proto::config::NotifyType;

pub use notify::{format_message, stock_message, Notification, NotifyTable};
pub use settings::{MonitorTarget, Settings, FIRST_POLL_INTERVAL};
pub use ups::{Comm, Flags, PollResult, UpsTrack};

/// How often the primary re-counts logins while waiting for secondaries.
pub const HOSTSYNC_POLL: Duration = Duration::from_millis(250);

/// Something for the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Results of the poll asked by [`Output::PollAll`], one per target in order: the same
    /// as [`Input::PolledOne`] for each, then [`Input::PollDone`].
    Polled(Vec<PollResult>),
    /// The result for target `index` of the poll asked by [`Output::PollAll`]. Its
    /// notifications are queued at once, so that they can go out before the next target is
    /// polled, as upsmon 2.8.0 sends them ([`Monitor::poll_notification`]).
    PolledOne {
        /// The target, in `MONITOR` order.
        index: usize,
        /// What its poll found.
        result: PollResult,
    },
    /// Every target of the poll asked by [`Output::PollAll`] has been fed with
    /// [`Input::PolledOne`]: the round ends (power is added up, the next poll is scheduled).
    PollDone,
    /// Answers to [`Output::CountLogins`]: `NUMLOGINS` for each UPS this host is primary
    /// for, in target order (`None` when the query failed).
    Logins(Vec<Option<u32>>),
    /// The administrator asked for a forced shutdown (`upsmon -c fsd`).
    UserFsd,
}

/// Something for the I/O layer to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Poll every target (connecting and logging in as needed); answer with
    /// [`Input::Polled`], or with [`Input::PolledOne`] per target and [`Input::PollDone`].
    PollAll,
    /// Tell someone.
    Notify(Notification),
    /// Broadcast to logged-in users (the text upsmon walls when the shutdown starts).
    Wall(String),
    /// Send `FSD` for target `n` (this host is its primary).
    SetFsd(usize),
    /// Query `NUMLOGINS` for every UPS this host is primary for; answer with
    /// [`Input::Logins`].
    CountLogins,
    /// Write the POWERDOWNFLAG file and run SHUTDOWNCMD. Nothing follows.
    Shutdown,
    /// A line for the log: what upsmon 2.8.0 logs of its decisions.
    Note(Note),
}

/// What upsmon logs of its decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// An info line (`Host sync timer expired, forcing shutdown`).
    Info(String),
    /// A warning (`Giving up on the primary for UPS [x]`).
    Warning(String),
    /// A debug line for this level and above (`Critical UPS: x`).
    Debug(u8, String),
}

/// Where the machine stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Polling; `waiting` while a poll is out.
    Monitoring {
        /// When the next poll is due.
        next_poll: Instant,
        /// A poll was requested and its results are not in yet.
        waiting: bool,
    },
    /// The primary waits for secondaries to log out.
    HostSync {
        /// When the wait began.
        since: Instant,
        /// When to count again.
        next_count: Instant,
        /// A count was requested and its answer is not in yet.
        waiting: bool,
    },
    /// SHUTDOWN was announced; the command runs at `at`.
    FinalDelay {
        /// When to run the shutdown command.
        at: Instant,
    },
    /// The shutdown command was requested.
    Done,
}

/// upsmon's state machine.
#[derive(Debug, Clone)]
pub struct Monitor {
    settings: Settings,
    upses: Vec<UpsTrack>,
    phase: Phase,
    out: VecDeque<Output>,
    /// upsmon's `sleepval`: POLLFREQ after a UPS was last seen going on line, POLLFREQALERT
    /// after one was last seen going on battery, [`Settings::first_pollfreq`] before either.
    interval: Duration,
}

impl Monitor {
    /// A machine for these settings; the first poll is due at `now`.
    pub fn new(settings: Settings, now: Instant) -> Self {
        let upses = settings
            .targets
            .iter()
            .map(|t| UpsTrack::new(t.system.clone(), t.power_value, t.primary))
            .collect();
        let mut m = Self {
            interval: settings.first_pollfreq,
            settings,
            upses,
            phase: Phase::Monitoring {
                next_poll: now,
                waiting: false,
            },
            out: VecDeque::new(),
        };
        m.handle_timeout(now);
        m
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// What the machine knows of each target.
    pub fn upses(&self) -> &[UpsTrack] {
        &self.upses
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Replaces the settings (reload), keeping what is known about targets that remain.
    pub fn reload(&mut self, settings: Settings) {
        let old = std::mem::take(&mut self.upses);
        self.upses = settings
            .targets
            .iter()
            .map(|t| {
                let mut u = old
                    .iter()
                    .find(|o| o.system == t.system)
                    .cloned()
                    .unwrap_or_else(|| UpsTrack::new(t.system.clone(), t.power_value, t.primary));
                u.power_value = t.power_value;
                u.primary = t.primary;
                u
            })
            .collect();
        self.settings = settings;
    }

    /// Polls at once if a poll is merely waiting for its time: upsmon 2.8.0 polls right
    /// after a reload, as SIGHUP cuts its sleep short.
    pub fn poll_now(&mut self, now: Instant) {
        if let Phase::Monitoring {
            waiting: false,
            next_poll,
        } = self.phase
        {
            self.phase = Phase::Monitoring {
                next_poll: next_poll.min(now),
                waiting: false,
            };
            self.handle_timeout(now);
        }
    }

    /// The next output, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.out.pop_front()
    }

    /// The next output if it is a notification (what [`Input::PolledOne`] queues), else
    /// `None` with the queue left as it is.
    pub fn poll_notification(&mut self) -> Option<Notification> {
        match self.out.front() {
            Some(Output::Notify(_)) => match self.out.pop_front() {
                Some(Output::Notify(n)) => Some(n),
                _ => None,
            },
            _ => None,
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Monitoring { waiting: true, .. } | Phase::HostSync { waiting: true, .. } => None,
            Phase::Monitoring { next_poll, .. } => Some(next_poll),
            Phase::HostSync { next_count, .. } => Some(next_count),
            Phase::FinalDelay { at } => Some(at),
            Phase::Done => None,
        }
    }

    /// Lets time pass.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.phase {
            Phase::Monitoring {
                next_poll,
                waiting: false,
            } if now >= next_poll => {
                self.phase = Phase::Monitoring {
                    next_poll,
                    waiting: true,
                };
                self.out.push_back(Output::PollAll);
            }
            Phase::HostSync {
                since,
                next_count,
                waiting: false,
            } if now >= next_count => {
                self.phase = Phase::HostSync {
                    since,
                    next_count,
                    waiting: true,
                };
                self.out.push_back(Output::CountLogins);
            }
            Phase::FinalDelay { at } if now >= at => {
                self.phase = Phase::Done;
                self.out.push_back(Output::Shutdown);
            }
            _ => {}
        }
    }

    /// Feeds an input.
    pub fn handle_input(&mut self, input: Input, now: Instant) {
        match input {
            Input::Polled(results) => {
                for index in 0..self.upses.len() {
                    let result = results.get(index).unwrap_or(&PollResult::Failed);
                    self.polled_one(index, result, now);
                }
                self.poll_done(now);
            }
            Input::PolledOne { index, result } => self.polled_one(index, &result, now),
            Input::PollDone => self.poll_done(now),
            Input::Logins(counts) => self.logins(&counts, now),
            Input::UserFsd => {
                if matches!(self.phase, Phase::Monitoring { .. }) {
                    self.force_shutdown(now);
                }
            }
        }
    }

    fn notify(&mut self, idx: Option<usize>, kind: NotifyType, extra: &str) {
        let ups = idx
            .and_then(|i| self.upses.get(i))
            .map(|u| u.system.clone());
        let n = self.settings.notify.build(kind, ups.as_deref(), extra);
        self.out.push_back(Output::Notify(n));
    }

    fn monitoring(&self) -> bool {
        matches!(self.phase, Phase::Monitoring { .. })
    }

    fn polled_one(&mut self, i: usize, result: &PollResult, now: Instant) {
        if !self.monitoring() || i >= self.upses.len() {
            return;
        }
        let s = &self.settings;
        let (rb, nc) = (s.rbwarntime, s.nocommwarntime);
        let events = match result {
            PollResult::Status(st) => {
                let f = &self.upses[i].flags;
                let (was_ob, was_ol) = (f.on_batt, f.online);
                let ev = self.upses[i].apply_status(st, now, rb, nc);
                let f = &self.upses[i].flags;
                if f.on_batt && !was_ob {
                    self.interval = self.settings.pollfreqalert;
                } else if f.online && !was_ol {
                    self.interval = self.settings.pollfreq;
                }
                ev
            }
            PollResult::Skipped => return,
            PollResult::Failed => {
                let mut ev = Vec::new();
                self.upses[i].gone(now, nc, &mut ev);
                ev
            }
        };
        for (kind, extra) in events {
            self.notify(Some(i), kind, &extra);
        }
    }

    fn poll_done(&mut self, now: Instant) {
        if !self.monitoring() {
            return;
        }
        if !self.recalc(now) {
            // upsmon 2.8.0 polls at the pace of the last on-line / on-battery change it saw,
            // even while another UPS is still on battery; we keep POLLFREQALERT then
            // (DEVIATIONS.md).
            let any_ob = self.upses.iter().any(|u| u.flags.on_batt);
            let wait = if any_ob {
                self.settings.pollfreqalert.min(self.interval)
            } else {
                self.interval
            };
            self.phase = Phase::Monitoring {
                next_poll: now + wait,
                waiting: false,
            };
        }
    }

    /// Whether `u` counts as out of power (upsmon's `is_ups_critical`), with what upsmon
    /// logs while it decides.
    fn critical(&self, u: &UpsTrack, now: Instant, notes: &mut Vec<Note>) -> bool {
        if u.flags.fsd {
            return true;
        }
        if let (Some(limit), Some(since)) = (self.settings.offduration, u.off_since) {
            if now.duration_since(since) >= limit {
                return true;
            }
        }
        if !u.flags.on_batt || !u.flags.low_batt {
            return false;
        }
        if u.flags.cal {
            let name = nut_proto::SplitName::split(&u.system)
                .ups
                .unwrap_or_default();
            notes.push(Note::Warning(format!(
                "is_ups_critical: seems that UPS [{name}] is OB+LB now, but it is also \
                 calibrating - not declaring a critical state"
            )));
            return false;
        }
        if let (Some(limit), Some(since)) = (self.settings.oblbduration, u.oblb_since) {
            if now.duration_since(since) < limit {
                return false;
            }
        }
        if u.primary {
            return true;
        }
        // A secondary gives the primary HOSTSYNC to notice and set FSD.
        let waited =
            (u.last_noncrit).is_none_or(|t| now.duration_since(t) > self.settings.hostsync);
        if waited {
            let sys = &u.system;
            notes.push(Note::Warning(format!(
                "Giving up on the primary for UPS [{sys}]"
            )));
        }
        waited
    }

    /// Adds up the power of non-critical UPSes; starts the shutdown below MINSUPPLIES.
    /// Returns true when the shutdown started.
    fn recalc(&mut self, now: Instant) -> bool {
        let deadtime = self.settings.deadtime;
        let mut notes = Vec::new();
        let mut online = 0u32;
        for i in 0..self.upses.len() {
            let u = &mut self.upses[i];
            let dead = u.last_poll.is_none_or(|t| now.duration_since(t) > deadtime);
            if dead && u.flags.on_batt {
                notes.push(Note::Debug(1, format!("Promoting dead UPS: {}", u.system)));
                u.flags.low_batt = true;
            }
            let u = &self.upses[i];
            if self.critical(u, now, &mut notes) {
                notes.push(Note::Debug(1, format!("Critical UPS: {}", u.system)));
            } else {
                online = online.saturating_add(u.power_value);
            }
        }
        let min = self.settings.minsupplies;
        notes.push(Note::Debug(3, format!("Current power value: {online}")));
        notes.push(Note::Debug(3, format!("Minimum power value: {min}")));
        self.out.extend(notes.into_iter().map(Output::Note));
        if online < min {
            self.force_shutdown(now);
            return true;
        }
        false
    }

    fn force_shutdown(&mut self, now: Instant) {
        let note = |text: &str| Output::Note(Note::Debug(1, text.to_owned()));
        self.out
            .push_back(note("Shutting down any UPSes in PRIMARY mode..."));
        let primaries: Vec<usize> = (0..self.upses.len())
            .filter(|&i| self.upses[i].primary)
            .collect();
        for &i in &primaries {
            self.out.push_back(Output::SetFsd(i));
        }
        if primaries.is_empty() {
            self.announce_shutdown(now);
            return;
        }
        self.out.push_back(note(
            "This system is a primary... waiting for secondaries to logout...",
        ));
        if self
            .settings
            .notify
            .configured(&NotifyType::ShutdownHostsync)
        {
            self.notify(None, NotifyType::ShutdownHostsync, "");
        }
        self.phase = Phase::HostSync {
            since: now,
            next_count: now,
            waiting: true,
        };
        self.out.push_back(Output::CountLogins);
    }

    fn logins(&mut self, counts: &[Option<u32>], now: Instant) {
        let Phase::HostSync { since, .. } = self.phase else {
            return;
        };
        let max = counts.iter().flatten().copied().max().unwrap_or(0);
        if max <= 1 {
            self.announce_shutdown(now);
        } else if now.duration_since(since) > self.settings.hostsync {
            let text = "Host sync timer expired, forcing shutdown".to_owned();
            self.out.push_back(Output::Note(Note::Info(text)));
            self.announce_shutdown(now);
        } else {
            self.phase = Phase::HostSync {
                since,
                next_count: now + HOSTSYNC_POLL,
                waiting: false,
            };
        }
    }

    fn announce_shutdown(&mut self, now: Instant) {
        self.out.push_back(Output::Wall(
            "Executing automatic power-fail shutdown".into(),
        ));
        self.notify(None, NotifyType::Shutdown, "");
        self.phase = Phase::FinalDelay {
            at: now + self.settings.finaldelay,
        };
        self.handle_timeout(now);
    }
}
