//! The life of a driver process: arguments, setup, background re-exec, then the socket loop
//! with signals, and cleanup.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use nix::sys::signal::Signal as NixSignal;
use tokio::net::UnixListener;
use tokio::signal::unix::{signal, SignalKind};

use super::args::{Args, Signal};
use super::config::Setup;
use super::process::{self, Paths};
use super::{banner, help, list_vars, log, logx, set_debug, set_quiet, Priority, VERSION};
use crate::driver::{Driver, DriverInfo, DriverOption, DriverOptions};
use crate::dstate::DriverState;
use crate::error::DriverError;
use crate::runloop::{self, LoopConfig};
use crate::sock::TrackingResult;

/// How long the background parent waits for its child to be ready (upsdrvctl's default
/// `maxstartdelay`).
const READY_TIMEOUT: Duration = Duration::from_secs(45);

/// Builds a driver from its options; the driver checks them in `init`.
pub trait MakeDriver<D>: Fn(DriverOptions, &Paths) -> D + Send + Sync + 'static {}
impl<D, F: Fn(DriverOptions, &Paths) -> D + Send + Sync + 'static> MakeDriver<D> for F {}

/// Runs a driver program: `argv` is the whole command line (program name first). Returns the
/// process exit status; errors are printed to stderr.
pub fn main<D: Driver + 'static>(argv: Vec<String>, make: impl MakeDriver<D>) -> ExitCode {
    if let Some(argv0) = argv.first() {
        super::set_progname(argv0);
    }
    match try_main(&argv, make) {
        Ok(code) => code,
        Err(e) => {
            log(0, &super::fatal_text(&e));
            ExitCode::FAILURE
        }
    }
}

fn try_main<D: Driver + 'static>(
    argv: &[String],
    make: impl MakeDriver<D>,
) -> Result<ExitCode, DriverError> {
    let paths = Paths::from_env();
    let probe = make(DriverOptions::default(), &paths);
    let (info, known) = (probe.info(), probe.options());
    drop(probe);
    println!("{}", banner(&info));
    let args = Args::parse(argv.iter().skip(1).cloned())?;
    set_debug(args.debug);
    set_quiet(args.quiet)?;
    if args.help || args.version || args.list_vars {
        if args.help {
            print!("{}", help(info.name, &known));
        } else if args.list_vars {
            print!("{}", list_vars(&known));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(sig) = args.signal {
        return send_signal(&args, &paths, info.name, sig);
    }
    let setup = load_setup(&args, &paths, info.name, &known)?;
    set_debug(setup.debug);
    if !args.stays_foreground() && !args.kill_power {
        let pid_file = paths.pid_file(info.name, &setup.ups);
        let pid_file = process::seen_from_outside(&pid_file, setup.chroot.as_deref());
        return background(argv, &pid_file);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DriverError::io("starting the runtime", e))?;
    rt.block_on(run_foreground(args, paths, setup, make))?;
    Ok(ExitCode::SUCCESS)
}

/// Reads `ups.conf` (with `-a`) and builds the [`Setup`].
fn load_setup(
    args: &Args,
    paths: &Paths,
    progname: &str,
    known: &[DriverOption],
) -> Result<Setup, DriverError> {
    if args.section.is_none() {
        return Setup::build(args, None, progname, known);
    }
    let file = paths.conf.join("ups.conf");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| DriverError::io(format!("can't open {}", file.display()), e))?;
    let name = file.display().to_string();
    Setup::build(args, Some((&text, &name)), progname, known)
}

fn send_signal(
    args: &Args,
    paths: &Paths,
    progname: &str,
    sig: Signal,
) -> Result<ExitCode, DriverError> {
    let ups = args.ups_name().ok_or_else(|| {
        DriverError::Config("-c needs -a <id> to find the running instance".into())
    })?;
    let file = process::seen_from_outside(&paths.pid_file(progname, ups), args.chroot.as_deref());
    let nix_sig = match sig {
        Signal::Reload => NixSignal::SIGHUP,
        Signal::Exit => NixSignal::SIGTERM,
    };
    let pid = process::signal_pid_file(&file, nix_sig)?;
    log(1, &format!("Sent {nix_sig} to PID {pid}"));
    Ok(ExitCode::SUCCESS)
}

/// Background mode without fork: run ourselves again with `-FF` in a new process group, and
/// return once the child wrote its PID file (it is serving) or failed.
fn background(argv: &[String], pid_file: &Path) -> Result<ExitCode, DriverError> {
    let exe = std::env::current_exe().map_err(|e| DriverError::io("finding our program", e))?;
    let mut child = Command::new(exe)
        .args(argv.iter().skip(1))
        .arg("-FF")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| DriverError::io("starting the background driver", e))?;
    // Forward the child's messages until we leave; later writes fail quietly.
    if let Some(mut err) = child.stderr.take() {
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::stderr()));
    }
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            // The child said why; its status is ours, as with NUT's fatal exit before forking.
            let code = status
                .code()
                .and_then(|c| u8::try_from(c).ok())
                .unwrap_or(1);
            return Ok(ExitCode::from(code.max(1)));
        }
        if process::read_pid_file(pid_file).ok() == i32::try_from(child.id()).ok() {
            return Ok(ExitCode::SUCCESS);
        }
        if Instant::now() > deadline {
            return Err(DriverError::Timeout("background driver not ready".into()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the driver in this process until SIGTERM/SIGINT/SIGQUIT (or, with `-k`, shuts the
/// load off and returns).
pub async fn run_foreground<D: Driver + 'static>(
    args: Args,
    paths: Paths,
    setup: Setup,
    make: impl MakeDriver<D>,
) -> Result<(), DriverError> {
    // The account is looked up before the chroot hides the user database, as NUT does.
    let account = process::lookup_account(setup.user.as_deref().unwrap_or(process::DEFAULT_USER))?;
    if let Some(dir) = &setup.chroot {
        process::enter_chroot(dir)?;
    }
    if let Some(account) = &account {
        process::drop_privileges(account)?;
    }
    let mut state = DriverState::new();
    state.set_info("device.type", "ups");
    apply_setup(&mut state, &setup);
    let make = Arc::new(make);
    let mut driver = make(setup.options.clone(), &paths);
    let (info, known) = (driver.info(), driver.options());
    // One attempt, as NUT 2.8.0's drivers: `maxretry`/`retrydelay` are upsdrvctl's, which
    // starts the driver again.
    driver.init(&mut state).await?;
    if args.kill_power {
        logx(Priority::Notice, "Initiating UPS shutdown");
        return driver.shutdown(&mut state).await;
    }
    publish_info(&mut state, &info, &setup);
    if driver.update(&mut state).await.is_err() {
        state.data_stale();
    }
    remap_device(&mut state);
    check_ignorelb(&state)?;
    if let Some(count) = args.dump {
        return dump(&mut driver, &mut state, count).await;
    }
    let pid_file = args
        .writes_pid_file()
        .then(|| paths.pid_file(info.name, &setup.ups));
    if let Some(p) = &pid_file {
        process::stop_previous(p, Duration::from_secs(5)).await?;
    }
    // Handlers first: a SIGTERM that arrives once the PID file exists must take the clean
    // exit path (socket and PID file removed), not the default action.
    let reload = Arc::new(AtomicBool::new(false));
    let shutdown = signals(reload.clone())?;
    let sock = paths.socket(info.name, &setup.ups);
    let listener = bind_socket(&sock, setup.group.as_deref())?;
    if let Some(p) = &pid_file {
        process::write_pid_file(p)?;
    }
    log(1, &format!("Listening on socket {}", sock.display()));
    let cfg = LoopConfig {
        poll_interval: Duration::from_secs(setup.poll_interval.into()),
        retry_delay: Duration::from_secs(setup.retry_delay.max(1).into()),
        ..LoopConfig::default()
    };
    let mut supervised = Supervised {
        inner: driver,
        make,
        reread: Box::new(move |paths: &Paths| load_setup(&args, paths, info.name, &known)),
        reload: reload.clone(),
        paths,
    };
    let res = runloop::run(&mut supervised, &mut state, listener, cfg, shutdown).await;
    let _ = std::fs::remove_file(&sock);
    if let Some(p) = &pid_file {
        let _ = std::fs::remove_file(p);
    }
    res
}

fn apply_setup(state: &mut DriverState, setup: &Setup) {
    for (k, v) in &setup.published {
        state.set_driver_option(k, v.as_deref());
    }
    for (var, v) in &setup.defaults {
        state.set_default(var, v);
    }
    for (var, v) in &setup.overrides {
        state.set_override(var, v);
    }
}

fn publish_info(state: &mut DriverState, info: &DriverInfo, setup: &Setup) {
    state.set_info("driver.version", VERSION);
    state.set_info("driver.version.internal", info.version);
    state.set_info("driver.name", info.name);
    state.set_info(
        "driver.parameter.pollinterval",
        setup.poll_interval.to_string(),
    );
    state.set_info("driver.parameter.synchronous", setup.synchronous.as_str());
}

/// NUT mirrors `ups.mfr`/`model`/`serial` to `device.*` once, after the first update.
fn remap_device(state: &mut DriverState) {
    for what in ["mfr", "model", "serial"] {
        if let Some(v) = state.get(&format!("ups.{what}")).map(str::to_owned) {
            state.set_info(&format!("device.{what}"), v);
        }
    }
}

/// With the `ignorelb` flag the low-battery state is computed from thresholds; NUT refuses
/// to run when the first update gave none.
fn check_ignorelb(state: &DriverState) -> Result<(), DriverError> {
    if state.get("driver.flag.ignorelb").is_none() {
        return Ok(());
    }
    let mut methods = 0;
    for what in ["charge", "runtime"] {
        let (value, low) = (format!("battery.{what}"), format!("battery.{what}.low"));
        if state.get(&value).is_some() && state.get(&low).is_some() {
            logx(
                Priority::Info,
                &format!("using '{value}' to set battery low state"),
            );
            methods += 1;
        }
    }
    if methods == 0 {
        return Err(DriverError::Config(
            "The 'ignorelb' flag is set, but there is no way to determine the\n\
             battery state of charge.\n\n\
             Only set this flag if both 'battery.charge' and 'battery.charge.low'\n\
             and/or 'battery.runtime' and 'battery.runtime.low' are available.\n"
                .into(),
        ));
    }
    Ok(())
}

async fn dump<D: Driver + ?Sized>(
    driver: &mut D,
    state: &mut DriverState,
    count: u32,
) -> Result<(), DriverError> {
    for _ in 1..count {
        driver.update(state).await?;
    }
    for v in state.tree().vars() {
        println!("{}: {}", v.name, v.value);
    }
    Ok(())
}

/// Binds the socket: a stale file is removed, a live one means another instance runs.
fn bind_socket(path: &Path, group: Option<&str>) -> Result<UnixListener, DriverError> {
    use std::os::unix::fs::PermissionsExt;
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(DriverError::Config(format!(
                "another driver instance is serving {}",
                path.display()
            )));
        }
        let _ = std::fs::remove_file(path);
    }
    let what = || format!("creating socket {}", path.display());
    let listener = UnixListener::bind(path).map_err(|e| DriverError::io(what(), e))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .map_err(|e| DriverError::io(what(), e))?;
    if let Some(g) = group {
        if let Err(e) = process::socket_group(path, g) {
            logx(Priority::Warning, &format!("WARNING: socket group: {e}"));
        }
    }
    Ok(listener)
}

/// Resolves on SIGTERM, SIGINT or SIGQUIT; SIGHUP sets the reload flag.
fn signals(reload: Arc<AtomicBool>) -> Result<impl std::future::Future<Output = ()>, DriverError> {
    let sig = |k: SignalKind| signal(k).map_err(|e| DriverError::io("installing signals", e));
    let (mut term, mut int, mut quit, mut hup) = (
        sig(SignalKind::terminate())?,
        sig(SignalKind::interrupt())?,
        sig(SignalKind::quit())?,
        sig(SignalKind::hangup())?,
    );
    Ok(async move {
        loop {
            let name = tokio::select! {
                _ = term.recv() => "TERM",
                _ = int.recv() => "INT",
                _ = quit.recv() => "QUIT",
                _ = hup.recv() => {
                    log(1, "SIGHUP: reloading at the next poll");
                    reload.store(true, Ordering::SeqCst);
                    continue;
                }
            };
            logx(Priority::Info, &format!("Signal SIG{name}: exiting"));
            return;
        }
    })
}

type Reread = Box<dyn Fn(&Paths) -> Result<Setup, DriverError> + Send + Sync>;

/// Wraps the driver so a SIGHUP rebuilds it from a fresh `ups.conf` at the next poll.
struct Supervised<D, M> {
    inner: D,
    make: Arc<M>,
    reread: Reread,
    reload: Arc<AtomicBool>,
    paths: Paths,
}

impl<D: Driver, M: MakeDriver<D>> Supervised<D, M> {
    /// Rebuilds the driver from a fresh `ups.conf`: it initialises and polls into a scratch
    /// state, and the live state is then brought to match it, so variables the new setup no
    /// longer publishes are deleted (DELINFO) rather than left behind. Returns true when the
    /// new driver took over (its poll for this cycle is done).
    async fn reload_now(&mut self, state: &mut DriverState) -> bool {
        let setup = match (self.reread)(&self.paths) {
            Ok(s) => s,
            Err(e) => {
                logx(
                    Priority::Warning,
                    &format!("reload: {e}; keeping the old settings"),
                );
                return false;
            }
        };
        let mut fresh = (self.make)(setup.options.clone(), &self.paths);
        let mut scratch = DriverState::new();
        scratch.set_info("device.type", "ups");
        apply_setup(&mut scratch, &setup);
        if let Err(e) = fresh.init(&mut scratch).await {
            logx(
                Priority::Warning,
                &format!("reload: {e}; keeping the old driver"),
            );
            return false;
        }
        publish_info(&mut scratch, &fresh.info(), &setup);
        if fresh.update(&mut scratch).await.is_err() {
            scratch.data_stale();
        }
        remap_device(&mut scratch);
        state.sync_to(&scratch);
        self.inner = fresh;
        logx(Priority::Info, "reloaded ups.conf");
        true
    }
}

#[async_trait]
impl<D: Driver, M: MakeDriver<D>> Driver for Supervised<D, M> {
    fn info(&self) -> DriverInfo {
        self.inner.info()
    }

    async fn init(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        self.inner.init(state).await
    }

    async fn update(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        if self.reload.swap(false, Ordering::SeqCst) && self.reload_now(state).await {
            return Ok(());
        }
        self.inner.update(state).await
    }

    async fn shutdown(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        self.inner.shutdown(state).await
    }

    async fn instcmd(&mut self, s: &mut DriverState, cmd: &str, p: Option<&str>) -> TrackingResult {
        self.inner.instcmd(s, cmd, p).await
    }

    async fn set_var(&mut self, s: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        self.inner.set_var(s, var, value).await
    }
}
