//! Our dummy-ups and upsdrvctl as commands, next to real NUT 2.8.0's on the same `ups.conf`:
//! what a user sees on the command line (stderr, exit status, and stdout after the banner)
//! must be the same, apart from the deviations written down here (and in DEVIATIONS.md).
//! Runs that would serve stay in the foreground with `-d 1` (dump and exit).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run_capture, Captured, RealNut};

const OUR_DUMMY: &str = env!("CARGO_BIN_EXE_dummy-ups");
const REAL_DUMMY: &str = "/lib/nut/dummy-ups";
const OUR_CTL: &str = env!("CARGO_BIN_EXE_upsdrvctl");
const REAL_CTL: &str = "/sbin/upsdrvctl";

const DEV: &str = "ups.status: OL\nups.id: x\nbattery.charge: 80\n";

/// A fresh directory with `ups.conf` and `a.dev`; `who` keeps real and ours apart.
fn sandbox(tag: &str, who: &str, conf: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("nut-rs-drvdiff-{}-{tag}-{who}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ups.conf"), conf).unwrap();
    std::fs::write(dir.join("a.dev"), DEV).unwrap();
    dir
}

fn command(prog: &str, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(prog);
    c.args(args)
        .current_dir(dir)
        .env("NUT_CONFPATH", dir)
        .env("NUT_STATEPATH", dir)
        .env("NUT_ALTPIDPATH", dir);
    c
}

/// What the user sees, with the parts that must differ made equal: the program path, the
/// sandbox directory, the version lines.
fn seen(out: &Captured, prog: &str, dir: &Path) -> (String, String, Option<i32>) {
    let clean = |s: &str| -> String {
        s.replace(prog, "PROG")
            .replace(&dir.display().to_string(), "DIR")
            .lines()
            .filter(|l| !l.starts_with("Network UPS Tools - "))
            .filter(|l| !l.starts_with("driver.version"))
            .map(|l| format!("{l}\n"))
            .collect()
    };
    (clean(&out.stdout), clean(&out.stderr), out.code)
}

/// Runs `prog args` in a sandbox of its own for real and for ours; returns (real, ours).
type Seen = (String, String, Option<i32>);
fn both(tag: &str, conf: &str, args: &[&str], progs: [&str; 2]) -> (Seen, Seen) {
    RealNut::require_available();
    let mut runs = Vec::new();
    for (who, prog) in ["real", "ours"].into_iter().zip(progs) {
        let dir = sandbox(tag, who, conf);
        let out = run_capture(&mut command(prog, &dir, args));
        runs.push(seen(&out, prog, &dir));
        let _ = std::fs::remove_dir_all(&dir);
    }
    let ours = runs.pop().unwrap();
    (runs.pop().unwrap(), ours)
}

const CONF: &str = "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n";

#[test]
fn driver_command_lines_match_real_dummy_ups() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("version", CONF, &["-V"]),
        ("list", CONF, &["-L"]),
        ("nosection", CONF, &["-a", "nosuch", "-u", "root"]),
        ("badopt", CONF, &["-Z"]),
        ("noarg", CONF, &["-a"]),
        ("extra", CONF, &["-a", "x", "stray"]),
        ("noname", CONF, &["-x", "port=a.dev"]),
        ("noport", CONF, &["-s", "x", "-u", "root"]),
        (
            "missing",
            CONF,
            &["-a", "x", "-x", "port=none.dev", "-u", "root", "-F"],
        ),
        ("kill", CONF, &["-a", "x", "-u", "root", "-k"]),
        ("dump", CONF, &["-a", "x", "-u", "root", "-d", "1"]),
        (
            "standalone",
            "",
            &["-s", "y", "-x", "port=a.dev", "-u", "root", "-d", "1"],
        ),
        ("interval", CONF, &["-a", "x", "-u", "root", "-i", "0"]),
        (
            "wrongdriver",
            "[x]\n\tdriver = usbhid-ups\n\tport = a.dev\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            "flags",
            "pollinterval = 4\n[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tnolock\n\
             \tsynchronous = yes\n\tsdorder = 3\n\tdesc = \"say \\\"hi\\\"\"\n\
             \tdefault.ups.foo = bar\n\toverride.battery.charge = 5\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            "ignorelb-without-thresholds",
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tignorelb\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            "ignorelb",
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tignorelb\n\
             \tdefault.battery.charge.low = 20\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            "globalpoll0",
            "pollinterval = 0\n[x]\n\tdriver = dummy-ups\n\tport = a.dev\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            "sectionpoll-text",
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tpollinterval = soon\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            // Another UPS's bad pollinterval is not this driver's business.
            "otherpoll0",
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tpollinterval = 3\n\
             [y]\n\tdriver = dummy-ups\n\tport = a.dev\n\tpollinterval = 0\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
    ];
    for (tag, conf, args) in cases {
        let (real, ours) = both(tag, conf, args, [REAL_DUMMY, OUR_DUMMY]);
        if *tag == "list" {
            // Our repeater also takes upstream credentials (DEVIATIONS.md): listed after
            // 2.8.0's own.
            assert!(ours.0.starts_with(&real.0), "{ours:?}");
            assert!(ours.0.contains("VALUE password "), "{ours:?}");
            continue;
        }
        assert_eq!(ours, real, "dummy-ups {args:?} ({tag})");
    }
}

#[test]
fn unknown_driver_options_fail_with_nut_s_text() {
    // Real 2.8.0 prints this on stdout and exits 0; we print the same text as an error and
    // exit 1 (DEVIATIONS.md).
    for (tag, conf, args) in [
        (
            "xvar",
            CONF,
            &["-a", "x", "-x", "bogus=1", "-u", "root", "-d", "1"][..],
        ),
        (
            "confflag",
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tbogusflag\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
        (
            "maxretry-in-section",
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tmaxretry = 3\n",
            &["-a", "x", "-u", "root", "-d", "1"],
        ),
    ] {
        let (real, ours) = both(tag, conf, args, [REAL_DUMMY, OUR_DUMMY]);
        assert_eq!(real.2, Some(0), "{tag}: {real:?}");
        assert!(real.0.contains("Fatal error"), "{tag}: {real:?}");
        assert_eq!(
            (ours.1.as_str(), ours.2),
            (real.0.as_str(), Some(1)),
            "{tag}"
        );
        assert_eq!(ours.0, "", "{tag}");
    }
}

#[test]
fn per_ups_maxstartdelay_is_accepted() {
    // upsdrvctl 2.8.0 reads a per-UPS maxstartdelay, but the 2.8.0 driver then refuses to
    // start on it; ours accepts it (DEVIATIONS.md).
    let conf = "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\tmaxstartdelay = 9\n";
    let args = ["-a", "x", "-u", "root", "-d", "1"];
    let (real, ours) = both("msd", conf, &args, [REAL_DUMMY, OUR_DUMMY]);
    assert!(
        real.0.contains("'maxstartdelay' is not a valid"),
        "{real:?}"
    );
    assert_eq!(ours.2, Some(0), "{ours:?}");
    assert!(ours.0.contains("ups.id: x"), "{ours:?}");
}

#[test]
fn maxretry_belongs_to_upsdrvctl_not_the_driver() {
    // A driver that cannot start fails at once; the retries are upsdrvctl's.
    let conf = "maxretry = 3\nretrydelay = 1\n[x]\n\tdriver = dummy-ups\n\tport = none.dev\n";
    let args = ["-a", "x", "-u", "root", "-F"];
    let (real, ours) = both("retry", conf, &args, [REAL_DUMMY, OUR_DUMMY]);
    assert_eq!(ours, real);
    assert_eq!(ours.1.lines().count(), 1, "one attempt: {ours:?}");
}

#[test]
fn upsdrvctl_messages_match_real_upsdrvctl() {
    let conf = "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\
                [y]\n\tdriver = dummy-ups\n\tport = none.dev\n";
    for (tag, args) in [
        ("start-unknown", &["-u", "root", "start", "nosuch"][..]),
        ("stop-unknown", &["stop", "nosuch"]),
        ("shutdown-unknown", &["shutdown", "nosuch"]),
        ("stop-none", &["stop", "x"]),
        ("bad-command", &["bogus"]),
        ("start-failing", &["-u", "root", "start", "y"]),
        ("debug-unknown", &["-D", "stop", "nosuch"]),
    ] {
        let (real, ours) = both(tag, conf, args, [REAL_CTL, OUR_CTL]);
        // Timestamps (with -D) are the only part that may differ.
        let untimed = |s: &Seen| -> Seen {
            let err =
                s.1.lines()
                    .map(|l| l.split_once('\t').map_or(l, |(_, m)| m).to_owned())
                    .collect::<Vec<_>>()
                    .join("\n");
            // The drivers' banners on stdout are filtered; what is left is upsdrvctl's.
            (s.0.clone(), err, s.2)
        };
        assert_eq!(untimed(&ours), untimed(&real), "upsdrvctl {args:?} ({tag})");
        if !args.contains(&"-D") {
            assert!(!ours.1.contains('\t'), "no timestamps without -D: {ours:?}");
        }
    }
}

/// A foreground dummy-ups, a client on its socket sending two unknown instant commands
/// (without and with a parameter), then SIGTERM: both say `sock_connect: enabling
/// asynchronous mode (auto)` for the client and `instcmd: unknown command [...] [...]` for
/// each command (`(null)` for none, as C prints it).
#[test]
fn socket_client_and_unknown_instcmd_lines_match_real_dummy_ups() {
    use std::io::Write;
    use std::os::unix::net::UnixStream;
    use std::process::Stdio;
    RealNut::require_available();
    let mut runs = Vec::new();
    for (who, prog) in [("real", REAL_DUMMY), ("ours", OUR_DUMMY)] {
        let dir = sandbox("instcmd", who, CONF);
        let log = std::fs::File::create(dir.join("stderr")).unwrap();
        let child = command(prog, &dir, &["-a", "x", "-F", "-u", "root"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut child = KillOnDrop(child);
        let socket = dir.join("dummy-ups-x");
        let mut client = None;
        for _ in 0..100 {
            if let Ok(c) = UnixStream::connect(&socket) {
                client = Some(c);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let mut client = client.expect("the driver listens");
        client
            .write_all(b"INSTCMD load.off\nINSTCMD load.off 5\n")
            .unwrap();
        let stderr = || std::fs::read_to_string(dir.join("stderr")).unwrap_or_default();
        for _ in 0..100 {
            if stderr().matches("instcmd:").count() >= 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = Command::new("kill").arg(child.0.id().to_string()).status();
        let _ = child.0.wait();
        let lines: Vec<String> = (stderr().lines())
            .filter(|l| !l.starts_with("Network UPS Tools - ") && !l.starts_with("Signal SIG"))
            .map(str::to_owned)
            .collect();
        runs.push(lines);
        let _ = std::fs::remove_dir_all(&dir);
    }
    let want = [
        "sock_connect: enabling asynchronous mode (auto)",
        "instcmd: unknown command [load.off] [(null)]",
        "instcmd: unknown command [load.off] [5]",
    ];
    assert_eq!(runs[0], want, "real dummy-ups");
    assert_eq!(runs[1], runs[0], "ours against real");
}

/// A driver killed if its test fails before stopping it.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
