//! The driver main loop: polls the device, serves the socket, retries a lost device.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

use crate::driver::Driver;
use crate::dstate::DriverState;
use crate::error::DriverError;
use crate::sock::{DriverMsg, ServerMsg};
use crate::sockserver::{Acceptor, ClientId, Clients, SocketEvent};

/// Timing of the driver loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopConfig {
    /// Time between two polls (`pollinterval`, NUT's default 2 s).
    pub poll_interval: Duration,
    /// First delay before re-initialising a lost device (`retrydelay`, default 5 s).
    pub retry_delay: Duration,
    /// Longest delay between re-initialisation attempts.
    pub max_backoff: Duration,
}

impl Default for LoopConfig {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(2),
            retry_delay: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
        }
    }
}

fn lines(msgs: &[DriverMsg]) -> Arc<str> {
    let mut s = String::new();
    for m in msgs {
        s.push_str(&m.to_string());
        s.push('\n');
    }
    s.into()
}

/// Runs a driver whose `init` already succeeded: serves `listener` and polls until `shutdown`
/// resolves. A failed poll marks the data stale and the device is re-initialised with
/// exponential backoff until it answers again.
pub async fn run<D: Driver + ?Sized>(
    driver: &mut D,
    state: &mut DriverState,
    listener: UnixListener,
    cfg: LoopConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<(), DriverError> {
    // Nobody is connected yet: whoever connects asks for DUMPALL.
    state.take_updates();
    let (ev_tx, mut ev_rx) = mpsc::channel(1024);
    let mut acceptor = Acceptor::new(listener, ev_tx);
    let mut clients = Clients::default();
    let mut next_poll = Instant::now();
    let mut backoff: Option<Duration> = None;
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return Ok(()),
            res = acceptor.accept(&mut clients) => {
                if let Err(e) = res {
                    return Err(DriverError::io("accepting socket client", e));
                }
                say_async_mode(state);
            }
            Some(ev) = ev_rx.recv() => handle_event(driver, state, &mut clients, ev).await,
            () = sleep_until(next_poll) => {
                let wait = poll_once(driver, state, &mut backoff, &cfg).await;
                next_poll = Instant::now() + wait;
            }
        }
        let updates = state.take_updates();
        if !updates.is_empty() {
            clients.broadcast(&lines(&updates));
        }
    }
}

/// What a NUT 2.8.0 driver prints for every client of its socket unless `synchronous = yes`.
fn say_async_mode(state: &DriverState) {
    let mode = match state.get("driver.parameter.synchronous") {
        Some("yes") => return,
        Some("no") => "fixed",
        _ => "auto",
    };
    crate::cli::log(
        0,
        &format!("sock_connect: enabling asynchronous mode ({mode})"),
    );
}

/// One poll (or one re-initialisation attempt while the device is lost); returns the delay
/// before the next.
async fn poll_once<D: Driver + ?Sized>(
    driver: &mut D,
    state: &mut DriverState,
    backoff: &mut Option<Duration>,
    cfg: &LoopConfig,
) -> Duration {
    let res = match backoff {
        None => driver.update(state).await,
        Some(_) => match driver.init(state).await {
            Ok(()) => driver.update(state).await,
            Err(e) => Err(e),
        },
    };
    match res {
        Ok(()) => {
            *backoff = None;
            cfg.poll_interval
        }
        Err(_) => {
            state.data_stale();
            let next = match *backoff {
                None => cfg.retry_delay,
                Some(d) => (d * 2).min(cfg.max_backoff),
            };
            *backoff = Some(next);
            next
        }
    }
}

async fn handle_event<D: Driver + ?Sized>(
    driver: &mut D,
    state: &mut DriverState,
    clients: &mut Clients,
    ev: SocketEvent,
) {
    let (id, msg) = match ev {
        SocketEvent::Connected(_) => return,
        SocketEvent::Disconnected(id) => return clients.drop_client(id),
        SocketEvent::Request(id, msg) => (id, msg),
    };
    match msg {
        ServerMsg::DumpAll => {
            // Announce pending changes first, so the dump is the latest word.
            let pending = state.take_updates();
            if !pending.is_empty() {
                clients.broadcast(&lines(&pending));
            }
            clients.send_to(id, lines(&state.dump()));
        }
        ServerMsg::Ping => clients.send_to(id, "PONG\n".into()),
        ServerMsg::Set {
            var,
            value,
            tracking,
        } => {
            let res = driver.set_var(state, &var, &value).await;
            reply_tracking(state, clients, id, tracking, res);
        }
        ServerMsg::InstCmd {
            cmd,
            param,
            tracking,
        } => {
            let res = driver.instcmd(state, &cmd, param.as_deref()).await;
            reply_tracking(state, clients, id, tracking, res);
        }
        ServerMsg::Logout => clients.drop_client(id),
        // Newer NUT commands that 2.8.0 drivers ignore silently; so do we.
        _ => {}
    }
}

fn reply_tracking(
    state: &mut DriverState,
    clients: &mut Clients,
    id: ClientId,
    tracking: Option<String>,
    result: crate::sock::TrackingResult,
) {
    // The change a SET caused is broadcast before the TRACKING reply, as NUT does.
    let updates = state.take_updates();
    if !updates.is_empty() {
        clients.broadcast(&lines(&updates));
    }
    if let Some(tid) = tracking {
        let msg = DriverMsg::Tracking { id: tid, result };
        clients.send_to(id, lines(&[msg]));
    }
}

/// The canonical path of a driver socket: `<statepath>/<driver>-<ups>`.
pub fn socket_path(state_path: &std::path::Path, driver: &str, ups: &str) -> std::path::PathBuf {
    state_path.join(format!("{driver}-{ups}"))
}
