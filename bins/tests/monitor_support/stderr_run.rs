//! One upsmon (real or ours) started on its own, its stderr in a file: for the tests that
//! compare what the two print. Both run under `unshare -m` with the test's `run/` directory
//! on `/run/nut`, where real upsmon keeps its PID file (ours reads `NUT_ALTPIDPATH`, the same
//! directory).

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{wait_until, Subject, REAL_UPSMON};

/// `sh -c NS_SH sh <dir> <program> <args...>` under `unshare -m`.
const NS_SH: &str = r#"set -e
d="$1"; shift
mount --bind "$d/run" /run/nut
exec "$@"
"#;

/// A loopback port where nothing listens.
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A started upsmon, its process group stopped on drop.
pub struct Run {
    dir: std::path::PathBuf,
    child: Child,
    group: i32,
}

impl Run {
    /// Starts `subject` with `args` (and `-u root`) in `dir` (its upsmon.conf), with that
    /// PID file in `dir/run`; stderr goes to `dir/stderr`.
    pub fn start(subject: Subject, dir: &Path, pid_file: Option<&str>, args: &[&str]) -> Self {
        let run = dir.join("run");
        fs::create_dir_all(&run).unwrap();
        if let Some(text) = pid_file {
            fs::write(run.join("upsmon.pid"), text).unwrap();
        }
        let mut cmd = Command::new("unshare");
        cmd.args(["-m", "sh", "-c", NS_SH, "sh"]).arg(dir);
        match subject {
            Subject::Real => cmd.arg(REAL_UPSMON),
            Subject::Ours => cmd.arg(env!("CARGO_BIN_EXE_upsmon")),
        };
        cmd.args(args);
        let child = cmd
            .args(["-u", "root"])
            .process_group(0)
            .env("NUT_CONFPATH", dir)
            .env("NUT_STATEPATH", dir)
            .env("NUT_ALTPIDPATH", &run)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("stderr")).unwrap())
            .spawn()
            .unwrap();
        let group = i32::try_from(child.id()).unwrap();
        Self {
            dir: dir.to_owned(),
            child,
            group,
        }
    }

    /// Sends `signal` (as `kill` names it: `HUP`, `TERM`...) to the process in its PID file.
    pub fn signal(&self, signal: &str) {
        let pid = fs::read_to_string(self.dir.join("run/upsmon.pid")).unwrap_or_default();
        let pid = pid.trim();
        assert!(pid.parse::<i32>().is_ok_and(|p| p > 1), "PID file: {pid:?}");
        let _ = Command::new("kill")
            .args([&format!("-{signal}"), pid])
            .status();
    }

    /// What it wrote on stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(self.dir.join("stderr")).unwrap_or_default()
    }

    /// Waits until the startup is over (stderr has `marker`), or the process exited (a
    /// previous instance runs, or it detached).
    pub fn settle(&mut self, marker: &str) -> Option<i32> {
        let mut code = None;
        wait_until(Duration::from_secs(15), || {
            code = self.child.try_wait().ok().flatten().map(|s| s.code());
            code.is_some() || self.stderr().contains(marker)
        });
        code.flatten()
    }

    /// Waits (at most `limit`) for the started process to exit; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let mut code = None;
        wait_until(limit, || {
            code = self.child.try_wait().ok().flatten().map(|s| s.code());
            code.is_some()
        });
        code.flatten()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // The detached processes are found through the PID file they wrote (never the test's
        // own group, whose PID the live-instance case writes there).
        let pid = fs::read_to_string(self.dir.join("run/upsmon.pid")).unwrap_or_default();
        let own = process_group(&std::process::id().to_string());
        let detached = process_group(pid.trim()).filter(|&g| g != self.group && Some(g) != own);
        for group in [Some(self.group), detached].into_iter().flatten() {
            for sig in ["-TERM", "-KILL"] {
                let target = format!("-{group}");
                let _ = Command::new("kill")
                    .args([sig, "--", &target])
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Field 5 of `/proc/<pid>/stat`.
fn process_group(pid: &str) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(") ")?.1;
    after.split(' ').nth(2)?.parse().ok()
}
