//! An upsmon (real 2.8.0 or ours) run against a [`Sandbox`](super::Sandbox), with every
//! notification channel recorded: NOTIFYCMD lines, `wall` calls and syslog datagrams
//! ([`capture`](super::capture)), plus the SHUTDOWNCMD marker and POWERDOWNFLAG.
//!
//! Both subjects run the same way: `unshare -m` with the private `/run/nut` and `/dev` of
//! [`NAMESPACE_SH`], in the foreground (`-F`, the process is the child we started) or in
//! the background (no `-F`: upsmon detaches and the test finds it through its PID file).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use super::capture::{self, SyslogSink, NAMESPACE_SH};
use super::{unique_dir, wait_until, REAL_UPSMON};

/// Which upsmon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// /lib/nut/upsmon 2.8.0.
    Real,
    /// Ours (`CARGO_BIN_EXE_upsmon`).
    Ours,
}

/// How upsmon is started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `-F`: logs go to stderr only.
    Foreground,
    /// Detached: logs go to syslog only.
    Background,
}

/// What to start.
#[derive(Debug, Clone)]
pub struct UpsmonSpec<'a> {
    pub subject: Subject,
    /// `MONITOR` arguments.
    pub monitors: &'a [String],
    /// More `upsmon.conf` lines.
    pub extra: &'a str,
    /// `-u` user.
    pub user: &'a str,
    pub mode: Mode,
    /// The NOTIFYFLAG value set for every 2.8.0 notification type.
    pub flags: &'a str,
}

impl<'a> UpsmonSpec<'a> {
    /// Foreground, as root, every notification to NOTIFYCMD, wall and syslog.
    pub fn new(subject: Subject, monitors: &'a [String], extra: &'a str) -> Self {
        Self {
            subject,
            monitors,
            extra,
            user: "root",
            mode: Mode::Foreground,
            flags: "SYSLOG+WALL+EXEC",
        }
    }
}

/// What a run produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `NOTIFYTYPE UPSNAME message` lines, in order.
    pub notifications: Vec<String>,
    /// What `wall` got, one entry per call ([`capture::walls`]).
    pub walls: Vec<String>,
    /// Syslog datagrams, normalised, in order.
    pub syslog: Vec<String>,
    /// What it printed on stdout and stderr ([`log_lines`]).
    pub log: Vec<String>,
    /// SHUTDOWNCMD ran.
    pub shutdown: bool,
    /// Who ran it (`id -un`), if it ran.
    pub shutdown_by: Option<String>,
    /// POWERDOWNFLAG content, if written.
    pub flag: Option<String>,
}

impl Outcome {
    /// Replaces `from` by `to` in every recorded text (e.g. the sandbox's port).
    pub fn replace(&mut self, from: &str, to: &str) {
        let lists = [
            &mut self.notifications,
            &mut self.walls,
            &mut self.syslog,
            &mut self.log,
        ];
        for line in lists.into_iter().flatten() {
            *line = line.replace(from, to);
        }
    }
}

/// An upsmon's output made comparable: without the version banners (real's forked children
/// print theirs when they exit) and real's NSS line (DEVIATIONS.md), the PID file's path
/// (DEVIATIONS.md) as `<pidfile>`, a configuration warning (DEVIATIONS.md) as
/// `<config warning>` and the test directory as `<dir>`, and a run of identical
/// lines as one (how many polls fail in a row depends on where the second boundaries fall:
/// real upsmon counts in whole seconds).
pub fn log_lines(text: &str, dir: &Path) -> Vec<String> {
    let dir = dir.display().to_string();
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with("Network UPS Tools upsmon ")
            || line == "Init SSL without certificate database"
        {
            continue;
        }
        let conf = format!("{dir}/upsmon.conf");
        // Configuration warnings have texts of their own (DEVIATIONS.md).
        let warning = line.starts_with(&format!("{conf} line "))
            || line.starts_with(&format!("{conf}:"))
            || line.starts_with("Warning: ignoring duplicate UPS [");
        let line = if warning {
            "<config warning>".to_owned()
        } else {
            line.replace("/run/nut/upsmon.pid", "<pidfile>")
                .replace(&format!("{dir}/upsmon.pid"), "<pidfile>")
                .replace(&dir, "<dir>")
        };
        if out.last() != Some(&line) {
            out.push(line);
        }
    }
    out
}

/// The notification types of upsmon 2.8.0.
pub const TYPES: &[&str] = &[
    "ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "REPLBATT", "NOCOMM",
    "NOPARENT", "CAL",
];

/// A running upsmon with its files.
#[derive(Debug)]
pub struct Upsmon {
    pub dir: PathBuf,
    subject: Subject,
    mode: Mode,
    child: Option<Child>,
    group: Option<i32>,
    syslog: SyslogSink,
}

fn write_scripts(dir: &Path) -> (PathBuf, PathBuf) {
    let notify = dir.join("notify.sh");
    let line = "echo \"$NOTIFYTYPE $UPSNAME $1\"";
    fs::write(
        &notify,
        format!("#!/bin/sh\n{line} >> {}/notify.log\n", dir.display()),
    )
    .unwrap();
    let shut = dir.join("shutdown.sh");
    let marker = format!("id -un >> {}/shutdown.marker", dir.display());
    fs::write(&shut, format!("#!/bin/sh\n{marker}\n")).unwrap();
    for f in [&notify, &shut] {
        Command::new("chmod").arg("+x").arg(f).status().unwrap();
    }
    Command::new("chmod").arg("777").arg(dir).status().unwrap();
    (notify, shut)
}

fn write_conf(dir: &Path, spec: &UpsmonSpec<'_>) {
    let (notify, shut) = write_scripts(dir);
    let mut conf = String::new();
    for m in spec.monitors {
        conf += &format!("MONITOR {m}\n");
    }
    conf += &format!(
        "NOTIFYCMD {}\nSHUTDOWNCMD {}\nPOWERDOWNFLAG {}/killpower\nPOLLFREQ 1\nPOLLFREQALERT 1\nFINALDELAY 0\n",
        notify.display(),
        shut.display(),
        dir.display()
    );
    for t in TYPES {
        conf += &format!("NOTIFYFLAG {t} {}\n", spec.flags);
    }
    conf += spec.extra;
    fs::write(dir.join("upsmon.conf"), conf).unwrap();
}

impl Upsmon {
    /// Foreground as root (see [`launch`](Self::launch)).
    pub fn start(subject: Subject, monitors: &[String], extra: &str) -> Self {
        Self::launch(&UpsmonSpec::new(subject, monitors, extra))
    }

    /// Foreground with `-u user` (the directory is world-writable so an unprivileged child
    /// can record notifications).
    pub fn start_as(subject: Subject, monitors: &[String], extra: &str, user: &str) -> Self {
        Self::launch(&UpsmonSpec {
            user,
            ..UpsmonSpec::new(subject, monitors, extra)
        })
    }

    /// Writes upsmon.conf and starts the subject in its namespace; in the background mode,
    /// waits (bounded) for its PID file.
    pub fn launch(spec: &UpsmonSpec<'_>) -> Self {
        let dir = unique_dir(match spec.subject {
            Subject::Real => "real",
            Subject::Ours => "ours",
        });
        let syslog = capture::prepare(&dir);
        write_conf(&dir, spec);
        let mut cmd = Command::new("unshare");
        cmd.args(["-m", "sh", "-c", NAMESPACE_SH, "sh"]).arg(&dir);
        match spec.subject {
            Subject::Real => cmd.arg(REAL_UPSMON),
            Subject::Ours => cmd
                .arg(env!("CARGO_BIN_EXE_upsmon"))
                .env("NUT_ALTPIDPATH", &dir),
        };
        if spec.mode == Mode::Foreground {
            cmd.arg("-F");
        }
        cmd.args(["-u", spec.user]);
        let log = fs::File::create(dir.join("upsmon.log")).unwrap();
        let child = cmd
            .process_group(0)
            .env("NUT_CONFPATH", &dir)
            .env("NUT_STATEPATH", &dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut me = Self {
            dir,
            subject: spec.subject,
            mode: spec.mode,
            group: Some(i32::try_from(child.id()).unwrap()),
            child: Some(child),
            syslog,
        };
        if spec.mode == Mode::Background {
            me.find_background_group();
        }
        me
    }

    /// Where the subject writes its PID file (it names the monitoring child).
    fn pid_file(&self) -> PathBuf {
        match self.subject {
            Subject::Real => self.dir.join("run").join("upsmon.pid"),
            Subject::Ours => self.dir.join("upsmon.pid"),
        }
    }

    /// The detached processes' group: that of the PID file's process.
    fn find_background_group(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
        let file = self.pid_file();
        let mut group = None;
        wait_until(Duration::from_secs(10), || {
            group = fs::read_to_string(&file)
                .ok()
                .and_then(|p| process_group(p.trim()));
            group.is_some()
        });
        assert!(group.is_some(), "no PID file: {}", self.log());
        self.group = group;
    }

    /// True once every process of the subject has exited.
    pub fn exited(&mut self) -> bool {
        match (&mut self.child, self.group) {
            (Some(c), _) => matches!(c.try_wait(), Ok(Some(_))),
            (None, Some(g)) => !group_alive(g),
            (None, None) => true,
        }
    }

    /// Waits until exit or `limit`, stops it, and returns what it did.
    pub fn finish(mut self, limit: Duration) -> Outcome {
        if wait_until(limit, || self.exited()) {
            // Real upsmon forks a process per notification: let those that are still
            // walling or running NOTIFYCMD finish before the group is signalled.
            if let Some(g) = self.group {
                wait_until(Duration::from_secs(5), || !group_alive(g));
            }
        }
        // Stopping the group races the child's own exit against its parent's: real upsmon's
        // child sometimes reports NOPARENT when the harness stops them. That one is the
        // harness's doing, not the scenario's, so NOPARENT raised by the stop is dropped.
        let noparent_before = self.noparent_count();
        self.stop();
        let marker = fs::read_to_string(self.dir.join("shutdown.marker")).ok();
        let mut notifications = self.notifications();
        let mut walls = capture::walls(&self.dir);
        drop_extra(&mut notifications, noparent_before.0, is_noparent);
        drop_extra(&mut walls, noparent_before.1, is_noparent);
        Outcome {
            notifications,
            walls,
            syslog: self.syslog.lines(),
            log: log_lines(&self.log(), &self.dir),
            shutdown: marker.is_some(),
            shutdown_by: marker.map(|s| s.trim().to_owned()),
            flag: fs::read_to_string(self.dir.join("killpower")).ok(),
        }
    }

    /// NOPARENT notifications and walls so far.
    fn noparent_count(&self) -> (usize, usize) {
        let count = |v: Vec<String>| v.iter().filter(|l| is_noparent(l)).count();
        (
            count(self.notifications()),
            count(capture::walls(&self.dir)),
        )
    }

    /// The notifications so far.
    pub fn notifications(&self) -> Vec<String> {
        fs::read_to_string(self.dir.join("notify.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Syslog datagrams so far, as sent.
    pub fn raw_syslog(&self) -> Vec<String> {
        self.syslog.raw()
    }

    /// Its output.
    pub fn log(&self) -> String {
        fs::read_to_string(self.dir.join("upsmon.log")).unwrap_or_default()
    }

    /// SIGTERM to the whole process group (real upsmon's forked child and both of ours),
    /// then SIGKILL to what is left.
    fn stop(&mut self) {
        let Some(group) = self.group.take() else {
            return;
        };
        signal_group("-TERM", group);
        let child = self.child.take();
        if let Some(mut c) = child {
            if !wait_until(Duration::from_secs(3), || {
                matches!(c.try_wait(), Ok(Some(_)))
            }) {
                let _ = c.kill();
            }
            let _ = c.wait();
            thread::sleep(Duration::from_millis(200));
        } else {
            wait_until(Duration::from_secs(3), || !group_alive(group));
        }
        signal_group("-KILL", group);
        // Let detached notification commands finish writing, and syslog datagrams arrive.
        thread::sleep(Duration::from_millis(300));
    }
}

fn is_noparent(line: &str) -> bool {
    line.starts_with("NOPARENT") || line.contains("upsmon parent process died")
}

/// Removes the entries matching `pred` beyond the first `keep` of them.
fn drop_extra(list: &mut Vec<String>, keep: usize, pred: fn(&str) -> bool) {
    let mut seen = 0;
    list.retain(|l| {
        if !pred(l) {
            return true;
        }
        seen += 1;
        seen <= keep
    });
}

impl Drop for Upsmon {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn signal_group(sig: &str, group: i32) {
    let _ = Command::new("kill")
        .args([sig, "--", &format!("-{group}")])
        .stderr(Stdio::null())
        .status();
}

/// Field 5 of `/proc/<pid>/stat`.
fn process_group(pid: &str) -> Option<i32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(") ")?.1;
    after.split(' ').nth(2)?.parse().ok()
}

/// Whether a live (not zombie) process is in `group`.
fn group_alive(group: i32) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else {
        return false;
    };
    entries.flatten().any(|e| {
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        let Some((_, after)) = stat.rsplit_once(") ") else {
            return false;
        };
        let mut f = after.split(' ');
        let state = f.next();
        let pgrp = f.nth(1).and_then(|g| g.parse::<i32>().ok());
        state != Some("Z") && pgrp == Some(group)
    })
}
