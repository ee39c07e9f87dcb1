//! The driver side of the socket: accepts any number of clients on a bound Unix listener,
//! turns their lines into [`ServerMsg`]s for the driver loop, and writes what the loop sends.
//!
//! Hostile or slow clients cannot hurt others: a request line is bounded (an overlong or
//! malformed line is dropped, as NUT drivers drop unknown lines), and each client has a
//! bounded output queue — a client that stops reading is disconnected once its queue is full
//! instead of blocking the driver.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::sock::{ServerMsg, SOCKET_LIMITS};
use nut_proto::text::WordSplitter;

/// Identifies one connected socket client.
pub type ClientId = u64;

/// Messages queued per client before it counts as not reading and is dropped.
pub const CLIENT_QUEUE: usize = 4096;

/// What the socket side reports to the driver loop.
#[derive(Debug)]
pub enum SocketEvent {
    /// A client connected.
    Connected(ClientId),
    /// A client sent a request.
    Request(ClientId, ServerMsg),
    /// A client went away.
    Disconnected(ClientId),
}

struct ClientHandle {
    out: mpsc::Sender<Arc<str>>,
    tasks: [JoinHandle<()>; 2],
}

/// The connected clients, from the driver loop's point of view.
#[derive(Default)]
pub struct Clients {
    map: HashMap<ClientId, ClientHandle>,
}

impl Clients {
    /// Number of connected clients.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when nobody is connected.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Queues `text` (whole lines, newline included) for one client; drops the client if its
    /// queue is full.
    pub fn send_to(&mut self, id: ClientId, text: Arc<str>) {
        let full = match self.map.get(&id) {
            Some(c) => c.out.try_send(text).is_err(),
            None => false,
        };
        if full {
            self.drop_client(id);
        }
    }

    /// Queues `text` for every client, dropping those that do not keep up.
    pub fn broadcast(&mut self, text: &Arc<str>) {
        let slow: Vec<ClientId> = self
            .map
            .iter()
            .filter(|(_, c)| c.out.try_send(Arc::clone(text)).is_err())
            .map(|(&id, _)| id)
            .collect();
        for id in slow {
            self.drop_client(id);
        }
    }

    /// Forgets a client and closes its connection.
    pub fn drop_client(&mut self, id: ClientId) {
        if let Some(c) = self.map.remove(&id) {
            for t in c.tasks {
                t.abort();
            }
        }
    }

    fn add(&mut self, id: ClientId, handle: ClientHandle) {
        self.map.insert(id, handle);
    }
}

impl Drop for Clients {
    fn drop(&mut self) {
        for (_, c) in self.map.drain() {
            for t in c.tasks {
                t.abort();
            }
        }
    }
}

/// Accepts clients forever, registering each in `clients` (through the returned channel's
/// consumer) and reporting events on `events`.
pub struct Acceptor {
    listener: UnixListener,
    next_id: ClientId,
    events: mpsc::Sender<SocketEvent>,
}

impl Acceptor {
    /// Wraps a bound listener; events go to `events`.
    pub fn new(listener: UnixListener, events: mpsc::Sender<SocketEvent>) -> Self {
        Self {
            listener,
            next_id: 1,
            events,
        }
    }

    /// Waits for the next client and starts its reader and writer tasks.
    pub async fn accept(&mut self, clients: &mut Clients) -> std::io::Result<ClientId> {
        let (stream, _) = self.listener.accept().await?;
        let id = self.next_id;
        self.next_id += 1;
        let (rd, wr) = stream.into_split();
        let (out_tx, out_rx) = mpsc::channel(CLIENT_QUEUE);
        let reader = tokio::spawn(read_client(id, rd, self.events.clone()));
        let writer = tokio::spawn(write_client(id, wr, out_rx, self.events.clone()));
        clients.add(
            id,
            ClientHandle {
                out: out_tx,
                tasks: [reader, writer],
            },
        );
        Ok(id)
    }
}

async fn read_client(
    id: ClientId,
    mut rd: tokio::net::unix::OwnedReadHalf,
    events: mpsc::Sender<SocketEvent>,
) {
    let _ = events.send(SocketEvent::Connected(id)).await;
    let mut splitter = WordSplitter::new(SOCKET_LIMITS);
    let mut buf = [0u8; 4096];
    loop {
        let n = match rd.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            let Some(Ok(words)) = splitter.feed(b) else {
                continue;
            };
            if words.is_empty() {
                continue;
            }
            // Unknown or malformed lines get no reply, as NUT drivers do.
            if let Ok(msg) = ServerMsg::from_words(&words) {
                if events.send(SocketEvent::Request(id, msg)).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = events.send(SocketEvent::Disconnected(id)).await;
}

async fn write_client(
    id: ClientId,
    mut wr: tokio::net::unix::OwnedWriteHalf,
    mut out: mpsc::Receiver<Arc<str>>,
    events: mpsc::Sender<SocketEvent>,
) {
    while let Some(text) = out.recv().await {
        if wr.write_all(text.as_bytes()).await.is_err() {
            let _ = events.send(SocketEvent::Disconnected(id)).await;
            return;
        }
    }
}

/// Connects to a driver socket (what upsd and tests do).
pub async fn connect(path: &std::path::Path) -> std::io::Result<UnixStream> {
    UnixStream::connect(path).await
}
