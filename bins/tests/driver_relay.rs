//! Our dummy-ups in repeater mode between two real upsd 2.8.0: upstream, real upsd serving the
//! real dummy-ups; in front, real upsd serving our relay driver. Real `upsrw`/`upscmd` with
//! `-w` against the front server reach the upstream device and report its answer; when the
//! upstream upsd goes away the front server says `ERR DATA-STALE`, and when it comes back on
//! the same port our driver reconnects by itself.
//!
//! Waiting uses short polls with deadlines: real upsd has no readiness signal.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{free_port, run_capture, Captured};

const USERS: &str = "[admin]\n\tpassword = secret\n\tactions = SET\n\tinstcmds = ALL\n";
const DEV: &str = "ups.status: OL\nups.id: first\nbattery.charge: 90\n";
const REAL_DUMMY: &str = "/lib/nut/dummy-ups";
const DEADLINE: Duration = Duration::from_secs(20);

/// One NUT server directory: `etc/`, `state/`, logs, and the daemons it runs by name.
struct Server {
    dir: PathBuf,
    port: u16,
    children: HashMap<&'static str, Child>,
}

impl Server {
    fn new(tag: &str, ups_conf: &str, files: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("nut-rs-relay-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        for sub in ["etc", "state"] {
            fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let port = free_port().unwrap();
        let etc = dir.join("etc");
        fs::write(etc.join("ups.conf"), ups_conf).unwrap();
        fs::write(etc.join("upsd.conf"), format!("LISTEN 127.0.0.1 {port}\n")).unwrap();
        fs::write(etc.join("upsd.users"), USERS).unwrap();
        fs::write(etc.join("nut.conf"), "MODE=netserver\n").unwrap();
        for (name, text) in files {
            fs::write(etc.join(name), text).unwrap();
        }
        Self {
            dir,
            port,
            children: HashMap::new(),
        }
    }

    fn cmd(&self, prog: &str) -> Command {
        let mut c = Command::new(prog);
        c.env("NUT_CONFPATH", self.dir.join("etc"))
            .env("NUT_STATEPATH", self.dir.join("state"))
            .env("NUT_ALTPIDPATH", self.dir.join("state"));
        c
    }

    fn spawn(&mut self, name: &'static str, prog: &str, args: &[&str]) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_path(name))
            .unwrap();
        let child = self
            .cmd(prog)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.children.insert(name, child);
    }

    fn upsd(&mut self) {
        self.spawn("upsd", "/lib/nut/upsd", &["-u", "root", "-F"]);
    }

    fn kill(&mut self, name: &str) {
        let mut child = self.children.remove(name).unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }

    fn log_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }

    fn log(&self, name: &str) -> String {
        fs::read_to_string(self.log_path(name)).unwrap_or_default()
    }

    fn addr(&self, ups: &str) -> String {
        format!("{ups}@127.0.0.1:{}", self.port)
    }

    /// One raw request to this upsd, its first reply line ("" when it does not answer).
    fn ask(&self, line: &str) -> String {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return String::new();
        };
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let _ = s.write_all(format!("{line}\n").as_bytes());
        let mut reply = String::new();
        let _ = BufReader::new(s).read_line(&mut reply);
        reply.trim_end().to_owned()
    }

    /// Polls until `ok` holds, failing with the logs when a daemon died or time ran out.
    fn wait(&mut self, what: &str, ok: impl Fn(&Self) -> bool) {
        let end = Instant::now() + DEADLINE;
        while !ok(self) {
            let dead = self
                .children
                .iter_mut()
                .find_map(|(name, c)| c.try_wait().ok().flatten().map(|st| (*name, st)));
            if let Some((name, st)) = dead {
                panic!("{name} exited ({st}) waiting for {what}:\n{}", self.logs());
            }
            assert!(Instant::now() < end, "timed out: {what}\n{}", self.logs());
            thread::sleep(Duration::from_millis(100));
        }
    }

    fn logs(&self) -> String {
        self.children
            .keys()
            .map(|n| format!("== {n} ==\n{}", self.log(n)))
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        for (_, mut c) in self.children.drain() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Real upsd + real dummy-ups (`driver`) serving `up`.
fn upstream(tag: &str, driver: &str) -> Server {
    common::RealNut::require_available();
    let conf = "[up]\n\tdriver = dummy-ups\n\tport = up.dev\n";
    let mut s = Server::new(&format!("{tag}-up"), conf, &[("up.dev", DEV)]);
    s.spawn("dummy-ups", driver, &["-a", "up", "-u", "root", "-F"]);
    let sock = s.dir.join("state/dummy-ups-up");
    s.wait("real dummy-ups socket", |_| sock.exists());
    s.upsd();
    s.wait("upstream data", |s| {
        s.ask("GET VAR up ups.id") == "VAR up ups.id \"first\""
    });
    s
}

/// Real upsd serving our dummy-ups relaying `up` twice: `relay` logs in upstream, `anon`
/// does not.
fn front(tag: &str, up: &Server) -> Server {
    let target = up.addr("up");
    let conf = format!(
        "pollinterval = 1\nretrydelay = 1\n\
         [relay]\n\tdriver = dummy-ups\n\tport = {target}\n\tusername = admin\n\tpassword = secret\n\
         [anon]\n\tdriver = dummy-ups\n\tport = {target}\n"
    );
    let mut s = Server::new(&format!("{tag}-front"), &conf, &[]);
    let ours = env!("CARGO_BIN_EXE_dummy-ups");
    for (name, ups) in [("relay", "relay"), ("anon", "anon")] {
        s.spawn(name, ours, &["-a", ups, "-u", "root", "-F"]);
        let sock = s.dir.join(format!("state/dummy-ups-{ups}"));
        s.wait("our relay socket", |_| sock.exists());
    }
    s.upsd();
    s.wait("front data", |s| {
        s.ask("GET VAR relay ups.id") == "VAR relay ups.id \"first\""
            && s.ask("GET VAR anon ups.id") == "VAR anon ups.id \"first\""
    });
    s
}

fn said(c: &Captured) -> String {
    format!("{}{}", c.stdout, c.stderr)
}

const AUTH: [&str; 5] = ["-u", "admin", "-p", "secret", "-w"];

#[test]
fn forwarded_set_and_instcmd_carry_the_upstream_answer() {
    let up = upstream("fwd", REAL_DUMMY);
    let front = front("fwd", &up);
    // SET through the front server reaches the real device upstream; tracking says SUCCESS.
    let r = run_capture(
        front
            .cmd("upsrw")
            .args(["-s", "ups.id=relayed"])
            .args(AUTH)
            .arg(front.addr("relay")),
    );
    assert!(said(&r).contains("SUCCESS"), "{r:?}");
    assert_eq!(
        up.ask("GET VAR up ups.id"),
        "VAR up ups.id \"relayed\"",
        "upstream got the SET"
    );
    assert_eq!(
        front.ask("GET VAR relay ups.id"),
        "VAR relay ups.id \"relayed\""
    );
    // The real dummy-ups does not know load.off: its UNKNOWN comes back through our relay.
    let r = run_capture(
        front
            .cmd("upscmd")
            .args(AUTH)
            .args([&front.addr("relay"), "load.off"]),
    );
    assert!(said(&r).contains("ERR UNKNOWN"), "{r:?}");
    assert!(
        up.log("dummy-ups")
            .contains("instcmd: unknown command [load.off]"),
        "the command reached the upstream driver:\n{}",
        up.log("dummy-ups")
    );
    // Without a login upstream, upsd refuses the forwarded SET: the driver reports FAILED.
    let r = run_capture(
        front
            .cmd("upsrw")
            .args(["-s", "ups.id=nobody"])
            .args(AUTH)
            .arg(front.addr("anon")),
    );
    assert!(said(&r).contains("ERR FAILED"), "{r:?}");
    assert_eq!(up.ask("GET VAR up ups.id"), "VAR up ups.id \"relayed\"");
}

#[test]
fn upstream_restart_goes_stale_then_reconnects() {
    // Real dummy-ups 2.8.0 aborts when a restarted upsd reconnects ("bit out of range 0 -
    // FD_SETSIZE on fd_set"), so upstream runs our dummy-ups behind the real upsd here.
    let mut up = upstream("restart", env!("CARGO_BIN_EXE_dummy-ups"));
    let mut front = front("restart", &up);
    up.kill("upsd");
    front.wait("front reports stale data", |s| {
        s.ask("GET VAR relay ups.id") == "ERR DATA-STALE"
    });
    let r = run_capture(front.cmd("upsc").args([&front.addr("relay"), "ups.id"]));
    assert!(r.stderr.contains("Data stale"), "{r:?}");
    // Back on the same port, with a value changed while the relay was cut off.
    up.upsd();
    up.wait("upstream back", |s| {
        s.ask("GET VAR up ups.id") == "VAR up ups.id \"first\""
    });
    let r = run_capture(
        up.cmd("upsrw")
            .args(["-s", "ups.id=after"])
            .args(AUTH)
            .arg(up.addr("up")),
    );
    assert!(said(&r).contains("SUCCESS"), "{r:?}");
    front.wait("relay reconnected with fresh data", |s| {
        s.ask("GET VAR relay ups.id") == "VAR relay ups.id \"after\""
    });
    // Forwarding works again on the new upstream connection.
    let r = run_capture(
        front
            .cmd("upsrw")
            .args(["-s", "battery.charge=42"])
            .args(AUTH)
            .arg(front.addr("relay")),
    );
    assert!(said(&r).contains("SUCCESS"), "{r:?}");
    assert_eq!(
        up.ask("GET VAR up battery.charge"),
        "VAR up battery.charge \"42\""
    );
}
