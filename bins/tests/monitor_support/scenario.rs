//! A differential scenario: the same `.seq` devices, `upsmon.conf` and sandbox actions at
//! the same moments, run against real upsmon 2.8.0 and ours in parallel (each with its own
//! upsd + dummy-ups), and everything they did compared.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::thread;
use std::time::{Duration, Instant};

use super::{Mode, Outcome, Sandbox, Subject, Upsmon, UpsmonSpec};

/// The `MONITOR` lines for a sandbox.
pub type MonitorFn = fn(&Sandbox) -> Vec<String>;
/// Something done to the sandbox while upsmon runs, at a time after upsmon started.
pub type Action = (Duration, fn(&mut Sandbox));

/// One scenario.
#[derive(Debug)]
pub struct Scenario {
    pub devices: &'static [(&'static str, &'static str)],
    pub monitors: MonitorFn,
    /// More `upsmon.conf` lines.
    pub extra: &'static str,
    pub actions: &'static [Action],
    /// How long the run may take from upsmon's start.
    pub limit: Duration,
    pub mode: Mode,
    /// The NOTIFYFLAG value for every type.
    pub flags: &'static str,
}

impl Scenario {
    /// Foreground, every notification to NOTIFYCMD, wall and syslog, no actions.
    pub const fn new(
        devices: &'static [(&'static str, &'static str)],
        monitors: MonitorFn,
        extra: &'static str,
        limit: Duration,
    ) -> Self {
        Self {
            devices,
            monitors,
            extra,
            actions: &[],
            limit,
            mode: Mode::Foreground,
            flags: "SYSLOG+WALL+EXEC",
        }
    }
}

/// Runs `s` against `subject`; the sandbox's port reads `:PORT` in the outcome.
pub fn run_one(s: &Scenario, subject: Subject) -> Outcome {
    let tag = match subject {
        Subject::Real => "sb-real",
        Subject::Ours => "sb-ours",
    };
    let mut sb = Sandbox::start(tag, s.devices);
    let monitors = (s.monitors)(&sb);
    let mon = Upsmon::launch(&UpsmonSpec {
        mode: s.mode,
        flags: s.flags,
        ..UpsmonSpec::new(subject, &monitors, s.extra)
    });
    let start = Instant::now();
    for (at, act) in s.actions {
        if let Some(wait) = at.checked_sub(start.elapsed()) {
            thread::sleep(wait);
        }
        act(&mut sb);
    }
    let left = s.limit.saturating_sub(start.elapsed());
    let log = mon.log();
    let raw = mon.raw_syslog();
    let mut out = mon.finish(left);
    out.replace(&format!(":{}", sb.port), ":PORT");
    eprintln!("{subject:?} raw syslog: {raw:#?}");
    if out.notifications.is_empty() && out.syslog.is_empty() {
        eprintln!(
            "{subject:?} produced nothing; upsmon log:\n{log}\n{}",
            sb.logs()
        );
    }
    out
}

/// Runs the scenario against both subjects in parallel, asserts that they did the same and
/// returns what they did.
pub fn compare(s: &'static Scenario) -> Outcome {
    compare_with(s, |_| {})
}

/// [`compare`] after applying `normalise` to both outcomes (for details that differ for a
/// known reason).
pub fn compare_with(s: &'static Scenario, normalise: fn(&mut Outcome)) -> Outcome {
    let real = thread::spawn(move || run_one(s, Subject::Real));
    let mut ours = run_one(s, Subject::Ours);
    let mut real = real.join().unwrap();
    normalise(&mut real);
    normalise(&mut ours);
    eprintln!("real: {real:#?}\nours: {ours:#?}");
    assert_eq!(ours, real, "our upsmon differs from upsmon 2.8.0");
    real
}

/// `ups` of `sb`, as a primary.
pub fn primary(sb: &Sandbox) -> Vec<String> {
    vec![format!("ups@127.0.0.1:{} 1 admin secret primary", sb.port)]
}

/// `ups` of `sb`, as a secondary.
pub fn secondary(sb: &Sandbox) -> Vec<String> {
    vec![format!("ups@127.0.0.1:{} 1 mon pass secondary", sb.port)]
}
