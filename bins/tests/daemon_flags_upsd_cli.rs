//! `upsd` flags compared with real upsd 2.8.0, as processes: `-c reload|stop` with no daemon
//! running and `-c <bad>`, `NUT_ALTPIDPATH` (where the PID file goes and where `-c` looks),
//! SIGTERM in the foreground (exit 0, "Signal 15: exiting") and what `-D`/`-DD` print on
//! stderr around a client's visit.
//!
//! Runs as root, as the rest of the suite. Real upsd listens on a port found free (it logs
//! `port 0` for port 0); ours on the same port, one after the other.
#![allow(clippy::unwrap_used)]

mod common;
mod daemon_flags_upsd_support;

use std::fs::File;
use std::path::Path;
use std::process::Stdio;

use common::{alive, free_port, kill, read_pid, run_capture, wait_exit, wait_until};
use daemon_flags_upsd_support::{foreground, log_text, Client, Sandbox, REAL_UPSD, UPSD};

const BOTH: [&str; 2] = [REAL_UPSD, UPSD];

fn log_has(log: &Path, text: &str) -> bool {
    log_text(log).contains(text)
}

#[test]
fn c_without_a_running_daemon_fails_like_real_upsd() {
    let sb = Sandbox::new("c-none", &["a"]);
    let pidfile = sb.run().join("upsd.pid");
    for upsd in BOTH {
        for cmd in ["reload", "stop", "rel"] {
            let out = run_capture(&mut sb.cmd(upsd, &["-c", cmd]));
            assert_eq!(out.code, Some(1), "{upsd} -c {cmd}: {out:?}");
            let want = format!("fopen {}: No such file or directory", pidfile.display());
            assert!(out.stderr.contains(&want), "{upsd} -c {cmd}: {out:?}");
        }
        // A command upsd does not know: the help, and success.
        let out = run_capture(&mut sb.cmd(upsd, &["-c", "restart"]));
        assert_eq!(out.code, Some(0), "{upsd}: {out:?}");
        assert!(out.stdout.contains("usage: upsd [OPTIONS]"), "{out:?}");
        // -P names a process that does not exist.
        let out = run_capture(&mut sb.cmd(upsd, &["-P", "999999999", "-c", "stop"]));
        assert_eq!(out.code, Some(1), "{upsd}: {out:?}");
        assert!(out.stderr.contains("kill: No such process"), "{out:?}");
    }
}

/// `NUT_ALTPIDPATH`: `-B` writes `upsd.pid` there (not in NUT_STATEPATH) and `-c reload` /
/// `-c stop` find it there, for real upsd and ours.
#[test]
fn altpidpath_holds_the_pid_file_and_c_finds_it() {
    for upsd in BOTH {
        let mut sb = Sandbox::new("altpid", &[]);
        sb.write(
            "upsd.conf",
            &format!("LISTEN 127.0.0.1 {}\n", free_port().unwrap()),
        );
        let alt = sb.dir.join("alt");
        std::fs::create_dir_all(&alt).unwrap();
        let pidfile = alt.join("upsd.pid");
        sb.track(pidfile.clone());
        let with_alt = |args: &[&str]| {
            let mut c = sb.cmd(upsd, args);
            c.env("NUT_ALTPIDPATH", &alt).env("ALLOW_NO_DEVICE", "1");
            c
        };
        // Our background upsd keeps stderr for its log: a file, not a pipe read to the end.
        let log = File::create(sb.dir.join("bg.log")).unwrap();
        let mut start = with_alt(&["-B", "-u", "root"]);
        let mut child = start.stdout(Stdio::null()).stderr(log).spawn().unwrap();
        assert_eq!(wait_exit(&mut child), Some(0), "{upsd}");
        wait_until("PID file in NUT_ALTPIDPATH", || {
            read_pid(&pidfile).is_some()
        });
        let pid = read_pid(&pidfile).unwrap();
        assert!(alive(pid), "{upsd}");
        assert!(!sb.run().join("upsd.pid").exists(), "{upsd}");
        for cmd in ["reload", "stop"] {
            let out = run_capture(&mut with_alt(&["-c", cmd]));
            assert_eq!(out.code, Some(0), "{upsd} -c {cmd}: {out:?}");
        }
        wait_until("upsd stopped", || !alive(pid) && !pidfile.exists());
    }
}

/// In the foreground, SIGTERM (and SIGINT) end upsd with status 0 and "Signal N: exiting".
#[test]
fn sigterm_in_the_foreground_exits_0_like_real_upsd() {
    let sb = Sandbox::new("term", &[]);
    sb.write(
        "upsd.conf",
        &format!("LISTEN 127.0.0.1 {}\n", free_port().unwrap()),
    );
    for upsd in BOTH {
        for (sig, n) in [("-TERM", 15), ("-INT", 2)] {
            let log = sb.dir.join("term.log");
            let mut child = foreground(&sb, upsd, &["-F", "-u", "root"], &log);
            wait_until("upsd set up", || {
                log_has(&log, "Running as foreground process")
            });
            kill(sig, child.id());
            assert_eq!(wait_exit(&mut child), Some(0), "{upsd} {sig}");
            let want = format!("Signal {n}: exiting");
            assert!(log_has(&log, &want), "{upsd} {sig}: {}", log_text(&log));
        }
    }
}

/// The messages of a `-D` log: each line must carry upsd's elapsed-time stamp
/// (`<secs>.<micros>\t`), which is dropped.
fn messages(log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(log).unwrap();
    let stamped = |l: &str| {
        let (stamp, msg) = l.split_once('\t')?;
        let (secs, micros) = stamp.trim_start().split_once('.')?;
        let digits = |s: &str, n: usize| s.len() >= n && s.bytes().all(|b| b.is_ascii_digit());
        (digits(secs, 1) && digits(micros, 6)).then(|| msg.to_owned())
    };
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| stamped(l).unwrap_or_else(|| panic!("unstamped line {l:?} in:\n{text}")))
        .collect()
}

/// One run at `flag` (`-D`, `-DD`): upsd with our driver, a client that asks one thing and
/// leaves, then SIGTERM. Returns the messages.
fn debug_run(sb: &Sandbox, upsd: &str, flag: &str, port: u16) -> Vec<String> {
    let log = sb.dir.join(format!("debug{flag}.log"));
    let mut child = foreground(sb, upsd, &[flag, "-u", "root"], &log);
    wait_until("upsd connected to the driver", || {
        log_has(&log, "Connected to UPS [a]: dummy-ups-a")
    });
    wait_until("upsd serves a", || {
        Client::connect(port).ask("GET VAR a ups.id") == "VAR a ups.id \"a\""
    });
    kill("-TERM", child.id());
    assert_eq!(wait_exit(&mut child), Some(0), "{upsd} {flag}");
    messages(&log)
}

#[test]
fn debug_output_matches_real_upsd() {
    let mut sb = Sandbox::new("debug", &["a"]);
    let port = free_port().unwrap();
    sb.write("upsd.conf", &format!("LISTEN 127.0.0.1 {port}\n"));
    sb.driver("a", &["-u", "root"]);
    let common_lines = [
        format!("listening on 127.0.0.1 port {port}"),
        "Connected to UPS [a]: dummy-ups-a".to_owned(),
        "Running as foreground process, not saving a PID file".to_owned(),
        "Signal 15: exiting".to_owned(),
        // The sandbox's files are world readable (0644, 0755): both say so.
        format!("{} is world readable", sb.etc().join("upsd.conf").display()),
        format!(
            "{} is world readable",
            sb.etc().join("upsd.users").display()
        ),
        format!("{} is world readable", sb.run().display()),
    ];
    let visit = [
        "[D2] Connect from 127.0.0.1",
        "[D2] Disconnect from 127.0.0.1",
    ];
    for (flag, level) in [("-D", 1), ("-DD", 2)] {
        for upsd in BOTH {
            let msgs = debug_run(&sb, upsd, flag, port);
            let has = |m: &str| msgs.iter().any(|l| l == m);
            for line in &common_lines {
                assert!(has(line), "{upsd} {flag}: no {line:?} in {msgs:#?}");
            }
            assert!(has(&format!("[D1] debug level is '{level}'")), "{msgs:#?}");
            // A client's visit shows from -DD on.
            for line in visit {
                assert_eq!(has(line), level >= 2, "{upsd} {flag}: {line}: {msgs:#?}");
            }
        }
    }
}

/// A reload that changes a UPS's driver and removes the UPS a client is logged in to, then
/// one that empties `ups.conf`: both say the same (`Redefined UPS`, `Deleting UPS`, `Kicking
/// client`, `Warning: no UPS definitions in ups.conf`, `Warning: no UPSes currently
/// defined!`), disconnect that client, and keep running without a UPS.
#[test]
fn reload_removing_upses_matches_real_upsd() {
    let sb = Sandbox::new("kick", &["a", "b"]);
    let port = free_port().unwrap();
    sb.write("upsd.conf", &format!("LISTEN 127.0.0.1 {port}\n"));
    let mut seen = Vec::new();
    for upsd in BOTH {
        sb.ups_conf(&["a", "b"]);
        let log = sb.dir.join("kick.log");
        let mut child = foreground(&sb, upsd, &["-F", "-u", "root"], &log);
        wait_until("upsd set up", || {
            log_has(&log, "Running as foreground process")
        });
        let mut on_b = Client::connect(port);
        assert_eq!(on_b.login("b", "secret"), "OK", "{upsd}");
        sb.write("ups.conf", "[a]\n\tdriver = usbhid-ups\n\tport = auto\n");
        kill("-HUP", child.id());
        wait_until("the client is kicked", || log_has(&log, "Kicking client"));
        assert_eq!(on_b.line(), "", "{upsd}: the kicked client sees the end");
        sb.write("ups.conf", "");
        kill("-HUP", child.id());
        wait_until("no UPS left", || {
            log_has(&log, "no UPSes currently defined")
        });
        let mut other = Client::connect(port);
        assert_eq!(other.ask("GET NUMLOGINS a"), "ERR UNKNOWN-UPS", "{upsd}");
        kill("-TERM", child.id());
        assert_eq!(wait_exit(&mut child), Some(0), "{upsd}");
        // From the first reload on, without real's interrupted select() (DEVIATIONS.md). Both
        // complained about the unreachable drivers at start and stay quiet for 5 minutes,
        // the redefined UPS included.
        let text = log_text(&log);
        let lines: Vec<String> = (text.lines())
            .skip_while(|l| !l.starts_with("SIGHUP"))
            .filter(|l| *l != "mainloop: Interrupted system call")
            .map(str::to_owned)
            .collect();
        seen.push(lines);
    }
    // The sandbox's files are world readable: upsd says so as it reads each one.
    let readable = |f: &str| format!("{} is world readable", sb.etc().join(f).display());
    let want = [
        "SIGHUP: reloading configuration".to_owned(),
        "Redefined UPS [a]".to_owned(),
        readable("upsd.conf"),
        "Deleting UPS [b]".to_owned(),
        "Kicking client 127.0.0.1 (was on UPS [b])".to_owned(),
        String::new(),
        readable("upsd.users"),
        "SIGHUP: reloading configuration".to_owned(),
        "Warning: no UPS definitions in ups.conf".to_owned(),
        readable("upsd.conf"),
        "Deleting UPS [a]".to_owned(),
        "Warning: no UPSes currently defined!".to_owned(),
        readable("upsd.users"),
        "Signal 15: exiting".to_owned(),
    ];
    assert_eq!(seen[0], want, "real upsd");
    assert_eq!(seen[1], seen[0], "ours against real");
}

/// Two sections whose names differ only in case: upsd starts, serves the later one and
/// reports the other (ours refused to start before).
#[test]
fn a_ups_name_twice_but_for_case_serves_the_later_one_like_real_upsd() {
    let sb = Sandbox::new("twice", &[]);
    let port = free_port().unwrap();
    sb.write("upsd.conf", &format!("LISTEN 127.0.0.1 {port}\n"));
    sb.write(
        "ups.conf",
        "[ups]\n\tdriver = dummy-ups\n\tport = a.dev\n[UPS]\n\tdriver = dummy-ups\n\tport = b.dev\n",
    );
    for upsd in BOTH {
        let log = sb.dir.join("twice.log");
        let mut child = foreground(&sb, upsd, &["-F", "-u", "root"], &log);
        wait_until("upsd set up", || {
            log_has(&log, "Running as foreground process")
        });
        let list = Client::connect(port).list("LIST UPS");
        assert_eq!(list, ["UPS UPS \"Description unavailable\""], "{upsd}");
        assert!(log_has(&log, "UPS name [ups] is already in use!"), "{upsd}");
        kill("-TERM", child.id());
        assert_eq!(wait_exit(&mut child), Some(0), "{upsd}");
    }
}
