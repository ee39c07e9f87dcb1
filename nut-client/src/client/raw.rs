//! Raw lines: for programs whose output shows the server's reply text as sent (NUT's
//! `upscmd`/`upsrw` print `OK`, `Unexpected response from upsd: ERR …`, tracking results).
//!
//! Requests still come from the caller as text, so these methods neither build nor parse
//! protocol messages; pair them with [`nut_proto::Response::parse`] or
//! [`nut_proto::text::split_line`].

use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

use super::Client;
use crate::error::ClientError;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// Sends `line` and returns the reply line as sent (without its line ending), `ERR`
    /// included. A newline is added to `line` unless it ends with one.
    ///
    /// ```
    /// # async fn demo() -> Result<(), nut_client::ClientError> {
    /// let (ours, mut theirs) = tokio::io::duplex(256);
    /// tokio::spawn(async move {
    ///     use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///     let mut buf = [0u8; 64];
    ///     let _ = theirs.read(&mut buf).await;
    ///     let _ = theirs.write_all(b"ERR ACCESS-DENIED\n").await;
    /// });
    /// let mut client = nut_client::Client::attach(ours);
    /// assert_eq!(client.raw_line("SET TRACKING ON").await?, "ERR ACCESS-DENIED");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn raw_line(&mut self, line: &str) -> Result<String, ClientError> {
        self.send_line(line).await?;
        self.read_line().await
    }

    /// Sends `line` (a newline is added unless it ends with one) without reading a reply,
    /// bounded by [`ClientConfig::io_timeout`](crate::ClientConfig::io_timeout).
    pub async fn send_line(&mut self, line: &str) -> Result<(), ClientError> {
        self.check_usable()?;
        let mut text = line.to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let stream = &mut self.conn.stream;
        let work = async {
            stream.write_all(text.as_bytes()).await?;
            stream.flush().await?;
            Ok(())
        };
        let result = tokio::time::timeout(self.config.io_timeout, work).await;
        self.settle(result)
    }

    /// Reads one reply line as sent, bounded by
    /// [`ClientConfig::io_timeout`](crate::ClientConfig::io_timeout).
    pub async fn read_line(&mut self) -> Result<String, ClientError> {
        self.read_line_timeout(self.config.io_timeout).await
    }

    /// Reads one reply line as sent, waiting at most `limit`.
    pub async fn read_line_timeout(&mut self, limit: Duration) -> Result<String, ClientError> {
        self.check_usable()?;
        let work = self.conn.read_line();
        let result = tokio::time::timeout(limit, work).await;
        self.settle(result)
    }

    /// Sends `LOGOUT` without waiting for the answer and closes the stream, as NUT's
    /// `upscli_disconnect` does. Errors are ignored: the connection is gone either way.
    pub async fn hang_up(mut self) {
        if !self.broken {
            let _ = self.conn.stream.write_all(b"LOGOUT\n").await;
        }
        self.conn.shutdown().await;
    }

    /// Gives the connection up the way libupsclient does after any failed read or write
    /// (`upscli_disconnect`): it writes `LOGOUT` if the stream takes it at once, without
    /// waiting for an answer, and shuts the stream down. Every later request fails with
    /// [`ClientError::Closed`]; a second call does nothing.
    ///
    /// The result is what that `LOGOUT` write met, which is the error libupsclient then
    /// reports for the request that failed: `Ok` if it was written (the request's own error
    /// stands), [`ClientError::Io`] if the write failed (worded at
    /// [`UpscliStage::Write`](crate::UpscliStage::Write)), [`ClientError::Closed`] if the
    /// stream could not take it at once ("Server disconnected"). After a server has closed a
    /// TCP connection, the request written to it draws a reset, so this `LOGOUT` typically
    /// fails with a broken pipe where the request itself met end-of-file.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use nut_client::{Client, ClientError, UpscliStage};
    /// // a server that is gone
    /// let (ours, theirs) = tokio::io::duplex(256);
    /// drop(theirs);
    /// let mut client = Client::attach(ours);
    /// assert!(client.get_var("ups", "ups.status").await.is_err());
    /// let logout = client.abandon().await.expect_err("nobody reads the LOGOUT");
    /// assert_eq!(logout.upscli_text(UpscliStage::Write), "Write error: broken pipe");
    /// assert_eq!(client.get_var("ups", "ups.status").await, Err(ClientError::Closed));
    /// # }
    /// ```
    pub async fn abandon(&mut self) -> Result<(), ClientError> {
        self.broken = true;
        if self.conn.is_shut() {
            return Ok(());
        }
        match self.conn.write_now_and_shut(b"LOGOUT\n").await {
            Poll::Ready(Ok(0)) | Poll::Pending => Err(ClientError::Closed),
            Poll::Ready(Ok(_)) => Ok(()),
            Poll::Ready(Err(e)) => Err(e.into()),
        }
    }
}
