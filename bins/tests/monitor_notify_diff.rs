//! WALL and SYSLOG notifications of real upsmon 2.8.0 and ours compared: both detached (no
//! `-F`, so both log to syslog), in a private mount namespace whose `/dev/log` is a socket
//! of the test and whose `PATH` starts with a fake `wall` (see `monitor_support::capture`).
//! The same scenarios as `monitor_diff.rs`: each notification type 2.8.0 has (but NOPARENT
//! and CAL), the default messages and NOTIFYMSG overrides, and the startup and shutdown
//! lines upsmon logs.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::time::Duration;

use monitor_support::scenario::{compare, compare_with, primary, secondary, Scenario};
use monitor_support::{Mode, Outcome, Sandbox};

/// Every scenario's defaults: detached, every notification to NOTIFYCMD, wall and syslog.
const BG: Scenario = Scenario {
    mode: Mode::Background,
    ..Scenario::new(&[], primary, "", Duration::ZERO)
};

const SHORT: &str = "HOSTSYNC 2\nDEADTIME 3\n";

fn has(out: &Outcome, channel: &[String], text: &str) {
    assert!(channel.iter().any(|l| l.contains(text)), "{text}: {out:#?}");
}

#[test]
fn on_battery_and_back_with_default_messages() {
    static S: Scenario = Scenario {
        devices: &[(
            "ups",
            "ups.status: OL\nTIMER 3\nups.status: OB\nTIMER 3\nups.status: OL\nTIMER 300\n",
        )],
        limit: Duration::from_secs(10),
        ..BG
    };
    let out = compare(&S);
    has(&out, &out.walls, "UPS ups@127.0.0.1:PORT on battery\n");
    has(&out, &out.syslog, "UPS ups@127.0.0.1:PORT on line power");
    has(&out, &out.syslog, "Startup successful");
    has(&out, &out.syslog, "Signal 15: exiting");
}

#[test]
fn low_battery_shutdown_with_notifymsg_overrides() {
    static S: Scenario = Scenario {
        devices: &[(
            "ups",
            "ups.status: OL\nTIMER 2\nups.status: OB\nTIMER 2\nups.status: OB LB\nTIMER 300\n",
        )],
        extra: "HOSTSYNC 2\nDEADTIME 3\n\
                NOTIFYMSG ONBATT \"Power out at %s, 100%% sure\"\n\
                NOTIFYMSG LOWBATT \"%s: low\"\n\
                NOTIFYMSG SHUTDOWN \"bye from %s\"\n",
        limit: Duration::from_secs(15),
        ..BG
    };
    let out = compare(&S);
    assert!(out.shutdown, "{out:#?}");
    has(
        &out,
        &out.walls,
        "Power out at ups@127.0.0.1:PORT, 100% sure\n",
    );
    has(&out, &out.syslog, "ups@127.0.0.1:PORT: low");
    has(&out, &out.syslog, "bye from ");
    has(
        &out,
        &out.walls,
        "Executing automatic power-fail shutdown\n",
    );
}

/// A NOTIFYMSG longer than upsmon's 511-byte limit.
const LONG_FSD_MESSAGE: &str = concat!(
    "HOSTSYNC 2\nDEADTIME 3\nNOTIFYMSG FSD \"%s FSD ",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "\"\n"
);

fn set_fsd(sb: &mut Sandbox) {
    sb.session(&["USERNAME admin", "PASSWORD secret", "FSD ups"]);
}

#[test]
fn fsd_from_the_primary() {
    static S: Scenario = Scenario {
        devices: &[("ups", "ups.status: OB\nTIMER 300\n")],
        monitors: secondary,
        extra: LONG_FSD_MESSAGE,
        actions: &[(Duration::from_secs(3), set_fsd)],
        limit: Duration::from_secs(12),
        ..BG
    };
    let out = compare(&S);
    has(&out, &out.walls, "ups@127.0.0.1:PORT FSD xxx");
    has(
        &out,
        &out.walls,
        "Executing automatic power-fail shutdown\n\n",
    );
    has(&out, &out.syslog, "Auto logout and shutdown proceeding");
}

fn stop_upsd(sb: &mut Sandbox) {
    sb.stop_upsd();
}

fn start_upsd(sb: &mut Sandbox) {
    sb.start_upsd();
}

#[test]
fn commbad_and_commok() {
    static S: Scenario = Scenario {
        devices: &[("ups", "ups.status: OL\nTIMER 300\n")],
        extra: SHORT,
        actions: &[
            (Duration::from_secs(2), stop_upsd),
            (Duration::from_secs(4), start_upsd),
        ],
        limit: Duration::from_secs(10),
        ..BG
    };
    // The poll that meets the killed upsd reads end-of-file; the LOGOUT libupsclient then
    // writes breaks the pipe, and both upsmons log that: "failed - Write error: Broken pipe".
    // How many refused reconnects fit in the 2 s without upsd is timing (1 or 2 polls):
    // repeated lines count once.
    let out = compare_with(&S, |o| o.syslog.dedup());
    has(
        &out,
        &out.syslog,
        "Poll UPS [ups@127.0.0.1:PORT] failed - Write error: Broken pipe",
    );
    has(
        &out,
        &out.walls,
        "Communications with UPS ups@127.0.0.1:PORT lost",
    );
    has(
        &out,
        &out.syslog,
        "Communications with UPS ups@127.0.0.1:PORT established",
    );
}

fn kill_driver(sb: &mut Sandbox) {
    sb.kill_driver(0);
}

#[test]
fn nocomm_and_replbatt() {
    static S: Scenario = Scenario {
        devices: &[("ups", "ups.status: OL RB\nTIMER 300\n")],
        extra: "NOCOMMWARNTIME 3\n",
        actions: &[(Duration::from_secs(2), kill_driver)],
        // One NOCOMM: NUT repeats it after more than NOCOMMWARNTIME whole seconds.
        limit: Duration::from_secs(7),
        ..BG
    };
    // How many failed polls fit in the window is timing: repeated lines count once.
    let out = compare_with(&S, |o| o.syslog.dedup());
    has(&out, &out.walls, "battery needs to be replaced");
    has(&out, &out.syslog, "UPS ups@127.0.0.1:PORT is unavailable");
}

#[test]
fn syslog_only_and_ignore_flags() {
    static S: Scenario = Scenario {
        devices: &[(
            "ups",
            "ups.status: OL\nTIMER 2\nups.status: OB\nTIMER 300\n",
        )],
        extra: "NOTIFYFLAG ONLINE IGNORE\n",
        limit: Duration::from_secs(6),
        flags: "SYSLOG",
        ..BG
    };
    let out = compare(&S);
    assert!(
        out.walls.is_empty() && out.notifications.is_empty(),
        "{out:#?}"
    );
    has(&out, &out.syslog, "on battery");
}

/// A configuration warning is told on the starting process's stderr, before it detaches:
/// never to syslog, and not again by the detached copy.
#[test]
fn config_warnings_stay_out_of_syslog() {
    static S: Scenario = Scenario {
        devices: &[("ups", "ups.status: OL\nTIMER 300\n")],
        extra: "NOSUCHDIRECTIVE 1\n",
        limit: Duration::from_secs(4),
        ..BG
    };
    let out = compare(&S);
    has(&out, &out.syslog, "Startup successful");
    assert!(
        !out.syslog.iter().any(|l| l.contains("NOSUCHDIRECTIVE")),
        "{out:#?}"
    );
}
