//! Logging like NUT's `upslogx`: to syslog (RFC 3164 datagrams on `/dev/log`, facility
//! daemon) and, in the foreground, to stderr. Failures to log are ignored.
//!
//! The datagram carries no timestamp: syslog daemons stamp messages that lack one.

use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Instant;

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

    /// Says `line`: [`log`](Self::log) for a [`Line::Log`]; a [`Line::Stderr`] is printed
    /// as it is when this logger writes to stderr.
    pub fn say(&self, line: &Line) {
        match line {
            Line::Log(level, text) => self.log(*level, text),
            Line::Stderr(text) if self.stderr => eprintln!("{text}"),
            Line::Stderr(_) => {}
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
