//! Privilege separation as upsmon does it, without `fork()` or unsafe code.
//!
//! upsmon forks into a root parent and an unprivileged child joined by a pipe; the parent can
//! do exactly one thing: when the child writes one byte (1), write POWERDOWNFLAG and run
//! SHUTDOWNCMD. Here:
//!
//! - The parent ([`run_parent`]) re-executes the same program (`std::env::current_exe()`)
//!   as the child, with the child marker [`CHILD_ENV`] set and `CommandExt::{uid, gid}` set
//!   to the `RUN_AS_USER` account (std drops the supplementary groups when switching from
//!   root). The child's stdin and stdout are pipes to the parent; its stderr is shared.
//! - The child does all the monitoring. [`ParentLink`] is its [`PowerOff`]: it writes the
//!   byte 1 to stdout. [`watch_parent`] reads stdin, which the parent never writes: end of
//!   file means the parent died, and the child raises NOPARENT (every two minutes, as long
//!   as it keeps noticing).
//! - The parent ignores SIGHUP/SIGUSR1/SIGUSR2 (the binary's job) and waits: byte 1 → flag
//!   and command, then it exits 0; end of file → the child ended, and the parent exits
//!   with the child's status; any other byte → "got bogus pipe command", exit 1.
//!
//! The PID file names the child, as in upsmon 2.8.0 (where the child writes it before
//! dropping root): signals for `-c fsd|reload|stop` go to the process that monitors. The
//! parent writes it (the child may not be allowed to) and removes it when the child ends.

use std::ffi::OsString;
use std::io;
use std::os::unix::process::CommandExt;
use std::process::Stdio;

use async_trait::async_trait;
use nix::unistd::User;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use super::log::{Level, Logger};
use super::power::{DirectPowerOff, PowerOff};
use super::upsmon::Control;

/// Set in the child's environment.
pub const CHILD_ENV: &str = "NUT_RS_UPSMON_CHILD";

/// The byte the child writes to ask for the shutdown.
pub const SHUTDOWN_BYTE: u8 = 1;

/// What the parent writes to the child once the PID file names it: the child starts
/// monitoring only then ([`wait_for_parent`]), as upsmon 2.8.0's child writes the PID file
/// before anything else.
pub const GO_BYTE: u8 = 0;

/// How long the child waits for [`GO_BYTE`] at most.
const GO_WAIT: Duration = Duration::from_secs(5);

/// In the child: waits for the parent's [`GO_BYTE`] on stdin, its end (a parent that died),
/// or 5 seconds, whichever comes first.
pub fn wait_for_parent() {
    use std::io::Read;
    use std::os::fd::AsFd;
    let Ok(fd) = io::stdin().as_fd().try_clone_to_owned() else {
        return;
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut byte = [0u8; 1];
        let _ = std::fs::File::from(fd).read(&mut byte);
        let _ = tx.send(());
    });
    let _ = rx.recv_timeout(GO_WAIT);
}

/// True in the unprivileged child.
pub fn is_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Looks `RUN_AS_USER` up.
pub fn lookup_user(name: &str) -> io::Result<User> {
    match User::from_name(name) {
        Ok(Some(u)) => Ok(u),
        Ok(None) => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("user {name} not found"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Starts the child: this program again, as `user`, with piped stdin/stdout.
/// Its `-D` stamps go on from `log`'s clock.
pub fn spawn_child(argv0: &str, args: &[String], user: &User, log: &Logger) -> io::Result<Child> {
    let exe: OsString = std::env::current_exe().map_or_else(|_| argv0.into(), Into::into);
    let mut cmd = std::process::Command::new(exe);
    cmd.arg0(argv0)
        .args(args)
        .env(CHILD_ENV, "1")
        .env(super::log::CLOCK_ENV, log.clock_env())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    if nix::unistd::geteuid().is_root() {
        cmd.gid(user.gid.as_raw()).uid(user.uid.as_raw());
    }
    Command::from(cmd).kill_on_drop(false).spawn()
}

/// The parent's whole life: wait for the child's request or its end. Returns the exit
/// status.
pub async fn run_parent(mut child: Child, power: DirectPowerOff, log: &Logger) -> u8 {
    let Some(mut from_child) = child.stdout.take() else {
        return 1;
    };
    // Kept open (never written): the child sees end of file when this process dies.
    let _to_child = child.stdin.take();
    let mut byte = [0u8; 1];
    match from_child.read(&mut byte).await {
        Ok(1) if byte[0] == SHUTDOWN_BYTE => {
            power.set_flag();
            if power.run_command().await.is_err() {
                let cmd = power.shutdowncmd.clone().unwrap_or_default();
                log.log(
                    Level::Err,
                    &format!("parent: Unable to call shutdown command: {cmd}"),
                );
            }
            0
        }
        Ok(1) => {
            let got = char::from(byte[0]);
            log.log(
                Level::Err,
                &format!("upsmon parent: got bogus pipe command {got}"),
            );
            1
        }
        // The child is gone (stopped, or died): upsmon 2.8.0's parent fails on its read of
        // the pipe, an end of file included (then with no reason: errno is still 0).
        end => {
            let _ = child.try_wait();
            let line = match end {
                Err(e) => format!("upsmon parent: read: {}", nut_proto::text::strerror(&e)),
                Ok(_) => "upsmon parent: read".to_owned(),
            };
            log.log(Level::Err, &line);
            1
        }
    }
}

/// The child's [`PowerOff`]: ask the parent over stdout.
#[derive(Debug)]
pub struct ParentLink {
    log: Logger,
}

impl ParentLink {
    /// Writes to this process's stdout.
    pub fn new(log: Logger) -> Self {
        Self { log }
    }
}

#[async_trait]
impl PowerOff for ParentLink {
    async fn power_off(&mut self) {
        use std::io::Write;
        let mut out = io::stdout().lock();
        let sent = out.write_all(&[SHUTDOWN_BYTE]);
        if sent.is_err() || out.flush().is_err() {
            self.log
                .log(Level::Err, "Unable to call parent pipe for shutdown");
        }
    }
}

/// In the child: reads stdin (a pipe from the parent) until end of file, then reports
/// [`Control::ParentGone`]; the monitor then raises NOPARENT after each poll, at most every
/// [`super::upsmon::NOPARENT_REPEAT`].
pub fn watch_parent(tx: mpsc::Sender<Control>) {
    use std::os::fd::AsFd;
    let pipe = io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(tokio::net::unix::pipe::Receiver::from_file);
    let Ok(mut stdin) = pipe else {
        return;
    };
    tokio::spawn(async move {
        let mut buf = [0u8; 64];
        while matches!(stdin.read(&mut buf).await, Ok(n) if n > 0) {}
        let _ = tx.send(Control::ParentGone).await;
    });
}

/// Used by the single-process mode and tests: a [`PowerOff`] that does the work here.
pub fn direct(power: DirectPowerOff) -> Box<dyn PowerOff> {
    Box::new(power)
}

/// Environment marker of the background copy started by [`respawn_in_background`].
pub const BACKGROUND_ENV: &str = "NUT_RS_UPSMON_BACKGROUND";

/// True in the background copy.
pub fn is_background() -> bool {
    std::env::var_os(BACKGROUND_ENV).is_some()
}

/// Starts this program again, detached (own process group, stdin/stdout on /dev/null), in
/// place of `fork()`; the caller then exits.
pub fn respawn_in_background(argv0: &str, args: &[String]) -> io::Result<()> {
    let exe: OsString = std::env::current_exe().map_or_else(|_| argv0.into(), Into::into);
    std::process::Command::new(exe)
        .arg0(argv0)
        .args(args)
        .env(BACKGROUND_ENV, "1")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .map(drop)
}

/// The root parent, start to end: starts the child as `user`, records the child's PID in
/// `pidpath`, ignores SIGHUP/SIGUSR1/SIGUSR2 (they are for the child), waits, and removes
/// the PID file. Returns the exit status.
pub fn parent_main(
    argv0: &str,
    args: &[String],
    user: &str,
    power: DirectPowerOff,
    pidpath: &std::path::Path,
    log: &Logger,
) -> u8 {
    let log = &log.clone().daemon();
    if is_background() {
        log.log(Level::Info, super::log::STARTUP);
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            log.log(Level::Err, &format!("cannot start the runtime: {e}"));
            return 1;
        }
    };
    let started =
        lookup_user(user).and_then(|u| rt.block_on(async { spawn_child(argv0, args, &u, log) }));
    let mut child = match started {
        Ok(c) => c,
        Err(e) => {
            log.log(
                Level::Err,
                &format!("upsmon: cannot start the monitoring child as {user}: {e}"),
            );
            return 1;
        }
    };
    if let Some(pid) = child.id() {
        super::pidfile::save(pidpath, pid, log);
    }
    if let Some(to_child) = child.stdin.as_mut() {
        let _ = rt.block_on(to_child.write_all(&[GO_BYTE]));
    }
    // Blocked (so never delivered) in this process only: the child was started first.
    let mut ignored = nix::sys::signal::SigSet::empty();
    for s in [
        nix::sys::signal::Signal::SIGHUP,
        nix::sys::signal::Signal::SIGUSR1,
        nix::sys::signal::Signal::SIGUSR2,
    ] {
        ignored.add(s);
    }
    let _ = ignored.thread_block();
    let status = rt.block_on(run_parent(child, power, log));
    let _ = std::fs::remove_file(pidpath);
    status
}
