//! Private: moves requests out and reply lines in, over any byte stream.

use std::future::Future;
use std::io;
use std::task::Poll;

use nut_proto::text::LineDecoder;
use nut_proto::{Request, Response};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::error::ClientError;

/// Size of one read from the stream.
const READ_CHUNK: usize = 4096;

/// A stream plus the line decoder for what it has sent so far.
#[derive(Debug)]
pub(crate) struct Connection<S> {
    pub(crate) stream: S,
    decoder: LineDecoder,
    /// The write side was shut down (after `LOGOUT`, or given up on).
    shut: bool,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub(crate) fn new(stream: S, max_line: usize) -> Self {
        Self {
            stream,
            decoder: LineDecoder::new(max_line),
            shut: false,
        }
    }

    /// Writes one request line and flushes it.
    pub(crate) async fn send(&mut self, request: &Request) -> Result<(), ClientError> {
        let line = format!("{request}\n");
        self.stream.write_all(line.as_bytes()).await?;
        self.stream.flush().await?;
        Ok(())
    }

    /// Reads one reply line (without its line ending).
    pub(crate) async fn read_line(&mut self) -> Result<String, ClientError> {
        let mut buf = [0u8; READ_CHUNK];
        loop {
            if let Some(line) = self.decoder.next_line()? {
                return Ok(line);
            }
            let n = self.stream.read(&mut buf).await?;
            if n == 0 {
                return Err(ClientError::Closed);
            }
            self.decoder.push(&buf[..n]);
        }
    }

    /// Reads one reply line and parses it; returns the line too, for error messages.
    pub(crate) async fn read_response(&mut self) -> Result<(String, Response), ClientError> {
        let line = self.read_line().await?;
        let response = Response::parse(&line)?;
        Ok((line, response))
    }

    /// Whether bytes arrived that no request has read yet.
    pub(crate) fn has_buffered(&self) -> bool {
        self.decoder.pending() > 0 || self.decoder.has_line()
    }

    /// Shuts the write side down, ignoring errors (best effort on close).
    pub(crate) async fn shutdown(&mut self) {
        self.shut = true;
        let _ = self.stream.shutdown().await;
    }

    /// Whether the write side was shut down.
    pub(crate) fn is_shut(&self) -> bool {
        self.shut
    }

    /// Writes `line` only if the stream takes it at once, then starts shutting the write
    /// side down, without waiting for either. Gives the bytes written (one write, as
    /// libupsclient's, so possibly part of `line`); `Pending` means the stream could not take
    /// any of it right away.
    pub(crate) async fn write_now_and_shut(&mut self, line: &[u8]) -> Poll<io::Result<usize>> {
        let stream = &mut self.stream;
        let mut write = std::pin::pin!(async {
            let n = stream.write(line).await?;
            stream.flush().await?;
            Ok(n)
        });
        let written = std::future::poll_fn(|cx| Poll::Ready(write.as_mut().poll(cx))).await;
        self.shut = true;
        let mut shut = std::pin::pin!(self.stream.shutdown());
        let _ = std::future::poll_fn(|cx| Poll::Ready(shut.as_mut().poll(cx))).await;
        written
    }
}
