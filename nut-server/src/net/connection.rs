//! One client connection: bytes in, words to the [`Session`], replies out.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use nut_proto::text::{split_plain_line, Limits, WordSplitter};
use nut_proto::ParseError;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit};
use tokio::time::{sleep_until, timeout, Instant, Sleep};
use tokio_rustls::TlsAcceptor;

use super::backend::{read, write};
use super::server::Inner;
use crate::{Reply, Session, TlsPolicy};

/// Bytes read per `read()`: upsd's 512, because what "the same read" means is visible: a
/// `LOGOUT` closes unless another line ends in the same read. Requests are short anyway, and
/// 10,000 idle clients must stay small.
const READ_CHUNK: usize = 512;
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
    /// Ticks when a reload picked connections to close ([`Inner::take_kick`]).
    kick: watch::Receiver<u64>,
    /// The replies not yet written (`reply.text`), reused for every request.
    reply: Reply,
    /// The allocation behind each plain line's borrowed words, kept between lines.
    spare: Vec<&'static str>,
    last_line: Instant,
}

/// The next tick of the kick channel ([`Inner::take_kick`]), handing the receiver back; never
/// ends if the sender is gone.
async fn next_kick(mut rx: watch::Receiver<u64>) -> watch::Receiver<u64> {
    if rx.changed().await.is_err() {
        std::future::pending::<()>().await;
    }
    rx
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
    let kick = ctx.inner.kicks();
    let mut conn = Conn {
        session: Session::new(id, addr.clone(), policy),
        splitter: WordSplitter::new(Limits::NETWORK),
        ctx,
        stop,
        kick,
        reply: Reply::default(),
        spare: Vec::with_capacity(8),
        last_line: Instant::now(),
    };
    let mut stream = stream;
    if let Outcome::StartTls = conn.run(&mut stream).await {
        // Boxed: the TLS handshake state is large and most connections never need it.
        Box::pin(conn.upgrade(stream)).await;
    } else {
        let _ = stream.shutdown().await;
    }
    if conn.session.logged_in_ups().is_some() {
        conn.session.closed(&mut write(&conn.ctx.inner.state));
    }
    // A kick that came too late to be seen is forgotten with the connection.
    conn.ctx.inner.take_kick(id);
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
                // As Debian's (NSS) upsd words it.
                self.ctx.inner.log.info(&format!(
                    "SSL handshake done successfully with client {}",
                    self.session.peer_addr()
                ));
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

    /// Reads, handles and answers until the client leaves, idles out, or asks for TLS.
    ///
    /// One idle timer per connection, re-armed only when it fires (not per request), and one
    /// stop future: the per-request cost is a read, the session, and a write.
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(&mut self, io: &mut S) -> Outcome {
        let mut buf = [0u8; READ_CHUNK];
        self.last_line = Instant::now();
        let idle = sleep_until(self.last_line + self.ctx.idle);
        tokio::pin!(idle);
        let mut stop = self.stop.clone();
        let stopped = stop.changed();
        tokio::pin!(stopped);
        // Armed once, not per request: every connection waits on the same channel.
        let kicked = next_kick(self.kick.clone());
        tokio::pin!(kicked);
        loop {
            let n = tokio::select! {
                biased;
                r = io.read(&mut buf) => match r {
                    Ok(0) | Err(_) => return Outcome::Closed,
                    Ok(n) => n,
                },
                () = &mut idle => {
                    if self.rearm(idle.as_mut()) {
                        continue;
                    }
                    self.ctx.inner.log.debug("Closing idle client (no request within the idle timeout)");
                    return Outcome::Closed;
                }
                _ = &mut stopped => return Outcome::Closed,
                rx = &mut kicked => {
                    // A reload removed the UPS this client was logged in to.
                    if self.ctx.inner.take_kick(self.session.id()) {
                        return Outcome::Closed;
                    }
                    kicked.set(next_kick(rx));
                    continue;
                }
            };
            if let Some(outcome) = self.process(&buf[..n], io, idle.as_mut()).await {
                return outcome;
            }
        }
    }

    /// When the idle timer fires: true (timer moved) if a line came in since it was set.
    fn rearm(&self, idle: Pin<&mut Sleep>) -> bool {
        let due = self.last_line + self.ctx.idle;
        if Instant::now() >= due {
            return false;
        }
        idle.reset(due);
        true
    }

    /// Handles every complete line of one read; replies go out in one write at the end (or
    /// earlier when they pile up). `Some` ends the loop.
    async fn process<S: AsyncWrite + Unpin>(
        &mut self,
        bytes: &[u8],
        io: &mut S,
        mut idle: Pin<&mut Sleep>,
    ) -> Option<Outcome> {
        let mut closing = false;
        let now = Instant::now();
        let mut rest = bytes;
        while self.next_line(&mut rest, now) {
            if self.reply.start_tls {
                // Whatever followed STARTTLS in this read belongs to the handshake.
                return Some(match self.flush(io, idle.as_mut()).await {
                    true => Outcome::StartTls,
                    false => Outcome::Closed,
                });
            }
            // LOGOUT closes, unless another command follows in the same read (as upsd).
            closing = self.reply.close;
            if self.reply.text.len() >= OUT_FLUSH && !self.flush(io, idle.as_mut()).await {
                return Some(Outcome::Closed);
            }
        }
        if !self.flush(io, idle).await || closing {
            return Some(Outcome::Closed);
        }
        None
    }

    /// Splits and answers the next complete line at the front of `rest`, consuming it; false
    /// when `rest` ends without completing a line (its bytes wait in the splitter).
    ///
    /// A whole plain line (no quotes, escapes, comments, `=` or control bytes: nearly every
    /// request) is split in place into borrowed words; any other goes byte by byte through
    /// the streaming splitter, with the same result.
    fn next_line(&mut self, rest: &mut &[u8], now: Instant) -> bool {
        if self.splitter.at_line_start() {
            if let Some(end) = rest.iter().position(|&b| b == b'\n') {
                let (line, tail) = rest.split_at(end + 1);
                let mut words: Vec<&str> = std::mem::take(&mut self.spare);
                let plain = split_plain_line(line, Limits::NETWORK, &mut words);
                if plain {
                    *rest = tail;
                    self.answer(Ok(&words), now);
                }
                self.spare = recycle(words);
                if plain {
                    return true;
                }
            }
        }
        while let Some((&b, tail)) = rest.split_first() {
            *rest = tail;
            if let Some(words) = self.splitter.feed(b) {
                match &words {
                    Ok(words) => self.answer(Ok(words), now),
                    Err(e) => self.answer::<String>(Err(e), now),
                }
                return true;
            }
        }
        false
    }

    /// Hands one line to the session; its reply is appended to `self.reply`.
    fn answer<S: AsRef<str>>(&mut self, words: Result<&[S], &ParseError>, now: Instant) {
        self.last_line = now;
        // A `#` inside quotes is no line to upsd: a LOGOUT before it still closes.
        if !matches!(words, Err(ParseError::HashInQuotes)) {
            self.reply.close = false;
        }
        self.reply.start_tls = false;
        match words {
            Ok(words) => {
                let now = now.into_std();
                let shared = {
                    let state = read(&self.ctx.inner.state);
                    self.session
                        .handle_shared(words, &state, now, &mut self.reply)
                };
                if let Err(pending) = shared {
                    let mut state = write(&self.ctx.inner.state);
                    self.session
                        .finish(pending, &mut state, now, &mut self.reply);
                }
            }
            Err(e) => Session::handle_split_error(e, &mut self.reply),
        }
        for line in self.reply.log.drain(..) {
            self.ctx.inner.log.info(&line);
        }
        for (ups, msg) in self.reply.to_driver.drain(..) {
            self.ctx.inner.send_to_driver(&ups, msg);
        }
    }

    /// Writes the pending replies (one write unless the socket is full); false if the client
    /// is gone or has not read anything for the idle timeout.
    async fn flush<S: AsyncWrite + Unpin>(
        &mut self,
        io: &mut S,
        mut idle: Pin<&mut Sleep>,
    ) -> bool {
        let out = std::mem::take(&mut self.reply.text);
        let mut pos = 0;
        let mut ok = true;
        while ok && pos < out.len() {
            tokio::select! {
                biased;
                r = io.write(&out.as_bytes()[pos..]) => match r {
                    Ok(0) | Err(_) => ok = false,
                    Ok(n) => pos += n,
                },
                () = &mut idle => ok = self.rearm(idle.as_mut()),
            }
        }
        while ok {
            tokio::select! {
                biased;
                r = io.flush() => { ok = r.is_ok(); break; }
                () = &mut idle => ok = self.rearm(idle.as_mut()),
            }
        }
        if out.capacity() <= OUT_FLUSH {
            self.reply.text = out;
            self.reply.text.clear();
        }
        ok
    }
}

/// Gives back the allocation of an emptied word list for the next line (the borrow of this
/// line's bytes ends here; collecting an empty list in place keeps its buffer).
fn recycle(mut words: Vec<&str>) -> Vec<&'static str> {
    words.clear();
    words.into_iter().map(|_| "").collect()
}

#[cfg(test)]
mod tests;
