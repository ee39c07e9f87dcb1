//! `upsmon -K` (against real upsmon 2.8.0's exit codes) and `upsmon -c fsd|reload|stop`
//! driving a running instance of ours through its PID file.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use monitor_support::{unique_dir, wait_until, Sandbox, Subject, Upsmon, REAL_UPSMON};

/// `upsmon <args>` on `dir`'s upsmon.conf: real upsmon with a private /run/nut, ours with
/// its PID file in `dir`.
fn upsmon(subject: Subject, dir: &Path, args: &str) -> Command {
    let mut cmd = match subject {
        Subject::Real => {
            let mut c = Command::new("unshare");
            let script = format!("mount -t tmpfs none /run/nut && exec {REAL_UPSMON} {args}");
            c.args(["-m", "sh", "-c", &script]);
            c
        }
        Subject::Ours => {
            let mut c = Command::new(env!("CARGO_BIN_EXE_upsmon"));
            c.args(args.split_whitespace()).env("NUT_ALTPIDPATH", dir);
            c
        }
    };
    cmd.env("NUT_CONFPATH", dir);
    cmd
}

fn k_status(subject: Subject, dir: &Path) -> Option<i32> {
    upsmon(subject, dir, "-K").output().unwrap().status.code()
}

/// `upsmon -F` on `dir`'s upsmon.conf: exit code and stdout.
fn start_output(subject: Subject, dir: &Path) -> (Option<i32>, String) {
    let out = upsmon(subject, dir, "-F -u root").output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A file whose power values fall short of MINSUPPLIES is read (its lines told on stderr),
/// then refused on stdout in upsmon 2.8.0's words, exit 1.
#[test]
fn insufficient_power_is_refused_like_upsmon() {
    let dir = unique_dir("minsupplies");
    let conf = "MONITOR a@127.0.0.1:1 0 u p primary\nMONITOR b@127.0.0.1:1 1 u p secondary\n\
                MINSUPPLIES 2\n";
    fs::write(dir.join("upsmon.conf"), conf).unwrap();
    let real = start_output(Subject::Real, &dir);
    assert_eq!(real.0, Some(1), "{}", real.1);
    assert!(
        real.1.contains("Sum of power values........: 1\n"),
        "{}",
        real.1
    );
    assert_eq!(start_output(Subject::Ours, &dir), real);
}

#[test]
fn k_reports_the_flag_file_like_upsmon() {
    let dir = unique_dir("flag");
    let flag = dir.join("killpower");
    fs::write(
        dir.join("upsmon.conf"),
        format!(
            "MONITOR ups@127.0.0.1:1 1 admin secret primary\nPOWERDOWNFLAG {}\n",
            flag.display()
        ),
    )
    .unwrap();
    let contents: [(Option<&str>, i32); 4] = [
        (None, 1),
        (Some("upsmon-shutdown-file"), 0),
        (Some("upsmon-shutdown-file\nmore"), 0),
        (Some("something else"), 1),
    ];
    for (content, want) in contents {
        match content {
            Some(c) => fs::write(&flag, c).unwrap(),
            None => {
                let _ = fs::remove_file(&flag);
            }
        }
        let real = k_status(Subject::Real, &dir);
        assert_eq!(real, Some(want), "real upsmon -K with {content:?}");
        assert_eq!(
            k_status(Subject::Ours, &dir),
            real,
            "ours -K with {content:?}"
        );
    }
    let _ = fs::remove_dir_all(&dir);
}

fn ctl(dir: &Path, cmd: &str) -> Option<i32> {
    Command::new(env!("CARGO_BIN_EXE_upsmon"))
        .args(["-c", cmd])
        .env("NUT_CONFPATH", dir)
        .env("NUT_ALTPIDPATH", dir)
        .output()
        .unwrap()
        .status
        .code()
}

#[test]
fn c_fsd_sets_fsd_and_shuts_down() {
    let sb = Sandbox::start("cli", &[("ups", "ups.status: OL\nTIMER 300\n")]);
    let monitors = [format!("ups@127.0.0.1:{} 1 admin secret primary", sb.port)];
    let mut mon = Upsmon::start(Subject::Ours, &monitors, "HOSTSYNC 2\n");
    let pid = mon.dir.join("upsmon.pid");
    assert!(
        wait_until(Duration::from_secs(5), || pid.exists()),
        "{}",
        mon.log()
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(ctl(&mon.dir, "reload"), Some(0));
    assert_eq!(ctl(&mon.dir, "fsd"), Some(0));
    assert!(
        wait_until(Duration::from_secs(8), || mon.exited()),
        "{}",
        mon.log()
    );
    let dir = mon.dir.clone();
    let out = mon.finish(Duration::from_secs(1));
    // As upsmon's forceshutdown(): FSD set on the UPS (no FSD notification: no poll
    // happens in between), the wait for secondaries, then SHUTDOWN and the command.
    assert_eq!(
        out.notifications,
        ["SHUTDOWN  Auto logout and shutdown proceeding"]
    );
    assert_eq!(sb.status("ups"), "VAR ups ups.status \"FSD OL\"");
    assert!(out.shutdown);
    assert_eq!(out.flag.as_deref(), Some("upsmon-shutdown-file"));
    assert!(!dir.join("upsmon.pid").exists(), "PID file removed");
}

#[test]
fn c_stop_logs_out_and_exits() {
    // A fresh upsd: the FSD latch of the other test would shut this one down.
    let sb = Sandbox::start("cli-stop", &[("ups", "ups.status: OL\nTIMER 300\n")]);
    let monitors = [format!("ups@127.0.0.1:{} 1 admin secret primary", sb.port)];
    let mut mon = Upsmon::start(Subject::Ours, &monitors, "");
    let pid = mon.dir.join("upsmon.pid");
    assert!(wait_until(Duration::from_secs(5), || pid.exists()));
    std::thread::sleep(Duration::from_millis(500));
    assert!(sb.session(&["GET NUMLOGINS ups"]).peer_addr().is_ok());
    assert_eq!(ctl(&mon.dir, "stop"), Some(0));
    assert!(
        wait_until(Duration::from_secs(5), || mon.exited()),
        "{}",
        mon.log()
    );
    assert!(!mon.finish(Duration::ZERO).shutdown);
}
