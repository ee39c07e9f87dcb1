//! The upssched timer daemon's state: timers by name, firing in order, idle exit.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use nut_proto::text::leading_int;

use super::DaemonRequest;

/// With no timer left for this long the daemon exits (upssched: 15 one-second passes).
pub const IDLE_EXIT: Duration = Duration::from_secs(15);

/// What the daemon must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonEvent {
    /// Run `CMDSCRIPT <arg>`.
    Run(String),
    /// No timers for [`IDLE_EXIT`]: remove PIPEFN and exit.
    Exit,
    /// An info line for the log: what upssched 2.8.0's daemon says about its timers
    /// (`New timer: x (30 seconds)`, `Cancelling timer: x`, `Cancel x, event: y`,
    /// `Event: x ` when one fires).
    Log(String),
}

#[derive(Debug, Clone)]
struct Timer {
    name: String,
    at: Instant,
}

/// Timers in start order; several may share a name, as in upssched.
#[derive(Debug, Clone)]
pub struct TimerDaemon {
    timers: Vec<Timer>,
    idle_since: Option<Instant>,
    events: VecDeque<DaemonEvent>,
    exited: bool,
}

impl TimerDaemon {
    /// A daemon with no timers, started at `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            timers: Vec::new(),
            idle_since: Some(now),
            events: VecDeque::new(),
            exited: false,
        }
    }

    /// Handles a request; the reply is always `OK`.
    pub fn handle(&mut self, req: &DaemonRequest, now: Instant) -> &'static str {
        match req {
            DaemonRequest::Start { name, seconds } => {
                // `strtol`: what does not start with a number reads as 0.
                let secs = leading_int(seconds).unwrap_or(0);
                let Ok(secs) = u64::try_from(secs) else {
                    let text = "bogus offset for timer, ignoring".to_owned();
                    self.events.push_back(DaemonEvent::Log(text));
                    return "OK";
                };
                let text = format!("New timer: {name} ({secs} seconds)");
                self.events.push_back(DaemonEvent::Log(text));
                // A delay past what the clock can represent never comes.
                if let Some(at) = now.checked_add(Duration::from_secs(secs)) {
                    self.timers.push(Timer {
                        name: name.clone(),
                        at,
                    });
                    self.idle_since = None;
                }
            }
            DaemonRequest::Cancel { name, cmd } => {
                if let Some(i) = self.timers.iter().position(|t| &t.name == name) {
                    let text = format!("Cancelling timer: {name}");
                    self.events.push_back(DaemonEvent::Log(text));
                    self.timers.remove(i);
                } else if let Some(c) = cmd {
                    let text = format!("Cancel {name}, event: {c}");
                    self.events.push_back(DaemonEvent::Log(text));
                    self.events.push_back(DaemonEvent::Run(c.clone()));
                }
                if self.timers.is_empty() && self.idle_since.is_none() {
                    self.idle_since = Some(now);
                }
            }
        }
        "OK"
    }

    /// Names of the running timers, in start order.
    pub fn timers(&self) -> Vec<&str> {
        self.timers.iter().map(|t| t.name.as_str()).collect()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.exited {
            return None;
        }
        let next_timer = self.timers.iter().map(|t| t.at).min();
        next_timer.or_else(|| self.idle_since.map(|t| t + IDLE_EXIT))
    }

    /// Fires due timers (in start order) and decides whether to exit.
    pub fn handle_timeout(&mut self, now: Instant) {
        let (due, keep): (Vec<Timer>, Vec<Timer>) = std::mem::take(&mut self.timers)
            .into_iter()
            .partition(|t| now >= t.at);
        self.timers = keep;
        for t in due {
            let text = format!("Event: {} ", t.name);
            self.events.push_back(DaemonEvent::Log(text));
            self.events.push_back(DaemonEvent::Run(t.name));
        }
        if self.timers.is_empty() {
            let since = *self.idle_since.get_or_insert(now);
            if now.duration_since(since) >= IDLE_EXIT && !self.exited {
                self.exited = true;
                self.events.push_back(DaemonEvent::Exit);
            }
        }
    }

    /// The next thing to do.
    pub fn poll_event(&mut self) -> Option<DaemonEvent> {
        self.events.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(name: &str, secs: &str) -> DaemonRequest {
        DaemonRequest::Start {
            name: name.into(),
            seconds: secs.into(),
        }
    }

    fn events(d: &mut TimerDaemon) -> Vec<DaemonEvent> {
        std::iter::from_fn(|| d.poll_event()).collect()
    }

    fn log(text: &str) -> DaemonEvent {
        DaemonEvent::Log(text.into())
    }

    #[test]
    fn timers_fire_in_order_and_cancel_works() {
        let t0 = Instant::now();
        let mut d = TimerDaemon::new(t0);
        assert_eq!(d.handle(&start("late", "20"), t0), "OK");
        d.handle(&start("early", "10"), t0);
        d.handle(&start("gone", "5"), t0);
        d.handle(
            &DaemonRequest::Cancel {
                name: "gone".into(),
                cmd: Some("never".into()),
            },
            t0,
        );
        assert_eq!(
            events(&mut d),
            [
                log("New timer: late (20 seconds)"),
                log("New timer: early (10 seconds)"),
                log("New timer: gone (5 seconds)"),
                log("Cancelling timer: gone"),
            ]
        );
        assert_eq!(d.poll_timeout(), Some(t0 + Duration::from_secs(10)));
        d.handle_timeout(t0 + Duration::from_secs(10));
        let fired = |name: &str| {
            [
                log(&format!("Event: {name} ")),
                DaemonEvent::Run(name.into()),
            ]
        };
        assert_eq!(events(&mut d), fired("early"));
        d.handle_timeout(t0 + Duration::from_secs(20));
        assert_eq!(events(&mut d), fired("late"));
        assert!(d.timers().is_empty());
    }

    #[test]
    fn cancel_of_nothing_runs_its_command() {
        let t0 = Instant::now();
        let mut d = TimerDaemon::new(t0);
        d.handle(
            &DaemonRequest::Cancel {
                name: "x".into(),
                cmd: Some("online".into()),
            },
            t0,
        );
        d.handle(
            &DaemonRequest::Cancel {
                name: "x".into(),
                cmd: None,
            },
            t0,
        );
        assert_eq!(
            events(&mut d),
            [
                log("Cancel x, event: online"),
                DaemonEvent::Run("online".into())
            ]
        );
    }

    #[test]
    fn a_delay_that_is_no_number_reads_as_0_as_strtol_reads_it() {
        let t0 = Instant::now();
        let mut d = TimerDaemon::new(t0);
        d.handle(&start("now", "soon"), t0);
        assert_eq!(d.poll_timeout(), Some(t0));
        d.handle_timeout(t0);
        let fired = events(&mut d);
        assert_eq!(fired.last(), Some(&DaemonEvent::Run("now".into())));
    }

    #[test]
    fn an_unrepresentable_delay_is_ignored_not_a_panic() {
        let t0 = Instant::now();
        let mut d = TimerDaemon::new(t0);
        d.handle(&start("huge", "9223372036854775807"), t0);
        d.handle(&start("huger", "99999999999999999999999"), t0);
        assert!(d.timers().is_empty());
    }

    #[test]
    fn exits_when_idle_and_ignores_negative_delays() {
        let t0 = Instant::now();
        let mut d = TimerDaemon::new(t0);
        d.handle(&start("bad", "-5"), t0);
        assert!(d.timers().is_empty());
        d.handle(&start("t", "1"), t0);
        d.handle_timeout(t0 + Duration::from_secs(1));
        assert_eq!(
            events(&mut d),
            [
                log("bogus offset for timer, ignoring"),
                log("New timer: t (1 seconds)"),
                log("Event: t "),
                DaemonEvent::Run("t".into())
            ]
        );
        assert_eq!(d.poll_timeout(), Some(t0 + Duration::from_secs(16)));
        d.handle_timeout(t0 + Duration::from_secs(10));
        assert!(events(&mut d).is_empty());
        d.handle_timeout(t0 + Duration::from_secs(16));
        assert_eq!(events(&mut d), [DaemonEvent::Exit]);
        assert_eq!(d.poll_timeout(), None);
    }
}
