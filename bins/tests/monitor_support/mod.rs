//! Harness for the upsmon and upssched tests: a real upsd + dummy-ups sandbox whose daemons
//! can be killed, frozen and restarted, and an upsmon (real 2.8.0 or ours, [`upsmon`]) run
//! against it with a NOTIFYCMD that records `NOTIFYTYPE UPSNAME message` lines, a fake
//! `wall` and a `/dev/log` socket ([`capture`]), and a SHUTDOWNCMD that writes a marker file.
//! [`scenario`] runs one scenario against both and compares; [`sched`] is upssched's setup.
//!
//! Real upsmon writes its PID file to /run/nut whatever the environment says, so both run in
//! a private mount namespace (`unshare -m`, the test directory bind-mounted on /run/nut).
//! Every wait has a deadline; the daemons work in whole seconds, so polling uses short sleeps.
#![allow(dead_code, unused_imports, unreachable_pub, clippy::unwrap_used)]

pub mod capture;
pub mod scenario;
pub mod sched;
pub mod stderr_run;
mod upsmon;

pub use upsmon::{Mode, Outcome, Subject, Upsmon, UpsmonSpec};

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The real upsmon (Debian's /usr/sbin/upsmon is a wrapper that reads /etc/nut/nut.conf).
pub const REAL_UPSMON: &str = "/lib/nut/upsmon";

/// A fresh directory.
pub fn unique_dir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("nut-rs-mon-{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// upsd + one dummy-ups per `(name, .seq text)`.
#[derive(Debug)]
pub struct Sandbox {
    pub dir: PathBuf,
    pub port: u16,
    names: Vec<String>,
    drivers: Vec<Option<Child>>,
    upsd: Option<Child>,
    /// Connections held open by scenario actions (e.g. a secondary that never logs out).
    pub held: Vec<TcpStream>,
}

const USERS: &str = "[admin]\n\tpassword = secret\n\tupsmon primary\n\n[mon]\n\tpassword = pass\n\tupsmon secondary\n";

impl Sandbox {
    /// Starts the daemons and waits until every UPS serves data.
    pub fn start(tag: &str, devices: &[(&str, &str)]) -> Self {
        let dir = unique_dir(tag);
        let etc = dir.join("etc");
        fs::create_dir_all(&etc).unwrap();
        fs::create_dir_all(dir.join("state")).unwrap();
        let mut ups_conf = String::new();
        for (name, seq) in devices {
            fs::write(etc.join(format!("{name}.seq")), seq).unwrap();
            ups_conf += &format!("[{name}]\n\tdriver = dummy-ups\n\tport = {name}.seq\n");
        }
        fs::write(etc.join("ups.conf"), ups_conf).unwrap();
        fs::write(etc.join("upsd.users"), USERS).unwrap();
        fs::write(etc.join("nut.conf"), "MODE=netserver\n").unwrap();
        let port = free_port();
        fs::write(
            etc.join("upsd.conf"),
            format!("LISTEN 127.0.0.1 {port}\nMAXAGE 4\n"),
        )
        .unwrap();
        let mut sb = Self {
            dir,
            port,
            names: devices.iter().map(|(n, _)| (*n).to_string()).collect(),
            drivers: Vec::new(),
            upsd: None,
            held: Vec::new(),
        };
        for i in 0..devices.len() {
            let d = sb.spawn_driver(i);
            sb.drivers.push(Some(d));
        }
        sb.start_upsd();
        sb
    }

    fn command(&self, prog: &str) -> Command {
        let mut c = Command::new(Path::new("/lib/nut").join(prog));
        c.env("NUT_CONFPATH", self.dir.join("etc"))
            .env("NUT_STATEPATH", self.dir.join("state"))
            .env("NUT_ALTPIDPATH", self.dir.join("state"))
            .stdin(Stdio::null());
        c
    }

    fn log_file(&self, name: &str) -> fs::File {
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(format!("{name}.log")))
            .unwrap()
    }

    fn spawn_driver(&self, i: usize) -> Child {
        let name = &self.names[i];
        let log = self.log_file(name);
        let child = self
            .command("dummy-ups")
            .args(["-a", name, "-u", "root", "-F"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let sock = self.dir.join("state").join(format!("dummy-ups-{name}"));
        wait_until(Duration::from_secs(10), || sock.exists());
        child
    }

    /// (Re)starts upsd and waits for data.
    pub fn start_upsd(&mut self) {
        let log = self.log_file("upsd");
        let child = self
            .command("upsd")
            .args(["-u", "root", "-F"])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.upsd = Some(child);
        let ok = wait_until(Duration::from_secs(15), || self.serves_data());
        assert!(ok, "upsd did not serve data: {}", self.logs());
    }

    /// Kills upsd.
    pub fn stop_upsd(&mut self) {
        if let Some(mut c) = self.upsd.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Kills driver `i` (upsd then reports DRIVER-NOT-CONNECTED).
    pub fn kill_driver(&mut self, i: usize) {
        if let Some(mut c) = self.drivers[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freezes driver `i` (SIGSTOP): its data goes stale after MAXAGE.
    pub fn freeze_driver(&mut self, i: usize) {
        if let Some(c) = &self.drivers[i] {
            let _ = Command::new("kill")
                .args(["-STOP", &c.id().to_string()])
                .status();
        }
    }

    /// Sends `lines` on a new connection as `admin` and returns the connection (replies
    /// read and discarded).
    pub fn session(&self, lines: &[&str]) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut r = BufReader::new(s.try_clone().unwrap());
        for l in lines {
            r.get_mut().write_all(format!("{l}\n").as_bytes()).unwrap();
            let mut reply = String::new();
            let _ = r.read_line(&mut reply);
        }
        s
    }

    /// `ups.status` of `ups` as upsd reports it now.
    pub fn status(&self, ups: &str) -> String {
        self.query(&format!("GET VAR {ups} ups.status"))
    }

    /// One request on a new connection; the reply line.
    pub fn query(&self, request: &str) -> String {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut r = BufReader::new(s);
        let req = format!("{request}\n");
        r.get_mut().write_all(req.as_bytes()).unwrap();
        let mut line = String::new();
        let _ = r.read_line(&mut line);
        line.trim_end().to_owned()
    }

    fn serves_data(&self) -> bool {
        let Ok(s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        let mut r = BufReader::new(s);
        self.names.iter().all(|n| {
            let _ = r
                .get_mut()
                .write_all(format!("GET VAR {n} ups.status\n").as_bytes());
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            line.starts_with("VAR ") && !line.contains("WAIT")
        })
    }

    /// The daemons' logs.
    pub fn logs(&self) -> String {
        let mut out = String::new();
        for e in fs::read_dir(&self.dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "log") {
                out += &format!(
                    "== {} ==\n{}\n",
                    e.path().display(),
                    fs::read_to_string(e.path()).unwrap_or_default()
                );
            }
        }
        out
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_upsd();
        for c in self.drivers.iter_mut().flatten() {
            let _ = Command::new("kill")
                .args(["-CONT", &c.id().to_string()])
                .status();
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Polls `f` every 50 ms until true or `limit` passes.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if f() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    f()
}
