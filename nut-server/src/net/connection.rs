//! One client connection: bytes in, words to the [`Session`], replies out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use nut_proto::text::{Limits, WordSplitter};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio::time::{timeout, timeout_at, Instant};
use tokio_rustls::TlsAcceptor;

use super::backend::{lock, now};
use super::server::Inner;
use crate::{Session, TlsPolicy};

/// Bytes read per `read()`: requests are short, and 10,000 idle clients must stay small.
const READ_CHUNK: usize = 1024;
/// Pending reply bytes after which the connection writes before reading on (bounds memory
/// for a client that pipelines many requests without reading).
const OUT_FLUSH: usize = 64 * 1024;

/// What every connection shares.
pub(crate) struct ConnCtx {
    pub(crate) inner: Arc<Inner>,
    pub(crate) idle: Duration,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) tls_required: bool,
}

enum Outcome {
    Closed,
    StartTls,
}

struct Conn {
    session: Session,
    splitter: WordSplitter,
    ctx: Arc<ConnCtx>,
    stop: watch::Receiver<bool>,
    out: String,
}

/// Serves one accepted client until it leaves, idles out or the server stops.
pub(crate) async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    ctx: Arc<ConnCtx>,
    stop: watch::Receiver<bool>,
    permit: OwnedSemaphorePermit,
) {
    let _ = stream.set_nodelay(true);
    let id = ctx.inner.next_conn_id();
    let addr = peer.ip().to_canonical().to_string();
    let log = ctx.inner.log.clone();
    log.debug(&format!("Connect from {addr}"));
    let policy = TlsPolicy {
        available: ctx.tls.is_some(),
        require_for_auth: ctx.tls_required,
    };
    let mut conn = Conn {
        session: Session::new(id, addr.clone(), policy),
        splitter: WordSplitter::new(Limits::NETWORK),
        ctx,
        stop,
        out: String::new(),
    };
    let mut stream = stream;
    if let Outcome::StartTls = conn.run(&mut stream).await {
        conn.upgrade(stream).await;
    } else {
        let _ = stream.shutdown().await;
    }
    conn.session.closed(&mut lock(&conn.ctx.inner.state));
    log.debug(&format!("Disconnect from {addr}"));
    drop(permit);
}

impl Conn {
    /// The TLS handshake after `OK STARTTLS`, then the same loop over the encrypted stream.
    async fn upgrade(&mut self, stream: TcpStream) {
        let Some(acceptor) = self.ctx.tls.clone() else {
            return;
        };
        match timeout(self.ctx.idle, acceptor.accept(stream)).await {
            Ok(Ok(mut tls)) => {
                self.session.tls_started();
                self.splitter = WordSplitter::new(Limits::NETWORK);
                self.run(&mut tls).await;
                let _ = timeout(Duration::from_secs(1), tls.shutdown()).await;
            }
            Ok(Err(e)) => self
                .ctx
                .inner
                .log
                .info(&format!("TLS handshake failed: {e}")),
            Err(_) => self.ctx.inner.log.info("TLS handshake timed out"),
        }
    }

    async fn run<S: AsyncRead + AsyncWrite + Unpin>(&mut self, io: &mut S) -> Outcome {
        let mut buf = [0u8; READ_CHUNK];
        let mut deadline = Instant::now() + self.ctx.idle;
        loop {
            let read = tokio::select! {
                r = timeout_at(deadline, io.read(&mut buf)) => r,
                _ = self.stop.changed() => return Outcome::Closed,
            };
            let n = match read {
                Ok(Ok(0)) | Ok(Err(_)) => return Outcome::Closed,
                Ok(Ok(n)) => n,
                Err(_) => {
                    self.ctx
                        .inner
                        .log
                        .debug("Closing idle client (60 s without a request)");
                    return Outcome::Closed;
                }
            };
            let step = self.process(&buf[..n], io, &mut deadline).await;
            if let Some(outcome) = step {
                return outcome;
            }
        }
    }

    /// Handles every complete line of one read; replies go out in one write at the end (or
    /// earlier when they pile up). `Some` ends the loop.
    async fn process<S: AsyncWrite + Unpin>(
        &mut self,
        bytes: &[u8],
        io: &mut S,
        deadline: &mut Instant,
    ) -> Option<Outcome> {
        let mut closing = false;
        for &b in bytes {
            let Some(words) = self.splitter.feed(b) else {
                continue;
            };
            *deadline = Instant::now() + self.ctx.idle;
            let reply = {
                let mut state = lock(&self.ctx.inner.state);
                self.session.handle(words, &mut state, now())
            };
            self.out.push_str(&reply.text);
            for (ups, msg) in reply.to_driver {
                self.ctx.inner.send_to_driver(&ups, msg);
            }
            if reply.start_tls {
                // Whatever followed STARTTLS in this read belongs to the handshake.
                return Some(match self.flush(io).await {
                    true => Outcome::StartTls,
                    false => Outcome::Closed,
                });
            }
            // LOGOUT closes, unless another command follows in the same read (as upsd).
            closing = reply.close;
            if self.out.len() >= OUT_FLUSH && !self.flush(io).await {
                return Some(Outcome::Closed);
            }
        }
        if !self.flush(io).await || closing {
            return Some(Outcome::Closed);
        }
        None
    }

    /// Writes the pending replies in one write; false if the client is gone or has not read
    /// for the idle timeout.
    async fn flush<S: AsyncWrite + Unpin>(&mut self, io: &mut S) -> bool {
        if self.out.is_empty() {
            return true;
        }
        let write = async {
            io.write_all(self.out.as_bytes()).await?;
            io.flush().await
        };
        let ok = matches!(timeout(self.ctx.idle, write).await, Ok(Ok(())));
        self.out.clear();
        if self.out.capacity() > OUT_FLUSH {
            self.out = String::new();
        }
        ok
    }
}
