//! The sandbox the `daemon_flags_upsd*.rs` tests share: a private NUT_CONFPATH/NUT_STATEPATH
//! with our dummy-ups drivers, our (or real) upsd started in it, and a line client.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::common::{daemon_dir, kill_pidfiles, run_capture, wait_exit, wait_until};

/// Our upsd.
pub const UPSD: &str = env!("CARGO_BIN_EXE_upsd");
/// Our dummy-ups.
pub const DUMMY: &str = env!("CARGO_BIN_EXE_dummy-ups");
/// Real upsd 2.8.0.
pub const REAL_UPSD: &str = "/lib/nut/upsd";

/// A private NUT_CONFPATH (`etc/`) and NUT_STATEPATH (`run/`); drop kills the daemons whose
/// PID files it tracks and removes the directory.
pub struct Sandbox {
    pub dir: PathBuf,
    pidfiles: Vec<PathBuf>,
}

impl Sandbox {
    /// `ups.conf` with one dummy-ups section per name (`<name>.dev` says `ups.id: <name>`),
    /// upsd.conf listening on a free port, user `admin`/`secret` (upsmon primary).
    pub fn new(tag: &str, upses: &[&str]) -> Self {
        let dir = daemon_dir("uflags", tag);
        let sb = Self {
            dir,
            pidfiles: Vec::new(),
        };
        sb.write("upsd.conf", "LISTEN 127.0.0.1 0\n");
        sb.users("secret");
        sb.ups_conf(upses);
        sb
    }

    pub fn etc(&self) -> PathBuf {
        self.dir.join("etc")
    }

    pub fn run(&self) -> PathBuf {
        self.dir.join("run")
    }

    pub fn write(&self, file: &str, text: &str) {
        std::fs::write(self.etc().join(file), text).unwrap();
    }

    pub fn users(&self, password: &str) {
        self.write(
            "upsd.users",
            &format!("[admin]\n\tpassword = {password}\n\tupsmon primary\n"),
        );
    }

    pub fn ups_conf(&self, upses: &[&str]) {
        let mut conf = String::new();
        for ups in upses {
            self.write(
                &format!("{ups}.dev"),
                &format!("ups.id: {ups}\nups.status: OL\n"),
            );
            conf.push_str(&format!(
                "[{ups}]\n\tdriver = dummy-ups\n\tport = {ups}.dev\n"
            ));
        }
        self.write("ups.conf", &conf);
    }

    pub fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env("NUT_CONFPATH", self.etc())
            .env("NUT_STATEPATH", self.run())
            .env_remove("NUT_ALTPIDPATH")
            .env_remove("ALLOW_NO_DEVICE");
        c
    }

    pub fn track(&mut self, pidfile: PathBuf) {
        self.pidfiles.push(pidfile);
    }

    /// Starts our dummy-ups for `ups` in the background (returns once it serves).
    pub fn driver(&mut self, ups: &str, extra: &[&str]) {
        self.track(self.run().join(format!("dummy-ups-{ups}.pid")));
        let mut args = vec!["-a", ups];
        args.extend_from_slice(extra);
        let out = run_capture(&mut self.cmd(DUMMY, &args));
        assert_eq!(out.code, Some(0), "dummy-ups {ups}: {out:?}");
    }

    /// Runs `upsd <args>` with stderr to `log` (a background upsd keeps it open, so it
    /// cannot be a pipe we read to the end); returns the exit code.
    pub fn upsd(&self, log: &Path, args: &[&str]) -> Option<i32> {
        let err = File::create(log).unwrap();
        let mut child = self
            .cmd(UPSD, args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .unwrap();
        wait_exit(&mut child)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        kill_pidfiles(&self.pidfiles);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The port from upsd's "listening on 127.0.0.1 port N" log line.
pub fn port_from(log: &Path) -> u16 {
    let port = || {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        text.lines()
            .find_map(|l| l.strip_prefix("listening on 127.0.0.1 port "))
            .and_then(|p| p.trim().parse().ok())
    };
    wait_until("upsd logs its port", || port().is_some());
    port().unwrap()
}

/// One client connection to upsd.
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(port: u16) -> Self {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Self {
            reader: BufReader::new(stream),
        }
    }

    pub fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        line.trim_end().to_owned()
    }

    pub fn ask(&mut self, request: &str) -> String {
        let stream = self.reader.get_mut();
        stream.write_all(format!("{request}\n").as_bytes()).unwrap();
        self.line()
    }

    /// The lines of a `LIST` reply between BEGIN and END.
    pub fn list(&mut self, request: &str) -> Vec<String> {
        let first = self.ask(request);
        assert!(first.starts_with("BEGIN LIST"), "{request}: {first}");
        let mut items = Vec::new();
        loop {
            let line = self.line();
            if line.starts_with("END LIST") {
                return items;
            }
            items.push(line);
        }
    }

    /// `USERNAME`/`PASSWORD`/`LOGIN <ups>`: the reply to LOGIN.
    pub fn login(&mut self, ups: &str, password: &str) -> String {
        assert_eq!(self.ask("USERNAME admin"), "OK");
        assert_eq!(self.ask(&format!("PASSWORD {password}")), "OK");
        self.ask(&format!("LOGIN {ups}"))
    }
}

/// `GET VAR <ups> ups.id` until the driver's data is there.
pub fn wait_served(port: u16, ups: &str) {
    let want = format!("VAR {ups} ups.id \"{ups}\"");
    wait_until(&format!("upsd serves {ups}"), || {
        Client::connect(port).ask(&format!("GET VAR {ups} ups.id")) == want
    });
}

/// A foreground upsd, killed when dropped if it is still running (a failed assertion must
/// not leave it behind).
pub struct Fg(pub Child);

impl std::ops::Deref for Fg {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Fg {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for Fg {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `upsd <args>` (ours or real) in the foreground with `ALLOW_NO_DEVICE` and stderr to
/// `log`.
pub fn foreground(sb: &Sandbox, upsd: &str, args: &[&str], log: &Path) -> Fg {
    let child = sb
        .cmd(upsd, args)
        .env("ALLOW_NO_DEVICE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(log).unwrap())
        .spawn()
        .unwrap();
    Fg(child)
}

/// What a log file holds so far (empty if it is not there yet).
pub fn log_text(log: &Path) -> String {
    std::fs::read_to_string(log).unwrap_or_default()
}
