//! Differential tests: real upsmon 2.8.0 and ours, each against its own real upsd + dummy-ups
//! driven by the same `.seq` file, must raise the same notifications in the same order and
//! make the same shutdown decision.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::thread;
use std::time::Duration;

use monitor_support::scenario::{compare, primary, secondary, Scenario};
use monitor_support::{Outcome, Sandbox, Subject, Upsmon};

const FLAP: &str = "ups.status: OL\nTIMER 3\nups.status: OB\nTIMER 3\nups.status: OL\nTIMER 300\n";

#[test]
fn ob_ol_flap() {
    static S: Scenario = Scenario::new(&[("ups", FLAP)], primary, "", Duration::from_secs(9));
    let out = compare(&S);
    assert!(!out.shutdown);
    assert_eq!(out.notifications.len(), 2, "{out:?}");
}

const OB_LB: &str =
    "ups.status: OL\nTIMER 2\nups.status: OB\nTIMER 2\nups.status: OB LB\nTIMER 300\n";
const SHORT: &str = "HOSTSYNC 2\nDEADTIME 3\n";

fn assert_shutdown(out: &Outcome) {
    assert!(out.shutdown, "{out:?}");
    assert_eq!(out.flag.as_deref(), Some("upsmon-shutdown-file"));
    assert!(
        out.notifications
            .last()
            .is_some_and(|n| n.starts_with("SHUTDOWN ")),
        "{out:?}"
    );
}

#[test]
fn ob_lb_shutdown_as_primary() {
    static S: Scenario = Scenario::new(&[("ups", OB_LB)], primary, SHORT, Duration::from_secs(15));
    assert_shutdown(&compare(&S));
}

#[test]
fn ob_lb_shutdown_as_secondary() {
    static S: Scenario =
        Scenario::new(&[("ups", OB_LB)], secondary, SHORT, Duration::from_secs(15));
    assert_shutdown(&compare(&S));
}

fn set_fsd(sb: &mut Sandbox) {
    sb.session(&["USERNAME admin", "PASSWORD secret", "FSD ups"]);
}

#[test]
fn fsd_from_the_primary_shuts_the_secondary_down() {
    static S: Scenario = Scenario {
        actions: &[(Duration::from_secs(3), set_fsd)],
        ..Scenario::new(
            &[("ups", "ups.status: OB\nTIMER 300\n")],
            secondary,
            SHORT,
            Duration::from_secs(12),
        )
    };
    let out = compare(&S);
    assert_shutdown(&out);
    assert!(out.notifications.iter().any(|n| n.starts_with("FSD ")));
}

fn hold_secondary(sb: &mut Sandbox) {
    let s = sb.session(&["USERNAME mon", "PASSWORD pass", "LOGIN ups"]);
    sb.held.push(s);
}

#[test]
fn primary_waits_hostsync_for_a_secondary_that_stays() {
    static S: Scenario = Scenario {
        actions: &[(Duration::from_millis(500), hold_secondary)],
        ..Scenario::new(
            &[("ups", OB_LB)],
            primary,
            "HOSTSYNC 3\nDEADTIME 3\n",
            Duration::from_secs(16),
        )
    };
    assert_shutdown(&compare(&S));
}

const STEADY: &str = "ups.status: OL\nTIMER 300\n";
/// OB and LB in separate polls: real upsmon forks one notifier per notification, so two
/// raised by the same poll may reach the NOTIFYCMD log in either order.
const GOES_LOW: &str =
    "ups.status: OL\nTIMER 2\nups.status: OB\nTIMER 2\nups.status: OB LB\nTIMER 300\n";

/// `a` goes low, `b` stays on line.
const A_LOW_B_STEADY: &[(&str, &str)] = &[("a", GOES_LOW), ("b", STEADY)];

fn two(sb: &Sandbox, pa: u32, pb: u32) -> Vec<String> {
    vec![
        format!("a@127.0.0.1:{} {pa} admin secret primary", sb.port),
        format!("b@127.0.0.1:{} {pb} admin secret primary", sb.port),
    ]
}

#[test]
fn minsupplies_1_with_a_power_value_0_ups_going_low() {
    static S: Scenario = Scenario::new(
        A_LOW_B_STEADY,
        |sb| two(sb, 0, 1),
        "MINSUPPLIES 1\nHOSTSYNC 2\nDEADTIME 3\n",
        Duration::from_secs(10),
    );
    let out = compare(&S);
    assert!(!out.shutdown, "{out:?}");
}

#[test]
fn minsupplies_2_with_power_values_1_and_2() {
    static S: Scenario = Scenario::new(
        A_LOW_B_STEADY,
        |sb| two(sb, 1, 2),
        "MINSUPPLIES 2\nHOSTSYNC 2\nDEADTIME 3\n",
        Duration::from_secs(10),
    );
    assert!(!compare(&S).shutdown);
}

#[test]
fn minsupplies_2_with_power_values_1_and_1_shuts_down() {
    static S: Scenario = Scenario::new(
        A_LOW_B_STEADY,
        |sb| two(sb, 1, 1),
        "MINSUPPLIES 2\nHOSTSYNC 2\nDEADTIME 3\n",
        Duration::from_secs(14),
    );
    assert_shutdown(&compare(&S));
}

/// The UPS was lost (COMMBAD) while on line: no shutdown.
fn assert_commbad_without_shutdown(out: &Outcome) {
    assert!(!out.shutdown, "{out:?}");
    assert!(
        out.notifications.iter().any(|n| n.starts_with("COMMBAD ")),
        "{out:?}"
    );
}

#[test]
fn comm_loss_on_line_is_not_a_shutdown() {
    static S: Scenario = Scenario {
        actions: &[(Duration::from_secs(2), |sb| sb.kill_driver(0))],
        ..Scenario::new(&[("ups", STEADY)], primary, SHORT, Duration::from_secs(9))
    };
    assert_commbad_without_shutdown(&compare(&S));
}

#[test]
fn comm_loss_on_battery_shuts_down_after_deadtime() {
    static S: Scenario = Scenario {
        actions: &[(Duration::from_secs(2), |sb| sb.kill_driver(0))],
        ..Scenario::new(
            &[("ups", "ups.status: OB\nTIMER 300\n")],
            primary,
            SHORT,
            Duration::from_secs(14),
        )
    };
    assert_shutdown(&compare(&S));
}

#[test]
fn upsd_restart() {
    static S: Scenario = Scenario {
        actions: &[
            (Duration::from_secs(2), |sb| sb.stop_upsd()),
            (Duration::from_secs(4), |sb| sb.start_upsd()),
        ],
        ..Scenario::new(&[("ups", STEADY)], primary, SHORT, Duration::from_secs(10))
    };
    let out = compare(&S);
    assert!(!out.shutdown);
    let kinds: Vec<&str> = out
        .notifications
        .iter()
        .map(|n| n.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["COMMBAD", "COMMOK"]);
}

#[test]
fn driver_going_stale() {
    static S: Scenario = Scenario {
        actions: &[(Duration::from_secs(1), |sb| sb.freeze_driver(0))],
        ..Scenario::new(&[("ups", STEADY)], primary, SHORT, Duration::from_secs(12))
    };
    assert_commbad_without_shutdown(&compare(&S));
}

/// With the privilege split for real: the monitoring child runs as `nut` (so do the
/// notifications), the root parent runs SHUTDOWNCMD.
#[test]
fn privilege_split_as_nut() {
    let devices: &[(&str, &str)] = &[("ups", OB_LB)];
    let run = |subject| {
        let sb = Sandbox::start("sb-privsep", devices);
        let mon = Upsmon::start_as(subject, &primary(&sb), SHORT, "nut");
        let mut out = mon.finish(Duration::from_secs(15));
        out.replace(&format!(":{}", sb.port), ":PORT");
        out
    };
    let real = thread::spawn(move || run(Subject::Real));
    let ours = run(Subject::Ours);
    let real = real.join().unwrap();
    assert_eq!(ours, real);
    assert_shutdown(&ours);
    assert_eq!(ours.shutdown_by.as_deref(), Some("root"));
}
