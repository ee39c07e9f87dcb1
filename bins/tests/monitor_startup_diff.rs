//! What upsmon prints on stderr at start, ours against real upsmon 2.8.0: the check for a
//! previous instance (for every kind of PID file) and the lines it logs while reading
//! upsmon.conf (`UPS: ...` per MONITOR entry, `Using power down flag file ...`), in file
//! order among the configuration warnings.
//!
//! Both run under `unshare -m` with the test's `run/` directory on `/run/nut`: real upsmon
//! reads its PID file there, ours reads `NUT_ALTPIDPATH` (the same directory; DEVIATIONS.md),
//! so the PID file's path is the one difference and is written `<pidfile>` in both. MONITOR
//! names a closed port: the output is cut at the first connect failure, and real upsmon's NSS
//! line (DEVIATIONS.md) is dropped. The configuration warnings have texts of their own
//! (DEVIATIONS.md, configuration files), so each is compared as `<config warning>`, at its
//! place.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::fs;
use std::path::Path;
use std::time::Duration;

use monitor_support::stderr_run::{closed_port, Run};
use monitor_support::{unique_dir, Subject};

/// A PID above any kernel's `pid_max` (at most 2^22): never a live process.
const DEAD_PID: &str = "8388608\n";

/// Two MONITOR lines (one with power value 0), a warning between them, a duplicate MONITOR
/// (a warning) and POWERDOWNFLAG; MONITOR points at a port where nothing listens.
fn standard_conf(dir: &Path, port: u16) -> String {
    format!(
        "MONITOR dummy@127.0.0.1:{port} 1 admin secret primary\n\
         NOSUCHDIRECTIVE x\n\
         MONITOR other@127.0.0.1:{port} 0 mon pass secondary\n\
         MONITOR dummy@127.0.0.1:{port} 1 admin secret primary\n\
         POWERDOWNFLAG {d}/killpower\n\
         SHUTDOWNCMD /bin/true\n",
        d = dir.display()
    )
}

/// MONITOR names that libupsclient splits only in part, or oddly, and one good one last.
fn odd_names_conf(_dir: &Path, port: u16) -> String {
    format!(
        "MONITOR bad@127.0.0.1:0 1 admin secret primary\n\
         MONITOR @127.0.0.1:{port} 0 mon pass secondary\n\
         MONITOR x@[::1 0 mon pass secondary\n\
         MONITOR \"\" 0 mon pass secondary\n\
         MONITOR ok@127.0.0.1:{port} 0 mon pass secondary\n\
         SHUTDOWNCMD /bin/true\n"
    )
}

/// What a case writes in upsmon.conf, given the test directory and the closed port.
type Conf = fn(&Path, u16) -> String;

/// The startup part of `stderr`, up to the line with `marker` (excluded when it is the
/// first connect failure, included otherwise), made comparable (see the module docs).
fn startup_lines(stderr: &str, dir: &Path, port: u16, marker: &str) -> Vec<String> {
    let conf = dir.join("upsmon.conf").display().to_string();
    let ours_pid = dir.join("run/upsmon.pid").display().to_string();
    let mut lines = stderr.lines().collect::<Vec<_>>();
    let end = lines.iter().position(|l| l.contains(marker));
    lines.truncate(end.map_or(lines.len(), |e| e + usize::from(marker != CUT)));
    lines
        .into_iter()
        .filter(|l| *l != "Init SSL without certificate database")
        .map(|l| {
            let real_warning = l.starts_with(&format!("{conf} line "))
                || l.starts_with("Warning: ignoring duplicate UPS [");
            if real_warning || l.starts_with(&format!("{conf}:")) {
                return "<config warning>".to_owned();
            }
            l.replace(&ours_pid, "<pidfile>")
                .replace("/run/nut/upsmon.pid", "<pidfile>")
                .replace(&dir.display().to_string(), "<dir>")
                .replace(&port.to_string(), "<port>")
        })
        .collect()
}

/// Where the standard cases stop reading stderr.
const CUT: &str = "connect failed";

/// Starts `subject` with that PID file; its exit code (if it exited) and startup lines.
fn startup(
    subject: Subject,
    pid_file: Option<&str>,
    foreground: bool,
) -> (Option<i32>, Vec<String>) {
    startup_with(subject, pid_file, foreground, standard_conf, |_| CUT.into())
}

/// [`startup`] with the file `conf` writes, read up to the line `marker` gives for the port.
fn startup_with(
    subject: Subject,
    pid_file: Option<&str>,
    foreground: bool,
    conf: Conf,
    marker: fn(u16) -> String,
) -> (Option<i32>, Vec<String>) {
    let dir = unique_dir(match subject {
        Subject::Real => "start-real",
        Subject::Ours => "start-ours",
    });
    let port = closed_port();
    fs::write(dir.join("upsmon.conf"), conf(&dir, port)).unwrap();
    let mut run = Run::start(
        subject,
        &dir,
        pid_file,
        if foreground { &["-F"] } else { &[] },
    );
    let marker = marker(port);
    let code = run.settle(&marker);
    (code, startup_lines(&run.stderr(), &dir, port, &marker))
}

fn compare(pid_file: Option<&str>, foreground: bool) -> Vec<String> {
    let real = startup(Subject::Real, pid_file, foreground);
    let ours = startup(Subject::Ours, pid_file, foreground);
    assert_eq!(ours, real, "PID file {pid_file:?}, foreground {foreground}");
    real.1
}

/// The configuration part both print (after the PID-file lines).
const CONF_LINES: [&str; 5] = [
    "UPS: dummy@127.0.0.1:<port> (primary) (power value 1)",
    "<config warning>",
    "UPS: other@127.0.0.1:<port> (monitoring only)",
    "<config warning>",
    "Using power down flag file <dir>/killpower",
];

fn expect(pid_lines: &[&str]) -> Vec<String> {
    pid_lines
        .iter()
        .chain(&CONF_LINES)
        .map(|s| (*s).to_owned())
        .collect()
}

#[test]
fn no_pid_file_says_the_check_was_impossible() {
    let lines = compare(None, true);
    assert_eq!(
        lines,
        expect(&[
            "fopen <pidfile>: No such file or directory",
            "Could not find PID file to see if previous upsmon instance is already running!",
            "",
        ])
    );
}

#[test]
fn an_empty_pid_file_cannot_be_parsed() {
    let lines = compare(Some(""), true);
    assert_eq!(
        lines,
        expect(&[
            "Failed to read pid from <pidfile>",
            "Could not parse PID file to see if previous upsmon instance is already running!",
            "",
        ])
    );
}

#[test]
fn a_pid_file_without_a_number_reads_as_pid_0() {
    for text in ["\n", "abc\n"] {
        let lines = compare(Some(text), true);
        assert_eq!(
            lines,
            expect(&["Ignoring invalid pid number 0"]),
            "{text:?}"
        );
    }
}

#[test]
fn pid_1_is_never_signalled() {
    let lines = compare(Some("1\n"), true);
    assert_eq!(lines, expect(&["Ignoring invalid pid number 1"]));
}

#[test]
fn a_dead_pid_fails_in_kill() {
    let lines = compare(Some(DEAD_PID), true);
    assert_eq!(lines, expect(&["kill: No such process"]));
}

#[test]
fn numbers_that_are_no_pid() {
    let lines = compare(Some("99999999999\n"), true);
    let too_big = "Received a pid number too big for a pid_t: 99999999999";
    assert_eq!(lines, expect(&[too_big]));
    assert_eq!(compare(Some("-5\n"), true), expect(&[]));
}

#[test]
fn a_live_previous_instance_stops_the_start_silently_on_stderr() {
    let me = format!("{}\n", std::process::id());
    let (code, lines) = startup(Subject::Real, Some(&me), true);
    assert_eq!((code, lines.clone()), (Some(1), vec![]));
    assert_eq!(startup(Subject::Ours, Some(&me), true), (code, lines));
}

#[test]
fn without_f_the_lines_come_before_it_detaches() {
    let (code, lines) = startup(Subject::Real, None, false);
    assert_eq!(code, Some(0));
    let (ours_code, ours) = startup(Subject::Ours, None, false);
    assert_eq!((ours_code, &ours), (code, &lines));
    assert_eq!(lines[3..], expect(&[])[..]);
}

/// Names that do not split keep what was read (`bad@127.0.0.1:0` is tried on port 0, `@h:p`
/// names the UPS `h:p` on `h`), with libupsclient's complaint and upsmon's after the `UPS:`
/// line; each UPS's connect failure is followed by its COMMBAD before the next is polled.
#[test]
fn names_that_do_not_split_are_kept_and_reported() {
    let marker = |port| format!("Communications with UPS ok@127.0.0.1:{port} lost");
    let run = |s| startup_with(s, None, true, odd_names_conf, marker);
    let real = run(Subject::Real);
    let ours = run(Subject::Ours);
    assert_eq!(ours, real);
    let no_port = "upscli_splitaddr: no port specified after ':' separator";
    let expected = [
        "UPS: bad@127.0.0.1:0 (primary) (power value 1)",
        no_port,
        "Error: unable to split UPS name [bad@127.0.0.1:0]",
        "UPS: @127.0.0.1:<port> (monitoring only)",
        "UPS: x@[::1 (monitoring only)",
        "upscli_splitaddr: missing closing bracket in [domain literal]",
        "Error: unable to split UPS name [x@[::1]",
        "UPS:  (monitoring only)",
        "upscli_splitname: can't parse empty string",
        "Error: unable to split UPS name []",
        "Warning: UPS []: no upsname set!",
        "UPS: ok@127.0.0.1:<port> (monitoring only)",
        "UPS [bad@127.0.0.1:0]: connect failed: Connection failure: Connection refused",
        "Communications with UPS bad@127.0.0.1:0 lost",
        "UPS [@127.0.0.1:<port>]: connect failed: Connection failure: Connection refused",
        "Communications with UPS @127.0.0.1:<port> lost",
        "UPS [x@[::1]: connect failed: No such host",
        "Communications with UPS x@[::1 lost",
        "UPS []: connect failed: No such host",
        "Communications with UPS  lost",
        "UPS [ok@127.0.0.1:<port>]: connect failed: Connection failure: Connection refused",
        "Communications with UPS ok@127.0.0.1:<port> lost",
    ];
    assert_eq!(real.1[3..], expected.map(String::from));
}

/// Until a UPS is first seen on line or on battery, upsmon 2.8.0 polls every 5 s whatever
/// POLLFREQ says: an unreachable UPS with POLLFREQ 2 is tried at 0 s and 5 s, not every 2 s.
#[test]
fn an_unreachable_ups_is_retried_every_5_s_before_pollfreq_applies() {
    let conf = |_: &Path, port: u16| {
        format!("MONITOR ups@127.0.0.1:{port} 1 u p primary\nPOLLFREQ 2\nSHUTDOWNCMD /bin/true\n")
    };
    let runs: Vec<_> = [Subject::Real, Subject::Ours]
        .into_iter()
        .map(|subject| {
            let dir = unique_dir("pace");
            fs::write(dir.join("upsmon.conf"), conf(&dir, closed_port())).unwrap();
            Run::start(subject, &dir, None, &["-F"])
        })
        .collect();
    std::thread::sleep(Duration::from_millis(7500));
    let tries: Vec<usize> = runs
        .iter()
        .map(|r| r.stderr().matches("connect failed").count())
        .collect();
    assert_eq!(tries, [2, 2], "real, ours");
}

/// A host that does not resolve is libupsclient's `No such host`; with `-4`, an IPv6 literal
/// has no address of the family and libupsclient says `Unknown error`.
#[test]
fn unresolvable_hosts_and_a_family_without_address() {
    let conf = |_: &Path, port: u16| {
        format!(
            "MONITOR ok@nonexistent.invalid 1 u p primary\n\
             MONITOR v6@[::1]:{port} 0 u p secondary\nSHUTDOWNCMD /bin/true\n"
        )
    };
    let marker = |port| format!("Communications with UPS v6@[::1]:{port} lost");
    for args in [&["-F"][..], &["-F", "-4"]] {
        let run = |subject| {
            let dir = unique_dir("resolve");
            let port = closed_port();
            fs::write(dir.join("upsmon.conf"), conf(&dir, port)).unwrap();
            let mut run = Run::start(subject, &dir, None, args);
            let marker = marker(port);
            run.settle(&marker);
            let lines = startup_lines(&run.stderr(), &dir, port, &marker);
            lines
                .into_iter()
                .filter(|l| l.contains("connect failed"))
                .collect::<Vec<_>>()
        };
        let real = run(Subject::Real);
        assert_eq!(run(Subject::Ours), real, "{args:?}");
        let v6 = if args.len() == 2 {
            "Unknown error"
        } else {
            "Connection failure: Connection refused"
        };
        assert_eq!(
            real,
            [
                "UPS [ok@nonexistent.invalid]: connect failed: No such host".to_owned(),
                format!("UPS [v6@[::1]:<port>]: connect failed: {v6}"),
            ],
            "{args:?}"
        );
    }
}
