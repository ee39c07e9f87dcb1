//! upsmon's stderr from start to exit, ours against real upsmon 2.8.0: `-DD` traces
//! (`debug level`, `Saving PID`, `do_notify`, `Dropping connection`), a reload that changes
//! credentials and drops a UPS, and how each stop signal ends both processes (the child's
//! `Signal <n>: exiting`, the parent's failed read of their pipe and its exit status).
//!
//! The stamps of `-D` are cut off, PIDs, the PID file's path (DEVIATIONS.md) and the closed
//! port are replaced, and real's NSS line (DEVIATIONS.md) is dropped.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use monitor_support::stderr_run::{closed_port, Run};
use monitor_support::{unique_dir, wait_until, Subject};

fn conf(dir: &Path, text: &str) {
    fs::write(dir.join("upsmon.conf"), text).unwrap();
}

/// `text` without stamps, PIDs, paths (the test directory reads `<dir>`) and the port.
fn comparable(text: &str, dir: &Path, port: u16) -> Vec<String> {
    let pid_file = dir.join("run/upsmon.pid").display().to_string();
    text.lines()
        .filter(|l| *l != "Init SSL without certificate database")
        .map(|l| {
            let l = l.split_once('\t').map_or(l, |(stamp, rest)| {
                let is_stamp = stamp.trim().parse::<f64>().is_ok();
                if is_stamp {
                    rest
                } else {
                    l
                }
            });
            let l = l
                .replace(&pid_file, "<pidfile>")
                .replace("/run/nut/upsmon.pid", "<pidfile>")
                .replace(&dir.display().to_string(), "<dir>")
                .replace(&port.to_string(), "<port>");
            match l.strip_prefix("[D1] Saving PID ") {
                Some(rest) => format!("[D1] Saving PID <pid> {}", rest.split_once(' ').unwrap().1),
                None => l,
            }
        })
        .collect()
}

/// Starts `subject` with `args`, lets it poll once, runs `during` and stops it with `stop`;
/// its stderr (comparable) and the started process's exit code.
fn session(
    subject: Subject,
    args: &[&str],
    first: &str,
    during: &dyn Fn(&Run, &Path, u16),
    stop: &str,
) -> (Vec<String>, Option<i32>) {
    let dir = unique_dir("debug");
    let port = closed_port();
    conf(&dir, &first.replace("{port}", &port.to_string()));
    let mut run = Run::start(subject, &dir, None, args);
    assert!(wait_until(Duration::from_secs(10), || run
        .stderr()
        .contains("lost")));
    during(&run, &dir, port);
    run.signal(stop);
    let code = run.wait_exit(Duration::from_secs(10));
    (comparable(&run.stderr(), &dir, port), code)
}

const TWO: &str = "MONITOR ok@127.0.0.1:{port} 1 u p primary\n\
                   MONITOR two@127.0.0.1:{port} 0 u p secondary\n\
                   SHUTDOWNCMD /bin/true\n";

/// A reload that gives `ok` new credentials (it is not logged in: `retrying connection`) and
/// drops `two`; upsmon polls at once after it.
#[test]
fn debug_traces_and_a_reload_that_drops_a_ups() {
    let reload = |run: &Run, dir: &Path, port: u16| {
        let text = format!("MONITOR ok@127.0.0.1:{port} 1 v q primary\nSHUTDOWNCMD /bin/true\n");
        conf(dir, &text);
        run.signal("HUP");
        assert!(wait_until(Duration::from_secs(10), || run
            .stderr()
            .contains("is unavailable")));
    };
    let real = session(Subject::Real, &["-DD", "-u", "root"], TWO, &reload, "TERM");
    let ours = session(Subject::Ours, &["-DD", "-u", "root"], TWO, &reload, "TERM");
    assert_eq!(ours, real);
    let dropping = |ups: &str| format!("[D2] Dropping connection to UPS [{ups}@127.0.0.1:<port>]");
    let want_after_reload = [
        "Reloading configuration".to_owned(),
        "UPS [ok@127.0.0.1:<port>]: redefined username".to_owned(),
        "UPS [ok@127.0.0.1:<port>]: retrying connection".to_owned(),
        dropping("ok"),
        "UPS [ok@127.0.0.1:<port>]: redefined password".to_owned(),
        "UPS [ok@127.0.0.1:<port>]: retrying connection".to_owned(),
        dropping("ok"),
        "No longer monitoring UPS [two@127.0.0.1:<port>]".to_owned(),
        dropping("two"),
        "[D1] Trying to connect to UPS [ok@127.0.0.1:<port>]".to_owned(),
    ];
    let lines = &real.0;
    let at = lines.iter().position(|l| l == "Reloading configuration");
    let at = at.unwrap();
    assert_eq!(lines[at..at + want_after_reload.len()], want_after_reload);
    assert_eq!(
        lines[lines.len() - 3..],
        [
            "Signal 15: exiting".to_owned(),
            dropping("ok"),
            "upsmon parent: read".to_owned()
        ]
    );
    assert!(lines.contains(&"[D1] debug level is '2'".to_owned()));
    assert!(lines.contains(&"[D2] do_notify: ntype 0x0005 (COMMBAD)".to_owned()));
    assert_eq!(real.1, Some(1));
}

/// SIGINT and SIGQUIT stop the monitoring child as SIGTERM does, named by their numbers.
#[test]
fn each_stop_signal_is_named() {
    let one = "MONITOR ok@127.0.0.1:{port} 1 u p primary\nSHUTDOWNCMD /bin/true\n";
    let nothing = |_: &Run, _: &Path, _: u16| {};
    for (signal, number) in [("INT", 2), ("QUIT", 3), ("TERM", 15)] {
        let real = session(Subject::Real, &["-F", "-u", "root"], one, &nothing, signal);
        let ours = session(Subject::Ours, &["-F", "-u", "root"], one, &nothing, signal);
        assert_eq!(ours, real, "SIG{signal}");
        let end = real.0[real.0.len() - 2..].to_vec();
        let want = [
            format!("Signal {number}: exiting"),
            "upsmon parent: read".into(),
        ];
        assert_eq!((end, real.1), (want.to_vec(), Some(1)), "SIG{signal}");
    }
}

/// `CERTVERIFY 1` without `CERTPATH`: upsmon 2.8.0 will not connect at all (ours used to
/// accept any certificate), says why at every attempt and counts the UPS as lost.
#[test]
fn certverify_without_certpath_never_connects() {
    let conf = "MONITOR ok@127.0.0.1:{port} 1 u p primary\nSHUTDOWNCMD /bin/true\nCERTVERIFY 1\n";
    let nothing = |_: &Run, _: &Path, _: u16| {};
    let real = session(
        Subject::Real,
        &["-DD", "-u", "root"],
        conf,
        &nothing,
        "TERM",
    );
    let ours = session(
        Subject::Ours,
        &["-DD", "-u", "root"],
        conf,
        &nothing,
        "TERM",
    );
    assert_eq!(ours, real);
    let refused = [
        "[D1] Trying to connect to UPS [ok@127.0.0.1:<port>]",
        "Configuration error: CERTVERIFY is set, but CERTPATH isn't",
        "UPS [ok@127.0.0.1:<port>]: Connection impossible, dropping link",
        "[D2] do_notify: ntype 0x0005 (COMMBAD)",
        "Communications with UPS ok@127.0.0.1:<port> lost",
        "[D2] Dropping connection to UPS [ok@127.0.0.1:<port>]",
    ];
    let at = real.0.iter().position(|l| l == refused[0]).unwrap();
    assert_eq!(real.0[at..at + refused.len()], refused.map(String::from));
}

/// A reload whose file is gone: 2.8.0's `Reload failed: can't open ...`, nothing changes, and
/// the UPS is polled at once all the same.
#[test]
fn a_reload_without_its_file_fails_and_polls() {
    let one = "MONITOR ok@127.0.0.1:{port} 1 u p primary\nSHUTDOWNCMD /bin/true\n";
    let reload = |run: &Run, dir: &Path, _: u16| {
        fs::remove_file(dir.join("upsmon.conf")).unwrap();
        run.signal("HUP");
        assert!(wait_until(Duration::from_secs(10), || run
            .stderr()
            .contains("is unavailable")));
    };
    let real = session(Subject::Real, &["-F", "-u", "root"], one, &reload, "TERM");
    let ours = session(Subject::Ours, &["-F", "-u", "root"], one, &reload, "TERM");
    assert_eq!(ours, real);
    assert!(real
        .0
        .iter()
        .any(|l| l.starts_with("Reload failed: can't open ")
            && l.ends_with("/upsmon.conf: No such file or directory")));
}
