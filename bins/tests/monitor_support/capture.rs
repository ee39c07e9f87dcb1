//! What an upsmon sends outside its NOTIFYCMD: the text it hands to `wall` and the
//! datagrams it sends to `/dev/log`, captured the same way for real upsmon and ours.
//!
//! - `wall`: upsmon 2.8.0 runs `popen("wall", "w")`, i.e. `/bin/sh -c wall`, found in `PATH`.
//!   A fake `wall` first in `PATH` records its arguments, its user and its stdin, one file
//!   per call.
//! - `/dev/log`: glibc's `syslog()` always uses that path. The subject runs in a private
//!   mount namespace ([`NAMESPACE_SH`]) whose `/dev` is a small tmpfs with the usual
//!   character devices and our datagram socket bind-mounted as `/dev/log`. The namespace
//!   also has the run directory bind-mounted on `/run/nut` (where real upsmon writes its PID
//!   file), so the test can read the PID file and find the processes.
//!
//! Syslog datagrams are normalised: the RFC 3164 timestamp that glibc writes (ours writes
//! none, DEVIATIONS.md) is dropped and PIDs become `P1`, `P2`, ... in order of appearance.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fs;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// `sh -c NAMESPACE_SH sh <dir> <program> <args...>`, run under `unshare -m`: builds the
/// private `/run/nut` and `/dev` (with `<dir>/log.sock` as `/dev/log`), then executes the
/// program with `PATH` starting at `<dir>/bin`.
pub const NAMESPACE_SH: &str = r#"set -e
d="$1"; shift
mount --bind "$d/run" /run/nut
mount -t tmpfs -o mode=755 none /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/full c 1 7
mknod -m 666 /dev/random c 1 8
mknod -m 666 /dev/urandom c 1 9
mknod -m 666 /dev/tty c 5 0
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
touch /dev/log
mount --bind "$d/log.sock" /dev/log
PATH="$d/bin:$PATH"
export PATH
exec "$@"
"#;

/// The fake `wall`: one file per call under `<dir>/wall/`, named by the time of the call.
fn wall_script(dir: &Path) -> String {
    format!(
        "#!/bin/sh\nt=$(date +%s%N)\nf=$(mktemp {d}/wall/.tmp.XXXXXX)\n\
         {{ printf 'argv=%s\\nuser=%s\\n' \"$*\" \"$(id -un)\"; cat; }} > \"$f\"\n\
         mv \"$f\" {d}/wall/$t.$$\n",
        d = dir.display()
    )
}

/// Sets up `<dir>/bin/wall`, `<dir>/wall/` and `<dir>/run/` (all usable by an unprivileged
/// child) and returns the syslog sink bound at `<dir>/log.sock`.
pub fn prepare(dir: &Path) -> SyslogSink {
    for sub in ["bin", "wall", "run"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let wall = dir.join("bin").join("wall");
    fs::write(&wall, wall_script(dir)).unwrap();
    chmod("755", &wall);
    chmod("777", &dir.join("wall"));
    chmod("777", &dir.join("run"));
    SyslogSink::bind(&dir.join("log.sock"))
}

fn chmod(mode: &str, path: &Path) {
    let ok = std::process::Command::new("chmod")
        .arg(mode)
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "chmod {mode} {}", path.display());
}

/// What `wall` was given, one entry per call (`argv=`, `user=`, then stdin), sorted: real
/// upsmon calls `wall` from a forked process per notification, so two calls close together
/// may run in either order.
pub fn walls(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir.join("wall")) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| String::from_utf8_lossy(&fs::read(e.path()).unwrap_or_default()).into_owned())
        .collect();
    out.sort();
    out
}

/// A datagram socket standing in for `/dev/log`, read by a thread until dropped.
#[derive(Debug)]
pub struct SyslogSink {
    pub path: PathBuf,
    got: Arc<Mutex<Vec<Vec<u8>>>>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
}

impl SyslogSink {
    fn bind(path: &Path) -> Self {
        let _ = fs::remove_file(path);
        let sock = UnixDatagram::bind(path).unwrap();
        chmod("666", path);
        sock.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (g, s) = (got.clone(), stop.clone());
        let reader = thread::spawn(move || {
            let mut buf = vec![0u8; 8192];
            while !s.load(Ordering::Relaxed) {
                if let Ok(n) = sock.recv(&mut buf) {
                    g.lock().unwrap().push(buf[..n].to_vec());
                }
            }
        });
        Self {
            path: path.to_owned(),
            got,
            stop,
            reader: Some(reader),
        }
    }

    /// The datagrams so far, normalised ([`normalise`]).
    pub fn lines(&self) -> Vec<String> {
        let raw = self.got.lock().unwrap().clone();
        let mut pids = Vec::new();
        raw.iter().map(|d| normalise(d, &mut pids)).collect()
    }

    /// The datagrams so far, as sent.
    pub fn raw(&self) -> Vec<String> {
        let raw = self.got.lock().unwrap();
        raw.iter()
            .map(|d| String::from_utf8_lossy(d).into_owned())
            .collect()
    }
}

impl Drop for SyslogSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

/// `<PRI>[Mmm dd hh:mm:ss ]ident[pid]: msg` → `<PRI>ident[Pn]: msg`, where `n` numbers the
/// PIDs in order of appearance (`pids` carries them across datagrams). Anything else is
/// returned as it is (so a comparison shows it).
pub fn normalise(datagram: &[u8], pids: &mut Vec<String>) -> String {
    let text = String::from_utf8_lossy(datagram).into_owned();
    let Some((pri, rest)) = text
        .strip_prefix('<')
        .and_then(|t| t.split_once('>'))
        .filter(|(p, _)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    else {
        return text;
    };
    let rest = strip_timestamp(rest);
    let Some((tag, msg)) = rest.split_once(": ") else {
        return text;
    };
    let Some((ident, pid)) = tag.strip_suffix(']').and_then(|t| t.split_once('[')) else {
        return text;
    };
    let n = pids.iter().position(|p| p == pid).unwrap_or_else(|| {
        pids.push(pid.to_owned());
        pids.len() - 1
    });
    format!("<{pri}>{ident}[P{}]: {msg}", n + 1)
}

/// Drops a leading `Mmm dd hh:mm:ss ` (glibc's `%h %e %T `).
fn strip_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    let shape = b.len() > 16
        && b[..3].iter().all(u8::is_ascii_alphabetic)
        && b[3] == b' '
        && (b[4] == b' ' || b[4].is_ascii_digit())
        && b[5].is_ascii_digit()
        && b[6] == b' '
        && [7, 8, 10, 11, 13, 14]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
        && b[9] == b':'
        && b[12] == b':'
        && b[15] == b' ';
    if shape {
        &s[16..]
    } else {
        s
    }
}

#[test]
fn syslog_datagrams_are_normalised() {
    let mut pids = Vec::new();
    let a = normalise(
        b"<30>Nov  2 03:04:05 upsmon[77]: Startup successful",
        &mut pids,
    );
    let b = normalise(b"<29>upsmon[78]: UPS u@h on battery", &mut pids);
    let c = normalise(b"<29>upsmon[77]: x: y", &mut pids);
    assert_eq!(a, "<30>upsmon[P1]: Startup successful");
    assert_eq!(b, "<29>upsmon[P2]: UPS u@h on battery");
    assert_eq!(c, "<29>upsmon[P1]: x: y");
    assert_eq!(normalise(b"garbage", &mut pids), "garbage");
}
