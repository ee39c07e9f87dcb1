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

/// `-P <pid>` as NUT's `parsepid` reads it (`strtol`: leading blanks, a sign, digits; text
/// that is no number reads as 0). `None` for a negative number or one too big for a PID.
pub fn parse_pid(text: &str) -> Option<i32> {
    let t = text.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: i64 = match &digits[..end] {
        "" => 0,
        d => d.parse().ok()?,
    };
    let n = if neg { -n } else { n };
    i32::try_from(n).ok().filter(|&p| p >= 0)
}

/// Sends `sig` (or checks existence with `None`) to `pid`, as NUT's `sendsignalpid`: PIDs
/// below 2 are refused; the error text is what upsmon prints.
pub fn signal_pid(pid: i32, sig: Option<Signal>) -> Result<(), String> {
    if pid < 2 {
        return Err(format!("Ignoring invalid pid number {pid}"));
    }
    let pid = Pid::from_raw(pid);
    kill(pid, None).map_err(|e| format!("kill: {}", e.desc()))?;
    if sig.is_some() {
        kill(pid, sig).map_err(|e| format!("kill: {}", e.desc()))?;
    }
    Ok(())
}

/// `upsmon -c <cmd> [-P <pid>]`, or the "already running?" check with `sig` `None`: signal
/// `pid` if given, else the process of the PID file `path`.
pub fn signal_target(path: &Path, pid: Option<i32>, sig: Option<Signal>) -> Result<(), String> {
    match pid {
        Some(p) => signal_pid(p, sig),
        None => signal(path, sig).map_err(|e| format!("upsmon: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_read_like_strtol() {
        assert_eq!(parse_pid("1234"), Some(1234));
        assert_eq!(parse_pid("  42abc"), Some(42));
        assert_eq!(parse_pid("abc"), Some(0));
        assert_eq!(parse_pid("+7"), Some(7));
        assert_eq!(parse_pid("-5"), None);
        assert_eq!(parse_pid("99999999999"), None);
    }

    #[test]
    fn small_pids_are_refused_before_any_signal() {
        assert_eq!(
            signal_pid(1, Some(Signal::SIGTERM)),
            Err("Ignoring invalid pid number 1".to_owned())
        );
        assert_eq!(
            signal_pid(0, None),
            Err("Ignoring invalid pid number 0".to_owned())
        );
        assert_eq!(signal_pid(std::process::id() as i32, None), Ok(()));
    }
}
