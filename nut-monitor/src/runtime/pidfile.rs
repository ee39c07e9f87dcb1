//! PID files and signalling a running instance (`upsmon -c fsd|stop|reload`).
//!
//! The PID file is `<dir>/<prog>.pid`, where `dir` is `NUT_ALTPIDPATH`, else
//! `NUT_STATEPATH`, else the build's default (Debian: `/run/nut`), as NUT's `altpidpath()`.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::signal::kill;
pub use nix::sys::signal::Signal;
use nix::unistd::Pid;

use super::log::{Level, Logger};

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

/// [`write()`], telling it as NUT's `writepid` does: `Saving PID <pid> into <path>` at debug
/// level 1, `writepid: fopen <path>: <reason>` (notice) when the file cannot be written.
pub fn save(path: &Path, pid: u32, log: &Logger) {
    let shown = path.display();
    log.debug(1, &format!("Saving PID {pid} into {shown}"));
    if let Err(e) = write(path, pid) {
        let reason = nut_proto::text::strerror(&e);
        log.log(Level::Notice, &format!("writepid: fopen {shown}: {reason}"));
    }
}

/// The most upsmon reads of a PID file (`fgets` into a 512-byte buffer).
const PID_LINE_MAX: u64 = 511;

/// Why no signal was sent, as NUT's `sendsignalfn`/`sendsignalpid` tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignalError {
    /// The PID file could not be opened: `fopen <path>: <reason>`.
    Open {
        /// The PID file.
        path: PathBuf,
        /// `strerror` of the failure.
        reason: String,
    },
    /// Nothing could be read from it: `Failed to read pid from <path>`.
    Empty(PathBuf),
    /// Its number does not fit a PID: `Received a pid number too big for a pid_t: <n>`.
    TooBig(i64),
    /// A negative number (NUT says nothing).
    Negative,
    /// `Ignoring invalid pid number <n>` (0 and 1; text that is no number reads as 0).
    Invalid(i32),
    /// `kill()` failed: `kill: <reason>`.
    Kill(String),
}

impl SignalError {
    /// What upsmon prints, if anything.
    pub fn message(&self) -> Option<String> {
        Some(match self {
            Self::Open { path, reason } => format!("fopen {}: {reason}", path.display()),
            Self::Empty(path) => format!("Failed to read pid from {}", path.display()),
            Self::TooBig(n) => format!("Received a pid number too big for a pid_t: {n}"),
            Self::Negative => return None,
            Self::Invalid(n) => format!("Ignoring invalid pid number {n}"),
            Self::Kill(reason) => format!("kill: {reason}"),
        })
    }

    /// True for `perror` text, printed on stderr as it is; the others are logged.
    pub fn is_perror(&self) -> bool {
        matches!(self, Self::Kill(_))
    }

    /// What the start adds when it could not tell whether an instance runs (the message
    /// ends in a newline, so an empty line follows).
    pub fn previous_note(&self) -> Option<&'static str> {
        match self {
            Self::Open { .. } => Some(
                "Could not find PID file to see if previous upsmon instance is already running!\n",
            ),
            Self::Empty(_) => Some(
                "Could not parse PID file to see if previous upsmon instance is already running!\n",
            ),
            _ => None,
        }
    }

    /// Prints what upsmon prints for this failure: logged lines through `log`.
    pub fn report(&self, log: &Logger) {
        if let Some(msg) = self.message() {
            if self.is_perror() {
                eprintln!("{msg}");
            } else {
                log.log(Level::Notice, &msg);
            }
        }
    }
}

/// NUT's `parsepid`: `None` (with the reason) for a number that is no PID.
fn pid_of(text: &str) -> Result<i32, SignalError> {
    let n = nut_proto::text::atoi(text);
    match i32::try_from(n) {
        Ok(p) if p >= 0 => Ok(p),
        Ok(_) => Err(SignalError::Negative),
        Err(_) if n < 0 => Err(SignalError::Negative),
        Err(_) => Err(SignalError::TooBig(n)),
    }
}

/// The first line of the PID file at `path` (at most [`PID_LINE_MAX`] bytes).
fn first_line(path: &Path) -> Result<String, SignalError> {
    let file = std::fs::File::open(path).map_err(|e| SignalError::Open {
        path: path.to_owned(),
        reason: nut_proto::text::strerror(&e),
    })?;
    let mut buf = Vec::new();
    match file.take(PID_LINE_MAX).read_to_end(&mut buf) {
        Ok(n) if n > 0 => {}
        _ => return Err(SignalError::Empty(path.to_owned())),
    }
    let end = buf
        .iter()
        .position(|&b| b == b'\n')
        .map_or(buf.len(), |i| i + 1);
    Ok(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// Sends `sig` (or checks existence with `None`) to the process named by the PID file at
/// `path`, as NUT's `sendsignalfn`.
pub fn signal_file(path: &Path, sig: Option<Signal>) -> Result<(), SignalError> {
    signal_pid(pid_of(&first_line(path)?)?, sig)
}

/// `-P <pid>` as NUT's `parsepid` reads it (`strtol`: leading blanks, a sign, digits; text
/// that is no number reads as 0). `None` for a negative number or one too big for a PID.
pub fn parse_pid(text: &str) -> Option<i32> {
    pid_of(text).ok()
}

/// Sends `sig` (or checks existence with `None`) to `pid`, as NUT's `sendsignalpid`: PIDs
/// below 2 are refused.
pub fn signal_pid(pid: i32, sig: Option<Signal>) -> Result<(), SignalError> {
    if pid < 2 {
        return Err(SignalError::Invalid(pid));
    }
    let pid = Pid::from_raw(pid);
    let failed = |e: Errno| SignalError::Kill(e.desc().to_owned());
    kill(pid, None).map_err(failed)?;
    if sig.is_some() {
        kill(pid, sig).map_err(failed)?;
    }
    Ok(())
}

/// `upsmon -c <cmd> [-P <pid>]`, or the "already running?" check with `sig` `None`: signal
/// `pid` if given, else the process of the PID file `path`.
pub fn signal_target(
    path: &Path,
    pid: Option<i32>,
    sig: Option<Signal>,
) -> Result<(), SignalError> {
    match pid {
        Some(p) => signal_pid(p, sig),
        None => signal_file(path, sig),
    }
}

/// `upsmon -c <cmd>`: signals the target, printing a failure as upsmon does; true if sent.
pub fn command(path: &Path, pid: Option<i32>, sig: Signal, log: &Logger) -> bool {
    signal_target(path, pid, Some(sig))
        .inspect_err(|e| e.report(log))
        .is_ok()
}

/// The start's check for a previous instance (`kill(pid, 0)` on the PID file's process, or
/// on `pid`): true if one runs. Otherwise what got in the way is printed as upsmon 2.8.0
/// prints it (a missing or empty PID file also says the check was impossible).
pub fn previous_running(path: &Path, pid: Option<i32>, log: &Logger) -> bool {
    let Err(e) = signal_target(path, pid, None) else {
        return true;
    };
    e.report(log);
    if let Some(note) = e.previous_note() {
        log.log(Level::Warning, note);
    }
    false
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
        assert_eq!(parse_pid("99999999999999999999"), None);
        assert_eq!(parse_pid("\n\t-99999999999999999999x"), None);
    }

    #[test]
    fn small_pids_are_refused_before_any_signal() {
        assert_eq!(
            signal_pid(1, Some(Signal::SIGTERM)),
            Err(SignalError::Invalid(1))
        );
        assert_eq!(signal_pid(0, None), Err(SignalError::Invalid(0)));
        assert_eq!(signal_pid(std::process::id() as i32, None), Ok(()));
    }

    fn file_with(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("upsmon.pid");
        std::fs::write(&path, text).expect("write PID file");
        path
    }

    fn check(path: &Path) -> (Option<String>, Option<&'static str>) {
        let e = signal_file(path, None).expect_err("no signal");
        (e.message(), e.previous_note())
    }

    #[test]
    fn pid_file_failures_read_as_upsmon_prints_them() {
        let dir = std::env::temp_dir().join(format!("pidfile-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let missing = dir.join("none.pid");
        let (msg, note) = check(&missing);
        let fopen = format!("fopen {}: No such file or directory", missing.display());
        assert_eq!(msg, Some(fopen));
        assert!(note.is_some_and(|n| n.starts_with("Could not find PID file")));
        let empty = file_with(&dir, "");
        let (msg, note) = check(&empty);
        assert_eq!(
            msg,
            Some(format!("Failed to read pid from {}", empty.display()))
        );
        assert!(note.is_some_and(|n| n.starts_with("Could not parse PID file")));
        let cases = [
            ("\n", Some("Ignoring invalid pid number 0".to_owned())),
            ("abc\n", Some("Ignoring invalid pid number 0".to_owned())),
            ("1\n", Some("Ignoring invalid pid number 1".to_owned())),
            ("-5\n", None),
            (
                "99999999999\n",
                Some("Received a pid number too big for a pid_t: 99999999999".to_owned()),
            ),
            ("\n1234\n", Some("Ignoring invalid pid number 0".to_owned())),
        ];
        for (text, want) in cases {
            assert_eq!(check(&file_with(&dir, text)), (want, None), "{text:?}");
        }
        let me = file_with(&dir, &format!("{}\n", std::process::id()));
        assert_eq!(signal_file(&me, None), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_dead_pid_fails_in_kill() {
        // PIDs above the kernel's pid_max (at most 2^22) are never in use.
        let e = signal_pid(1 << 23, None).expect_err("no such process");
        assert_eq!(e.message().as_deref(), Some("kill: No such process"));
        assert!(e.is_perror());
    }
}
