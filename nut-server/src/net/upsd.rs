//! upsd's life after its command line: privileges, configuration, listeners, signals, the
//! PID file and the serving loop, as the `upsd` binary runs it.
//!
//! [`run`] chroots and drops privileges as asked, loads and binds with
//! [`daemon::prepare`], installs the SIGHUP (reload) and SIGTERM/SIGINT (stop) handlers
//! before writing the PID file (so an early SIGTERM still takes the clean exit), serves until
//! stopped, removes the PID file and logs `Signal N: exiting` as upsd does.

use std::cell::Cell;
use std::path::PathBuf;

use tokio::signal::unix::{signal, SignalKind};

use super::daemon::{self, Family, NutPaths};
use super::{os, Logger, NetError};
use crate::ServerError;

/// What the command line decided about running.
#[derive(Debug, Clone, Default)]
pub struct UpsdRun {
    /// Debug level (the number of `-D`).
    pub debug: u8,
    /// `-u`: the account to switch to after binding.
    pub user: Option<String>,
    /// `-r`: the directory to chroot into before reading the configuration.
    pub root: Option<PathBuf>,
    /// `-4`/`-6`.
    pub family: Family,
    /// Where the PID file goes, if one is written.
    pub pidfile: Option<PathBuf>,
}

/// Runs upsd with `paths` until SIGTERM or SIGINT; logs on stderr at `how.debug`.
pub fn run(how: &UpsdRun, paths: &NutPaths) -> Result<(), ServerError> {
    let log = Logger::stderr_level(how.debug);
    let user = how.user.as_deref().map(os::lookup_user).transpose()?;
    if let Some(dir) = &how.root {
        os::chroot_to(dir)?;
    }
    let rt = os::runtime().map_err(|e| NetError::io("tokio runtime", e))?;
    let (loaded, listeners) = rt.block_on(daemon::prepare(&paths.confpath, how.family, &log))?;
    if let Some(u) = &user {
        os::become_user(u)?;
    }
    let server = daemon::build(&loaded, paths, os::raise_nofile_limit(), log.clone())?;
    // Handlers first: a SIGTERM sent as soon as the PID file exists takes the clean exit
    // path (PID file removed), not the default action.
    let _context = rt.enter();
    let on = |kind| signal(kind).map_err(|e| NetError::io("signal handlers", e));
    let (mut hup, mut term) = (on(SignalKind::hangup())?, on(SignalKind::terminate())?);
    let mut int = on(SignalKind::interrupt())?;
    if let Some(p) = &how.pidfile {
        daemon::write_pidfile(p)?;
    }
    daemon::announce(&log, how.debug, how.pidfile.is_some());
    let (exit_log, signo) = (log.clone(), Cell::new(15));
    let caught = &signo;
    let (handle, confpath, mut current) = (server.handle(), paths.confpath.clone(), loaded.upsd);
    let result = rt.block_on(async move {
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                super::reload::reload(&handle, &confpath, &mut current, &log);
            }
        });
        let stop = async {
            tokio::select! { _ = term.recv() => {}, _ = int.recv() => caught.set(2) }
        };
        server.serve(listeners, stop).await
    });
    if let Some(p) = &how.pidfile {
        let _ = std::fs::remove_file(p);
    }
    result?;
    exit_log.info(&format!("Signal {}: exiting", signo.get()));
    Ok(())
}
