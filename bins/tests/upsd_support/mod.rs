//! Our `upsd` binary in a sandbox: its own configuration directory (a copy of another
//! sandbox's ups.conf and upsd.users), `LISTEN 127.0.0.1 0`, and the port read from the
//! "listening on" line it logs. Drivers' sockets come from any state directory, so it can
//! serve the very drivers a real upsd serves.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A running `upsd` of ours.
pub struct OurUpsd {
    pub dir: PathBuf,
    pub port: u16,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

fn unique_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("nut-rs-ourupsd-{tag}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("etc")).unwrap();
    dir
}

impl OurUpsd {
    /// Starts our upsd with `conf_src`'s ups.conf and upsd.users, drivers in `statepath`, and
    /// `extra` lines in upsd.conf; waits until it serves every UPS of `upses`.
    pub fn start(conf_src: &Path, statepath: &Path, upses: &[&str], extra: &str) -> Self {
        let dir = unique_dir("srv");
        for f in ["ups.conf", "upsd.users"] {
            fs::copy(conf_src.join(f), dir.join("etc").join(f)).unwrap();
        }
        fs::write(
            dir.join("etc/upsd.conf"),
            format!("LISTEN 127.0.0.1 0\n{extra}"),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_upsd"))
            .args(["-F", "-u", "root"])
            .env("NUT_CONFPATH", dir.join("etc"))
            .env("NUT_STATEPATH", statepath)
            .env("NUT_ALTPIDPATH", &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let port = read_port(child.stderr.take().unwrap(), log.clone());
        let Some(port) = port else {
            let _ = child.kill();
            panic!("our upsd did not log its port: {:?}", log.lock().unwrap());
        };
        let srv = Self {
            dir,
            port,
            child,
            log,
        };
        srv.wait_serving(upses);
        srv
    }

    /// `ups@127.0.0.1:port`.
    pub fn addr(&self, ups: &str) -> String {
        format!("{ups}@127.0.0.1:{}", self.port)
    }

    pub fn logs(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_serving(&self, upses: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(15);
        for ups in upses {
            loop {
                let out = Command::new("upsc")
                    .args([&self.addr(ups), "driver.name"])
                    .stderr(Stdio::null())
                    .output()
                    .unwrap();
                let status = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if out.status.success() && !status.is_empty() {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "our upsd never served {ups}: {}",
                    self.logs()
                );
                thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for OurUpsd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Reads stderr until "listening on 127.0.0.1 port N"; keeps draining into `log` after.
fn read_port(stderr: std::process::ChildStderr, log: Arc<Mutex<Vec<String>>>) -> Option<u16> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if let Some(p) = line.strip_prefix("listening on 127.0.0.1 port ") {
                let _ = tx.send(p.trim().parse::<u16>().ok());
            }
            log.lock().unwrap().push(line);
        }
    });
    rx.recv_timeout(Duration::from_secs(15)).ok().flatten()
}

/// Runs `cmd` with a deadline; (stdout, stderr without the NSS notice, exit code).
pub fn run(cmd: &mut Command) -> (String, String, Option<i32>) {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let err =
        String::from_utf8_lossy(&out.stderr).replace("Init SSL without certificate database\n", "");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        err,
        out.status.code(),
    )
}

/// The same command against two servers: replaces `{}` in `args` with each address.
pub fn both(prog: &str, args: &[&str], a: &str, b: &str) -> [(String, String, Option<i32>); 2] {
    let mk = |addr: &str| {
        let args: Vec<String> = args.iter().map(|x| x.replace("{}", addr)).collect();
        run(Command::new(prog).args(&args))
    };
    [mk(a), mk(b)]
}
