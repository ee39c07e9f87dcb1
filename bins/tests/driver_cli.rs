//! Our dummy-ups as a process: `ups.conf` reload on SIGHUP and `-c reload`, `-c exit`, and the
//! `-q` log threshold. State is read back over the driver socket with `DUMPALL`.
//!
//! Waiting polls with deadlines: reload takes effect at the driver's next poll.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::run_capture;

const DUMMY: &str = env!("CARGO_BIN_EXE_dummy-ups");

fn sandbox(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nut-rs-drvcli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.dev"), "ups.id: from-a\nbattery.charge: 50\n").unwrap();
    std::fs::write(dir.join("b.dev"), "ups.id: from-b\n").unwrap();
    dir
}

fn conf(dir: &Path, section_extra: &str) {
    let text =
        format!("pollinterval = 1\n[x]\n\tdriver = dummy-ups\n\tport = a.dev\n{section_extra}");
    std::fs::write(dir.join("ups.conf"), text).unwrap();
}

fn driver(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(DUMMY);
    c.args(args)
        .env("NUT_CONFPATH", dir)
        .env("NUT_STATEPATH", dir)
        .env("NUT_ALTPIDPATH", dir);
    c
}

/// `var → value` from a DUMPALL on the driver socket (empty if it does not answer).
fn dump(dir: &Path) -> Vec<(String, String)> {
    let Ok(mut s) = UnixStream::connect(dir.join("dummy-ups-x")) else {
        return Vec::new();
    };
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(b"DUMPALL\n").unwrap();
    let mut vars = Vec::new();
    for line in BufReader::new(s).lines() {
        let Ok(line) = line else { break };
        if line == "DUMPDONE" {
            break;
        }
        if let Some(rest) = line.strip_prefix("SETINFO ") {
            if let Some((var, value)) = rest.split_once(' ') {
                vars.push((var.to_owned(), value.trim_matches('"').to_owned()));
            }
        }
    }
    vars
}

fn value(dir: &Path, var: &str) -> Option<String> {
    dump(dir)
        .into_iter()
        .find(|(v, _)| v == var)
        .map(|(_, v)| v)
}

fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn reload_applies_a_changed_ups_conf() {
    let dir = sandbox("reload");
    conf(&dir, "");
    // Background start: returns once the driver serves and wrote its PID file.
    let out = run_capture(&mut driver(&dir, &["-a", "x", "-u", "root"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(value(&dir, "ups.id").as_deref(), Some("from-a"));
    // -c reload: the new port is played at the next poll.
    conf(&dir, "\tport = b.dev\n");
    let out = run_capture(&mut driver(&dir, &["-a", "x", "-c", "reload"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("b.dev served", || {
        value(&dir, "ups.id").as_deref() == Some("from-b")
    });
    assert_eq!(
        value(&dir, "driver.parameter.port").as_deref(),
        Some("b.dev")
    );
    // What only a.dev had is gone, not left behind from the old setup.
    assert_eq!(value(&dir, "battery.charge"), None);
    // SIGHUP: a new override is applied.
    conf(&dir, "\toverride.ups.model = Reloaded\n");
    let pid = std::fs::read_to_string(dir.join("dummy-ups-x.pid")).unwrap();
    let hup = Command::new("kill")
        .args(["-HUP", pid.trim()])
        .status()
        .unwrap();
    assert!(hup.success());
    wait_until("override applied", || {
        value(&dir, "ups.model").as_deref() == Some("Reloaded")
            && value(&dir, "ups.id").as_deref() == Some("from-a")
    });
    assert_eq!(value(&dir, "battery.charge").as_deref(), Some("50"));
    // A broken ups.conf on reload keeps the driver running with the old settings.
    std::fs::write(dir.join("ups.conf"), "[x]\n\tdriver = \"unterminated\n").unwrap();
    let out = run_capture(&mut driver(&dir, &["-a", "x", "-c", "reload"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    thread::sleep(Duration::from_millis(1500)); // one poll: the reload is attempted
    assert_eq!(value(&dir, "ups.id").as_deref(), Some("from-a"));
    // -c exit stops it and it cleans up.
    conf(&dir, "");
    let out = run_capture(&mut driver(&dir, &["-a", "x", "-c", "exit"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("driver gone", || {
        !dir.join("dummy-ups-x").exists() && !dir.join("dummy-ups-x.pid").exists()
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs the driver in the foreground until it serves, stops it with SIGTERM, returns stderr.
fn stderr_of_a_run(dir: &Path, extra: &[&str]) -> String {
    let mut cmd = driver(dir, &["-a", "x", "-u", "root", "-F"]);
    let child = cmd
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_until("driver serving", || value(dir, "ups.id").is_some());
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn quiet_raises_the_log_threshold() {
    let dir = sandbox("quiet");
    conf(&dir, "");
    // The exit notice is informational: shown by default, hidden from -qq on.
    let loud = stderr_of_a_run(&dir, &[]);
    assert!(loud.contains("Signal SIGTERM: exiting"), "{loud}");
    let quiet = stderr_of_a_run(&dir, &["-qq"]);
    assert!(!quiet.contains("exiting"), "{quiet}");
    // `-k` announces the shutdown as a notice, hidden from -qqq on; the fatal error that
    // ends the program (dummy-ups cannot power anything off) is never hidden.
    let run = |extra: &[&str]| {
        let mut cmd = driver(&dir, &["-a", "x", "-u", "root", "-k"]);
        run_capture(cmd.args(extra))
    };
    let noticed = run(&["-qq"]);
    assert_eq!(noticed.code, Some(1));
    assert!(
        noticed.stderr.contains("Initiating UPS shutdown"),
        "{noticed:?}"
    );
    let silent = run(&["-qqq"]);
    assert_eq!(silent.code, Some(1));
    assert!(!silent.stderr.contains("Initiating"), "{silent:?}");
    assert_eq!(silent.stderr.trim(), "shutdown not supported", "{silent:?}");
    // NUT refuses more than seven.
    let too_many = run(&["-qqqqqqqq"]);
    assert_eq!(too_many.code, Some(1));
    assert!(
        too_many.stderr.contains("Invalid log level threshold"),
        "{too_many:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
