//! The command line and process life of a driver, shared by every driver binary.
//!
//! A driver binary is one call: [`main`] with the program's arguments and a function that
//! builds the driver from its options. This module then does what NUT 2.8.0's
//! `drivers/main.c` does around a driver:
//!
//! - NUT's flags: `-a <ups>` (section of `$NUT_CONFPATH/ups.conf`, globals included),
//!   `-s <ups>` (standalone, options from `-x`), `-x key[=value]`, `-F`/`-FF`/`-B`, `-D`
//!   (repeatable, implies foreground), `-q`, `-u user`, `-g group`, `-r chroot`, `-i
//!   interval`, `-k` (power the load off and exit), `-c reload|exit` (signal the running
//!   instance through its PID file, as NUT 2.8.1+ does), `-h`, `-V`, `-L`.
//! - Options are validated against the driver's declared [`DriverOption`]s and published
//!   as `driver.parameter.*` / `driver.flag.*` exactly where NUT publishes them (`port`,
//!   `pollinterval`, `synchronous` always; `nolock`/`ignorelb` flags; every driver option
//!   except secrets); `default.*` and `override.*` set variables. A bad `ups.conf` is an
//!   error naming `file:line`.
//! - Socket `<statepath>/<driver>-<ups>` (mode 0660, `-g` group), a stale one removed first,
//!   removed again on exit; PID file `<altpidpath>/<driver>-<ups>.pid` when running in the
//!   background or with `-FF`. As root the driver switches to `-u` (default `nut`) before
//!   creating the socket, like NUT.
//! - Messages carry syslog priorities ([`logx`]); each `-q` hides one more, from `Debug` up
//!   (NUT 2.8.0 applies `-q` to its syslog mask; we log to stderr only, so it applies there).
//!   Debug output asked for with `-D` and the fatal error that ends the program are always
//!   written.
//! - SIGTERM/SIGINT/SIGQUIT stop the driver cleanly; SIGHUP re-reads `ups.conf` and rebuilds
//!   the driver from the new options at the next poll (NUT 2.8.0 ignores SIGHUP).
//! - Background mode does not fork: the program re-runs itself with `-FF` in a new process
//!   group, waits until the child has written its PID file (socket ready), and exits.
//!   Unlike a forked daemon the child keeps its session (no `setsid`, which needs unsafe
//!   code); being in its own process group it does not get the terminal's Ctrl-C.
//!
//! Deliberate differences from NUT: `-x` always wins over `ups.conf` whatever the order;
//! an unknown driver variable or flag (`-x`, `ups.conf`) is an error with exit status 1
//! (NUT prints it on stdout and exits 0); `driver.version` is our
//! version, not `2.8.0`; a socket that still answers is not removed (another instance is
//! running) instead of being silently replaced.

mod args;
mod config;
mod fatal;
pub mod process;
mod run;

use std::sync::atomic::{AtomicU8, Ordering};

pub use args::{Args, Signal};
pub use config::{is_sensitive, Setup};
pub use fatal::fatal_text;
pub use process::Paths;
pub use run::{main, run_foreground};

use crate::driver::{DriverInfo, DriverOption};

static DEBUG: AtomicU8 = AtomicU8::new(0);
static PROGNAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records how the program was called (`argv[0]`), for getopt-style messages.
pub fn set_progname(argv0: &str) {
    let _ = PROGNAME.set(argv0.to_owned());
}

/// The program as it was called, or `driver` before [`set_progname`].
pub fn progname() -> &'static str {
    PROGNAME.get().map_or("driver", String::as_str)
}
static QUIET: AtomicU8 = AtomicU8::new(0);

/// Sets the debug level used by [`log`].
pub fn set_debug(level: u8) {
    DEBUG.store(level, Ordering::Relaxed);
}

/// Writes a debug message to stderr when the debug level (`-D` count) is at least `level`.
/// Level 0 is an always-shown message (a fatal error, or a reply the user asked for).
pub fn log(level: u8, msg: &str) {
    if DEBUG.load(Ordering::Relaxed) >= level {
        write_stderr(msg);
    }
}

/// The priority of a log message, syslog's levels (most severe first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// The system is unusable.
    Emerg,
    /// Action must be taken immediately.
    Alert,
    /// Critical conditions.
    Crit,
    /// Error conditions.
    Err,
    /// Warning conditions.
    Warning,
    /// Normal but significant condition.
    Notice,
    /// Informational.
    Info,
    /// Debug-level messages.
    Debug,
}

/// The most `-q` flags NUT accepts: 7 leaves only `Emerg` messages.
pub const MAX_QUIET: u8 = 7;

/// Sets the log-level threshold from the number of `-q` flags, as NUT's drivers do: each `-q`
/// hides one more priority, from `Debug` (one `-q`) up to everything but `Emerg` (seven).
/// More than seven is NUT's fatal "Invalid log level threshold".
pub fn set_quiet(count: u8) -> Result<(), crate::DriverError> {
    if count > MAX_QUIET {
        return Err(crate::DriverError::Config(
            "Invalid log level threshold".into(),
        ));
    }
    QUIET.store(count, Ordering::Relaxed);
    Ok(())
}

/// Whether a message of `priority` passes the `-q` threshold.
pub fn shown(priority: Priority) -> bool {
    let least = MAX_QUIET.saturating_sub(QUIET.load(Ordering::Relaxed));
    priority as u8 <= least
}

/// Writes a message of `priority` to stderr (NUT's `upslogx`), unless `-q` hides it.
/// Fatal errors that end the program are written with [`log`] level 0 and are never hidden.
pub fn logx(priority: Priority, msg: &str) {
    if shown(priority) {
        write_stderr(msg);
    }
}

/// Writes one line to stderr, ignoring failures: a background driver's stderr is a pipe to a
/// parent that has gone, and `eprintln!` would panic there.
fn write_stderr(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// The version every driver reports as `driver.version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The first line a driver prints.
pub fn banner(info: &DriverInfo) -> String {
    format!(
        "Network UPS Tools - {} {} (nut-rs {VERSION})",
        info.description, info.version
    )
}

/// The `-h` text: usage, common flags, then the driver's own options.
pub fn help(progname: &str, options: &[DriverOption]) -> String {
    let mut s = format!(
        "\nusage: {progname} (-a <id>|-s <id>) [OPTIONS]\n\
         \x20 -a <id>        - read the [<id>] section of ups.conf (-x overrides it)\n\
         \x20 -s <id>        - standalone: no ups.conf, give every option with -x (port at least)\n\
         \x20 -V             - print the version and exit\n\
         \x20 -L             - print a parseable list of driver variables\n\
         \x20 -D             - raise the debug level (and stay in the foreground)\n\
         \x20 -d <count>     - dump the data after <count> updates and exit\n\
         \x20 -F             - stay in the foreground; -FF also writes the PID file\n\
         \x20 -B             - go to the background even when debugging\n\
         \x20 -q             - raise the log level threshold (repeatable)\n\
         \x20 -h             - show this help\n\
         \x20 -k             - power the load off (forced shutdown) and exit\n\
         \x20 -c <cmd>       - tell the running instance to 'reload' or 'exit'\n\
         \x20 -i <int>       - poll interval in seconds\n\
         \x20 -r <dir>       - chroot to <dir>\n\
         \x20 -u <user>      - switch to <user> (when started as root)\n\
         \x20 -g <group>     - give <group> access to the socket (when started as root)\n\
         \x20 -x <var>=<val> - set driver variable <var> to <val>\n"
    );
    if !options.is_empty() {
        s.push_str("\nAcceptable values for -x or ups.conf in this driver:\n\n");
        for o in options {
            let arg = if o.takes_value {
                format!("-x {}=<value>", o.name)
            } else {
                format!("-x {}", o.name)
            };
            s.push_str(&format!("{:>40} : {arg}\n", o.description));
        }
    }
    s
}

/// The `-L` list: `VALUE name "description"` / `FLAG name "description"`.
pub fn list_vars(options: &[DriverOption]) -> String {
    options
        .iter()
        .map(|o| {
            let kind = if o.takes_value { "VALUE" } else { "FLAG" };
            format!("{kind} {} \"{}\"\n", o.name, o.description)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_q_hides_one_more_priority_like_nut() {
        set_quiet(0).expect("valid");
        assert!(shown(Priority::Debug));
        set_quiet(1).expect("valid");
        assert!(!shown(Priority::Debug) && shown(Priority::Info));
        set_quiet(3).expect("valid");
        assert!(!shown(Priority::Notice) && shown(Priority::Warning));
        set_quiet(7).expect("valid");
        assert!(!shown(Priority::Alert) && shown(Priority::Emerg));
        assert_eq!(
            set_quiet(8),
            Err(crate::DriverError::Config(
                "Invalid log level threshold".into()
            ))
        );
        set_quiet(0).expect("valid");
    }
}
