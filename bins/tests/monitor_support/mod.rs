//! Harness for the upsmon differential tests: a real upsd + dummy-ups sandbox whose daemons
//! can be killed, frozen and restarted, and an upsmon (real 2.8.0 or ours) run against it
//! with a NOTIFYCMD that records `NOTIFYTYPE UPSNAME message` lines and a SHUTDOWNCMD that
//! writes a marker file.
//!
//! Real upsmon writes its PID file to /run/nut whatever the environment says, so it runs in
//! a private mount namespace (`unshare -m` with a tmpfs on /run/nut). Every wait has a
//! deadline; the daemons work in whole seconds, so polling uses short sleeps.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

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

/// Which upsmon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// /usr/sbin/upsmon 2.8.0.
    Real,
    /// Ours (`CARGO_BIN_EXE_upsmon`).
    Ours,
}

/// A running upsmon with its files.
#[derive(Debug)]
pub struct Upsmon {
    pub dir: PathBuf,
    child: Option<Child>,
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `NOTIFYTYPE UPSNAME message` lines, in order.
    pub notifications: Vec<String>,
    /// SHUTDOWNCMD ran.
    pub shutdown: bool,
    /// Who ran it (`id -un`), if it ran.
    pub shutdown_by: Option<String>,
    /// POWERDOWNFLAG content, if written.
    pub flag: Option<String>,
}

const TYPES: &[&str] = &[
    "ONLINE",
    "ONBATT",
    "LOWBATT",
    "FSD",
    "COMMOK",
    "COMMBAD",
    "SHUTDOWN",
    "REPLBATT",
    "NOCOMM",
    "NOPARENT",
    "CAL",
    "NOTCAL",
    "OFF",
    "NOTOFF",
    "BYPASS",
    "NOTBYPASS",
];

impl Upsmon {
    /// Writes upsmon.conf (`monitors`: `MONITOR` arguments; `extra`: more lines) and starts
    /// the subject in the foreground.
    pub fn start(subject: Subject, monitors: &[String], extra: &str) -> Self {
        Self::start_as(subject, monitors, extra, "root")
    }

    /// Like [`start`](Self::start) with `-u user` (the directory is made world-writable so
    /// an unprivileged child can record notifications).
    pub fn start_as(subject: Subject, monitors: &[String], extra: &str, user: &str) -> Self {
        let dir = unique_dir(match subject {
            Subject::Real => "real",
            Subject::Ours => "ours",
        });
        let notify = dir.join("notify.sh");
        fs::write(
            &notify,
            format!(
                "#!/bin/sh\necho \"$NOTIFYTYPE $UPSNAME $1\" >> {}/notify.log\n",
                dir.display()
            ),
        )
        .unwrap();
        let shut = dir.join("shutdown.sh");
        fs::write(
            &shut,
            format!("#!/bin/sh\nid -un >> {}/shutdown.marker\n", dir.display()),
        )
        .unwrap();
        Command::new("chmod")
            .arg("+x")
            .arg(&notify)
            .arg(&shut)
            .status()
            .unwrap();
        Command::new("chmod").arg("777").arg(&dir).status().unwrap();
        let mut conf = String::new();
        for m in monitors {
            conf += &format!("MONITOR {m}\n");
        }
        conf += &format!(
            "NOTIFYCMD {}\nSHUTDOWNCMD {}\nPOWERDOWNFLAG {}/killpower\nPOLLFREQ 1\nPOLLFREQALERT 1\nFINALDELAY 0\n",
            notify.display(),
            shut.display(),
            dir.display()
        );
        for t in TYPES {
            conf += &format!("NOTIFYFLAG {t} EXEC\n");
        }
        conf += extra;
        fs::write(dir.join("upsmon.conf"), conf).unwrap();
        let log = fs::File::create(dir.join("upsmon.log")).unwrap();
        let mut cmd = match subject {
            Subject::Real => {
                let mut c = Command::new("unshare");
                c.args([
                    "-m",
                    "sh",
                    "-c",
                    &format!("mount -t tmpfs none /run/nut && exec {REAL_UPSMON} -F -u {user}"),
                ]);
                c
            }
            Subject::Ours => {
                let mut c = Command::new(env!("CARGO_BIN_EXE_upsmon"));
                c.args(["-F", "-u", user]).env("NUT_ALTPIDPATH", &dir);
                c
            }
        };
        use std::os::unix::process::CommandExt;
        let child = cmd
            .process_group(0)
            .env("NUT_CONFPATH", &dir)
            .env("NUT_STATEPATH", &dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        Self {
            dir,
            child: Some(child),
        }
    }

    /// True once the process has exited.
    pub fn exited(&mut self) -> bool {
        self.child
            .as_mut()
            .map_or(true, |c| matches!(c.try_wait(), Ok(Some(_))))
    }

    /// Waits until exit or `limit`, kills it, and returns what it did.
    pub fn finish(mut self, limit: Duration) -> Outcome {
        wait_until(limit, || self.exited());
        self.stop();
        let notifications = fs::read_to_string(self.dir.join("notify.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect();
        Outcome {
            notifications,
            shutdown: self.dir.join("shutdown.marker").exists(),
            shutdown_by: fs::read_to_string(self.dir.join("shutdown.marker"))
                .ok()
                .map(|s| s.trim().to_owned()),
            flag: fs::read_to_string(self.dir.join("killpower")).ok(),
        }
    }

    /// The notifications so far.
    pub fn notifications(&self) -> Vec<String> {
        fs::read_to_string(self.dir.join("notify.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Its output.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("upsmon.log")).unwrap_or_default()
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SIGTERM first (lets ours log out); then make sure.
            // The whole group: real upsmon's forked child and both of ours.
            let group = format!("-{}", c.id());
            let _ = Command::new("kill")
                .args(["-TERM", "--", &group])
                .stderr(Stdio::null())
                .status();
            if !wait_until(Duration::from_secs(3), || {
                matches!(c.try_wait(), Ok(Some(_)))
            }) {
                let _ = c.kill();
            }
            let _ = c.wait();
            thread::sleep(Duration::from_millis(200));
            let _ = Command::new("kill")
                .args(["-KILL", "--", &group])
                .stderr(Stdio::null())
                .status();
        }
        // Let detached notification commands finish writing.
        thread::sleep(Duration::from_millis(300));
    }
}

impl Drop for Upsmon {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}
