//! upssched's processes: the client run by upsmon as NOTIFYCMD, and the timer daemon.
//!
//! The client ([`run_steps`]) carries out the [`Step`]s that [`plan`](crate::upssched::plan)
//! gives for `NOTIFYTYPE`/`UPSNAME`: `EXECUTE` runs `CMDSCRIPT <arg>` through `/bin/sh -c`
//! and waits, like `system()`; a timer request goes to the daemon's Unix stream socket at
//! PIPEFN, one line answered `OK`. When nothing listens there and the request needs the
//! daemon (anything but a CANCEL without a command), the client takes LOCKFN (created
//! exclusively) and starts the daemon, then tries again: up to [`MAX_TRIES`] times, 250 ms
//! apart, as upssched does. A lock left by a crashed client is removed and retried.
//!
//! The daemon ([`run_daemon`]) binds PIPEFN (mode 0660), removes LOCKFN, and runs a
//! [`TimerDaemon`]: requests from any number of connections, `CMDSCRIPT <timer>` when a
//! timer fires (one command at a time, in order), and when it has had no timer for
//! [`IDLE_EXIT`](crate::upssched::IDLE_EXIT) it removes PIPEFN and returns.

use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nut_proto::config::upssched_conf::UpsschedConf;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::process::Command;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::log::{Level, Logger};
use crate::error::MonitorError;
use crate::upssched::{DaemonEvent, DaemonRequest, Step, TimerDaemon};

/// Attempts to reach or start the daemon (upssched's `MAX_TRIES`).
pub const MAX_TRIES: u32 = 30;
/// Pause between attempts.
pub const RETRY_PAUSE: Duration = Duration::from_millis(250);
/// How long a request waits for `OK`.
const REPLY_WAIT: Duration = Duration::from_secs(5);
/// Longest request line the daemon reads.
const MAX_REQUEST: usize = 1024;

/// CMDSCRIPT, PIPEFN and LOCKFN of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedPaths {
    /// CMDSCRIPT.
    pub cmdscript: String,
    /// PIPEFN.
    pub pipefn: PathBuf,
    /// LOCKFN.
    pub lockfn: PathBuf,
}

impl SchedPaths {
    /// The paths of `conf`; `None` when one is missing (then there are no `AT` lines either:
    /// the parser refuses `AT` before all three).
    pub fn of(conf: &UpsschedConf) -> Option<Self> {
        Some(Self {
            cmdscript: conf.cmdscript.clone()?,
            pipefn: conf.pipefn.clone()?.into(),
            lockfn: conf.lockfn.clone()?.into(),
        })
    }
}

/// Runs `CMDSCRIPT <arg>` and waits, logging a failure like upssched.
pub async fn exec_cmd(cmdscript: &str, arg: &str, log: &Logger) {
    let line = format!("{cmdscript} {arg}");
    match Command::new("/bin/sh").arg("-c").arg(&line).status().await {
        Ok(s) if s.success() => {}
        Ok(s) => match (s.code(), s.signal()) {
            (Some(code), _) => log.log(Level::Info, &format!("exec_cmd({line}) returned {code}")),
            (None, Some(sig)) => {
                let text = format!("exec_cmd({line}) terminated with signal {sig}");
                log.log(Level::Warning, &text);
            }
            (None, None) => log.log(Level::Err, &format!("Execute command failure: {line}")),
        },
        Err(_) => log.log(Level::Err, &format!("Execute command failure: {line}")),
    }
}

/// The client side: carries out `steps` in order. `start_daemon` launches a daemon
/// process (the caller holds LOCKFN when it is called).
pub async fn run_steps(
    paths: &SchedPaths,
    steps: &[Step],
    start_daemon: &(dyn Fn() -> io::Result<()> + Sync),
    log: &Logger,
) -> Result<(), MonitorError> {
    for step in steps {
        match step {
            Step::Execute(arg) if arg.is_empty() => {
                log.log(Level::Err, "Empty EXECUTE command argument");
            }
            Step::Execute(arg) => {
                log.log(Level::Info, &format!("Executing command: {arg}"));
                exec_cmd(&paths.cmdscript, arg, log).await;
            }
            Step::Send(req) => send(paths, req, step.needs_daemon(), start_daemon, log).await?,
        }
    }
    Ok(())
}

async fn send(
    paths: &SchedPaths,
    req: &DaemonRequest,
    needs_daemon: bool,
    start_daemon: &(dyn Fn() -> io::Result<()> + Sync),
    log: &Logger,
) -> Result<(), MonitorError> {
    let line = format!("{req}\n");
    for _ in 0..MAX_TRIES {
        let Ok(mut conn) = UnixStream::connect(&paths.pipefn).await else {
            if !needs_daemon {
                return Ok(());
            }
            if take_lock(&paths.lockfn) {
                start_daemon().map_err(|e| MonitorError::io("starting the timer daemon", e))?;
                wait_listening(&paths.pipefn).await;
            } else if lock_is_stale(&paths.lockfn) {
                // Left by a client that crashed while starting the daemon: clear it. A fresh
                // lock belongs to a client starting the daemon right now; leave it alone.
                let _ = std::fs::remove_file(&paths.lockfn);
            }
            tokio::time::sleep(RETRY_PAUSE).await;
            continue;
        };
        match tokio::time::timeout(REPLY_WAIT, exchange(&mut conn, &line)).await {
            Ok(Ok(reply)) if reply.starts_with("OK") => return Ok(()),
            Ok(Ok(reply)) => log.log(
                Level::Err,
                &format!("read confirmation got [{}]", reply.trim_end()),
            ),
            _ => log.log(Level::Err, "read confirmation failed, trying again"),
        }
    }
    Err(MonitorError::DaemonUnreachable)
}

async fn exchange(conn: &mut UnixStream, line: &str) -> io::Result<String> {
    conn.write_all(line.as_bytes()).await?;
    let mut buf = vec![0u8; 256];
    let n = conn.read(&mut buf).await?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

/// How long a client that took LOCKFN may take to get the daemon listening before the lock
/// counts as left behind by a crash.
const STALE_LOCK: Duration = Duration::from_secs(5);

fn lock_is_stale(path: &Path) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age > STALE_LOCK)
}

/// Waits (a bounded while) until a daemon answers on PIPEFN, as upssched's parent waits for
/// its child to set up the listener.
async fn wait_listening(pipefn: &Path) {
    for _ in 0..40 {
        if UnixStream::connect(pipefn).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Creates LOCKFN exclusively (mode 0, like upssched).
fn take_lock(path: &Path) -> bool {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o000)
        .open(path)
        .is_ok()
}

/// A request and where its reply goes.
type Pending = (DaemonRequest, oneshot::Sender<&'static str>);

/// The timer daemon: serves PIPEFN until idle. Removes LOCKFN once listening.
pub async fn run_daemon(paths: &SchedPaths, log: &Logger) -> Result<(), MonitorError> {
    if UnixStream::connect(&paths.pipefn).await.is_ok() {
        // Another daemon already serves PIPEFN: never take its socket away.
        log.log(Level::Info, "Timer daemon already running, exiting");
        let _ = std::fs::remove_file(&paths.lockfn);
        return Ok(());
    }
    let _ = std::fs::remove_file(&paths.pipefn);
    let listener = UnixListener::bind(&paths.pipefn)
        .map_err(|e| MonitorError::io(format!("bind {} failed", paths.pipefn.display()), e))?;
    let perms = std::fs::Permissions::from_mode(0o660);
    let _ = std::fs::set_permissions(&paths.pipefn, perms);
    let _ = std::fs::remove_file(&paths.lockfn);
    log.log(Level::Info, "Timer daemon started");
    let (req_tx, mut req_rx) = mpsc::channel::<Pending>(64);
    let (run_tx, run_rx) = mpsc::unbounded_channel::<String>();
    let runner = tokio::spawn(run_commands(run_rx, paths.cmdscript.clone(), log.clone()));
    let mut timers = TimerDaemon::new(Instant::now().into_std());
    loop {
        while let Some(ev) = timers.poll_event() {
            match ev {
                DaemonEvent::Run(cmd) => {
                    let _ = run_tx.send(cmd);
                }
                DaemonEvent::Log(text) => log.log(Level::Info, &text),
                DaemonEvent::Exit => {
                    log.log(Level::Info, "Timer queue empty, exiting");
                    let _ = std::fs::remove_file(&paths.pipefn);
                    drop(run_tx);
                    let _ = runner.await;
                    return Ok(());
                }
            }
        }
        let deadline = timers.poll_timeout().map(Instant::from_std);
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = sleep => timers.handle_timeout(Instant::now().into_std()),
            Some((req, reply)) = req_rx.recv() => {
                let _ = reply.send(timers.handle(&req, Instant::now().into_std()));
            }
            accepted = listener.accept() => {
                if let Ok((conn, _)) = accepted {
                    tokio::spawn(serve_conn(conn, req_tx.clone()));
                }
            }
        }
    }
}

async fn run_commands(mut rx: mpsc::UnboundedReceiver<String>, cmdscript: String, log: Logger) {
    while let Some(cmd) = rx.recv().await {
        exec_cmd(&cmdscript, &cmd, &log).await;
    }
}

/// One client connection: a request per line, `OK` or `ERR UNKNOWN` per line.
async fn serve_conn(conn: UnixStream, to_daemon: mpsc::Sender<Pending>) {
    let (rd, mut wr) = conn.into_split();
    let mut lines = BufReader::new(rd.take(64 * MAX_REQUEST as u64));
    let mut line = String::new();
    loop {
        line.clear();
        let mut limited = (&mut lines).take(MAX_REQUEST as u64);
        match limited.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = match DaemonRequest::parse(line.trim_end()) {
            Some(req) => {
                let (tx, rx) = oneshot::channel();
                if to_daemon.send((req, tx)).await.is_err() {
                    return;
                }
                rx.await.unwrap_or("ERR UNKNOWN")
            }
            None => "ERR UNKNOWN",
        };
        if wr.write_all(format!("{reply}\n").as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Environment marker of the timer daemon process.
pub const DAEMON_ENV: &str = "NUT_RS_UPSSCHED_DAEMON";

/// Reads `path` (an `upssched.conf`), logging skipped lines with file:line.
pub fn load_conf(path: &Path, log: &Logger) -> Result<UpsschedConf, MonitorError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| MonitorError::io(format!("Can't open {}", path.display()), e))?;
    let parsed = UpsschedConf::parse(&text, &path.display().to_string())?;
    for w in &parsed.warnings {
        log.log(Level::Err, &format!("Parse error: {w}"));
    }
    Ok(parsed.config)
}

/// Starts this program again as the timer daemon, detached (own process group, no
/// stdin/stdout/stderr), with [`DAEMON_ENV`] set.
pub fn spawn_daemon() -> io::Result<()> {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    let exe = std::env::current_exe()?;
    std::process::Command::new(exe)
        .env(DAEMON_ENV, "1")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(drop)
}
