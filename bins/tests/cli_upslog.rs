//! `upslog` against a real upsd 2.8.0: same banner, same log lines, same exit on SIGTERM.
//!
//! Both run in a private mount namespace with a tmpfs on `/run/nut`, where NUT 2.8.0's
//! upslog writes its PID file whatever it is told. The format leaves out `%TIME%` so lines
//! from the two programs can be compared byte for byte.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{DevSource, RealNut};

const OURS: &str = env!("CARGO_BIN_EXE_upslog");
const FORMAT: &str = "%VAR ups.status% %VAR battery.charge% [%UPSHOST%] %VAR nope.x% %VAR bad% %FOO% 100%% %var ups.load";

/// Runs `program` as `upslog` until it printed `lines` lines on stdout, then sends SIGTERM
/// and returns (stdout, stderr, exit code).
fn run_until(program: &str, args: &[&str], lines: usize) -> (String, String, Option<i32>) {
    let (out, err, code, _) = run_until_pid(program, args, lines);
    (out, err, code)
}

/// [`run_until`], also returning upslog's process id (`unshare` and `bash` exec it).
fn run_until_pid(program: &str, args: &[&str], lines: usize) -> (String, String, Option<i32>, u32) {
    let mut child = spawn(program, args);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut out = String::new();
    for _ in 0..lines {
        if stdout.read_line(&mut out).unwrap() == 0 {
            break;
        }
    }
    let (err, code) = terminate(&mut child);
    stdout.read_to_string(&mut out).unwrap();
    (out, err, code, child.id())
}

/// Starts `program` as `upslog` with `args` in a private mount namespace with a tmpfs on
/// `/run/nut`, stdout and stderr piped.
fn spawn(program: &str, args: &[&str]) -> Child {
    let script = "mount -t tmpfs tmpfs /run/nut && exec -a upslog \"$0\" \"$@\"";
    Command::new("unshare")
        .args(["-m", "bash", "-c", script, program])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning upslog")
}

/// Sends SIGTERM, waits, and returns stderr (without NSS's notice) and the exit code.
fn terminate(child: &mut Child) -> (String, Option<i32>) {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let code = child.wait().unwrap().code();
    (
        err.replace("Init SSL without certificate database\n", ""),
        code,
    )
}

#[test]
fn logs_the_same_lines_as_nut() {
    let nut = RealNut::start(&[(
        "dummy",
        DevSource::Inline("ups.status: OL\nbattery.charge: 77\nups.load: 5\n".into()),
    )]);
    let ups = nut.addr("dummy");
    let args = ["-s", &ups, "-l", "-", "-i", "1", "-f", FORMAT];
    let theirs = run_until("/usr/bin/upslog", &args, 5);
    let ours = run_until(OURS, &args, 5);
    let line = format!("OL 77 [{ups}] NA INVALID INVALID 100% INVALIDvar ups.load");
    let head = format!(
        "Network UPS Tools upslog 2.8.0\nlogging status of {ups} to - (1s intervals)\n{line}\n{line}\n{line}\n"
    );
    // Whether one more line comes after SIGTERM depends, in NUT too, on whether the signal
    // cut a sleep short; everything else must be identical.
    for (who, (out, err, code)) in [("NUT 2.8.0", &theirs), ("ours", &ours)] {
        let tail = out
            .strip_prefix(&head)
            .unwrap_or_else(|| panic!("{who}: {out}"));
        assert!(
            tail.is_empty() || tail == format!("{line}\n"),
            "{who}: {out}"
        );
        assert_eq!(
            (err.as_str(), *code),
            ("Signal 15: exiting\n", Some(0)),
            "{who}"
        );
    }
}

/// `-i 0 -d <loops> -f "%VAR ups.status%"`: log the status `loops` times without waiting.
fn status_loops(loops: &str) -> [&str; 6] {
    ["-i", "0", "-d", loops, "-f", "%VAR ups.status%"]
}

/// A real upsd serving `one` (on line) and `two` (on battery, low).
fn two_upses() -> RealNut {
    RealNut::start(&[
        ("one", DevSource::Inline("ups.status: OL\n".into())),
        ("two", DevSource::Inline("ups.status: OB LB\n".into())),
    ])
}

/// The line upslog prints on stdout for a UPS it logs to `file` at 0s intervals.
fn announce(ups: &str, file: &Path) -> String {
    format!(
        "logging status of {ups} to {} (0s intervals)\n",
        file.display()
    )
}

#[test]
fn stops_after_count_lines() {
    let nut = RealNut::start(&[("dummy", DevSource::Inline("ups.status: OB\n".into()))]);
    let ups = nut.addr("dummy");
    let args = [&["-s", &ups, "-l", "-"][..], &status_loops("3")].concat();
    let (out, err, code) = run_until(OURS, &args, 100);
    assert_eq!(out.lines().filter(|l| *l == "OB").count(), 3, "{out}");
    assert_eq!(err, "3 loops have elapsed\nSignal 1: exiting\n");
    assert_eq!(code, Some(0));
}

#[test]
fn usage_errors_match() {
    let theirs = run_until("/usr/bin/upslog", &["-l", "-"], 100);
    let ours = run_until(OURS, &["-l", "-"], 100);
    assert_eq!(ours, theirs);
    assert_eq!(ours.1, "No UPS defined for monitoring - use -s <system>\n");
    let theirs = run_until("/usr/bin/upslog", &["-h"], 100);
    assert_eq!(run_until(OURS, &["-h"], 100), theirs);
    let bad_user = ["-s", "ups@127.0.0.1:1", "-l", "-", "-u", "no-such-user-h4"];
    let theirs = run_until("/usr/bin/upslog", &bad_user, 100);
    assert_eq!(run_until(OURS, &bad_user, 100), theirs);
    assert!(theirs.1.ends_with(
        "Warning: initial connect failed: Connection failure: Connection refused\nuser no-such-user-h4 not found\n"
    ), "{}", theirs.1);
    assert_eq!(theirs.2, Some(1));
    let theirs = run_until(
        "/usr/bin/upslog",
        &["-s", "ups@127.0.0.1:0", "-l", "-"],
        100,
    );
    assert_eq!(
        run_until(OURS, &["-s", "ups@127.0.0.1:0", "-l", "-"], 100),
        theirs
    );
}

/// `-m ups,file` (repeatable, NUT 2.8.3+) against real upsd 2.8.0: each UPS logs to its own
/// file, a file named twice is shared, and `-N` puts the UPS and a tab in front.
#[test]
fn several_targets_log_to_their_files() {
    let nut = two_upses();
    let dir = nut.state_dir();
    let (f1, f2) = (dir.join("one.log"), dir.join("two.log"));
    let (one, two) = (nut.addr("one"), nut.addr("two"));
    let m1 = format!("{one},{}", f1.display());
    let m2 = format!("{two},{}", f2.display());
    let m3 = format!("{two},{}", f1.display());
    let m = ["-m", &m1, "-m", &m2, "-m", &m3, "-N", "-F"];
    let args = [&m[..], &status_loops("2")].concat();
    let (out, err, code) = run_until(OURS, &args, 100);
    assert_eq!(
        out,
        format!(
            "Network UPS Tools upslog 2.8.0\n{}{}{}",
            announce(&one, &f1),
            announce(&two, &f2),
            announce(&two, &f1)
        )
    );
    assert_eq!(err, "2 loops have elapsed\nSignal 1: exiting\n");
    assert_eq!(code, Some(0));
    let (l1, l2) = (format!("{one}\tOL\n"), format!("{two}\tOB LB\n"));
    let read = |p: &Path| std::fs::read_to_string(p).expect("log file");
    assert_eq!(read(&f1), format!("{l1}{l2}{l1}{l2}"));
    assert_eq!(read(&f2), format!("{l2}{l2}"));
}

#[test]
fn bad_tuples_are_refused_like_nut() {
    let (out, err, code) = run_until(OURS, &["-m", "ups@localhost"], 100);
    assert_eq!(out, "Network UPS Tools upslog 2.8.0\n");
    assert_eq!(
        err,
        "Argument '-m upsspec,logfile' requires exactly 2 components in the tuple\n"
    );
    assert_eq!(code, Some(1));
}

/// `-m '*@host:port,file'` (NUT 2.8.3+): every UPS the server lists gets a target logging to
/// that file, in `LIST UPS` order, announced as `ups@host:port`.
#[test]
fn wildcard_logs_every_served_ups() {
    let nut = two_upses();
    let file = nut.state_dir().join("all.log");
    let all = format!("*@127.0.0.1:{},{}", nut.port(), file.display());
    let args = [&["-m", &all, "-N", "-F"][..], &status_loops("2")].concat();
    let (out, err, code) = run_until(OURS, &args, 100);
    let (one, two) = (nut.addr("one"), nut.addr("two"));
    assert_eq!(
        out,
        format!(
            "Network UPS Tools upslog 2.8.0\n{}{}",
            announce(&one, &file),
            announce(&two, &file)
        )
    );
    let query = format!(
        "Querying 127.0.0.1:{} for currently served devices\n",
        nut.port()
    );
    assert_eq!(
        err,
        format!("{query}2 loops have elapsed\nSignal 1: exiting\n")
    );
    assert_eq!(code, Some(0));
    let lines = format!("{one}\tOL\n{two}\tOB LB\n");
    let logged = std::fs::read_to_string(&file).expect("log file");
    assert_eq!(logged, format!("{lines}{lines}"));
}

/// A wildcard whose server is unreachable is fatal before anything is announced.
#[test]
fn wildcard_with_unreachable_server_fails() {
    let (out, err, code) = run_until(OURS, &["-s", "*@127.0.0.1:1", "-l", "-"], 100);
    assert_eq!(out, "Network UPS Tools upslog 2.8.0\n");
    assert_eq!(
        err,
        "Querying 127.0.0.1:1 for currently served devices\nError: Connection failure: Connection refused\n"
    );
    assert_eq!(code, Some(1));
}

/// Every format token, quirks included, with the values that differ between two runs
/// (`%PID%`, `%ETIME%`, `%TIME%`) checked against the run and then masked.
#[test]
fn every_format_token_matches_nut() {
    let dev = "ups.status: OL\nups.mfr: Acme Co\nups.model: two  spaces\n";
    let nut = RealNut::start(&[("dummy", DevSource::Inline(dev.into()))]);
    let ups = nut.addr("dummy");
    let format = "%HOST%|%UPSHOST%|%PID%|%ETIME%|%TIME @s%|%TIME @Y-@m-@d@@%|%VAR ups.mfr%|\
%VAR ups.model%|%VAR ups.nope%|%VAR%|%VAR %|%VARups.status%|%var ups.status extra%|\
%hostname%|%Upshostx%|%upshost%|%FOO%|100%%|%VAR ups.status";
    let args = ["-s", &ups, "-l", "-", "-i", "1", "-f", format];
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let host = host.trim_end();
    let run = |program: &str| {
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let (out, err, code, pid) = run_until_pid(program, &args, 4);
        let end = start + 30;
        let masked: Vec<String> = out
            .lines()
            .skip(2)
            .map(|line| {
                let f: Vec<&str> = line.split('|').collect();
                assert_eq!(f[2], pid.to_string(), "{program}: {line}");
                let etime: u64 = f[3].parse().unwrap();
                let time: u64 = f[4].parse().unwrap();
                assert!((start..=end).contains(&etime), "{program}: {line}");
                assert!(time.abs_diff(etime) <= 1, "{program}: {line}");
                assert_eq!(
                    (f[5].len(), f[5].as_bytes()[4], &f[5][10..]),
                    (11, b'-', "%"),
                    "{line}"
                );
                format!("{}|PID|ETIME|TIME|{}", f[..2].join("|"), f[5..].join("|"))
            })
            .collect();
        (masked, err, code)
    };
    let (theirs, ours) = (run("/usr/bin/upslog"), run(OURS));
    assert_eq!(ours.1, theirs.1);
    assert_eq!(ours.2, theirs.2);
    assert_eq!(ours.0.first(), theirs.0.first());
    let date = theirs
        .0
        .first()
        .map_or("", |l| l.split('|').nth(5).unwrap_or(""));
    let want = format!(
        "{host}|{ups}|PID|ETIME|TIME|{date}|Acme Co|two spaces|NA|INVALID|INVALID|INVALID|NA|\
{host}|{ups}|{ups}|INVALID|100%|INVALIDVAR ups.status"
    );
    for (who, lines) in [("NUT 2.8.0", &theirs.0), ("ours", &ours.0)] {
        assert!(lines.len() >= 2, "{who}: {lines:?}");
        assert!(lines.iter().all(|l| *l == want), "{who}: {lines:?}");
    }
}

/// Answers upslog's requests on `listener` like upsd serving `ups.status: OL` for any UPS.
fn serve_status(listener: std::net::TcpListener) {
    use std::io::Write;
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut w = stream.try_clone().unwrap();
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { return };
                    let words: Vec<&str> = line.split(' ').collect();
                    let reply = match words[..] {
                        ["GET", "VAR", ups, var] => format!("VAR {ups} {var} \"OL\"\n"),
                        ["LOGOUT"] => return,
                        _ => "ERR FEATURE-NOT-CONFIGURED\n".to_string(),
                    };
                    if w.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
}

/// The initial connection fails; the server appears later: upslog logs `NA`, reconnects on
/// a later interval and logs the value (both NUT 2.8.0 and ours).
fn reconnects_when_the_server_appears(program: &str) -> (Vec<String>, String) {
    let port = common::free_port().unwrap();
    let ups = format!("ups@127.0.0.1:{port}");
    let args = ["-s", &ups, "-l", "-", "-i", "1", "-f", "%VAR ups.status%"];
    let mut child = spawn(program, &args);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let mut line = String::new();
    while lines.len() < 40 {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            break;
        }
        lines.push(line.trim_end().to_string());
        if line == "NA\n" && lines.iter().filter(|l| *l == "NA").count() == 1 {
            serve_status(std::net::TcpListener::bind(("127.0.0.1", port)).unwrap());
        }
        if line == "OL\n" {
            break;
        }
    }
    let (err, _) = terminate(&mut child);
    (lines, err)
}

#[test]
fn retries_the_connection_like_nut() {
    let mut errs = Vec::new();
    for program in ["/usr/bin/upslog", OURS] {
        let (lines, err) = reconnects_when_the_server_appears(program);
        assert_eq!(
            lines.get(2).map(String::as_str),
            Some("NA"),
            "{program}: {lines:?}"
        );
        assert_eq!(
            lines.last().map(String::as_str),
            Some("OL"),
            "{program}: {lines:?}"
        );
        assert!(
            err.starts_with(
                "Warning: initial connect failed: Connection failure: Connection refused\n"
            ),
            "{program}: {err}"
        );
        errs.push(err);
    }
    assert_eq!(errs[0], errs[1]);
}

/// An unknown UPS is no error at start: no warning, `NA` every interval, as in NUT 2.8.0.
#[test]
fn unknown_ups_logs_na_like_nut() {
    let nut = RealNut::start(&[("dummy", DevSource::Inline("ups.status: OL\n".into()))]);
    let ups = nut.addr("nope");
    let args = [
        "-s",
        &ups,
        "-l",
        "-",
        "-i",
        "1",
        "-f",
        "%VAR ups.status% %UPSHOST%",
    ];
    let head = format!(
        "Network UPS Tools upslog 2.8.0\nlogging status of {ups} to - (1s intervals)\nNA {ups}\nNA {ups}\n"
    );
    for program in ["/usr/bin/upslog", OURS] {
        let (out, err, code) = run_until(program, &args, 4);
        assert!(out.starts_with(&head), "{program}: {out}");
        assert_eq!(
            (err.as_str(), code),
            ("Signal 15: exiting\n", Some(0)),
            "{program}"
        );
    }
}
