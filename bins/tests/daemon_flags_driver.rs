//! NUT's daemon flags on our dummy-ups and upsdrvctl, as processes: `-r <chroot>` (what the
//! driver needs inside: the `.dev` file and the state directory), `-u nut` when run as root,
//! `-B`/`-FF` PID files, `-c exit`, a SIGTERM sent the moment the PID file appears, and
//! upsdrvctl passing `-r`/`-u` to drivers (its `-t` output compared with real
//! `/sbin/upsdrvctl`).
//!
//! These tests run as root (the chroot and the switch to `nut` need it), as the rest of the
//! suite does. Each test has its own directory under the temp dir; every wait has a deadline
//! and a [`Sandbox`] kills whatever daemon it started when dropped.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{
    account, alive, daemon_dir, kill, kill_pidfiles, read_pid, run_capture,
    sigterm_as_the_pid_file_appears, uid_of, wait_until,
};

const DUMMY: &str = env!("CARGO_BIN_EXE_dummy-ups");
const UPSDRVCTL: &str = env!("CARGO_BIN_EXE_upsdrvctl");

/// A private directory with `etc/` and `run/`; drop kills the daemons whose PID files it
/// tracks and removes the directory.
struct Sandbox {
    dir: PathBuf,
    pidfiles: Vec<PathBuf>,
}

impl Sandbox {
    fn new(tag: &str) -> Self {
        let dir = daemon_dir("dflags", tag);
        std::fs::write(dir.join("etc/a.dev"), "ups.id: chrooted\nups.status: OL\n").unwrap();
        std::fs::write(
            dir.join("etc/ups.conf"),
            "[x]\n\tdriver = dummy-ups\n\tport = a.dev\n",
        )
        .unwrap();
        Self {
            dir,
            pidfiles: Vec::new(),
        }
    }

    fn etc(&self) -> PathBuf {
        self.dir.join("etc")
    }

    fn run(&self) -> PathBuf {
        self.dir.join("run")
    }

    /// A command with NUT_CONFPATH/NUT_STATEPATH set to this sandbox.
    fn cmd(&self, program: &str, args: &[&str]) -> Command {
        let mut c = Command::new(program);
        c.args(args)
            .env("NUT_CONFPATH", self.etc())
            .env("NUT_STATEPATH", self.run())
            .env_remove("NUT_ALTPIDPATH");
        c
    }

    /// Kills the process a PID file names when the sandbox is dropped.
    fn track(&mut self, pidfile: PathBuf) {
        self.pidfiles.push(pidfile);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        kill_pidfiles(&self.pidfiles);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `ups.id` from a DUMPALL on the driver socket, if it answers.
fn ups_id(socket: &Path) -> Option<String> {
    let mut s = UnixStream::connect(socket).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    s.write_all(b"DUMPALL\n").ok()?;
    let mut id = None;
    for line in BufReader::new(s).lines() {
        let line = line.ok()?;
        if line == "DUMPDONE" {
            break;
        }
        if let Some(v) = line.strip_prefix("SETINFO ups.id ") {
            id = Some(v.trim_matches('"').to_owned());
        }
    }
    id
}

/// Copies what the driver reads after chrooting into `root`, at the same absolute paths:
/// the `.dev` file (NUT_CONFPATH) and the state directory for its socket and PID file.
/// `ups.conf` itself is read before the chroot, as NUT drivers do.
fn chroot_for(sb: &Sandbox) -> PathBuf {
    let root = sb.dir.join("root");
    let inside = |p: &Path| root.join(p.strip_prefix("/").unwrap());
    std::fs::create_dir_all(inside(&sb.etc())).unwrap();
    std::fs::create_dir_all(inside(&sb.run())).unwrap();
    std::fs::copy(sb.etc().join("a.dev"), inside(&sb.etc()).join("a.dev")).unwrap();
    root
}

#[test]
fn chrooted_driver_serves_from_inside_and_exits_on_c_exit() {
    let mut sb = Sandbox::new("chroot");
    let root = chroot_for(&sb);
    let inside_run = root.join(sb.run().strip_prefix("/").unwrap());
    sb.track(inside_run.join("dummy-ups-x.pid"));
    let root_s = root.to_str().unwrap();
    // Background start returns once the driver wrote its PID file inside the chroot.
    let out = run_capture(&mut sb.cmd(DUMMY, &["-a", "x", "-u", "root", "-r", root_s]));
    assert_eq!(out.code, Some(0), "{out:?}");
    let pid = read_pid(&inside_run.join("dummy-ups-x.pid")).expect("PID file in the chroot");
    assert!(alive(pid));
    // Socket inside the chroot; nothing outside.
    assert_eq!(
        ups_id(&inside_run.join("dummy-ups-x")).as_deref(),
        Some("chrooted")
    );
    assert!(!sb.run().join("dummy-ups-x").exists());
    assert!(!sb.run().join("dummy-ups-x.pid").exists());
    // -c exit with the same -r finds the PID file inside; the driver cleans up there.
    let out = run_capture(&mut sb.cmd(DUMMY, &["-a", "x", "-r", root_s, "-c", "exit"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("chrooted driver gone", || {
        !alive(pid)
            && !inside_run.join("dummy-ups-x").exists()
            && !inside_run.join("dummy-ups-x.pid").exists()
    });
}

#[test]
fn as_root_u_nut_runs_as_nut_with_a_socket_nut_owns() {
    let (uid, gid) = account("nut");
    let mut sb = Sandbox::new("user");
    // The state directory must be writable by the account, as /run/nut is.
    std::os::unix::fs::chown(sb.run(), Some(uid), Some(gid)).unwrap();
    sb.track(sb.run().join("dummy-ups-x.pid"));
    let out = run_capture(&mut sb.cmd(DUMMY, &["-a", "x", "-u", "nut"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    let pid = read_pid(&sb.run().join("dummy-ups-x.pid")).unwrap();
    assert_eq!(uid_of(pid), uid);
    let sock = std::fs::metadata(sb.run().join("dummy-ups-x")).unwrap();
    assert_eq!((sock.uid(), sock.gid()), (uid, gid));
    assert_eq!(sock.permissions().mode() & 0o777, 0o660);
    assert_eq!(
        ups_id(&sb.run().join("dummy-ups-x")).as_deref(),
        Some("chrooted")
    );
    let out = run_capture(&mut sb.cmd(DUMMY, &["-a", "x", "-c", "exit"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("driver gone", || {
        !alive(pid) && !sb.run().join("dummy-ups-x.pid").exists()
    });
}

#[test]
fn b_backgrounds_even_when_debugging() {
    let mut sb = Sandbox::new("bg");
    sb.track(sb.run().join("dummy-ups-x.pid"));
    let out = run_capture(&mut sb.cmd(DUMMY, &["-a", "x", "-u", "root", "-D", "-B"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    let pid = read_pid(&sb.run().join("dummy-ups-x.pid")).expect("PID file");
    assert!(alive(pid));
    assert_eq!(
        ups_id(&sb.run().join("dummy-ups-x")).as_deref(),
        Some("chrooted")
    );
    kill("-TERM", pid);
    wait_until("driver gone", || {
        !alive(pid) && !sb.run().join("dummy-ups-x").exists()
    });
    assert!(!sb.run().join("dummy-ups-x.pid").exists());
}

/// `-FF`: PID file with the driver's own PID; a SIGTERM sent the moment it appears exits 0
/// and removes the PID file and the socket (handlers are installed before the file is
/// written). Repeated, since a race shows only sometimes.
#[test]
fn sigterm_right_after_the_pid_file_appears_cleans_up() {
    let sb = Sandbox::new("race");
    let start = || {
        sb.cmd(DUMMY, &["-a", "x", "-u", "root", "-FF"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let socket = sb.run().join("dummy-ups-x");
    let check = |round| assert!(!socket.exists(), "round {round}: socket left behind");
    sigterm_as_the_pid_file_appears(&sb.run().join("dummy-ups-x.pid"), start, check);
}

/// The `exec:` messages of `upsdrvctl -t` (`<time>\t[D2] exec:  <command>`), without the
/// timestamps.
fn exec_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| {
            l.split_once("\t[D2] exec:")
                .map(|(_, cmd)| cmd.trim().to_owned())
        })
        .collect()
}

#[test]
fn upsdrvctl_passes_r_and_u_like_real_upsdrvctl() {
    let sb = Sandbox::new("ctl-t");
    // Real upsdrvctl checks that the driver exists: point both at real NUT's drivers.
    std::fs::write(
        sb.etc().join("ups.conf"),
        "driverpath = /lib/nut\n[x]\n\tdriver = dummy-ups\n\tport = a.dev\n\
         [y]\n\tdriver = dummy-ups\n\tport = a.dev\n",
    )
    .unwrap();
    let cases: [&[&str]; 4] = [
        &["-t", "-r", "/srv/jail", "-u", "nut", "start"],
        &["-t", "-r", "/srv/jail", "start", "y"],
        &["-t", "-u", "nut", "start", "x"],
        &["-t", "-r", "/srv/jail", "-u", "nut", "shutdown"],
    ];
    for args in cases {
        let real = run_capture(&mut sb.cmd("/sbin/upsdrvctl", args));
        let ours = run_capture(&mut sb.cmd(UPSDRVCTL, args));
        assert_eq!(ours.code, real.code, "{args:?}: {ours:?} vs {real:?}");
        let expected = exec_lines(&real.stderr);
        assert!(!expected.is_empty(), "{args:?}: {real:?}");
        assert_eq!(exec_lines(&ours.stderr), expected, "{args:?}");
    }
}

#[test]
fn upsdrvctl_starts_a_chrooted_driver_as_nut() {
    let (uid, gid) = account("nut");
    let mut sb = Sandbox::new("ctl-run");
    let root = chroot_for(&sb);
    let inside_run = root.join(sb.run().strip_prefix("/").unwrap());
    std::os::unix::fs::chown(&inside_run, Some(uid), Some(gid)).unwrap();
    sb.track(inside_run.join("dummy-ups-x.pid"));
    let driverpath = Path::new(DUMMY).parent().unwrap();
    std::fs::write(
        sb.etc().join("ups.conf"),
        format!(
            "driverpath = {}\n[x]\n\tdriver = dummy-ups\n\tport = a.dev\n",
            driverpath.display()
        ),
    )
    .unwrap();
    let root_s = root.to_str().unwrap();
    let out = run_capture(&mut sb.cmd(UPSDRVCTL, &["-r", root_s, "-u", "nut", "start"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    let pid = read_pid(&inside_run.join("dummy-ups-x.pid")).expect("PID file in the chroot");
    assert_eq!(uid_of(pid), uid);
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/root")).unwrap(),
        root
    );
    assert_eq!(
        ups_id(&inside_run.join("dummy-ups-x")).as_deref(),
        Some("chrooted")
    );
    let out = run_capture(&mut sb.cmd(DUMMY, &["-a", "x", "-r", root_s, "-c", "exit"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("driver gone", || {
        !alive(pid) && !inside_run.join("dummy-ups-x.pid").exists()
    });
}
