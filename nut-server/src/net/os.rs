//! Process-level plumbing for daemons, through `nix`'s safe wrappers: signalling a running
//! instance through its PID file, chroot, dropping privileges, running in the background.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::kill;
pub use nix::sys::signal::Signal;
use nix::unistd::{Pid, User};

use super::daemon::read_pidfile;
use super::error::NetError;

fn os_err(context: String, e: nix::Error) -> NetError {
    NetError::io(context, std::io::Error::from(e))
}

/// Sends `sig` to the instance named by `pid`, else by `pidfile` (`upsd -c reload|stop`).
pub fn signal_running(pidfile: &Path, pid: Option<i32>, sig: Signal) -> Result<(), NetError> {
    let pid = match pid {
        Some(pid) => pid,
        None => pid_from(pidfile)?,
    };
    kill(Pid::from_raw(pid), sig).map_err(|e| NetError::io("kill", strerror(e.into())))
}

/// The PID in `pidfile`; errors worded as upsd's (`fopen <path>: No such file or directory`,
/// `Failed to read pid from <path>`).
fn pid_from(pidfile: &Path) -> Result<i32, NetError> {
    let text = std::fs::read_to_string(pidfile)
        .map_err(|e| NetError::io(format!("fopen {}", pidfile.display()), strerror(e)))?;
    text.trim()
        .parse()
        .ok()
        .filter(|&p: &i32| p > 0)
        .ok_or_else(|| {
            NetError::io(
                format!("Failed to read pid from {}", pidfile.display()),
                std::io::ErrorKind::InvalidData.into(),
            )
        })
}

/// An OS error with only its C `strerror` text (no " (os error N)" suffix), as NUT prints it.
fn strerror(e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), nut_proto::text::strerror(&e))
}

/// True if the PID file (or `pid`) names a live process.
pub fn already_running(pidfile: &Path, pid: Option<i32>) -> bool {
    pid.or_else(|| read_pidfile(pidfile))
        .is_some_and(|p| kill(Pid::from_raw(p), None).is_ok())
}

/// The account to switch to; looked up before a chroot hides `/etc/passwd`.
pub fn lookup_user(name: &str) -> Result<User, NetError> {
    match User::from_name(name) {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(NetError::io(
            format!("user {name} not found"),
            std::io::ErrorKind::NotFound.into(),
        )),
        Err(e) => Err(os_err(format!("getpwnam {name}"), e)),
    }
}

/// Switches to `user` (group first) when running as root; does nothing otherwise.
pub fn become_user(user: &User) -> Result<(), NetError> {
    if !nix::unistd::geteuid().is_root() {
        return Ok(());
    }
    nix::unistd::setgid(user.gid)
        .and_then(|()| nix::unistd::setuid(user.uid))
        .map_err(|e| os_err(format!("can't become user {}", user.name), e))
}

/// `chroot(dir)` then `chdir("/")`.
pub fn chroot_to(dir: &Path) -> Result<(), NetError> {
    nix::unistd::chroot(dir).map_err(|e| os_err(format!("chroot {}", dir.display()), e))?;
    std::env::set_current_dir("/").map_err(|e| NetError::io("chdir /", e))
}

/// Environment variable marking the background copy of a daemon.
pub const CHILD_ENV: &str = "NUT_RS_DAEMON_CHILD";

/// True in the background copy started by [`respawn_in_background`].
pub fn is_background_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// How long [`respawn_in_background`] waits for the background copy to be ready.
pub const READY_TIMEOUT: Duration = Duration::from_secs(45);

/// Starts this program again with the same arguments, detached into its own process group
/// with stdin/stdout closed (stderr kept for logs), and waits until it is ready: it wrote
/// `pidfile` with its own PID (`Ok(0)`), or it exited first (`Ok(its exit status)`), so a
/// broken configuration fails the command as it does in upsd, which forks only once loaded.
/// This replaces `fork()` without unsafe code.
pub fn respawn_in_background(argv0: &str, args: &[String], pidfile: &Path) -> Result<u8, NetError> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().unwrap_or_else(|_| argv0.into());
    let mut child = Command::new(exe)
        .arg0(argv0)
        .args(args)
        .env(CHILD_ENV, "1")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| NetError::io("Can't start in the background", e))?;
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Ok(status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1));
        }
        if read_pidfile(pidfile).and_then(|p| u32::try_from(p).ok()) == Some(child.id()) {
            return Ok(0);
        }
        if Instant::now() > deadline {
            return Err(NetError::io(
                format!(
                    "background process not ready: no PID file {}",
                    pidfile.display()
                ),
                std::io::ErrorKind::TimedOut.into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Where a path the daemon uses after `chroot(root)` is seen from outside the chroot (the
/// PID file the background parent waits for): `root` + `path`.
pub fn seen_from_outside(path: &Path, root: Option<&Path>) -> PathBuf {
    match root {
        Some(dir) => dir.join(path.strip_prefix("/").unwrap_or(path)),
        None => path.to_path_buf(),
    }
}

/// Raises the open-files soft limit to the hard one (at most 65536) and returns a default
/// MAXCONN: that limit minus a reserve for drivers, listeners and files.
pub fn raise_nofile_limit() -> usize {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return 1024;
    };
    let want = hard.min(65536);
    let soft = if soft < want && setrlimit(Resource::RLIMIT_NOFILE, want, hard).is_ok() {
        want
    } else {
        soft
    };
    usize::try_from(soft).map_or(1024, |n| n.saturating_sub(64).max(16))
}

/// The tokio runtime: one thread when only one CPU is usable (`taskset`, a cpuset, or
/// `TOKIO_WORKER_THREADS=1`), so a request never pays for cross-thread wake-ups and the
/// work-stealing machinery; otherwise one worker per usable CPU.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let workers = std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    if workers <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Runtime::new()
    }
}
