//! Shared test harness: a private, real NUT 2.8.0 (`upsd` + `dummy-ups`) on loopback.
//!
//! Each [`RealNut`] gets its own temporary `NUT_CONFPATH`/`NUT_STATEPATH` directory and a free
//! port on 127.0.0.1, starts one `dummy-ups` per device and one `upsd`, all in the foreground
//! (`-F`) so this process owns their PIDs, and waits until upsd serves fresh data for every
//! device. Drop kills exactly those PIDs and removes the directory. Tests running in parallel
//! never share a directory or a port.
//!
//! Users in `upsd.users`: `admin`/`secret` (`actions = SET FSD`, `instcmds = ALL`,
//! `upsmon primary`) and `mon`/`pass` (`upsmon secondary`).
//!
//! Real NUT missing is a test failure, not a skip: [`RealNut::start`] panics with a message
//! saying which packages to install.
//!
//! Polling the daemons uses short sleeps: real NUT has no readiness signal to wait on, and
//! `dummy-ups` 2.8.0 itself works in 1 s cycles. Every wait has a deadline.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Directory of the real NUT daemons (Debian/Ubuntu layout).
pub const NUT_LIBEXEC: &str = "/lib/nut";
/// How long to wait for the sandbox to serve data.
const START_DEADLINE: Duration = Duration::from_secs(15);
/// Poll step while waiting for the daemons.
const POLL_STEP: Duration = Duration::from_millis(50);
/// Default deadline for [`run_capture`].
pub const RUN_DEADLINE: Duration = Duration::from_secs(30);

/// Where a `dummy-ups` device definition comes from.
#[derive(Debug, Clone)]
pub enum DevSource {
    /// A file of `/work/shared/data/nut/` (found via `CARGO_MANIFEST_DIR/../../shared/data/nut`),
    /// e.g. `"epdu-managed.dev"`.
    Shared(&'static str),
    /// Any file on disk; copied into the configuration directory.
    Path(PathBuf),
    /// `var: value` lines written as a `.dev` file.
    Inline(String),
}

/// One device of the sandbox.
#[derive(Debug, Clone)]
pub struct Device {
    /// UPS name (ups.conf section).
    pub name: String,
    /// `desc = ...` in ups.conf, if any.
    pub desc: Option<String>,
    /// Its data.
    pub source: DevSource,
}

/// Builder for a [`RealNut`] with descriptions or extra `upsd.conf` lines.
#[derive(Debug, Clone, Default)]
pub struct RealNutBuilder {
    devices: Vec<Device>,
    upsd_conf_extra: Vec<String>,
}

impl RealNutBuilder {
    /// Adds a device without a description.
    pub fn device(mut self, name: &str, source: DevSource) -> Self {
        self.devices.push(Device {
            name: name.into(),
            desc: None,
            source,
        });
        self
    }

    /// Adds a device with `desc = "<desc>"`.
    pub fn device_with_desc(mut self, name: &str, desc: &str, source: DevSource) -> Self {
        let desc = Some(desc.into());
        self.devices.push(Device {
            name: name.into(),
            desc,
            source,
        });
        self
    }

    /// Appends a line to `upsd.conf` (e.g. `CERTFILE ...`).
    pub fn upsd_conf_line(mut self, line: &str) -> Self {
        self.upsd_conf_extra.push(line.into());
        self
    }

    /// Starts the sandbox; panics with the daemons' logs if it does not come up.
    pub fn start(self) -> RealNut {
        RealNut::require_available();
        let mut last_err = String::new();
        // A port found free can be taken by a parallel test before upsd binds it: retry.
        for _ in 0..3 {
            match RealNut::try_start(&self) {
                Ok(nut) => return nut,
                Err(e) => last_err = e,
            }
        }
        panic!("real NUT sandbox did not start:\n{last_err}");
    }
}

/// A running upsd + dummy-ups sandbox.
#[derive(Debug)]
pub struct RealNut {
    dir: PathBuf,
    port: u16,
    devices: Vec<String>,
    children: Vec<Child>,
}

impl RealNut {
    /// True if the real NUT daemons are installed.
    pub fn available() -> bool {
        Path::new(NUT_LIBEXEC).join("upsd").exists()
            && Path::new(NUT_LIBEXEC).join("dummy-ups").exists()
    }

    /// Panics with install instructions if real NUT is missing.
    pub fn require_available() {
        assert!(
            Self::available(),
            "real NUT 2.8.0 is not installed ({NUT_LIBEXEC}/upsd, {NUT_LIBEXEC}/dummy-ups missing): \
             these interop tests need it; install it with `apt-get install nut-server nut-client` \
             (CI does)"
        );
    }

    /// A builder, to set descriptions or extra upsd.conf lines.
    pub fn builder() -> RealNutBuilder {
        RealNutBuilder::default()
    }

    /// Starts upsd with one dummy-ups per `(ups name, source)`.
    pub fn start(devices: &[(&str, DevSource)]) -> Self {
        let builder = devices.iter().fold(Self::builder(), |b, (name, src)| {
            b.device(name, src.clone())
        });
        builder.start()
    }

    /// The port upsd listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ups@127.0.0.1:port`, as upsc and friends take it.
    pub fn addr(&self, ups: &str) -> String {
        format!("{ups}@127.0.0.1:{}", self.port)
    }

    /// NUT_CONFPATH of this sandbox.
    pub fn conf_dir(&self) -> PathBuf {
        self.dir.join("etc")
    }

    /// NUT_STATEPATH of this sandbox.
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// The device names, in ups.conf order.
    pub fn devices(&self) -> &[String] {
        &self.devices
    }

    /// A command with this sandbox's NUT environment set.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("NUT_CONFPATH", self.conf_dir())
            .env("NUT_STATEPATH", self.state_dir())
            .env("NUT_ALTPIDPATH", self.state_dir());
        cmd
    }

    /// The combined logs of the daemons so far (for assertion messages).
    pub fn logs(&self) -> String {
        read_logs(&self.dir)
    }

    fn try_start(builder: &RealNutBuilder) -> Result<Self, String> {
        let dir = unique_dir().map_err(|e| format!("temp dir: {e}"))?;
        let port = free_port().map_err(|e| format!("free port: {e}"))?;
        let devices = builder.devices.iter().map(|d| d.name.clone()).collect();
        let mut nut = Self {
            dir,
            port,
            devices,
            children: Vec::new(),
        };
        nut.write_config(builder)
            .map_err(|e| format!("writing config: {e}"))?;
        nut.spawn_all(builder)
            .map_err(|e| format!("{e}\n--- logs ---\n{}", nut.logs()))?;
        Ok(nut)
    }

    fn write_config(&self, builder: &RealNutBuilder) -> std::io::Result<()> {
        fs::create_dir_all(self.conf_dir())?;
        fs::create_dir_all(self.state_dir())?;
        let mut ups_conf = String::new();
        for dev in &builder.devices {
            let file = format!("{}.dev", dev.name);
            fs::write(self.conf_dir().join(&file), dev_text(&dev.source)?)?;
            ups_conf += &format!("[{}]\n\tdriver = dummy-ups\n\tport = {file}\n", dev.name);
            if let Some(desc) = &dev.desc {
                ups_conf += &format!("\tdesc = \"{desc}\"\n");
            }
        }
        fs::write(self.conf_dir().join("ups.conf"), ups_conf)?;
        let mut upsd_conf = format!("LISTEN 127.0.0.1 {}\n", self.port);
        for line in &builder.upsd_conf_extra {
            upsd_conf += &format!("{line}\n");
        }
        fs::write(self.conf_dir().join("upsd.conf"), upsd_conf)?;
        fs::write(self.conf_dir().join("upsd.users"), USERS)?;
        fs::write(self.conf_dir().join("nut.conf"), "MODE=netserver\n")
    }

    fn spawn_all(&mut self, builder: &RealNutBuilder) -> Result<(), String> {
        let deadline = Instant::now() + START_DEADLINE;
        for dev in &builder.devices {
            self.spawn_daemon(
                "dummy-ups",
                &["-a", &dev.name, "-u", "root", "-F"],
                &dev.name,
            )?;
            let sock = self.state_dir().join(format!("dummy-ups-{}", dev.name));
            self.wait_for(
                deadline,
                &format!("driver socket {}", sock.display()),
                |_| Ok(sock.exists()),
            )?;
        }
        self.spawn_daemon("upsd", &["-u", "root", "-F"], "upsd")?;
        self.wait_for(deadline, "upsd serving fresh data", |nut| nut.serves_data())
    }

    fn spawn_daemon(&mut self, prog: &str, args: &[&str], log: &str) -> Result<(), String> {
        let log_path = self.dir.join(format!("{log}.log"));
        let out = fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = self
            .command(Path::new(NUT_LIBEXEC).join(prog))
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("spawning {prog}: {e}"))?;
        self.children.push(child);
        Ok(())
    }

    /// Polls `ready` until it is true, a daemon died, or the deadline passed.
    fn wait_for(
        &mut self,
        deadline: Instant,
        what: &str,
        ready: impl Fn(&Self) -> Result<bool, String>,
    ) -> Result<(), String> {
        loop {
            if ready(self)? {
                return Ok(());
            }
            for child in &mut self.children {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!(
                        "daemon {} exited ({status}) waiting for {what}",
                        child.id()
                    ));
                }
            }
            if Instant::now() > deadline {
                return Err(format!("timed out waiting for {what}"));
            }
            thread::sleep(POLL_STEP);
        }
    }

    /// LIST UPS names every device and each answers GET VAR with data (not WAIT).
    fn serves_data(&self) -> Result<bool, String> {
        let Ok(mut conn) = LineConn::open(self.port) else {
            return Ok(false);
        };
        let listed = conn.exchange_list("LIST UPS").unwrap_or_default();
        let all_listed = self
            .devices
            .iter()
            .all(|d| listed.iter().any(|l| l.starts_with(&format!("UPS {d} "))));
        if !all_listed {
            return Ok(false);
        }
        for dev in &self.devices {
            let reply = conn
                .exchange(&format!("GET VAR {dev} driver.name"))
                .unwrap_or_default();
            if !reply.starts_with("VAR ") {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl Drop for RealNut {
    fn drop(&mut self) {
        // upsd first so it does not log driver disconnects; then the drivers.
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

const USERS: &str = "\
[admin]
\tpassword = secret
\tactions = SET FSD
\tinstcmds = ALL
\tupsmon primary

[mon]
\tpassword = pass
\tupsmon secondary
";

/// The directory of shared NUT data files (`/work/shared/data/nut`).
pub fn shared_data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/nut")
}

fn dev_text(source: &DevSource) -> std::io::Result<String> {
    match source {
        DevSource::Shared(name) => fs::read_to_string(shared_data_dir().join(name)),
        DevSource::Path(path) => fs::read_to_string(path),
        DevSource::Inline(text) => Ok(text.clone()),
    }
}

fn read_logs(dir: &Path) -> String {
    let Ok(entries) = fs::read_dir(dir) else {
        return String::new();
    };
    let mut out = String::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "log") {
            let text = fs::read_to_string(&path).unwrap_or_default();
            out += &format!("== {} ==\n{text}\n", path.display());
        }
    }
    out
}

/// A fresh directory under the system temp dir, unique per process, call and time.
fn unique_dir() -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("nut-rs-realnut-{}-{n}-{nanos}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> std::io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// A minimal blocking line connection, only for the harness's readiness checks.
struct LineConn {
    reader: BufReader<TcpStream>,
}

impl LineConn {
    fn open(port: u16) -> std::io::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    fn exchange(&mut self, line: &str) -> std::io::Result<String> {
        self.reader
            .get_mut()
            .write_all(format!("{line}\n").as_bytes())?;
        let mut reply = String::new();
        self.reader.by_ref().take(4096).read_line(&mut reply)?;
        Ok(reply.trim_end().to_string())
    }

    fn exchange_list(&mut self, line: &str) -> std::io::Result<Vec<String>> {
        let mut lines = vec![self.exchange(line)?];
        if !lines[0].starts_with("BEGIN LIST") {
            return Ok(lines);
        }
        for _ in 0..10_000 {
            let mut reply = String::new();
            if self.reader.by_ref().take(4096).read_line(&mut reply)? == 0 {
                break;
            }
            let reply = reply.trim_end().to_string();
            let end = reply.starts_with("END LIST");
            lines.push(reply);
            if end {
                break;
            }
        }
        Ok(lines)
    }
}

impl Drop for LineConn {
    fn drop(&mut self) {
        let _ = self.reader.get_mut().write_all(b"LOGOUT\n");
        let _ = self.reader.get_ref().shutdown(Shutdown::Both);
    }
}

/// What a finished program printed and returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Captured {
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// Exit code; `None` if killed by a signal (or by the deadline).
    pub code: Option<i32>,
}

/// Runs `cmd` to completion (killing it after `RUN_DEADLINE`) and captures its output.
pub fn run_capture(cmd: &mut Command) -> Captured {
    run_capture_within(cmd, RUN_DEADLINE)
}

/// Like [`run_capture`] with an explicit deadline.
pub fn run_capture_within(cmd: &mut Command, deadline: Duration) -> Captured {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let end = Instant::now() + deadline;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for child") {
            break Some(status);
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    Captured {
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        code: status.and_then(|s| s.code()),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut buf);
        }
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// Parses `name: value` lines as upsc prints them.
pub fn parse_upsc_vars(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|l| {
            l.split_once(": ")
                .or_else(|| l.strip_suffix(':').map(|n| (n, "")))
        })
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

// ---- Daemon-process helpers shared by the daemon flag tests (`daemon_flags_*.rs`). ----

/// How long the daemon helpers below wait for a process or a condition.
pub const DAEMON_DEADLINE: Duration = Duration::from_secs(15);

/// A fresh, empty directory `<temp>/nut-rs-<prefix>-<tag>-<pid>-<n>` with `etc/` and `run/`
/// inside (a NUT_CONFPATH and a NUT_STATEPATH).
pub fn daemon_dir(prefix: &str, tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("nut-rs-{prefix}-{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("etc")).unwrap();
    fs::create_dir_all(dir.join("run")).unwrap();
    dir
}

/// Sends SIGKILL to every process a PID file of `pidfiles` names (a sandbox's clean-up).
pub fn kill_pidfiles(pidfiles: &[PathBuf]) {
    for file in pidfiles {
        if let Some(pid) = read_pid(file) {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// Waits for a child (killing it after [`DAEMON_DEADLINE`]); its exit code, `None` if killed
/// by a signal.
pub fn wait_exit(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + DAEMON_DEADLINE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {DAEMON_DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// The PID a PID file holds, if it exists and holds a number.
pub fn read_pid(file: &Path) -> Option<u32> {
    fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// True while process `pid` exists.
pub fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Polls `ok` until it is true; panics naming `what` after [`DAEMON_DEADLINE`].
pub fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + DAEMON_DEADLINE;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// `kill <sig> <pid>`, which must succeed.
pub fn kill(sig: &str, pid: u32) {
    let status = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill {sig} {pid}");
}

/// The effective uid of a process, from `/proc/<pid>/status`.
pub fn uid_of(pid: u32) -> u32 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// The uid and primary gid of an account (`nut` is created by the nut packages).
pub fn account(name: &str) -> (u32, u32) {
    let id = |flag: &str| {
        let out = Command::new("id").args([flag, name]).output().unwrap();
        assert!(out.status.success(), "no account {name}");
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    };
    (id("-u"), id("-g"))
}

/// A shell that sends SIGTERM to `pid` the moment `pidfile` is not empty: a busy loop of
/// builtins, as quick as a signal can follow the file (spawning `kill` would take a
/// millisecond, enough for a daemon to finish its setup). Bounded by an iteration count.
pub fn term_when_written(pidfile: &Path, pid: u32) -> Child {
    Command::new("sh")
        .args([
            "-c",
            "i=0; while [ ! -s \"$1\" ]; do i=$((i+1)); [ $i -gt 5000000 ] && exit 1; done; \
             kill -TERM \"$2\"",
            "sh",
        ])
        .arg(pidfile)
        .arg(pid.to_string())
        .spawn()
        .unwrap()
}

/// Ten times: starts a daemon with `start` (it must write `pidfile` in the foreground),
/// sends SIGTERM the moment the PID file appears, and checks that it exits 0 and removes the
/// PID file; `check(round)` then asserts anything else it must have cleaned up. A race
/// shows only sometimes, hence the rounds.
pub fn sigterm_as_the_pid_file_appears(
    pidfile: &Path,
    mut start: impl FnMut() -> Child,
    check: impl Fn(u32),
) {
    for round in 0..10 {
        let mut child = start();
        let mut watcher = term_when_written(pidfile, child.id());
        assert_eq!(
            wait_exit(&mut watcher),
            Some(0),
            "round {round}: no PID file"
        );
        assert_eq!(wait_exit(&mut child), Some(0), "round {round}");
        assert!(!pidfile.exists(), "round {round}: PID file left behind");
        check(round);
    }
}
