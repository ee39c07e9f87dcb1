//! Differential tests: real upsmon 2.8.0 and ours, each against its own real upsd + dummy-ups
//! driven by the same `.seq` file, must raise the same notifications in the same order and
//! make the same shutdown decision.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::thread;
use std::time::Duration;

use monitor_support::{Outcome, Sandbox, Subject, Upsmon};

/// A MONITOR line for UPS `ups` of `sb`.
type MonitorFn = fn(&Sandbox) -> Vec<String>;
/// Something done to the sandbox while upsmon runs, at a time after upsmon started.
type Action = (Duration, fn(&mut Sandbox));

struct Scenario {
    devices: &'static [(&'static str, &'static str)],
    monitors: MonitorFn,
    extra: &'static str,
    actions: &'static [Action],
    limit: Duration,
}

fn run_one(s: &Scenario, subject: Subject) -> Outcome {
    let mut sb = Sandbox::start(if subject == Subject::Real { "sb-real" } else { "sb-ours" }, s.devices);
    let mon = Upsmon::start(subject, &(s.monitors)(&sb), s.extra);
    let start = std::time::Instant::now();
    for (at, act) in s.actions {
        if let Some(wait) = at.checked_sub(start.elapsed()) {
            thread::sleep(wait);
        }
        act(&mut sb);
    }
    let left = s.limit.saturating_sub(start.elapsed());
    let log = mon.log();
    let mut out = mon.finish(left);
    let port = format!(":{}", sb.port);
    for n in &mut out.notifications {
        *n = n.replace(&port, ":PORT");
    }
    if out.notifications.is_empty() {
        eprintln!("{subject:?} produced nothing; upsmon log:\n{log}\n{}", sb.logs());
    }
    out
}

/// Runs the scenario against both subjects in parallel and compares.
fn compare(s: &'static Scenario) -> Outcome {
    let real = thread::spawn(move || run_one(s, Subject::Real));
    let ours = run_one(s, Subject::Ours);
    let real = real.join().unwrap();
    eprintln!("real: {real:#?}\nours: {ours:#?}");
    assert_eq!(ours, real, "our upsmon differs from upsmon 2.8.0");
    real
}

fn primary(sb: &Sandbox) -> Vec<String> {
    vec![format!("ups@127.0.0.1:{} 1 admin secret primary", sb.port)]
}

fn secondary(sb: &Sandbox) -> Vec<String> {
    vec![format!("ups@127.0.0.1:{} 1 mon pass secondary", sb.port)]
}

const FLAP: &str = "ups.status: OL\nTIMER 3\nups.status: OB\nTIMER 3\nups.status: OL\nTIMER 300\n";

#[test]
fn ob_ol_flap() {
    static S: Scenario = Scenario {
        devices: &[("ups", FLAP)],
        monitors: primary,
        extra: "",
        actions: &[],
        limit: Duration::from_secs(9),
    };
    let out = compare(&S);
    assert!(!out.shutdown);
    assert_eq!(out.notifications.len(), 2, "{out:?}");
}
