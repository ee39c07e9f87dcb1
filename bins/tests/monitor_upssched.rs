//! Our `upssched` binary end to end: EXECUTE runs at once, timers start, fire and cancel
//! through the on-demand daemon, the daemon exits when idle, and bad lines are reported with
//! file:line. CMDSCRIPT appends its argument to a file; every wait has a deadline.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use monitor_support::sched::{invocation, out, setup};
use monitor_support::wait_until;

const RULES: &str = "AT ONBATT * START-TIMER onbatt 1
AT ONBATT * START-TIMER late 2
AT ONLINE * CANCEL-TIMER late back-online
AT LOWBATT ups@host EXECUTE lowbatt-now
AT LOWBATT other@host EXECUTE not-this-one
AT BOGUS * EXECUTE x
";

fn upssched(dir: &Path, kind: &str) -> Output {
    invocation(env!("CARGO_BIN_EXE_upssched"), dir, kind)
        .output()
        .unwrap()
}

#[test]
fn execute_runs_at_once_and_bad_lines_are_reported() {
    let dir = setup("exec", RULES);
    let o = upssched(&dir, "LOWBATT");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(out(&dir), ["lowbatt-now"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("upssched.conf:9:"), "stderr: {err}");
    assert!(
        !dir.join("upssched.pipe").exists(),
        "EXECUTE needs no daemon"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn timers_fire_cancel_and_the_daemon_exits_when_idle() {
    let dir = setup("timers", RULES);
    assert_eq!(upssched(&dir, "ONBATT").status.code(), Some(0));
    assert!(dir.join("upssched.pipe").exists(), "daemon listening");
    assert!(
        !dir.join("upssched.lock").exists(),
        "lock removed by the daemon"
    );
    // "late" (2 s) is cancelled before it fires; "onbatt" (1 s) fires.
    assert_eq!(upssched(&dir, "ONLINE").status.code(), Some(0));
    assert!(wait_until(Duration::from_secs(4), || out(&dir) == ["onbatt"]));
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(out(&dir), ["onbatt"], "the cancelled timer never fires");
    // Nothing left to cancel: the CANCEL-TIMER command runs instead.
    assert_eq!(upssched(&dir, "ONLINE").status.code(), Some(0));
    assert!(wait_until(Duration::from_secs(3), || out(&dir).len() == 2));
    assert_eq!(out(&dir), ["onbatt", "back-online"]);
    // No timers: the daemon removes its socket and exits after 15 s.
    let gone = wait_until(Duration::from_secs(20), || {
        !dir.join("upssched.pipe").exists()
    });
    assert!(gone, "daemon still listening after its idle time");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn needs_upsmon_environment() {
    let o = Command::new(env!("CARGO_BIN_EXE_upssched"))
        .env_remove("UPSNAME")
        .env_remove("NOTIFYTYPE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("UPSNAME and NOTIFYTYPE must be set"));
}
