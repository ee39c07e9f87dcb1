//! Real upsd 2.8.0 serving OUR dummy-ups, compared with real upsd serving the real dummy-ups
//! on the same definition file: what real `upsc`, `upsrw` and `upscmd` (with `-w`
//! tracking) see must be the same, apart from the lines documented below.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{free_port, parse_upsc_vars, run_capture, shared_data_dir, DevSource, RealNut};

/// Lines that deliberately differ from real dummy-ups 2.8.0.
const DIFFERENT: &[&str] = &[
    "driver.version",          // our version, not "2.8.0"
    "driver.version.internal", // our dummy-ups version
];

const USERS: &str = "[admin]\n\tpassword = secret\n\tactions = SET\n\tinstcmds = ALL\n";

/// Real upsd + our dummy-ups, in a private directory on a free port.
struct OurNut {
    dir: PathBuf,
    port: u16,
    children: Vec<Child>,
}

impl OurNut {
    fn start(ups: &str, dev_name: &str, dev_text: &str) -> Self {
        RealNut::require_available();
        let dir = std::env::temp_dir().join(format!(
            "nut-rs-h6-{}-{ups}-{}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        ));
        let _ = fs::remove_dir_all(&dir);
        for sub in ["etc", "state"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let port = free_port().unwrap();
        let etc = dir.join("etc");
        fs::write(etc.join(dev_name), dev_text).unwrap();
        fs::write(
            etc.join("ups.conf"),
            format!("[{ups}]\n\tdriver = dummy-ups\n\tport = {dev_name}\n"),
        )
        .unwrap();
        fs::write(etc.join("upsd.conf"), format!("LISTEN 127.0.0.1 {port}\n")).unwrap();
        fs::write(etc.join("upsd.users"), USERS).unwrap();
        fs::write(etc.join("nut.conf"), "MODE=netserver\n").unwrap();
        let mut nut = Self {
            dir,
            port,
            children: Vec::new(),
        };
        nut.spawn(
            env!("CARGO_BIN_EXE_dummy-ups"),
            &["-a", ups, "-u", "root", "-F"],
        );
        let sock = nut.dir.join("state").join(format!("dummy-ups-{ups}"));
        nut.wait(|_| sock.exists(), "our driver socket");
        nut.spawn("/lib/nut/upsd", &["-u", "root", "-F"]);
        let addr = nut.addr(ups);
        nut.wait(
            |n| {
                run_capture(n.cmd("upsc").args([&addr, "driver.name"]))
                    .stdout
                    .trim()
                    == "dummy-ups"
            },
            "upsd serving our driver",
        );
        nut
    }

    fn cmd(&self, prog: &str) -> Command {
        let mut c = Command::new(prog);
        c.env("NUT_CONFPATH", self.dir.join("etc"))
            .env("NUT_STATEPATH", self.dir.join("state"))
            .env("NUT_ALTPIDPATH", self.dir.join("state"));
        c
    }

    fn spawn(&mut self, prog: &str, args: &[&str]) {
        let log = fs::File::create(self.dir.join(format!("{}.log", self.children.len()))).unwrap();
        let child = self
            .cmd(prog)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.children.push(child);
    }

    fn wait(&mut self, ready: impl Fn(&Self) -> bool, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !ready(self) {
            for c in &mut self.children {
                assert!(
                    c.try_wait().unwrap().is_none(),
                    "a daemon died waiting for {what}"
                );
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn addr(&self, ups: &str) -> String {
        format!("{ups}@127.0.0.1:{}", self.port)
    }
}

impl Drop for OurNut {
    fn drop(&mut self) {
        for c in self.children.iter_mut().rev() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn upsc(cmd: &mut Command, addr: &str) -> Vec<(String, String)> {
    let out = run_capture(cmd.arg(addr));
    assert_eq!(out.code, Some(0), "upsc failed: {}", out.stderr);
    parse_upsc_vars(&out.stdout)
        .into_iter()
        .filter(|(n, _)| !DIFFERENT.contains(&n.as_str()))
        .collect()
}

/// Everything a client program printed (upscmd/upsrw write results to stderr).
fn said(c: &common::Captured) -> String {
    format!("{}{}", c.stdout, c.stderr)
}

fn dev(name: &str) -> String {
    fs::read_to_string(shared_data_dir().join(name)).unwrap()
}

fn compare_upsc_and_upsrw(file: &str, differing_values: &[&str]) {
    let text = dev(file);
    let real = RealNut::start(&[("dev", DevSource::Inline(text.clone()))]);
    // The harness names the file `<ups>.dev`: ours gets the same name and mode.
    let ours = OurNut::start("dev", "dev.dev", &text);
    let keep = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        v.into_iter()
            .map(|(n, val)| {
                let val = if differing_values.contains(&n.as_str()) {
                    String::new()
                } else {
                    val
                };
                (n, val)
            })
            .collect()
    };
    let r = keep(upsc(&mut real.command("upsc"), &real.addr("dev")));
    let o = keep(upsc(&mut ours.cmd("upsc"), &ours.addr("dev")));
    assert!(r.len() > 5, "real upsc shows data");
    assert_eq!(
        o, r,
        "upsc output of our dummy-ups differs from real dummy-ups"
    );
    // Types, lengths and writability as real upsrw lists them.
    let rw = |c: &mut Command, a: &str| {
        let out = run_capture(c.arg(a)).stdout;
        let mut lines: Vec<String> = out.lines().map(str::to_owned).collect();
        // Values of the documented differences are blanked.
        for i in 1..lines.len() {
            let prev = lines[i - 1].clone();
            if differing_values.iter().any(|d| {
                prev.ends_with(&format!("[{d}]"))
                    || lines
                        .get(i.saturating_sub(4))
                        .is_some_and(|l| l == &format!("[{d}]"))
            }) && lines[i].starts_with("Value:")
            {
                lines[i] = "Value:".into();
            }
        }
        lines
    };
    assert_eq!(
        rw(&mut ours.cmd("upsrw"), &ours.addr("dev")),
        rw(&mut real.command("upsrw"), &real.addr("dev")),
        "upsrw listing differs"
    );
    let cmds = |c: &mut Command, a: &str| run_capture(c.args(["-l", a])).stdout;
    assert_eq!(
        cmds(&mut ours.cmd("upscmd"), &ours.addr("dev")),
        cmds(&mut real.command("upscmd"), &real.addr("dev")),
        "upscmd -l listing differs"
    );
}

/// The `ups.status` values upsc shows, polled for `secs` seconds, consecutive repeats dropped.
fn statuses(mut upsc: impl FnMut() -> String, secs: u64) -> Vec<String> {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut seen: Vec<String> = Vec::new();
    while Instant::now() < end {
        let s = upsc();
        if !s.is_empty() && seen.last() != Some(&s) {
            seen.push(s);
        }
        thread::sleep(Duration::from_millis(100));
    }
    seen
}

/// A `.seq` file steps through its values on TIMER lines: the same sequence of `ups.status`
/// values shows through real upsd for both drivers. The dump's TIMER 300/60 are shortened
/// to 1 s (otherwise the file is played unchanged).
#[test]
fn sequence_files_step_through_the_same_values() {
    let short: String = dev("evolution500.seq")
        .lines()
        .map(|l| {
            if l.starts_with("TIMER ") {
                "TIMER 1"
            } else {
                l
            }
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let nit = "ups.status: OB\nTIMER 1\nups.status: OL\nTIMER 1\n".to_owned();
    for text in [short, nit] {
        let real = RealNut::start(&[("dev", DevSource::Inline(text.clone()))]);
        let ours = OurNut::start("dev", "dev.dev", &text);
        let get = |mut c: Command, addr: String| {
            move || {
                run_capture(c.args([addr.as_str(), "ups.status"]))
                    .stdout
                    .trim()
                    .to_owned()
            }
        };
        let r = statuses(get(real.command("upsc"), real.addr("dev")), 8);
        let o = statuses(get(ours.cmd("upsc"), ours.addr("dev")), 8);
        assert!(r.len() >= 3, "real steps: {r:?}");
        // Both loop over the file; compare the cycle each went through.
        let n = r.len().min(o.len()).min(4);
        let start = |v: &[String]| v.iter().position(|s| s == &r[0]).unwrap_or(0);
        assert_eq!(
            o[start(&o)..].iter().take(n).collect::<Vec<_>>(),
            r[..n].iter().collect::<Vec<_>>(),
            "status sequence (real {r:?}, ours {o:?})"
        );
    }
}

#[test]
fn upsc_and_upsrw_match_real_dummy_ups_on_epdu_dump() {
    // epdu-managed.dev has `ups.macaddr: ` (empty): real 2.8.0 repeats the previous line's
    // value there (a stale buffer), we publish it empty as the dump says.
    compare_upsc_and_upsrw("epdu-managed.dev", &["ups.macaddr"]);
}

#[test]
fn upsc_matches_real_dummy_ups_on_sequence_start() {
    compare_upsc_and_upsrw("evolution500.seq", &[]);
}

#[test]
fn upscmd_and_upsrw_reach_our_driver_with_tracking() {
    let text = "ups.status: OL\nups.id: first\n# @enum input.sensitivity low medium high\n\
                input.sensitivity: medium\n# @range ups.delay.shutdown 0 600\n\
                ups.delay.shutdown: 20\n# @cmd beeper.enable\n";
    let ours = OurNut::start("sim", "sim.dev", text);
    let addr = ours.addr("sim");
    let auth = ["-u", "admin", "-p", "secret", "-w"];
    // load.off exists but, as in real dummy-ups, the driver does not know it.
    let r = run_capture(ours.cmd("upscmd").args(auth).args([&addr, "load.off"]));
    assert!(
        r.stdout.contains("ERR UNKNOWN") || r.stderr.contains("ERR UNKNOWN"),
        "{r:?}"
    );
    // A declared command succeeds.
    let r = run_capture(ours.cmd("upscmd").args(auth).args([&addr, "beeper.enable"]));
    assert!(said(&r).contains("SUCCESS"), "{r:?}");
    // SET with tracking.
    let r = run_capture(
        ours.cmd("upsrw")
            .args(["-s", "ups.id=second"])
            .args(auth)
            .arg(&addr),
    );
    assert!(said(&r).contains("SUCCESS"), "{r:?}");
    let got = run_capture(ours.cmd("upsc").args([&addr, "ups.id"]));
    assert_eq!(got.stdout.trim(), "second");
    // ENUM and RANGE are enforced by real upsd from our declarations.
    let r = run_capture(
        ours.cmd("upsrw")
            .args(["-s", "input.sensitivity=bogus"])
            .args(auth)
            .arg(&addr),
    );
    assert!(said(&r).contains("INVALID-VALUE"), "{r:?}");
    let r = run_capture(
        ours.cmd("upsrw")
            .args(["-s", "input.sensitivity=high"])
            .args(auth)
            .arg(&addr),
    );
    assert!(said(&r).contains("SUCCESS"), "{r:?}");
    let r = run_capture(
        ours.cmd("upsrw")
            .args(["-s", "ups.delay.shutdown=601"])
            .args(auth)
            .arg(&addr),
    );
    assert!(said(&r).contains("INVALID-VALUE"), "{r:?}");
    let listing = run_capture(ours.cmd("upsrw").arg(&addr)).stdout;
    assert!(listing.contains("Option: \"low\""), "{listing}");
    assert!(listing.contains("Option: \"high\" SELECTED"), "{listing}");
    assert!(listing.contains("Type: RANGE"), "{listing}");
    let cmds = run_capture(ours.cmd("upscmd").args(["-l", &addr])).stdout;
    assert!(
        cmds.contains("beeper.enable") && cmds.contains("load.off"),
        "{cmds}"
    );
}

#[test]
fn our_dummy_ups_relays_a_real_server() {
    let real = RealNut::start(&[("up", DevSource::Shared("epdu-managed.dev"))]);
    let relay_port = format!("up@127.0.0.1:{}", real.port());
    let ours = OurNut::start("relay", "unused.dev", "");
    // Point a second driver of the same sandbox at the real server, standalone.
    let mut cmd = ours.cmd(env!("CARGO_BIN_EXE_dummy-ups"));
    let out = run_capture(cmd.args([
        "-s",
        "mirror",
        "-x",
        &format!("port={relay_port}"),
        "-d",
        "1",
        "-u",
        "root",
    ]));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(
        out.stdout.contains("ups.serial: ADO6750531"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("driver.parameter.mode: repeater"),
        "{}",
        out.stdout
    );
}
