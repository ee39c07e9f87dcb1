//! upslog's main loop: a line per target per interval, reacting to signals as NUT does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::time::Instant;

use super::format::{queried_vars, render, LineContext, Token};
use super::sink::Sinks;
use super::Options;
use crate::error::strerror;
use crate::tools::localtime::localtime;
use crate::tools::strftime::Tm;
use crate::tools::upscli::Conn;
use crate::tools::{CliResult, Fatal};

/// One monitored UPS and the log it writes to.
pub(super) struct Target {
    monhost: String,
    ups: String,
    host: String,
    port: u16,
    conn: Option<Conn>,
    sink: usize,
}

impl Target {
    /// `monhost` as given, split into `ups`/`host`/`port`, its connection if the first
    /// attempt worked, and the index of its log in the [`Sinks`].
    pub(super) fn new(
        monhost: String,
        ups: String,
        host: String,
        port: u16,
        conn: Option<Conn>,
        sink: usize,
    ) -> Self {
        Self {
            monhost,
            ups,
            host,
            port,
            conn,
            sink,
        }
    }

    /// The values of `vars` (`None`: `NA`); reconnects first if needed, forgets a connection
    /// that failed (an `ERR` answer only makes that one value `NA`).
    async fn values(&mut self, vars: &[String]) -> Vec<Option<String>> {
        if self.conn.is_none() {
            self.conn = Conn::connect(&self.host, self.port, false).await.ok();
        }
        let mut values = Vec::new();
        for var in vars {
            values.push(self.get_var(var).await);
        }
        values
    }

    async fn get_var(&mut self, var: &str) -> Option<String> {
        let conn = self.conn.as_mut()?;
        match conn.get(&["VAR", &self.ups, var]).await {
            Ok(mut words) if words.len() > 3 => Some(words.swap_remove(3)),
            Ok(_) => None,
            Err(e) if e.is_server_error() => None,
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }
}

/// The running logger.
pub(super) struct Logger {
    interval: i64,
    max_loops: u64,
    tokens: Vec<Token>,
    targets: Vec<Target>,
    sinks: Sinks,
}

impl Logger {
    pub(super) fn new(o: &Options, tokens: Vec<Token>, targets: Vec<Target>, sinks: Sinks) -> Self {
        Self {
            interval: o.interval,
            max_loops: o.max_loops,
            tokens,
            targets,
            sinks,
        }
    }

    /// Logs until a signal or `-d` ends it.
    pub(super) async fn run(&mut self) -> CliResult {
        let mut signals = Signals::new()?;
        let interval = Duration::from_secs(self.interval.max(0) as u64);
        let mut next: Option<Instant> = None;
        let (mut exit_sig, mut reopen, mut loops) = (0, false, 0u64);
        loop {
            // signals that came while we were logging: flags only, as in NUT
            while let Some(sig) = signals.pending().await {
                apply(sig, &mut exit_sig, &mut reopen);
            }
            if exit_sig != 0 {
                break;
            }
            let now = Instant::now();
            match next {
                Some(at) if at > now => {
                    if let Some(sig) = signals.wait_until(at).await {
                        apply(sig, &mut exit_sig, &mut reopen);
                    }
                    next = Some(at + interval);
                }
                _ => next = Some(now + interval),
            }
            if std::mem::take(&mut reopen) {
                eprintln!("Signal 1: reopening log file");
                self.sinks.reopen()?;
            }
            self.log_lines().await;
            loops += 1;
            if self.max_loops > 0 && loops >= self.max_loops {
                eprintln!("{} loops have elapsed", self.max_loops);
                exit_sig = 1;
            }
        }
        eprintln!("Signal {exit_sig}: exiting");
        for target in &mut self.targets {
            if let Some(conn) = target.conn.take() {
                conn.disconnect().await;
            }
        }
        Ok(())
    }

    /// One line per target, in order.
    async fn log_lines(&mut self) {
        let vars = queried_vars(&self.tokens);
        let host = hostname();
        for target in &mut self.targets {
            let values = target.values(&vars).await;
            let now = now_tm();
            let ctx = LineContext {
                host: &host,
                upshost: &target.monhost,
                pid: std::process::id(),
                now: &now,
            };
            let mut values = values.into_iter();
            let line = render(&self.tokens, &ctx, |_| values.next().flatten());
            self.sinks.write_line(target.sink, &line);
            // don't keep a connection open that won't be used for a while
            if self.interval > 30 {
                if let Some(conn) = target.conn.take() {
                    conn.disconnect().await;
                }
            }
        }
    }
}

/// NUT's signal handlers only set flags: HUP asks for a reopen, INT/QUIT/TERM for an exit,
/// USR1 does nothing but cut a sleep short.
fn apply(sig: i32, exit_sig: &mut i32, reopen: &mut bool) {
    match sig {
        1 => *reopen = true,
        2 | 3 | 15 => *exit_sig = sig,
        _ => {}
    }
}

fn now_tm() -> Tm {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    localtime(unix)
}

fn hostname() -> String {
    nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default()
}

struct Signals {
    hup: Signal,
    usr1: Signal,
    term: Signal,
    int: Signal,
    quit: Signal,
}

impl Signals {
    fn new() -> Result<Self, Fatal> {
        let mk = |k: SignalKind, name: &str| {
            signal(k)
                .map_err(|e| Fatal::new(format!("Can't install {name} handler: {}", strerror(&e))))
        };
        Ok(Self {
            hup: mk(SignalKind::hangup(), "SIGHUP")?,
            usr1: mk(SignalKind::user_defined1(), "SIGUSR1")?,
            term: mk(SignalKind::terminate(), "SIGTERM")?,
            int: mk(SignalKind::interrupt(), "SIGINT")?,
            quit: mk(SignalKind::quit(), "SIGQUIT")?,
        })
    }

    /// Sleeps until `deadline` or a signal; returns the signal number, if one came.
    async fn wait_until(&mut self, deadline: Instant) -> Option<i32> {
        tokio::select! {
            biased;
            sig = self.next_signal() => Some(sig),
            () = tokio::time::sleep_until(deadline) => None,
        }
    }

    /// A signal that arrived while we were busy, if any.
    async fn pending(&mut self) -> Option<i32> {
        tokio::select! {
            biased;
            sig = self.next_signal() => Some(sig),
            () = std::future::ready(()) => None,
        }
    }

    async fn next_signal(&mut self) -> i32 {
        tokio::select! {
            _ = self.hup.recv() => 1,
            _ = self.int.recv() => 2,
            _ = self.quit.recv() => 3,
            _ = self.usr1.recv() => 10,
            _ = self.term.recv() => 15,
        }
    }
}
