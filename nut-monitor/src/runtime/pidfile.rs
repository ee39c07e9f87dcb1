//! PID files and signalling a running instance (`upsmon -c fsd|stop|reload`).
//!
//! The PID file is `<dir>/<prog>.pid`, where `dir` is `NUT_ALTPIDPATH`, else
//! `NUT_STATEPATH`, else the build's default (Debian: `/run/nut`), as NUT's `altpidpath()`.

use std::io;
use std::path::{Path, PathBuf};

use nix::sys::signal::kill;
pub use nix::sys::signal::Signal;
use nix::unistd::Pid;

/// Debian's state and PID directory.
pub const DEFAULT_STATEPATH: &str = "/run/nut";
/// Debian's configuration directory.
pub const DEFAULT_CONFPATH: &str = "/etc/nut";

fn env_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `NUT_CONFPATH`, else `/etc/nut`.
pub fn confpath() -> PathBuf {
    env_dir("NUT_CONFPATH").unwrap_or_else(|| DEFAULT_CONFPATH.into())
}

/// NUT's `altpidpath()`.
pub fn altpidpath() -> PathBuf {
    env_dir("NUT_ALTPIDPATH")
        .or_else(|| env_dir("NUT_STATEPATH"))
        .unwrap_or_else(|| DEFAULT_STATEPATH.into())
}

/// `<altpidpath>/<prog>.pid`.
pub fn pidfile(prog: &str) -> PathBuf {
    altpidpath().join(format!("{prog}.pid"))
}

/// Writes `<pid>\n`.
pub fn write(path: &Path, pid: u32) -> io::Result<()> {
    std::fs::write(path, format!("{pid}\n"))
}

/// Reads a PID file; `None` if missing or not a positive number.
pub fn read(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.trim().parse().ok().filter(|&p: &i32| p > 0)
}

/// Sends `sig` (or checks existence with `None`) to the process named by the PID file.
pub fn signal(path: &Path, sig: Option<Signal>) -> io::Result<()> {
    let pid = read(path).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("Can't open PID file {}", path.display()),
        )
    })?;
    kill(Pid::from_raw(pid), sig).map_err(io::Error::from)
}

/// True when the PID file names a live process.
pub fn running(path: &Path) -> bool {
    signal(path, None).is_ok()
}
