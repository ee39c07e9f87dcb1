//! [`Upsmon`]: the poll loop that executes a [`Monitor`]'s outputs.
//!
//! Each `MONITOR` line has its own connection, opened on demand at poll time:
//! connect (STARTTLS per the [`Connector`]), `USERNAME`, `PASSWORD`, `LOGIN <ups>`, and
//! `PRIMARY <ups>` for primaries (the client falls back to `MASTER`). A poll is
//! `GET VAR <ups> ups.status`; any failure is a [`PollResult::Failed`], and a connection
//! that broke is dropped so the next poll reconnects. As in upsmon, a failed login does not
//! drop a working connection. `FSD <ups>` and `GET NUMLOGINS <ups>` use the same
//! connections.
//!
//! Control messages ([`Control`]) come from the binary's signal handlers (SIGHUP: reload,
//! SIGUSR1: forced shutdown, SIGTERM/SIGINT: stop) and from the privilege-separation link
//! (the parent died).

use std::time::Duration;

use nut_client::{Client, ClientError, UpscliStage};

use super::log_text::{login_failed, poll_failed, refusal_line, too_old, Failure, LoginStep};
use super::reload_text::{reload_lines, restart_warnings};
use nut_proto::config::upsmon_conf::ShutdownExit;
use nut_proto::config::{NotifyType, UpsmonConf};
use nut_proto::SplitName;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::connector::{AddressFamily, Connector, TcpConnector};
use super::log::{Level, Line, Logger};
use super::notify_exec::Notifier;
use super::power::PowerOff;
use crate::upsmon::{Input, Monitor, Note, Output, PollResult, Settings};

pub use super::upsmon_conf::{
    insufficient_power, load_conf, load_conf_announced, load_conf_logged, reload_control,
    startup_lines,
};

/// How often NOPARENT is repeated while the parent is gone (upsmon: every 2 minutes).
pub const NOPARENT_REPEAT: Duration = Duration::from_secs(120);

/// How long queued notifications may hold up the shutdown command or the exit.
pub const FLUSH_LIMIT: Duration = Duration::from_secs(5);

/// Something from outside the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// New configuration (SIGHUP).
    Reload(Box<UpsmonConf>),
    /// Forced shutdown requested (`upsmon -c fsd`, SIGUSR1).
    UserFsd,
    /// Log out and stop on this signal (SIGTERM 15, SIGINT 2, SIGQUIT 3), logging
    /// `Signal <n>: exiting`.
    Stop(i32),
    /// A reload that failed: nothing changes, but the next poll is now, as upsmon 2.8.0
    /// polls after every SIGHUP (the signal cuts its sleep short).
    Wake,
    /// The privileged parent is gone: shutdown is impossible.
    ParentGone,
}

/// How the loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// Stopped on request.
    Stopped,
    /// The shutdown command was run (or requested from the parent).
    ShutDown,
}

/// Credentials and address of one `MONITOR` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// UPS name on the server.
    pub ups: String,
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// `USERNAME`.
    pub username: String,
    /// `PASSWORD`.
    pub password: String,
    /// Send `PRIMARY` after `LOGIN`.
    pub primary: bool,
}

/// The targets of `conf`, in `MONITOR` order, with their names split as upsmon 2.8.0 splits
/// them ([`SplitName`]: a name that splits only in part keeps what was read, so `ups@nas:0`
/// is tried on port 0); `None` for a system whose host could not be read (every poll of it
/// fails with `No such host`).
pub fn targets(conf: &UpsmonConf) -> Vec<Option<Target>> {
    conf.monitors
        .iter()
        .map(|m| {
            let split = SplitName::split(&m.system);
            Some(Target {
                ups: split.ups?,
                host: split.host?,
                port: split.port,
                username: m.username.clone(),
                password: m.password.clone(),
                primary: m.role == nut_proto::config::upsmon_conf::UpsmonRole::Primary,
            })
        })
        .collect()
}

/// The running monitor.
pub struct Upsmon<C: Connector> {
    monitor: Monitor,
    targets: Vec<Option<Target>>,
    conns: Vec<Option<Client<C::Stream>>>,
    /// Whether the login on each connection went through (upsmon's `ST_LOGIN`).
    logged_in: Vec<bool>,
    /// A connection the last poll found broken: given up once that poll's notifications
    /// are out, as upsmon 2.8.0 orders it.
    to_drop: Option<usize>,
    connector: C,
    notifier: Notifier,
    power: Box<dyn PowerOff>,
    log: Logger,
    parent_gone: bool,
    parent_gone_warned: Option<Instant>,
    conf: UpsmonConf,
}

impl<C: Connector> std::fmt::Debug for Upsmon<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upsmon")
            .field("targets", &self.targets)
            .field("phase", &self.monitor.phase())
            .finish_non_exhaustive()
    }
}

fn now() -> std::time::Instant {
    Instant::now().into_std()
}

impl<C: Connector> Upsmon<C> {
    /// A monitor for `conf`, reaching upsd through `connector`.
    pub fn new(
        conf: &UpsmonConf,
        connector: C,
        notifier: Notifier,
        power: Box<dyn PowerOff>,
        log: Logger,
    ) -> Self {
        let targets = targets(conf);
        Self {
            monitor: Monitor::new(Settings::from_conf(conf), now()),
            conns: targets.iter().map(|_| None).collect(),
            logged_in: vec![false; targets.len()],
            to_drop: None,
            targets,
            connector,
            notifier,
            power,
            log,
            parent_gone: false,
            parent_gone_warned: None,
            conf: conf.clone(),
        }
    }

    /// Replaces the timing settings (for tests with sub-second timings).
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.monitor = Monitor::new(settings, now());
        self
    }

    /// The state machine.
    pub fn monitor(&self) -> &Monitor {
        &self.monitor
    }

    /// Runs until stopped or shut down.
    pub async fn run(mut self, mut control: mpsc::Receiver<Control>) -> Finish {
        let mut open = true;
        loop {
            if let Some(finish) = self.drain().await {
                return finish;
            }
            let deadline = self.monitor.poll_timeout().map(Instant::from_std);
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = sleep => self.monitor.handle_timeout(now()),
                msg = control.recv(), if open => match msg {
                    None => open = false,
                    Some(Control::Stop(signal)) => {
                        self.logout_all(signal).await;
                        self.notifier.flush(FLUSH_LIMIT).await;
                        return Finish::Stopped;
                    }
                    Some(c) => self.control(c).await,
                },
            }
        }
    }

    async fn control(&mut self, c: Control) {
        match c {
            Control::Reload(conf) => self.reload(&conf).await,
            Control::UserFsd => {
                self.log.log(Level::Crit, "Signal 10: User requested FSD");
                self.monitor.handle_input(Input::UserFsd, now());
            }
            // Noticed after the next poll, as upsmon checks its parent once per loop: a
            // SIGTERM to both processes stops the child before it complains.
            Control::ParentGone => self.parent_gone = true,
            Control::Wake => self.monitor.poll_now(now()),
            Control::Stop(_) => {}
        }
    }

    fn check_parent(&mut self) {
        if !self.parent_gone {
            return;
        }
        let t = Instant::now();
        if self
            .parent_gone_warned
            .is_some_and(|w| t.duration_since(w) < NOPARENT_REPEAT)
        {
            return;
        }
        self.parent_gone_warned = Some(t);
        let n = self
            .monitor
            .settings()
            .notify
            .build(NotifyType::NoParent, None, "");
        self.notifier.notify(&n);
        self.log
            .log(Level::Alert, "Parent died - shutdown impossible");
    }

    /// Applies a new configuration: changed targets are reconnected, removed ones logged
    /// out. Logs what upsmon 2.8.0 logs while it applies one (new systems, redefined
    /// settings, settings that need a restart, systems no longer monitored);
    /// `Reloading configuration` and the file's warnings come before, from
    /// [`reload_control`].
    pub async fn reload(&mut self, conf: &UpsmonConf) {
        let old = &self.conf;
        let logged_in = |sys: &str| {
            let j = old.monitors.iter().position(|m| m.system == sys);
            j.is_some_and(|j| self.logged_in[j])
        };
        let mut lines = reload_lines(old, conf, &logged_in);
        let warnings = restart_warnings(old, conf).into_iter();
        lines.extend(warnings.map(|w| Line::Log(Level::Warning, w)));
        for line in &lines {
            self.log.say(line);
        }
        let new = targets(conf);
        let mut conns: Vec<_> = new.iter().map(|_| None).collect();
        let mut logged = vec![false; new.len()];
        for (i, t) in new.iter().enumerate() {
            if let Some(j) = self.targets.iter().position(|o| o == t && t.is_some()) {
                conns[i] = self.conns.get_mut(j).and_then(Option::take);
                logged[i] = self.logged_in[j];
            }
        }
        // What was not carried over is given up: removed, or changed (reconnected; its
        // debug line, if upsmon 2.8.0 has one, came with the reload lines).
        for j in 0..self.conns.len() {
            let sys = self.conf.monitors.get(j).map(|m| m.system.clone());
            let kept =
                (sys.as_ref()).is_none_or(|sys| conf.monitors.iter().any(|m| m.system == *sys));
            let gone = if kept {
                self.take_connection(j)
            } else {
                let line = format!("No longer monitoring UPS [{}]", sys.unwrap_or_default());
                self.log.log(Level::Notice, &line);
                self.drop_connection(j)
            };
            if let Some(mut c) = gone {
                let _ = c.logout().await;
            }
        }
        self.conf = conf.clone();
        self.targets = new;
        self.conns = conns;
        self.logged_in = logged;
        self.notifier.set_notifycmd(conf.notifycmd.clone());
        self.monitor.reload(Settings::from_conf(conf));
        self.monitor.poll_now(now());
    }

    /// Executes every pending output; `Some` when the loop must end.
    async fn drain(&mut self) -> Option<Finish> {
        while let Some(out) = self.monitor.poll_output() {
            match out {
                Output::PollAll => {
                    // upsmon 2.8.0 tells what one UPS's poll found before it polls the next.
                    for index in 0..self.targets.len() {
                        let result = self.poll(index).await;
                        let input = Input::PolledOne { index, result };
                        self.monitor.handle_input(input, now());
                        while let Some(n) = self.monitor.poll_notification() {
                            self.notifier.notify(&n);
                        }
                        if let Some(i) = self.to_drop.take() {
                            self.drop_connection(i);
                        }
                    }
                    self.monitor.handle_input(Input::PollDone, now());
                    self.check_parent();
                }
                Output::Notify(n) => self.notifier.notify(&n),
                Output::Wall(text) => {
                    self.log.log(Level::Crit, &text);
                    // upsmon hands this one to `wall` with a newline of its own, and `wall`
                    // adds another: an empty line follows.
                    self.notifier.wall(&format!("{text}\n"));
                }
                Output::SetFsd(i) => self.set_fsd(i).await,
                Output::CountLogins => {
                    let counts = self.count_logins().await;
                    self.monitor.handle_input(Input::Logins(counts), now());
                }
                Output::Shutdown => return self.shutdown().await,
                Output::Note(note) => match note {
                    Note::Info(text) => self.log.log(Level::Info, &text),
                    Note::Warning(text) => self.log.log(Level::Warning, &text),
                    Note::Debug(level, text) => self.log.debug(level, &text),
                },
            }
        }
        None
    }

    async fn shutdown(&mut self) -> Option<Finish> {
        self.notifier.flush(FLUSH_LIMIT).await;
        self.power.power_off().await;
        match self.monitor.settings().shutdown_exit {
            ShutdownExit::Yes => Some(Finish::ShutDown),
            ShutdownExit::After(secs) => {
                tokio::time::sleep(Duration::from_secs(u64::from(secs))).await;
                Some(Finish::ShutDown)
            }
            ShutdownExit::No => None,
        }
    }

    async fn poll(&mut self, i: usize) -> PollResult {
        let sys = self.monitor.settings().targets[i].system.clone();
        let Some(Some(t)) = self.targets.get(i).cloned() else {
            // libupsclient's answer to a connect without a host.
            self.log
                .debug(1, &format!("Trying to connect to UPS [{sys}]"));
            let line = format!("UPS [{sys}]: connect failed: No such host");
            self.log.log(Level::Err, &line);
            return PollResult::Failed;
        };
        if self.conns[i].is_none() {
            self.log
                .debug(1, &format!("Trying to connect to UPS [{sys}]"));
            if self.conf.certverify == Some(true) && self.conf.certpath.is_none() {
                // upsmon 2.8.0 will not connect at all rather than verify against nothing.
                let why = "Configuration error: CERTVERIFY is set, but CERTPATH isn't";
                self.log.log(Level::Err, why);
                let line = format!("UPS [{sys}]: Connection impossible, dropping link");
                self.log.log(Level::Err, &line);
                self.to_drop = Some(i);
                return PollResult::Failed;
            }
            match self.open(&t, &sys).await {
                Ok((c, true)) => {
                    self.conns[i] = Some(c);
                    self.logged_in[i] = true;
                }
                // upsmon 2.8.0 keeps the connection but does not poll in the cycle whose
                // login was refused; the next cycle polls without logging in again (or, if
                // the login broke the connection, finds it gone: below).
                Ok((c, false)) => {
                    self.conns[i] = Some(c);
                    return PollResult::Skipped;
                }
                Err(e) => {
                    let e = e.upscli_text(UpscliStage::Connect);
                    self.log
                        .log(Level::Err, &format!("UPS [{sys}]: connect failed: {e}"));
                    return PollResult::Failed;
                }
            }
        }
        let Some(conn) = self.conns[i].as_mut() else {
            return PollResult::Failed;
        };
        if conn.is_broken() {
            // Given up during the login: libupsclient has no socket left to poll.
            let line = format!("Poll UPS [{sys}] failed - Driver not connected");
            self.log.log(Level::Err, &line);
            self.to_drop = Some(i);
            return PollResult::Failed;
        }
        self.log.debug(2, &format!("pollups: {sys}"));
        match conn.get_var(&t.ups, "ups.status").await {
            Ok(status) => {
                self.log.debug(2, &format!("parse_status: [{status}]"));
                PollResult::Status(status)
            }
            Err(e) => {
                let f = give_up(conn, e).await;
                if let Some(line) = too_old(&sys, &f.error) {
                    self.log.log(Level::Err, &line);
                }
                self.log
                    .log(Level::Err, &poll_failed(&sys, &t.ups, &t.host, &f));
                if broke(&f.error) {
                    self.to_drop = Some(i);
                }
                PollResult::Failed
            }
        }
    }

    /// Connects and logs in; also says whether the login went through. A failed login is
    /// logged and the connection kept, as upsmon 2.8.0 keeps it (given up if the login broke
    /// it: the next poll then fails with "Driver not connected").
    async fn open(&self, t: &Target, sys: &str) -> Result<(Client<C::Stream>, bool), ClientError> {
        let mut c = self.connector.connect(&t.host, t.port).await?;
        if let Err((step, e)) = self.login(&mut c, t).await {
            let f = give_up(&mut c, e).await;
            for (level, line) in login_failed(sys, step, &f) {
                self.log.log(level, &line);
            }
            return Ok((c, false));
        }
        self.log.debug(1, &format!("Logged into UPS {sys}"));
        Ok((c, true))
    }

    async fn login(
        &self,
        c: &mut Client<C::Stream>,
        t: &Target,
    ) -> Result<(), (LoginStep, ClientError)> {
        let at = |step| move |e| (step, e);
        // upsmon 2.8.0 reads the answer to USERNAME but does not look at it.
        match c.username(&t.username).await {
            Err(e) if refusal_line(&e).is_none() => return Err((LoginStep::Username, e)),
            _ => {}
        }
        c.password(&t.password)
            .await
            .map_err(at(LoginStep::Password))?;
        c.login(&t.ups).await.map_err(at(LoginStep::Login))?;
        if t.primary {
            c.primary(&t.ups).await.map_err(at(LoginStep::Primary))?;
        }
        Ok(())
    }

    async fn set_fsd(&mut self, i: usize) {
        let Some(Some(t)) = self.targets.get(i).cloned() else {
            return;
        };
        let sys = self.monitor.settings().targets[i].system.clone();
        let Some(conn) = self.conns.get_mut(i).and_then(Option::as_mut) else {
            self.log.log(
                Level::Err,
                &format!("FSD set on UPS {sys} failed: not connected"),
            );
            return;
        };
        self.log.debug(2, &format!("Setting FSD on UPS {sys}"));
        if let Err(e) = conn.fsd(&t.ups).await {
            let e = give_up(conn, e).await.text();
            self.log
                .log(Level::Err, &format!("FSD set on UPS {sys} failed: {e}"));
        }
    }

    async fn count_logins(&mut self) -> Vec<Option<u32>> {
        let mut counts = Vec::new();
        for i in 0..self.targets.len() {
            let Some(Some(t)) = self.targets.get(i).cloned() else {
                if self.monitor.settings().targets[i].primary {
                    counts.push(None);
                }
                continue;
            };
            if !t.primary {
                continue;
            }
            let n = match self.conns[i].as_mut() {
                Some(c) => c.num_logins(&t.ups).await.ok(),
                None => None,
            };
            counts.push(n);
        }
        counts
    }

    /// upsmon 2.8.0's exit: the signal is logged, then every connection is given up
    /// (`LOGOUT`).
    async fn logout_all(&mut self, signal: i32) {
        self.log
            .log(Level::Info, &format!("Signal {signal}: exiting"));
        for i in 0..self.conns.len() {
            if let Some(mut c) = self.drop_connection(i) {
                let _ = c.logout().await;
            }
        }
    }

    /// Forgets the connection of target `i` (handing it back), with upsmon's debug line.
    fn drop_connection(&mut self, i: usize) -> Option<Client<C::Stream>> {
        if let Some(m) = self.conf.monitors.get(i) {
            let line = format!("Dropping connection to UPS [{}]", m.system);
            self.log.debug(2, &line);
        }
        self.take_connection(i)
    }

    /// [`drop_connection`](Self::drop_connection) without the debug line.
    fn take_connection(&mut self, i: usize) -> Option<Client<C::Stream>> {
        if let Some(l) = self.logged_in.get_mut(i) {
            *l = false;
        }
        self.conns.get_mut(i).and_then(Option::take)
    }
}

/// The connection is unusable after this error.
fn broke(e: &ClientError) -> bool {
    !matches!(e, ClientError::Server(_))
}

/// After a request failed with `e`: if the connection broke, gives it up as libupsclient
/// does (a `LOGOUT` written on the way out, whose failure is then what upsmon reports).
async fn give_up<S>(conn: &mut Client<S>, e: ClientError) -> Failure
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
{
    if !broke(&e) {
        return e.into();
    }
    Failure {
        error: e,
        logout: conn.abandon().await.err(),
    }
}

/// What a monitoring process uses besides its configuration (upsmon's fixed choices,
/// replaceable for tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessOptions {
    /// The WALL command, run through `/bin/sh -c` with the message on its stdin (upsmon:
    /// `wall`, found in `PATH`); `None` disables WALL.
    pub wall: Option<String>,
    /// Addresses tried when connecting (`-4`, `-6`).
    pub family: AddressFamily,
}

impl Default for ProcessOptions {
    fn default() -> Self {
        Self {
            wall: Some("wall".into()),
            family: AddressFamily::Any,
        }
    }
}

/// Builds and runs the monitor of `conf` over TCP: the whole life of a monitoring process.
pub async fn serve(
    conf: &UpsmonConf,
    power: Box<dyn PowerOff>,
    log: Logger,
    opts: &ProcessOptions,
    control: mpsc::Receiver<Control>,
) -> Finish {
    let log = log.daemon();
    let notifier = Notifier::new(conf.notifycmd.clone(), opts.wall.clone(), log.clone());
    let connector = TcpConnector::new(conf).family(opts.family);
    Upsmon::new(conf, connector, notifier, power, log)
        .run(control)
        .await
}

/// A monitoring process: [`serve`] over TCP, plus the parent watch in the privilege-split
/// child (`watch_parent`). `tx` feeds `rx`.
pub async fn run_process(
    conf: &UpsmonConf,
    power: Box<dyn PowerOff>,
    log: Logger,
    opts: &ProcessOptions,
    watch_parent: bool,
    tx: mpsc::Sender<Control>,
    rx: mpsc::Receiver<Control>,
) -> Finish {
    if watch_parent {
        super::privsep::watch_parent(tx);
    }
    serve(conf, power, log, opts, rx).await
}

/// `upsmon -h`.
pub const USAGE: &str = "Monitors UPS servers and may initiate shutdown if necessary.\n\nusage: upsmon [OPTIONS]\n\n  -c <cmd>\tsend command to running process\n\t\tcommands:\n\t\t - fsd: shutdown all primary-mode UPSes (use with caution)\n\t\t - reload: reread configuration\n\t\t - stop: stop monitoring and exit\n  -P <pid>\tsend the signal above to specified PID (bypassing PID file)\n  -D\t\traise debugging level (and stay foreground by default)\n  -F\t\tstay foregrounded even if no debugging is enabled\n  -B\t\tstay backgrounded even if debugging is bumped\n  -h\t\tdisplay this help\n  -K\t\tchecks POWERDOWNFLAG, sets exit code to 0 if set\n  -p\t\talways run privileged (disable privileged parent)\n  -u <user>\trun child as user <user> (ignored when using -p)\n  -4\t\tIPv4 only\n  -6\t\tIPv6 only\n";
