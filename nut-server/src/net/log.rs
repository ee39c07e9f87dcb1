//! Where the server's log lines go: a callback chosen by the embedder (the `upsd` binary
//! prints them on stderr). The library itself never prints.

use std::fmt;
use std::sync::Arc;

/// Severity of a log line, as syslog names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Something failed (a listener, a TLS setup).
    Error,
    /// Something is wrong but the server carries on (a driver is gone, MAXCONN reached).
    Warning,
    /// Normal operation worth noting (connections to drivers, reloads).
    Info,
    /// Details for `-D`.
    Debug,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
            Self::Debug => "debug",
        })
    }
}

/// A log sink: cheap to clone, callable from any task.
#[derive(Clone)]
pub struct Logger(Arc<LogFn>);

type LogFn = dyn Fn(Level, &str) + Send + Sync;

impl Logger {
    /// Sends every line to `f`.
    pub fn new(f: impl Fn(Level, &str) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// Prints every line on stderr; debug lines only when `debug` is set (the `-D` flag).
    pub fn stderr(debug: bool) -> Self {
        Self::new(move |level, msg| {
            if level < Level::Debug || debug {
                eprintln!("{msg}");
            }
        })
    }

    /// Prints on stderr as upsd does at debug level `level` (the number of `-D` flags): at 0,
    /// plain lines without debug ones; from 1 on, each line prefixed with the seconds since
    /// this logger was made (`   1.250000\t`), and from 2 on also the debug lines, marked
    /// `[D2] ` (what upsd logs at that level: connects, disconnects).
    pub fn stderr_level(level: u8) -> Self {
        let start = std::time::Instant::now();
        Self::new(move |severity, msg| {
            if level == 0 {
                if severity < Level::Debug {
                    eprintln!("{msg}");
                }
                return;
            }
            let stamp = nut_proto::text::debug_stamp(start.elapsed());
            match severity {
                Level::Debug if level >= 2 => eprintln!("{stamp}[D2] {msg}"),
                Level::Debug => {}
                _ => eprintln!("{stamp}{msg}"),
            }
        })
    }

    /// Drops every line.
    pub fn discard() -> Self {
        Self::new(|_, _| {})
    }

    /// Logs one line.
    pub fn log(&self, level: Level, msg: &str) {
        (self.0)(level, msg);
    }

    /// Logs at [`Level::Error`].
    pub fn error(&self, msg: &str) {
        self.log(Level::Error, msg);
    }

    /// Logs at [`Level::Warning`].
    pub fn warn(&self, msg: &str) {
        self.log(Level::Warning, msg);
    }

    /// Logs at [`Level::Info`].
    pub fn info(&self, msg: &str) {
        self.log(Level::Info, msg);
    }

    /// Logs at [`Level::Debug`].
    pub fn debug(&self, msg: &str) {
        self.log(Level::Debug, msg);
    }
}

impl Default for Logger {
    fn default() -> Self {
        Self::discard()
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Logger")
    }
}
