//! Where a UPS's data comes from: the [`Backend`] trait and the [`UpsLink`] a backend uses to
//! publish into the served state.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use async_trait::async_trait;
use nut_driver_core::sock::{DriverMsg, ServerMsg};
use tokio::sync::mpsc;

use super::log::Logger;
use crate::{ServerState, UpsDef};
use nut_proto::ErrorCode;

/// The served state shared by every task: connections answer most requests under a read
/// lock, so several workers serve clients at once; driver lines and state-changing requests
/// take the write lock.
pub(crate) type SharedState = Arc<RwLock<ServerState>>;

/// Locks the state for reading; a panic in another holder does not make the data unusable.
pub(crate) fn read(state: &SharedState) -> RwLockReadGuard<'_, ServerState> {
    state
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Locks the state for changing it; a panic in another holder does not make the data
/// unusable.
pub(crate) fn write(state: &SharedState) -> RwLockWriteGuard<'_, ServerState> {
    state
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The current time, as the sans-IO core takes it (follows tokio's paused clock in tests).
pub(crate) fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// A source of UPS data and the target of `SET`/`INSTCMD`.
///
/// The server calls [`run`](Self::run) once per UPS of `ups.conf`, in its own task, and aborts
/// that task when the UPS is removed by a reload. `run` should never return while the UPS is
/// configured: it reconnects or retries forever.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// Serves one UPS: publishes its data through `link` and executes the commands that
    /// arrive on it.
    async fn run(&self, ups: UpsDef, link: UpsLink);
}

/// One UPS's connection to the served state, handed to [`Backend::run`].
///
/// Every method takes the state lock briefly and never across an `await`.
#[derive(Debug)]
pub struct UpsLink {
    name: String,
    state: SharedState,
    commands: mpsc::Receiver<ServerMsg>,
    log: Logger,
    /// Known stale (upsd's `ups->stale`): transitions are logged once.
    stale: AtomicBool,
}

impl UpsLink {
    pub(crate) fn new(
        name: String,
        state: SharedState,
        commands: mpsc::Receiver<ServerMsg>,
        log: Logger,
    ) -> Self {
        Self {
            name,
            state,
            commands,
            log,
            stale: AtomicBool::new(false),
        }
    }

    /// The UPS name (as in `ups.conf`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server's logger.
    pub fn logger(&self) -> &Logger {
        &self.log
    }

    /// The data source is (re)connected: the old data is cleared and `ups.status` reads
    /// `WAIT` until the dump ends with `DUMPDONE`.
    pub fn connected(&self) {
        write(&self.state).driver_connected(&self.name, now());
    }

    /// Publishes one driver message (`SETINFO`, `DUMPDONE`, `PONG`, `TRACKING`, ...).
    pub fn msg(&self, msg: &DriverMsg) {
        write(&self.state).driver_msg(&self.name, msg, now());
    }

    /// Publishes several messages under one lock.
    pub fn msgs<'a>(&self, msgs: impl IntoIterator<Item = &'a DriverMsg>) {
        let now = now();
        let mut state = write(&self.state);
        for msg in msgs {
            state.driver_msg(&self.name, msg, now);
        }
    }

    /// The data source is gone: clients get `DRIVER-NOT-CONNECTED` until it is back.
    pub fn lost(&self) {
        write(&self.state).driver_lost(&self.name);
    }

    /// The driver could not be reached: true when upsd would say so now (at most every 5
    /// minutes per UPS, [`crate::state::CONNFAIL_INTERVAL`]).
    pub fn unreachable(&self) -> bool {
        write(&self.state).driver_unreachable(&self.name, now())
    }

    /// True when nothing was heard for MAXAGE/3 and no `PING` went out since.
    pub fn ping_due(&self) -> bool {
        read(&self.state).ping_due(&self.name, now())
    }

    /// Logs, as upsd does, when the connected source's data turns stale (`DATASTALE`, or
    /// nothing heard for MAXAGE) and when it is fresh again; call it every second or so.
    /// Nothing is logged while the source is disconnected.
    pub fn check_stale(&self) {
        let verdict = {
            let state = read(&self.state);
            let maxage = state.config().maxage;
            state.ups(&self.name).map(|u| u.available(now(), maxage))
        };
        let stale = match verdict {
            Some(Ok(())) => false,
            Some(Err(ErrorCode::DataStale)) => true,
            _ => return,
        };
        if self.stale.swap(stale, Ordering::Relaxed) == stale {
            return;
        }
        // upsd logs both at LOG_NOTICE, between our warning and info.
        if stale {
            let msg = format!("Data for UPS [{}] is stale - check driver", self.name);
            self.log.warn(&msg);
        } else {
            let msg = format!("UPS [{}] data is no longer stale", self.name);
            self.log.info(&msg);
        }
    }

    /// Records that a `PING` was sent.
    pub fn ping_sent(&self) {
        write(&self.state).ping_sent(&self.name, now());
    }

    /// The next `SET`/`INSTCMD` a client asked for; `None` once the server is gone.
    pub async fn next_command(&mut self) -> Option<ServerMsg> {
        self.commands.recv().await
    }
}
