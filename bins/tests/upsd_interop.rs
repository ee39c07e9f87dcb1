//! Real NUT 2.8.0 clients (upsc, upscmd, upsrw, upslog, upsmon, PyNUT) against OUR upsd,
//! compared with the same commands against real upsd 2.8.0 serving the very same drivers
//! (both servers connect to the same real dummy-ups sockets), plus our upsd serving our
//! own dummy-ups.
#![allow(clippy::unwrap_used)]

mod common;
mod upsd_support;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{DevSource, RealNut};
use upsd_support::{both, run, OurUpsd};

fn sandbox() -> (RealNut, OurUpsd) {
    let real = RealNut::builder()
        .device("dummy", DevSource::Shared("epdu-managed.dev"))
        .device_with_desc(
            "second",
            "Second \"quoted\" UPS",
            DevSource::Inline("ups.status: OB LB\nbattery.charge: 12\nups.mfr: ACME\n".into()),
        )
        .start();
    let ours = OurUpsd::start(
        &real.conf_dir(),
        &real.state_dir(),
        &["dummy", "second"],
        "",
    );
    (real, ours)
}

fn host(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

#[test]
fn upsc_upscmd_upsrw_print_the_same_as_against_real_upsd() {
    let (real, ours) = sandbox();
    let (r, o) = (host(real.port()), host(ours.port));
    let cases: &[(&str, &[&str])] = &[
        ("upsc", &["-l", "{}"]),
        ("upsc", &["-L", "{}"]),
        ("upsc", &["dummy@{}"]),
        ("upsc", &["second@{}"]),
        ("upsc", &["dummy@{}", "ups.status"]),
        ("upsc", &["dummy@{}", "no.such.var"]),
        ("upsc", &["nosuch@{}"]),
        ("upscmd", &["-l", "dummy@{}"]),
        ("upsrw", &["dummy@{}"]),
        ("upsrw", &["second@{}"]),
    ];
    for (prog, args) in cases {
        let [want, got] = both(prog, args, &r, &o);
        assert_eq!(
            got,
            want,
            "{prog} {args:?}\n--- our upsd log ---\n{}",
            ours.logs()
        );
    }
}

#[test]
fn set_and_instcmd_with_tracking_answer_like_real_upsd() {
    let (real, ours) = sandbox();
    let (r, o) = (host(real.port()), host(ours.port));
    let set = [
        "-s",
        "ups.id=ops",
        "-u",
        "admin",
        "-p",
        "secret",
        "-w",
        "dummy@{}",
    ];
    let [want, got] = both("upsrw", &set, &r, &o);
    assert_eq!(got, want);
    assert_eq!(got.1.trim(), "SUCCESS");
    let deny = ["-s", "ups.id=x", "-u", "admin", "-p", "wrong", "dummy@{}"];
    let [want, got] = both("upsrw", &deny, &r, &o);
    assert_eq!(got, want);
    let cmd = ["-u", "admin", "-p", "secret", "-w", "dummy@{}", "load.off"];
    let [want, got] = both("upscmd", &cmd, &r, &o);
    assert_eq!(got, want);
}

const PYNUT: &str = r#"
import sys
sys.path.insert(0, "/usr/lib/python3/dist-packages")
import PyNUT
c = PyNUT.PyNUTClient(host="127.0.0.1", port=int(sys.argv[1]), login="admin", password="secret")
def t(f, *a):
    try:
        r = f(*a)
        print(sorted(r.items()) if isinstance(r, dict) else r)
    except Exception as e:
        print("error", e)
t(c.GetUPSList)
t(c.GetUPSVars, "dummy")
t(c.GetRWVars, "dummy")
t(c.GetUPSCommands, "dummy")
t(c.help)
t(c.ver)
t(c.ListClients, "dummy")
t(c.SetRWVar, "dummy", "ups.id", "my_device234")
t(c.RunUPSCommand, "dummy", "load.off")
t(c.GetUPSVars, "nosuch")
t(c.FSD, "second")
"#;

#[test]
fn pynut_gets_the_same_answers() {
    let (real, ours) = sandbox();
    let py =
        |port: u16| run(Command::new("/usr/bin/python3").args(["-c", PYNUT, &port.to_string()]));
    let (want, got) = (py(real.port()), py(ours.port));
    assert_eq!(want.2, Some(0), "PyNUT against real upsd: {want:?}");
    assert_eq!(got, want);
}

/// Runs a NUT daemon in a private mount namespace (its own /run/nut) until it printed
/// `lines` lines, then SIGTERM; returns stdout.
fn in_private_run_nut(prog: &str, args: &[&str], env: &[(&str, &str)], lines: usize) -> String {
    let script = "mount -t tmpfs tmpfs /run/nut && exec \"$0\" \"$@\"";
    let mut child = Command::new("unshare")
        .args(["-m", "bash", "-c", script, prog])
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    for _ in 0..lines {
        if out.read_line(&mut text).unwrap() == 0 {
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    text
}

#[test]
fn upslog_logs_the_same_line() {
    let (real, ours) = sandbox();
    let fmt = "%VAR ups.status% %VAR device.mfr% [%UPSHOST%] %VAR nope%";
    let log = |port: u16| {
        let ups = format!("dummy@127.0.0.1:{port}");
        let args = ["-s", &ups, "-l", "-", "-i", "1", "-f", fmt];
        in_private_run_nut("/usr/bin/upslog", &args, &[], 1)
    };
    let (want, got) = (log(real.port()), log(ours.port));
    assert!(!want.is_empty());
    assert_eq!(
        got.replace(&ours.port.to_string(), "P"),
        want.replace(&real.port().to_string(), "P")
    );
}

/// `GET NUMLOGINS` over a raw connection.
fn numlogins(port: u16, ups: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    s.write_all(format!("GET NUMLOGINS {ups}\n").as_bytes())
        .unwrap();
    let mut line = String::new();
    BufReader::new(s.try_clone().unwrap())
        .take(512)
        .read_line(&mut line)
        .unwrap();
    line.trim().to_string()
}

#[test]
fn upsmon_logs_in_as_primary() {
    let (_real, ours) = sandbox();
    let conf = ours.dir.join("mon");
    fs::create_dir_all(&conf).unwrap();
    let text = format!(
        "MONITOR dummy@127.0.0.1:{} 1 admin secret primary\nMINSUPPLIES 1\nSHUTDOWNCMD \"/bin/true\"\nPOLLFREQ 1\nPOWERDOWNFLAG {}/killpower\n",
        ours.port,
        conf.display()
    );
    fs::write(conf.join("upsmon.conf"), text).unwrap();
    let script = "mount -t tmpfs tmpfs /run/nut && exec /lib/nut/upsmon -F -u root";
    let mut child = Command::new("unshare")
        .args(["-m", "bash", "-c", script])
        .env("NUT_CONFPATH", &conf)
        .env("NUT_STATEPATH", &conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut seen = String::new();
    while Instant::now() < deadline {
        seen = numlogins(ours.port, "dummy");
        if seen == "NUMLOGINS dummy 1" {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    // upsmon forks an unprivileged child that holds the connection: stop both.
    let pid = child.id();
    let kids = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    for p in kids.split_whitespace().chain([pid.to_string().as_str()]) {
        let _ = Command::new("kill").args(["-TERM", p]).status();
    }
    let _ = child.wait();
    assert_eq!(seen, "NUMLOGINS dummy 1", "{}", ours.logs());
    // Its login goes away with its connection.
    let deadline = Instant::now() + Duration::from_secs(5);
    while numlogins(ours.port, "dummy") != "NUMLOGINS dummy 0" {
        assert!(
            Instant::now() < deadline,
            "upsmon's login outlived its connection"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn our_upsd_serves_our_dummy_ups_like_real_upsd_does() {
    let real = RealNut::start(&[("dummy", DevSource::Shared("epdu-managed.dev"))]);
    // Our driver on its own socket name ("ours"), in a copy of the configuration.
    let dir = real.conf_dir().join("ours-etc");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(real.conf_dir().join("dummy.dev"), dir.join("dummy.dev")).unwrap();
    fs::copy(real.conf_dir().join("upsd.users"), dir.join("upsd.users")).unwrap();
    fs::write(
        dir.join("ups.conf"),
        "[ours]\n\tdriver = dummy-ups\n\tport = dummy.dev\n",
    )
    .unwrap();
    let mut driver = Command::new(env!("CARGO_BIN_EXE_dummy-ups"))
        .args(["-a", "ours", "-u", "root", "-F"])
        .env("NUT_CONFPATH", &dir)
        .env("NUT_STATEPATH", real.state_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sock = real.state_dir().join("dummy-ups-ours");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() {
        assert!(
            Instant::now() < deadline,
            "our dummy-ups socket never appeared"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let ours = OurUpsd::start(&dir, &real.state_dir(), &["ours"], "");
    let (_, got_vars, code) = {
        let (out, err, code) = run(Command::new("upsc").arg(ours.addr("ours")));
        (err, out, code)
    };
    let _ = driver.kill();
    let _ = driver.wait();
    assert_eq!(code, Some(0));
    let (want_vars, _, _) = run(Command::new("upsc").arg(real.addr("dummy")));
    // driver.* differ between the two drivers; so does ups.macaddr, empty in the .dev file,
    // which real dummy-ups 2.8.0 fills with the previous line's value (a driver quirk).
    let pick = |text: &str| -> Vec<String> {
        let differ = |l: &&str| l.starts_with("driver.") || l.starts_with("ups.macaddr:");
        text.lines()
            .filter(|l| !differ(l))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(pick(&got_vars), pick(&want_vars));
}
