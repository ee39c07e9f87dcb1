//! Carrying out a [`Notification`]: SYSLOG, WALL and EXEC, never blocking the poll loop.
//!
//! As upsmon does: SYSLOG logs the message at notice level; WALL pipes it (with a newline)
//! into `wall`; EXEC runs `NOTIFYCMD "<message>"` through `/bin/sh -c` with `NOTIFYTYPE`
//! and `UPSNAME` (empty for notifications about no UPS) in the environment; IGNORE drops it.
//!
//! Difference from upsmon, which forks once per notification: WALL and EXEC run on one
//! background task, one after the other, so a `NOTIFYCMD` that appends to a file sees the
//! notifications in the order upsmon raised them. A command that takes longer than
//! [`EXEC_WAIT`] is left running (and reaped later) so it cannot hold up the next one.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio::sync::mpsc;

use super::log::{Level, Logger};
use crate::upsmon::Notification;

/// How long one WALL or EXEC may delay the next one.
pub const EXEC_WAIT: Duration = Duration::from_secs(10);

/// Queue bound: notifications beyond this many waiting ones are dropped (and logged).
const QUEUE: usize = 256;

/// One process to run, or a marker to report when all earlier jobs are done.
#[derive(Debug)]
enum Job {
    Flush(tokio::sync::oneshot::Sender<()>),
    Wall(String),
    Exec {
        cmd: String,
        kind: String,
        ups: String,
    },
}

/// Sends notifications on their way.
#[derive(Debug, Clone)]
pub struct Notifier {
    notifycmd: Option<String>,
    log: Logger,
    jobs: mpsc::Sender<Job>,
}

impl Notifier {
    /// A notifier running `notifycmd` for EXEC and `wall_cmd` (normally `wall`; `None`
    /// disables WALL) on a background task of the current runtime.
    pub fn new(notifycmd: Option<String>, wall_cmd: Option<String>, log: Logger) -> Self {
        let (jobs, rx) = mpsc::channel(QUEUE);
        tokio::spawn(run_jobs(rx, wall_cmd, log.clone()));
        Self {
            notifycmd,
            log,
            jobs,
        }
    }

    /// Changes NOTIFYCMD (reload).
    pub fn set_notifycmd(&mut self, cmd: Option<String>) {
        self.notifycmd = cmd;
    }

    /// Logs, walls and executes `n` as its flags say.
    pub fn notify(&self, n: &Notification) {
        if let Some(code) = n.kind.code() {
            let name = n.kind.name();
            self.log
                .debug(2, &format!("do_notify: ntype 0x{code:04x} ({name})"));
        }
        if n.flags.ignore {
            return;
        }
        if n.flags.syslog {
            self.log.log(Level::Notice, &n.message);
        }
        if n.flags.wall {
            self.wall(&n.message);
        }
        if let (true, Some(cmd)) = (n.flags.exec, &self.notifycmd) {
            self.queue(Job::Exec {
                cmd: format!("{cmd} \"{}\"", n.message),
                kind: n.kind.name().to_owned(),
                ups: n.ups.clone().unwrap_or_default(),
            });
        }
    }

    /// Broadcasts `text` with `wall`.
    pub fn wall(&self, text: &str) {
        self.queue(Job::Wall(format!("{text}\n")));
    }

    /// Waits (at most `limit`) until every notification queued so far has been started
    /// and waited for (each up to [`EXEC_WAIT`]): called before the shutdown and on exit, so
    /// no notification is lost when the process ends.
    pub async fn flush(&self, limit: Duration) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.jobs.send(Job::Flush(tx)).await.is_ok() {
            let _ = tokio::time::timeout(limit, rx).await;
        }
    }

    fn queue(&self, job: Job) {
        if self.jobs.try_send(job).is_err() {
            self.log
                .log(Level::Err, "Notification queue full: notification dropped");
        }
    }
}

async fn run_jobs(mut rx: mpsc::Receiver<Job>, wall_cmd: Option<String>, log: Logger) {
    while let Some(job) = rx.recv().await {
        let spawned = match job {
            Job::Flush(done) => {
                let _ = done.send(());
                continue;
            }
            Job::Wall(text) => match &wall_cmd {
                Some(w) => spawn_wall(w, &text).await,
                None => continue,
            },
            Job::Exec { cmd, kind, ups } => Command::new("/bin/sh")
                .arg("-c")
                .arg(&cmd)
                .env("NOTIFYTYPE", kind)
                .env("UPSNAME", ups)
                .stdin(Stdio::null())
                .spawn(),
        };
        match spawned {
            Ok(mut child) => {
                if tokio::time::timeout(EXEC_WAIT, child.wait()).await.is_err() {
                    // Still running: reap it in the background.
                    tokio::spawn(async move { child.wait().await });
                }
            }
            Err(e) => log.log(Level::Err, &format!("Can't run notification command: {e}")),
        }
    }
}

async fn spawn_wall(wall: &str, text: &str) -> std::io::Result<tokio::process::Child> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(wall)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes()).await;
    }
    Ok(child)
}
