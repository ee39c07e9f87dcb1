//! Carrying out a [`Plan`]: spawning drivers, waiting for them, signalling them.

use std::path::PathBuf;
use std::process::{Child, Command as Proc};
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use super::{ActionKind, Command, Options, Plan};
use crate::cli::process::{read_pid_file, signal_pid_file};

/// The outcome: how many actions failed, and the drivers still attached (`-F`).
#[derive(Debug, Default)]
pub struct Report {
    /// Failed actions.
    pub errors: u32,
}

/// Writes upsdrvctl's messages: `<seconds since start>\t[D<level>] <text>` on stderr, as
/// NUT's upsdebugx does, when the debug level allows.
struct Log {
    level: u8,
}

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
static STAMPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets the debug level [`message`] follows: above 0 (`-D`, or `-t`), messages carry the
/// time since the start, as NUT's do; at 0 they are the bare text.
pub fn set_message_debug(level: u8) {
    START.get_or_init(Instant::now);
    STAMPED.store(level > 0, std::sync::atomic::Ordering::Relaxed);
}

/// Writes one message as upsdrvctl does (on stderr): with debugging on, seconds since the
/// program started and a tab first.
pub fn message(msg: &str) {
    use std::io::Write;
    let t = START.get_or_init(Instant::now).elapsed();
    let _ = if STAMPED.load(std::sync::atomic::Ordering::Relaxed) {
        let stamp = nut_proto::text::debug_stamp(t);
        writeln!(std::io::stderr(), "{stamp}{msg}")
    } else {
        writeln!(std::io::stderr(), "{msg}")
    };
}

impl Log {
    fn debug(&self, level: u8, msg: &str) {
        if self.level >= level {
            let tag = if level > 0 {
                format!("[D{level}] ")
            } else {
                String::new()
            };
            self.line(&format!("{tag}{msg}"));
        }
    }

    fn line(&self, msg: &str) {
        message(msg);
    }
}

/// Runs the plan. In testing mode nothing is executed or signalled; the command lines are
/// printed (debug level 2 is forced, as NUT does).
pub fn execute(plan: &Plan, opts: &Options) -> Report {
    let level = if opts.testing {
        opts.debug.max(2)
    } else {
        opts.debug
    };
    set_message_debug(level);
    let log = Log { level };
    let mut report = Report::default();
    let mut attached = Vec::new();
    for action in &plan.actions {
        let ok = match (&action.kind, plan.command) {
            (ActionKind::Signal(files), _) => {
                log.debug(1, &format!("Stopping UPS: {}", action.ups));
                stop(&log, files, opts.testing)
            }
            (ActionKind::Exec(argv), Command::Shutdown) => {
                log.debug(1, &format!("Shutdown UPS: {}", action.ups));
                log.debug(2, &format!("exec:  {}", argv.join(" ")));
                opts.testing || run_once(&log, argv, Some(plan.start_delay_of(&action.ups)))
            }
            (ActionKind::Exec(argv), _) => {
                log.debug(1, &format!("Starting UPS: {}", action.ups));
                start(&log, plan, &action.ups, argv, opts, &mut attached)
            }
        };
        if !ok {
            report.errors += 1;
        }
    }
    for (ups, mut child) in attached {
        match child.wait() {
            Ok(status) => log.debug(1, &format!("Driver for {ups} exited ({status})")),
            Err(e) => log.line(&format!("waiting for the driver of {ups}: {e}")),
        }
    }
    report
}

fn start(
    log: &Log,
    plan: &Plan,
    ups: &str,
    argv: &[String],
    opts: &Options,
    attached: &mut Vec<(String, Child)>,
) -> bool {
    let mut left = plan.timing.max_retry.max(1);
    while left > 0 {
        log.debug(2, &format!("{left} remaining attempts"));
        log.debug(2, &format!("exec:  {}", argv.join(" ")));
        left -= 1;
        if opts.testing {
            return true;
        }
        if opts.foreground > 0 {
            return match spawn(argv) {
                Ok(child) => {
                    attached.push((ups.to_owned(), child));
                    true
                }
                Err(e) => {
                    log.line(&format!("Can't start {}: {e}", argv[0]));
                    false
                }
            };
        }
        let wait = (!plan.timing.no_wait).then(|| plan.start_delay_of(ups));
        if run_once(log, argv, wait) {
            return true;
        }
        if left > 0 {
            std::thread::sleep(Duration::from_secs(plan.timing.retry_delay.into()));
        }
    }
    false
}

fn spawn(argv: &[String]) -> std::io::Result<Child> {
    Proc::new(&argv[0]).args(&argv[1..]).spawn()
}

/// Runs a driver and waits (up to `wait` seconds, or not at all) for it to exit with 0 —
/// which a backgrounding driver does once it serves its socket.
fn run_once(log: &Log, argv: &[String], wait: Option<u32>) -> bool {
    let mut child = match spawn(argv) {
        Ok(c) => c,
        Err(e) => {
            log.line(&format!("Can't start {}: {e}", argv[0]));
            return false;
        }
    };
    let Some(secs) = wait else {
        log.debug(2, "'nowait' set, continuing...");
        return true;
    };
    let deadline = Instant::now() + Duration::from_secs(secs.into());
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return true,
            Ok(Some(status)) => {
                log.line(&match status.code() {
                    Some(code) => format!("Driver failed to start (exit status={code})"),
                    None => "Driver exited abnormally".to_owned(),
                });
                return false;
            }
            Ok(None) if Instant::now() > deadline => {
                log.line("Startup timer elapsed, continuing...");
                return false;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                log.line(&format!("waiting for the driver: {e}"));
                return false;
            }
        }
    }
}

fn stop(log: &Log, files: &[PathBuf], testing: bool) -> bool {
    let mut found = None;
    for (i, f) in files.iter().enumerate() {
        match std::fs::metadata(f) {
            Ok(_) => {
                found = Some(f);
                break;
            }
            Err(e) => {
                let either = if i > 0 { " either" } else { "" };
                log.line(&format!(
                    "Can't open {}{either}: {}",
                    f.display(),
                    nut_proto::text::strerror(&e)
                ));
            }
        }
    }
    let Some(file) = found else {
        return false;
    };
    log.debug(2, &format!("Sending signal to {}", file.display()));
    if testing {
        return true;
    }
    match signal_pid_file(file, Signal::SIGTERM) {
        Ok(_) => true,
        Err(e) => {
            let pid = read_pid_file(file)
                .map(|p| p.to_string())
                .unwrap_or_default();
            log.line(&format!("Stopping {} failed: {e} {pid}", file.display()));
            false
        }
    }
}
