//! The accept loop, the connection cap, driver links and reloads.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use nut_driver_core::sock::ServerMsg;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::backend::{now, write, Backend, SharedState, UpsLink};
use super::connection::{self, ConnCtx};
use super::driver_link::DriverSockets;
use super::error::NetError;
use super::log::Logger;
use crate::{ConnId, ReloadReport, ServedConfig, ServerError, ServerState, UpsDef};

/// Commands queued per UPS link before new ones are refused (a driver that hangs).
const LINK_QUEUE: usize = 256;
/// How long `serve` waits for clients to finish after shutdown.
const DRAIN: Duration = Duration::from_secs(5);

/// How the server runs.
#[derive(Clone)]
pub struct ServerOptions {
    /// Most clients served at once; extra ones are logged and disconnected at once.
    pub maxconn: usize,
    /// A client is closed after this long without a complete request line (upsd: 60 s).
    pub idle_timeout: Duration,
    /// The STARTTLS acceptor (`CERTFILE` configured); `None` answers
    /// `ERR FEATURE-NOT-CONFIGURED`.
    pub tls: Option<TlsAcceptor>,
    /// Refuse `USERNAME`/`PASSWORD`/`LOGIN` over plaintext.
    pub tls_required_for_auth: bool,
    /// Where each UPS's data comes from.
    pub backend: Arc<dyn Backend>,
    /// Where log lines go.
    pub log: Logger,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("maxconn", &self.maxconn)
            .field("idle_timeout", &self.idle_timeout)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl ServerOptions {
    /// Defaults: drivers' sockets in `statepath`, 1024 clients, 60 s idle timeout, no TLS,
    /// no logging.
    pub fn new(statepath: impl Into<PathBuf>) -> Self {
        Self::with_backend(DriverSockets::new(statepath))
    }

    /// Defaults with another data source (e.g. [`InProcess`](super::InProcess)).
    pub fn with_backend(backend: impl Backend) -> Self {
        Self {
            maxconn: 1024,
            idle_timeout: Duration::from_secs(60),
            tls: None,
            tls_required_for_auth: false,
            backend: Arc::new(backend),
            log: Logger::discard(),
        }
    }
}

struct Link {
    driver: String,
    port: String,
    commands: mpsc::Sender<ServerMsg>,
    task: JoinHandle<()>,
}

/// State shared by the server, its handles and every task.
pub(crate) struct Inner {
    pub(crate) state: SharedState,
    pub(crate) log: Logger,
    backend: Arc<dyn Backend>,
    links: Mutex<HashMap<String, Link>>,
    running: AtomicBool,
    next_conn: AtomicU64,
    clients: AtomicU64,
    /// Connections to close (clients of a UPS removed by a reload), each taken by its own
    /// connection when `kick` ticks.
    kicked: Mutex<HashSet<ConnId>>,
    kick: watch::Sender<u64>,
}

impl Inner {
    pub(crate) fn next_conn_id(&self) -> ConnId {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Ticks each time connections were picked to be closed ([`Self::take_kick`]).
    pub(crate) fn kicks(&self) -> watch::Receiver<u64> {
        self.kick.subscribe()
    }

    /// Whether connection `id` was picked to be closed (once).
    pub(crate) fn take_kick(&self, id: ConnId) -> bool {
        let mut kicked = self.kicked.lock().unwrap_or_else(PoisonError::into_inner);
        kicked.remove(&id)
    }

    /// Closes these connections (upsd's `kick_login_clients`).
    fn kick_out(&self, ids: impl IntoIterator<Item = ConnId>) {
        let mut kicked = self.kicked.lock().unwrap_or_else(PoisonError::into_inner);
        kicked.extend(ids);
        drop(kicked);
        self.kick.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Queues a `SET`/`INSTCMD` for a UPS's backend.
    pub(crate) fn send_to_driver(&self, ups: &str, msg: ServerMsg) {
        let links = self.links_lock();
        let sent = links
            .get(&ups.to_ascii_lowercase())
            .map(|l| l.commands.try_send(msg).is_ok());
        if sent != Some(true) {
            self.log.warn(&format!(
                "UPS [{ups}]: driver not reachable, command dropped"
            ));
        }
    }

    fn links_lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Link>> {
        self.links.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a link for every configured UPS without one, restarts links whose driver or
    /// port changed, and stops links of UPSes no longer configured.
    fn sync_links(self: &Arc<Self>) {
        let defs = write(&self.state).ups_defs();
        let mut links = self.links_lock();
        let wanted: HashMap<String, UpsDef> = defs
            .into_iter()
            .map(|d| (d.name.to_ascii_lowercase(), d))
            .collect();
        links.retain(|key, link| {
            let keep = wanted
                .get(key)
                .is_some_and(|d| d.driver == link.driver && d.port == link.port);
            if !keep {
                link.task.abort();
            }
            keep
        });
        for (key, def) in wanted {
            links.entry(key).or_insert_with(|| self.start_link(def));
        }
    }

    fn start_link(self: &Arc<Self>, def: UpsDef) -> Link {
        let (tx, rx) = mpsc::channel(LINK_QUEUE);
        let link = UpsLink::new(def.name.clone(), self.state.clone(), rx, self.log.clone());
        let backend = self.backend.clone();
        let (driver, port) = (def.driver.clone(), def.port.clone());
        let task = tokio::spawn(async move { backend.run(def, link).await });
        Link {
            driver,
            port,
            commands: tx,
            task,
        }
    }

    fn stop_links(&self) {
        for (_, link) in self.links_lock().drain() {
            link.task.abort();
        }
    }
}

/// The NUT data server: [`Server::serve`] runs it on bound listeners.
pub struct Server {
    inner: Arc<Inner>,
    opts: ServerOptions,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("opts", &self.opts).finish()
    }
}

/// Controls a running server from elsewhere (a signal handler, a test).
#[derive(Clone)]
pub struct ServerHandle {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerHandle")
    }
}

impl ServerHandle {
    /// Applies new users and `ups.conf` without dropping other clients: a new UPS gets a
    /// link, a removed one loses it and the clients logged in to it are disconnected (as
    /// upsd's `kick_login_clients`), a changed driver or port reconnects. Logs nothing; the
    /// report says what upsd logs ([`super::reload`]). (LISTEN changes need a restart.)
    pub fn reload(&self, cfg: ServedConfig) -> ReloadReport {
        let report = write(&self.inner.state).reload(cfg);
        let kick: Vec<ConnId> = (report.deleted.iter())
            .flat_map(|(_, logins)| logins.iter().map(|l| l.conn))
            .collect();
        if !kick.is_empty() {
            self.inner.kick_out(kick);
        }
        if self.inner.running.load(Ordering::SeqCst) {
            self.inner.sync_links();
        }
        report
    }

    /// Runs `f` on the served state under its lock (for inspection and tests).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut ServerState) -> R) -> R {
        f(&mut write(&self.inner.state))
    }

    /// Clients connected right now.
    pub fn clients(&self) -> u64 {
        self.inner.clients.load(Ordering::Relaxed)
    }
}

impl Server {
    /// A server for `state`; nothing runs until [`serve`](Self::serve).
    pub fn new(state: ServerState, opts: ServerOptions) -> Self {
        let inner = Arc::new(Inner {
            state: Arc::new(RwLock::new(state)),
            log: opts.log.clone(),
            backend: opts.backend.clone(),
            links: Mutex::default(),
            running: AtomicBool::new(false),
            next_conn: AtomicU64::new(1),
            clients: AtomicU64::new(0),
            kicked: Mutex::new(HashSet::new()),
            kick: watch::Sender::new(0),
        });
        Self { inner, opts }
    }

    /// A handle to reload or inspect the server while it runs.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            inner: self.inner.clone(),
        }
    }

    /// Serves clients on `listeners` and links every UPS to its backend until `shutdown`
    /// resolves; then stops accepting, closes clients and returns.
    pub async fn serve(
        self,
        listeners: Vec<TcpListener>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), ServerError> {
        if listeners.is_empty() {
            return Err(NetError::NoListener.into());
        }
        self.inner.running.store(true, Ordering::SeqCst);
        self.inner.sync_links();
        let housekeeping = tokio::spawn(housekeeping(self.inner.state.clone()));
        let (stop_tx, stop_rx) = watch::channel(false);
        let limit = Arc::new(Semaphore::new(self.opts.maxconn));
        let ctx = Arc::new(ConnCtx {
            inner: self.inner.clone(),
            idle: self.opts.idle_timeout,
            tls: self.opts.tls.clone(),
            tls_required: self.opts.tls_required_for_auth,
        });
        let mut accepts = JoinSet::new();
        for listener in listeners {
            let acc = Acceptor {
                ctx: ctx.clone(),
                limit: limit.clone(),
                stop: stop_rx.clone(),
                maxconn: self.opts.maxconn,
            };
            accepts.spawn(acc.run(listener));
        }
        shutdown.await;
        accepts.abort_all();
        let _ = stop_tx.send(true);
        let all = u32::try_from(self.opts.maxconn).unwrap_or(u32::MAX);
        let _ = tokio::time::timeout(DRAIN, limit.acquire_many(all)).await;
        self.inner.running.store(false, Ordering::SeqCst);
        self.inner.stop_links();
        housekeeping.abort();
        Ok(())
    }
}

/// Expires old TRACKING results once a second.
async fn housekeeping(state: SharedState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        write(&state).tracking_expire(now());
    }
}

struct Acceptor {
    ctx: Arc<ConnCtx>,
    limit: Arc<Semaphore>,
    stop: watch::Receiver<bool>,
    maxconn: usize,
}

impl Acceptor {
    async fn run(self, listener: TcpListener) {
        let mut last_refusal_log: Option<tokio::time::Instant> = None;
        loop {
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    self.ctx.inner.log.warn(&format!("accept: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(permit) = self.limit.clone().try_acquire_owned() else {
                self.refuse(peer, &mut last_refusal_log);
                drop(stream);
                continue;
            };
            let ctx = self.ctx.clone();
            let stop = self.stop.clone();
            ctx.inner.clients.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let inner = ctx.inner.clone();
                connection::serve(stream, peer, ctx, stop, permit).await;
                inner.clients.fetch_sub(1, Ordering::Relaxed);
            });
        }
    }

    /// Logs a refusal at most once a second (a flood must not flood the log).
    fn refuse(&self, peer: SocketAddr, last: &mut Option<tokio::time::Instant>) {
        let now = tokio::time::Instant::now();
        let due = match *last {
            Some(t) => now.duration_since(t) >= Duration::from_secs(1),
            None => true,
        };
        if due {
            *last = Some(now);
            self.ctx.inner.log.warn(&format!(
                "MAXCONN ({}) reached: refusing connection from {}",
                self.maxconn,
                peer.ip().to_canonical()
            ));
        }
    }
}
