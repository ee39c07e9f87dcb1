//! Private: moves requests out and reply lines in, over any byte stream.

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
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    pub(crate) fn new(stream: S, max_line: usize) -> Self {
        Self {
            stream,
            decoder: LineDecoder::new(max_line),
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

    /// Sends a line and shuts the write side down, ignoring errors (best effort on close).
    pub(crate) async fn shutdown(&mut self) {
        let _ = self.stream.shutdown().await;
    }
}
