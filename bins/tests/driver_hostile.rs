//! Our dummy-ups binary against hostile socket clients: garbage, a huge line, and a client
//! that sends requests but never reads. A well-behaved client must still be served at once.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Driver {
    dir: PathBuf,
    child: Child,
}

impl Driver {
    fn start(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("nut-rs-h6-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let dev = dir.join("u.dev");
        std::fs::write(&dev, "ups.status: OL\nbattery.charge: 100\n").unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_dummy-ups"))
            .args([
                "-s",
                "u",
                "-x",
                &format!("port={}", dev.display()),
                "-F",
                "-u",
                "root",
            ])
            .env("NUT_STATEPATH", &dir)
            .env("NUT_CONFPATH", &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let d = Self { dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        while d.connect().is_err() {
            assert!(Instant::now() < deadline, "driver socket never appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        d
    }

    fn socket(&self) -> PathBuf {
        self.dir.join("dummy-ups-u")
    }

    fn connect(&self) -> std::io::Result<UnixStream> {
        let s = UnixStream::connect(self.socket())?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(s)
    }

    /// DUMPALL on a fresh connection; the lines up to DUMPDONE.
    fn dump(&self) -> Vec<String> {
        let mut s = self.connect().unwrap();
        s.write_all(b"DUMPALL\n").unwrap();
        let mut r = BufReader::new(s);
        let mut lines = Vec::new();
        loop {
            let mut l = String::new();
            assert!(r.read_line(&mut l).unwrap() > 0, "EOF before DUMPDONE");
            let l = l.trim_end().to_owned();
            let done = l == "DUMPDONE";
            lines.push(l);
            if done {
                return lines;
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn garbage_and_huge_lines_get_no_reply_and_do_not_break_the_driver() {
    let d = Driver::start("garbage");
    let mut bad = d.connect().unwrap();
    bad.write_all(b"\x00\xff\x01 nonsense \"unterminated\nSETINFO x y\n\n#\n")
        .unwrap();
    let huge = vec![b'A'; 4 << 20];
    let _ = bad.write_all(&huge); // the driver may hang up on us: that is fine
    let _ = bad.write_all(b"\nPING\n");
    let dump = d.dump();
    assert!(
        dump.contains(&"SETINFO ups.status \"OL\"".to_owned()),
        "{dump:?}"
    );
    assert_eq!(dump.last().map(String::as_str), Some("DUMPDONE"));
    let mut ping = BufReader::new(d.connect().unwrap());
    ping.get_mut().write_all(b"PING\n").unwrap();
    let mut l = String::new();
    ping.read_line(&mut l).unwrap();
    assert_eq!(l, "PONG\n");
}

#[test]
fn a_client_that_never_reads_does_not_stall_others() {
    let d = Driver::start("noread");
    let mut hog = d.connect().unwrap();
    hog.set_nonblocking(true).unwrap();
    // Ask for far more replies than any socket buffer holds, never reading one.
    let burst = b"DUMPALL\n".repeat(2000);
    let start = Instant::now();
    let mut sent = 0;
    while sent < 20 && start.elapsed() < Duration::from_secs(5) {
        match hog.write(&burst) {
            Ok(n) if n > 0 => sent += 1,
            Ok(_) => break,
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let t = Instant::now();
    let dump = d.dump();
    assert_eq!(dump.last().map(String::as_str), Some("DUMPDONE"));
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "served in {:?}",
        t.elapsed()
    );
    drop(hog);
    assert!(d.dump().len() > 3, "still serving after the hog left");
}

#[test]
fn sigterm_removes_the_socket() {
    let mut d = Driver::start("term");
    nix_kill(d.child.id());
    let status = d.child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!d.socket().exists(), "socket removed on exit");
}

fn nix_kill(pid: u32) {
    let ok = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}
