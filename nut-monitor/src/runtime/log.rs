//! Logging like NUT's `upslogx`: to syslog (RFC 3164 datagrams on `/dev/log`, facility
//! daemon) and, in the foreground, to stderr. Failures to log are ignored.
//!
//! The datagram carries no timestamp: syslog daemons stamp messages that lack one.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use nut_proto::text::debug_stamp;

/// Syslog severities used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `LOG_ALERT`.
    Alert = 1,
    /// `LOG_CRIT`.
    Crit = 2,
    /// `LOG_ERR`.
    Err = 3,
    /// `LOG_WARNING`.
    Warning = 4,
    /// `LOG_NOTICE`.
    Notice = 5,
    /// `LOG_INFO`.
    Info = 6,
    /// `LOG_DEBUG`.
    Debug = 7,
}

/// What a daemon logs (info) once it has detached.
pub const STARTUP: &str = "Startup successful";

/// Where a re-executed child finds the wall-clock start of its parent's log clock
/// (nanoseconds since the epoch), so that its `-D` stamps go on from the parent's as those of
/// upsmon's forked child do.
pub const CLOCK_ENV: &str = "NUT_RS_LOG_START_NS";

/// `LOG_DAEMON`.
const FACILITY_DAEMON: u8 = 3;

/// One line of what a program says: logged at a level, or written on stderr alone, as a C
/// library's own `fprintf(stderr, ...)` is (no syslog, no time stamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// [`Logger::log`] at this level.
    Log(Level, String),
    /// Plain stderr text.
    Stderr(String),
    /// [`Logger::debug`] at this level.
    Debug(u8, String),
}

/// Where log lines go.
#[derive(Debug, Clone)]
pub struct Logger {
    tag: String,
    stderr: bool,
    debug: u8,
    socket: Option<PathBuf>,
    start: Instant,
}

impl Logger {
    /// A logger tagged `tag` (the program name) writing to `/dev/log`, and to stderr when
    /// `stderr` is set; debug lines up to level `debug` are printed. With `debug` above 0
    /// every stderr line starts with the seconds since now, as NUT's (`   0.250000\t`), and
    /// a debug line with its level (`[D1] `).
    pub fn new(tag: &str, stderr: bool, debug: u8) -> Self {
        Self {
            tag: tag.to_owned(),
            stderr,
            debug,
            socket: Some("/dev/log".into()),
            start: Instant::now(),
        }
    }

    /// What goes before a stderr line: nothing, or the time stamp when debugging.
    fn stamp(&self) -> String {
        if self.debug > 0 {
            debug_stamp(self.start.elapsed())
        } else {
            String::new()
        }
    }

    /// With NUT's rule for a daemon such as upsmon: in the foreground (a logger that writes
    /// to stderr) it logs to stderr only, never to syslog; once detached, to syslog only
    /// (and the detached process first logs [`STARTUP`]).
    #[must_use]
    pub fn daemon(self) -> Self {
        if self.stderr {
            self.with_socket(None)
        } else {
            self
        }
    }

    /// A logger that only writes to stderr (tests, `-K`).
    pub fn stderr_only(tag: &str) -> Self {
        Self {
            socket: None,
            ..Self::new(tag, true, 0)
        }
    }

    /// The value of [`CLOCK_ENV`] for a child of this process.
    pub fn clock_env(&self) -> String {
        let start = SystemTime::now().checked_sub(self.start.elapsed());
        let since_epoch = start.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok());
        since_epoch.unwrap_or_default().as_nanos().to_string()
    }

    /// Counts the stamps from the start in [`CLOCK_ENV`] when it is set and sane (not in the
    /// future, at most a day old).
    #[must_use]
    pub fn continue_clock_from_env(mut self) -> Self {
        let parent = std::env::var(CLOCK_ENV)
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        let start = parent.map(|ns| SystemTime::UNIX_EPOCH + Duration::from_nanos(ns));
        let age = start.and_then(|t| SystemTime::now().duration_since(t).ok());
        if let Some(age) = age.filter(|a| *a < Duration::from_secs(86_400)) {
            self.start = Instant::now().checked_sub(age).unwrap_or(self.start);
        }
        self
    }

    /// Sends syslog datagrams to `socket` instead of `/dev/log` (`None`: no syslog).
    #[must_use]
    pub fn with_socket(mut self, socket: Option<PathBuf>) -> Self {
        self.socket = socket;
        self
    }

    /// Logs `msg` at `level`.
    pub fn log(&self, level: Level, msg: &str) {
        if self.stderr {
            eprintln!("{}{msg}", self.stamp());
        }
        if let Some(path) = &self.socket {
            let line = syslog_line(level, &self.tag, std::process::id(), msg);
            if let Ok(sock) = UnixDatagram::unbound() {
                let _ = sock.set_nonblocking(true);
                let _ = sock.send_to(line.as_bytes(), path);
            }
        }
    }

    /// Says `line`: [`log`](Self::log) for a [`Line::Log`], [`debug`](Self::debug) for a
    /// [`Line::Debug`]; a [`Line::Stderr`] is printed as it is when this logger writes to
    /// stderr.
    pub fn say(&self, line: &Line) {
        match line {
            Line::Log(level, text) => self.log(*level, text),
            Line::Stderr(text) if self.stderr => eprintln!("{text}"),
            Line::Stderr(_) => {}
            Line::Debug(level, text) => self.debug(*level, text),
        }
    }

    /// Logs a debug line if the debug level is at least `level` (stderr only, like NUT).
    pub fn debug(&self, level: u8, msg: &str) {
        if self.debug >= level && self.stderr {
            eprintln!("{}[D{level}] {msg}", self.stamp());
        }
    }
}

/// `<PRI>tag[pid]: msg` (RFC 3164 without the optional timestamp).
pub fn syslog_line(level: Level, tag: &str, pid: u32, msg: &str) -> String {
    let pri = FACILITY_DAEMON * 8 + level as u8;
    format!("<{pri}>{tag}[{pid}]: {msg}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_daemon_logs_to_stderr_or_to_syslog_never_both() {
        let fg = Logger::new("upsmon", true, 0).daemon();
        assert!(fg.stderr && fg.socket.is_none());
        let bg = Logger::new("upsmon", false, 0).daemon();
        assert!(!bg.stderr && bg.socket.is_some());
    }

    #[test]
    fn rfc3164_priority_and_tag() {
        assert_eq!(
            syslog_line(Level::Notice, "upsmon", 42, "UPS u@h on battery"),
            "<29>upsmon[42]: UPS u@h on battery"
        );
        assert_eq!(
            syslog_line(Level::Crit, "upsmon", 1, "x"),
            "<26>upsmon[1]: x"
        );
    }
}
