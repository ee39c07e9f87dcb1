//! upsmon's decisions on power scenarios, driven with a fake clock: no sockets, no sleeps.

use std::time::{Duration, Instant};

use nut_monitor::upsmon::{Input, Monitor, Note, Output, Phase, PollResult, Settings};
use nut_proto::config::UpsmonConf;

/// A monitor plus a fake clock, collecting everything it outputs.
struct Rig {
    m: Monitor,
    now: Instant,
    log: Vec<String>,
    notes: Vec<Note>,
}

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

impl Rig {
    fn new(conf: &str) -> Self {
        let conf = UpsmonConf::parse(conf, "upsmon.conf")
            .expect("valid upsmon.conf")
            .config;
        let now = Instant::now();
        let mut r = Self {
            m: Monitor::new(Settings::from_conf(&conf), now),
            now,
            log: Vec::new(),
            notes: Vec::new(),
        };
        r.drain();
        r
    }

    fn drain(&mut self) {
        while let Some(o) = self.m.poll_output() {
            self.log.push(match o {
                Output::PollAll => "poll".into(),
                Output::Notify(n) => format!("{} {}", n.kind, n.message),
                Output::Wall(t) => format!("wall {t}"),
                Output::SetFsd(i) => format!("fsd {i}"),
                Output::CountLogins => "count".into(),
                Output::Shutdown => "SHUTDOWN-CMD".into(),
                Output::Note(n) => {
                    self.notes.push(n);
                    continue;
                }
            });
        }
    }

    /// Advances the clock to the next timeout (at most `max`), firing it.
    fn advance(&mut self, by: Duration) {
        self.now += by;
        self.m.handle_timeout(self.now);
        self.drain();
    }

    /// Answers a pending poll with these statuses (None = failure).
    fn answer(&mut self, statuses: &[Option<&str>]) {
        let results = statuses
            .iter()
            .map(|s| match s {
                Some(st) => PollResult::Status((*st).to_owned()),
                None => PollResult::Failed,
            })
            .collect();
        self.m.handle_input(Input::Polled(results), self.now);
        self.drain();
    }

    /// One full poll cycle: wait for the poll to come due, then answer it.
    fn cycle(&mut self, statuses: &[Option<&str>]) {
        if let Some(t) = self.m.poll_timeout() {
            if t > self.now {
                self.now = t;
            }
            self.m.handle_timeout(self.now);
            self.drain();
        }
        self.answer(statuses);
    }

    fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.log)
            .into_iter()
            .filter(|l| l != "poll")
            .collect()
    }
}

const PRIMARY: &str = "MONITOR ups@localhost 1 admin secret primary\n";
const SECONDARY: &str = "MONITOR ups@localhost 1 mon pass secondary\n";

#[test]
fn startup_online_is_silent_then_flap_notifies_both_ways() {
    let mut r = Rig::new(PRIMARY);
    r.answer(&[Some("OL")]);
    assert_eq!(r.take(), Vec::<String>::new());
    r.cycle(&[Some("OB DISCHRG")]);
    r.cycle(&[Some("OL CHRG")]);
    assert_eq!(
        r.take(),
        [
            "ONBATT UPS ups@localhost on battery",
            "ONLINE UPS ups@localhost on line power"
        ]
    );
    assert!(matches!(r.m.phase(), Phase::Monitoring { .. }));
}

#[test]
fn poll_frequency_rises_on_battery() {
    let mut r = Rig::new(&format!("{PRIMARY}POLLFREQ 30\nPOLLFREQALERT 5\n"));
    r.answer(&[Some("OL")]);
    assert_eq!(r.m.poll_timeout(), Some(r.now + secs(30)));
    r.cycle(&[Some("OB")]);
    assert_eq!(r.m.poll_timeout(), Some(r.now + secs(5)));
}

#[test]
fn primary_low_battery_sets_fsd_waits_for_secondaries_then_shuts_down() {
    let mut r = Rig::new(PRIMARY);
    r.answer(&[Some("OL")]);
    r.cycle(&[Some("OB")]);
    r.cycle(&[Some("OB LB")]);
    assert_eq!(
        r.take(),
        [
            "ONBATT UPS ups@localhost on battery",
            "LOWBATT UPS ups@localhost battery is low",
            "fsd 0",
            "count",
        ]
    );
    // Two clients still logged in (us and a secondary): keep waiting.
    r.m.handle_input(Input::Logins(vec![Some(2)]), r.now);
    r.drain();
    assert!(r.take().is_empty());
    r.advance(Duration::from_millis(250));
    assert_eq!(r.take(), ["count"]);
    r.m.handle_input(Input::Logins(vec![Some(1)]), r.now);
    r.drain();
    assert_eq!(
        r.take(),
        [
            "wall Executing automatic power-fail shutdown",
            "SHUTDOWN Auto logout and shutdown proceeding"
        ]
    );
    // FINALDELAY (5 s) before the command.
    r.advance(secs(4));
    assert!(r.take().is_empty());
    r.advance(secs(1));
    assert_eq!(r.take(), ["SHUTDOWN-CMD"]);
    assert_eq!(r.m.phase(), Phase::Done);
}

#[test]
fn primary_gives_up_on_stuck_secondaries_after_hostsync() {
    let mut r = Rig::new(&format!("{PRIMARY}HOSTSYNC 3\nFINALDELAY 0\n"));
    r.answer(&[Some("OB LB")]);
    let mut waited = Duration::ZERO;
    loop {
        r.m.handle_input(Input::Logins(vec![Some(3)]), r.now);
        r.drain();
        if r.log.iter().any(|l| l == "SHUTDOWN-CMD") {
            break;
        }
        r.advance(Duration::from_millis(250));
        waited += Duration::from_millis(250);
        assert!(waited < secs(10), "never gave up");
    }
    assert!(waited > secs(3) && waited <= secs(4), "waited {waited:?}");
    let info = |n: &Note| matches!(n, Note::Info(_) | Note::Warning(_));
    let said: Vec<_> = r.notes.iter().filter(|n| info(n)).cloned().collect();
    let expired = "Host sync timer expired, forcing shutdown";
    assert_eq!(said, [Note::Info(expired.into())]);
    let traces: Vec<&str> = (r.notes.iter())
        .filter_map(|n| match n {
            Note::Debug(1, t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        traces,
        [
            "Critical UPS: ups@localhost",
            "Shutting down any UPSes in PRIMARY mode...",
            "This system is a primary... waiting for secondaries to logout...",
        ]
    );
}

#[test]
fn secondary_waits_hostsync_for_the_primary_then_shuts_down_alone() {
    let mut r = Rig::new(&format!("{SECONDARY}HOSTSYNC 15\nPOLLFREQALERT 5\n"));
    r.answer(&[Some("OB")]);
    r.cycle(&[Some("OB LB")]);
    for _ in 0..3 {
        r.cycle(&[Some("OB LB")]);
    }
    assert!(
        !r.log.iter().any(|l| l.starts_with("SHUTDOWN")),
        "{:?}",
        r.log
    );
    r.cycle(&[Some("OB LB")]);
    let log = r.take();
    assert!(
        log.contains(&"SHUTDOWN Auto logout and shutdown proceeding".to_owned()),
        "{log:?}"
    );
    assert!(
        !log.iter().any(|l| l.starts_with("fsd")),
        "a secondary never sets FSD"
    );
    let giving_up = Note::Warning("Giving up on the primary for UPS [ups@localhost]".into());
    assert_eq!(r.notes.iter().filter(|n| **n == giving_up).count(), 1);
}

#[test]
fn secondary_shuts_down_at_once_when_the_primary_sets_fsd() {
    let mut r = Rig::new(SECONDARY);
    r.answer(&[Some("OB")]);
    r.cycle(&[Some("FSD OB LB")]);
    let log = r.take();
    // upsd puts FSD first in ups.status and upsmon handles the words in order.
    assert_eq!(
        log,
        [
            "ONBATT UPS ups@localhost on battery",
            "FSD UPS ups@localhost: forced shutdown in progress",
            "LOWBATT UPS ups@localhost battery is low",
            "wall Executing automatic power-fail shutdown",
            "SHUTDOWN Auto logout and shutdown proceeding",
        ]
    );
}

#[test]
fn minsupplies_counts_power_values() {
    let two = "MONITOR a@h 1 u p primary\nMONITOR b@h 1 u p primary\n";
    // MINSUPPLIES 1: one UPS critical, the other still feeds us.
    let mut r = Rig::new(&format!("{two}MINSUPPLIES 1\n"));
    r.answer(&[Some("OB LB"), Some("OL")]);
    assert!(!r.log.iter().any(|l| l.starts_with("fsd")), "{:?}", r.log);
    // MINSUPPLIES 2: the same situation is fatal, FSD on both.
    let mut r = Rig::new(&format!("{two}MINSUPPLIES 2\n"));
    r.answer(&[Some("OB LB"), Some("OL")]);
    let log = r.take();
    assert!(
        log.contains(&"fsd 0".to_owned()) && log.contains(&"fsd 1".to_owned()),
        "{log:?}"
    );
    // Power value 0 (monitor only) never counts.
    let mut r = Rig::new("MONITOR a@h 0 u p primary\nMONITOR b@h 1 u p primary\nMINSUPPLIES 1\n");
    r.answer(&[Some("OB LB"), Some("OL")]);
    assert!(!r.log.iter().any(|l| l.starts_with("fsd")), "{:?}", r.log);
    // ... but a power value 2 UPS alone satisfies MINSUPPLIES 2.
    let mut r = Rig::new("MONITOR a@h 2 u p primary\nMONITOR b@h 1 u p primary\nMINSUPPLIES 2\n");
    r.answer(&[Some("OL"), Some("OB LB")]);
    assert!(!r.log.iter().any(|l| l.starts_with("fsd")), "{:?}", r.log);
}

#[test]
fn comm_loss_while_online_warns_but_never_shuts_down() {
    let mut r = Rig::new(&format!("{PRIMARY}NOCOMMWARNTIME 20\nPOLLFREQ 5\n"));
    r.answer(&[Some("OL")]);
    r.cycle(&[None]);
    assert_eq!(
        r.take(),
        ["COMMBAD Communications with UPS ups@localhost lost"]
    );
    for _ in 0..10 {
        r.cycle(&[None]);
    }
    let log = r.take();
    assert!(log.iter().all(|l| l.starts_with("NOCOMM")), "{log:?}");
    assert!(!log.is_empty() && log.len() <= 3, "{log:?}");
    r.cycle(&[Some("OL")]);
    assert_eq!(
        r.take(),
        ["COMMOK Communications with UPS ups@localhost established"]
    );
}

#[test]
fn comm_loss_while_on_battery_is_critical_after_deadtime() {
    let mut r = Rig::new(&format!("{PRIMARY}DEADTIME 15\nPOLLFREQALERT 5\n"));
    r.answer(&[Some("OB")]);
    r.cycle(&[None]);
    r.cycle(&[None]);
    r.cycle(&[None]);
    assert!(!r.log.iter().any(|l| l.starts_with("fsd")), "{:?}", r.log);
    r.cycle(&[None]);
    assert!(r.take().contains(&"fsd 0".to_owned()));
}

#[test]
fn first_contact_failure_is_commbad_and_first_contact_success_is_silent() {
    let mut r = Rig::new(PRIMARY);
    r.answer(&[None]);
    assert_eq!(
        r.take(),
        ["COMMBAD Communications with UPS ups@localhost lost"]
    );
}

#[test]
fn calibration_is_not_critical_and_replace_battery_is_rate_limited() {
    let mut r = Rig::new(&format!("{PRIMARY}RBWARNTIME 60\n"));
    r.answer(&[Some("OB LB CAL RB")]);
    r.cycle(&[Some("OB LB CAL RB")]);
    let log = r.take();
    assert!(!log.iter().any(|l| l.starts_with("fsd")), "{log:?}");
    // Said at every look, with the UPS name alone (upsmon 2.8.0's `ups->upsname`).
    let calibrating = Note::Warning(
        "is_ups_critical: seems that UPS [ups] is OB+LB now, but it is also calibrating - \
         not declaring a critical state"
            .into(),
    );
    assert_eq!(r.notes.iter().filter(|n| **n == calibrating).count(), 2);
    assert_eq!(
        log.iter().filter(|l| l.starts_with("REPLBATT")).count(),
        1,
        "{log:?}"
    );
    r.cycle(&[Some("OB LB")]);
    let log = r.take();
    assert!(
        log.contains(&"NOTCAL UPS ups@localhost: calibration finished".to_owned()),
        "{log:?}"
    );
    assert!(log.contains(&"fsd 0".to_owned()), "{log:?}");
}

#[test]
fn user_fsd_runs_the_documented_sequence() {
    let mut r = Rig::new(&format!("{PRIMARY}FINALDELAY 2\n"));
    r.answer(&[Some("OL")]);
    r.m.handle_input(Input::UserFsd, r.now);
    r.drain();
    assert_eq!(r.take(), ["fsd 0", "count"]);
    r.m.handle_input(Input::Logins(vec![Some(1)]), r.now);
    r.drain();
    r.advance(secs(2));
    let log = r.take();
    assert_eq!(
        log.last().map(String::as_str),
        Some("SHUTDOWN-CMD"),
        "{log:?}"
    );
}

#[test]
fn custom_messages_and_offduration() {
    let mut r = Rig::new(&format!(
        "{SECONDARY}NOTIFYMSG ONBATT \"%s lost power\"\nOFFDURATION 10\n"
    ));
    r.answer(&[Some("OB")]);
    assert_eq!(r.take(), ["ONBATT ups@localhost lost power"]);
    r.cycle(&[Some("OFF")]);
    assert!(!r.log.iter().any(|l| l.starts_with("SHUTDOWN")));
    r.advance(secs(10));
    r.answer(&[Some("OFF")]);
    assert!(r.take().iter().any(|l| l.starts_with("SHUTDOWN")));
}

#[test]
fn newer_status_tokens_notify_when_they_appear_and_go() {
    let mut r = Rig::new(PRIMARY);
    r.answer(&[Some("OL")]);
    r.cycle(&[Some("OL ECO TRIM")]);
    r.cycle(&[Some("OL BOOST XYZ")]);
    r.cycle(&[Some("OL")]);
    assert_eq!(
        r.take(),
        [
            "ECO UPS ups@localhost: in ECO mode (as defined by vendor)",
            "TRIM UPS ups@localhost: trimming incoming voltage",
            "NOTECO UPS ups@localhost: no longer in ECO mode",
            "NOTTRIM UPS ups@localhost: no longer trimming incoming voltage",
            "OTHER UPS ups@localhost: has at least one unclassified status token: [XYZ]",
            "BOOST UPS ups@localhost: boosting incoming voltage",
            "NOTBOOST UPS ups@localhost: no longer boosting incoming voltage",
            "NOTOTHER UPS ups@localhost has no unclassified status tokens anymore",
        ]
    );
}

#[test]
fn shutdown_hostsync_is_raised_only_when_configured() {
    let mut r = Rig::new(PRIMARY);
    r.answer(&[Some("OB LB")]);
    assert!(!r.take().iter().any(|l| l.starts_with("SHUTDOWN_HOSTSYNC")));
    let mut r = Rig::new(&format!("{PRIMARY}NOTIFYFLAG SHUTDOWN_HOSTSYNC SYSLOG\n"));
    r.answer(&[Some("OB LB")]);
    let log = r.take();
    assert!(
        log.contains(
            &"SHUTDOWN_HOSTSYNC Shutdown initiated; primary system is waiting for secondaries to log out or time out"
                .to_owned()
        ),
        "{log:?}"
    );
}

/// A refused login on a new connection skips that UPS's poll for one cycle (upsmon 2.8.0
/// returns before polling): nothing is raised, unlike a failed poll, and the next cycle's
/// status is the first contact.
#[test]
fn a_skipped_poll_raises_nothing() {
    let mut r = Rig::new(PRIMARY);
    r.m.handle_input(Input::Polled(vec![PollResult::Skipped]), r.now);
    r.drain();
    assert_eq!(r.take(), Vec::<String>::new());
    r.cycle(&[Some("OL")]);
    r.cycle(&[Some("OB")]);
    assert_eq!(r.take(), ["ONBATT UPS ups@localhost on battery"]);
}

/// Fed one UPS at a time, each UPS's notifications are ready before the next one is polled
/// (upsmon 2.8.0 notifies from inside its poll of that UPS); the shutdown decision waits for
/// the end of the round.
#[test]
fn per_ups_results_notify_at_once_and_decide_at_the_end() {
    let conf = "MONITOR a@h 1 u p primary\nMONITOR b@h 1 u p primary\nMINSUPPLIES 2\n\
                SHUTDOWNCMD /bin/true\n";
    let mut r = Rig::new(conf);
    r.answer(&[Some("OL"), Some("OL")]);
    r.log.clear();
    r.advance(secs(5));
    assert_eq!(r.log, ["poll"]);
    r.log.clear();
    let one = |index, status: &str| Input::PolledOne {
        index,
        result: PollResult::Status(status.into()),
    };
    r.m.handle_input(one(0, "OB LB"), r.now);
    let mut next = || r.m.poll_notification().map(|n| n.kind.to_string());
    assert_eq!(next().as_deref(), Some("ONBATT"));
    assert_eq!(next().as_deref(), Some("LOWBATT"));
    assert_eq!(r.m.poll_notification(), None);
    r.m.handle_input(one(1, "OL"), r.now);
    assert_eq!(r.m.poll_notification(), None);
    // a@h is critical, so the power falls below MINSUPPLIES: the primary sets FSD on its
    // UPSes and waits for the secondaries, but only once the round is done.
    assert_eq!(r.m.poll_output(), None);
    r.m.handle_input(Input::PollDone, r.now);
    r.drain();
    assert_eq!(r.take(), ["fsd 0", "fsd 1", "count"]);
}

/// upsmon 2.8.0's pause between polls: 5 s until a UPS is first seen on line or on battery
/// (whatever POLLFREQ says, so an unreachable UPS is retried every 5 s), then POLLFREQ after
/// an on-line change and POLLFREQALERT after an on-battery one.
#[test]
fn the_poll_pace_follows_the_last_line_change() {
    let conf = format!("{PRIMARY}POLLFREQ 30\nPOLLFREQALERT 2\n");
    let mut r = Rig::new(&conf);
    let pause = |r: &Rig| r.m.poll_timeout().map(|t| t - r.now);
    r.answer(&[None]);
    assert_eq!(pause(&r), Some(secs(5)));
    r.cycle(&[None]);
    assert_eq!(pause(&r), Some(secs(5)));
    r.cycle(&[Some("OL")]);
    assert_eq!(pause(&r), Some(secs(30)));
    r.cycle(&[None]);
    assert_eq!(pause(&r), Some(secs(30)), "a lost UPS keeps the pace");
    r.cycle(&[Some("OB")]);
    assert_eq!(pause(&r), Some(secs(2)));
    r.cycle(&[None]);
    assert_eq!(pause(&r), Some(secs(2)));
    r.cycle(&[Some("OL")]);
    assert_eq!(pause(&r), Some(secs(30)));
}

/// Where upsmon 2.8.0 would slow down to POLLFREQ because another UPS came on line while one
/// is still on battery, we keep POLLFREQALERT (DEVIATIONS.md).
#[test]
fn a_ups_on_battery_keeps_the_alert_pace() {
    let conf = "MONITOR a@h 1 u p primary\nMONITOR b@h 1 u p primary\nMINSUPPLIES 1\n\
                POLLFREQ 30\nPOLLFREQALERT 2\n";
    let mut r = Rig::new(conf);
    let pause = |r: &Rig| r.m.poll_timeout().map(|t| t - r.now);
    r.answer(&[Some("OB"), None]);
    assert_eq!(pause(&r), Some(secs(2)));
    r.cycle(&[Some("OB"), Some("OL")]);
    assert_eq!(pause(&r), Some(secs(2)));
    r.cycle(&[Some("OL"), Some("OL")]);
    assert_eq!(pause(&r), Some(secs(30)));
}
