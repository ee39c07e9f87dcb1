//! upslog's main loop: connect, log a line per interval, react to signals.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::time::Instant;

use super::format::{compile, queried_vars, render, LineContext, Token};
use super::{banner, parse, Options};
use crate::conn::Conn;
use crate::tools::strftime::Tm;
use crate::upserror::strerror;
use crate::{basename, CliResult, Fatal};

/// Environment marker of the re-spawned background process.
const BACKGROUND_ENV: &str = "NUT_RS_UPSLOG_BACKGROUND";

/// Where the log lines go.
enum Sink {
    Stdout,
    File(String, File),
}

impl Sink {
    fn open(name: &str) -> Result<Self, Fatal> {
        if name == "-" {
            return Ok(Self::Stdout);
        }
        let file = OpenOptions::new().append(true).create(true).open(name);
        file.map(|f| Self::File(name.to_string(), f))
            .map_err(|e| Fatal::new(format!("could not open logfile {name}: {}", strerror(&e))))
    }

    fn write_line(&mut self, line: &str) {
        let text = format!("{line}\n");
        let _ = match self {
            Self::Stdout => std::io::stdout()
                .write_all(text.as_bytes())
                .and_then(|()| std::io::stdout().flush()),
            Self::File(_, f) => f.write_all(text.as_bytes()),
        };
    }

    fn reopen(&mut self) -> CliResult {
        match self {
            Self::Stdout => eprintln!("logging to stdout"),
            Self::File(name, _) => {
                let name = name.clone();
                *self = Self::open(&name)
                    .map_err(|_| Fatal::new(format!("could not reopen logfile {name}")))?;
            }
        }
        Ok(())
    }
}

/// Runs `upslog` with `args` (after `argv[0]`).
pub async fn main(argv0: &str, args: &[String]) -> CliResult {
    let prog = basename(argv0);
    print!("{}", banner(prog));
    let o = parse(prog, args)?;
    let monhost = o
        .monhost
        .clone()
        .ok_or_else(|| Fatal::new("No UPS defined for monitoring - use -s <system>"))?;
    let logfn = o
        .logfile
        .clone()
        .ok_or_else(|| Fatal::new("No filename defined for logging - use -l <file>"))?;
    println!(
        "logging status of {monhost} to {logfn} ({}s intervals)",
        o.interval as i32
    );
    let (ups, host, port) = crate::tools::split_name(Some(&monhost)).ok_or_else(|| {
        Fatal::new("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n")
    })?;
    let conn = match Conn::connect(&host, port, true).await {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("Warning: initial connect failed: {e}");
            None
        }
    };
    let sink = Sink::open(&logfn)?;
    let run_as = super::user::lookup(o.user.as_deref().unwrap_or(super::user::RUN_AS_USER))?;
    let background = std::env::var_os(BACKGROUND_ENV).is_some();
    if !o.foreground.unwrap_or(logfn == "-") && !background {
        return spawn_background(args);
    }
    if background {
        let _ = rustix::process::setsid();
    }
    write_pid(&o.pidbase);
    super::user::become_user(&run_as)?;
    let mut logger = Logger {
        o,
        ups,
        host,
        port,
        monhost,
        conn,
        sink,
        tokens: Vec::new(),
    };
    logger.tokens = compile(&logger.o.format);
    logger.run().await
}

/// NUT forks; we start a detached copy of ourselves and exit.
fn spawn_background(args: &[String]) -> CliResult {
    let exe = std::env::current_exe()
        .map_err(|e| Fatal::new(format!("Unable to enter background: {e}")))?;
    std::process::Command::new(exe)
        .args(args)
        .env(BACKGROUND_ENV, "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| Fatal::new(format!("Unable to enter background: {}", strerror(&e))))?;
    Ok(())
}

/// `<base>` if absolute, else `$NUT_PIDPATH/<base>.pid` (default `/run/nut`).
pub(super) fn pid_path(base: &str, pidpath: Option<&str>) -> String {
    if base.starts_with('/') {
        base.to_string()
    } else {
        format!(
            "{}/{base}.pid",
            pidpath.filter(|p| !p.is_empty()).unwrap_or("/run/nut")
        )
    }
}

fn write_pid(base: &str) {
    let path = pid_path(base, std::env::var("NUT_PIDPATH").ok().as_deref());
    if let Err(e) = std::fs::write(&path, format!("{}\n", std::process::id())) {
        eprintln!("writepid: fopen {path}: {}", strerror(&e));
    }
}

struct Logger {
    o: Options,
    ups: String,
    host: String,
    port: u16,
    monhost: String,
    conn: Option<Conn>,
    sink: Sink,
    tokens: Vec<Token>,
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

/// NUT's signal handlers only set flags: HUP asks for a reopen, INT/QUIT/TERM for an exit,
/// USR1 does nothing but cut a sleep short.
fn apply(sig: i32, exit_sig: &mut i32, reopen: &mut bool) {
    match sig {
        1 => *reopen = true,
        2 | 3 | 15 => *exit_sig = sig,
        _ => {}
    }
}

impl Logger {
    async fn run(&mut self) -> CliResult {
        let mut signals = Signals::new()?;
        let interval = Duration::from_secs(self.o.interval.max(0) as u64);
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
                self.sink.reopen()?;
            }
            self.log_line().await;
            loops += 1;
            if self.o.max_loops > 0 && loops >= self.o.max_loops {
                eprintln!("{} loops have elapsed", self.o.max_loops);
                exit_sig = 1;
            }
        }
        eprintln!("Signal {exit_sig}: exiting");
        if let Some(conn) = self.conn.take() {
            conn.disconnect().await;
        }
        Ok(())
    }

    async fn log_line(&mut self) {
        if self.conn.is_none() {
            self.conn = Conn::connect(&self.host, self.port, false).await.ok();
        }
        let mut values = Vec::new();
        for var in queried_vars(&self.tokens) {
            values.push(self.get_var(&var).await);
        }
        let now = now_tm();
        let host = hostname();
        let ctx = LineContext {
            host: &host,
            upshost: &self.monhost,
            pid: std::process::id(),
            now: &now,
        };
        let mut values = values.into_iter();
        let line = render(&self.tokens, &ctx, |_| values.next().flatten());
        self.sink.write_line(&line);
        if self.o.interval > 30 {
            if let Some(conn) = self.conn.take() {
                conn.disconnect().await;
            }
        }
    }

    async fn get_var(&mut self, var: &str) -> Option<String> {
        let conn = self.conn.as_mut()?;
        match conn.get(&["VAR", &self.ups, var]).await {
            Ok(mut words) if words.len() > 3 => Some(words.swap_remove(3)),
            Ok(_) | Err(crate::upserror::UpsError::Server(_)) => None,
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }
}

fn now_tm() -> Tm {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    crate::tools::localtime::localtime(unix)
}

fn hostname() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_paths() {
        assert_eq!(pid_path("/tmp/x.pid", None), "/tmp/x.pid");
        assert_eq!(pid_path("upslog", None), "/run/nut/upslog.pid");
        assert_eq!(pid_path("upslog", Some("/tmp/s")), "/tmp/s/upslog.pid");
    }
}
