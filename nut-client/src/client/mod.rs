//! [`Client`]: one connection to a NUT server, with a typed method per request.
//!
//! The methods are spread over files by command family: `get.rs` (GET and the version
//! requests), `list.rs` (LIST), `session.rs` (login and privileges), `write.rs` (SET, INSTCMD,
//! tracking), `tls.rs` (STARTTLS), `raw.rs` (lines as sent, for NUT-exact tools).

mod get;
mod list;
mod raw;
mod session;
mod tls;
mod write;

use nut_proto::{Request, Response};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::config::ClientConfig;
use crate::connection::Connection;
use crate::error::ClientError;
use crate::transport::Transport;

pub use write::{TrackingStatus, DEFAULT_TRACKING_TIMEOUT};

/// A connection to a NUT server (`upsd`).
///
/// Requests are sent one at a time; each method waits for its complete reply, bounded by
/// [`ClientConfig::io_timeout`]. After a timeout or an I/O error the connection may be out of
/// step with the server, so every later request fails with [`ClientError::Closed`].
///
/// `S` is the byte stream: [`Transport`] (TCP, upgradable by STARTTLS) for
/// [`connect`](Client::connect), or anything readable and writable for
/// [`attach`](Client::attach), such as a `tokio::io::duplex` in tests.
#[derive(Debug)]
pub struct Client<S = Transport> {
    conn: Connection<S>,
    config: ClientConfig,
    host: Option<String>,
    broken: bool,
}

impl Client<Transport> {
    /// Connects to `host:port` with the default [`ClientConfig`] (plain text).
    pub async fn connect(host: &str, port: u16) -> Result<Self, ClientError> {
        Self::connect_with(host, port, &ClientConfig::default()).await
    }

    /// Connects to `host:port`, then applies the STARTTLS policy of `config`.
    pub async fn connect_with(
        host: &str,
        port: u16,
        config: &ClientConfig,
    ) -> Result<Self, ClientError> {
        let connect = TcpStream::connect((host, port));
        let tcp = tokio::time::timeout(config.connect_timeout, connect)
            .await
            .map_err(|_| ClientError::Timeout)??;
        // Requests are single short lines that wait for their answer: no Nagle delay.
        tcp.set_nodelay(true)?;
        let mut client = Self::attach_with(Transport::from(tcp), config.clone());
        client.host = Some(host.to_string());
        client.apply_tls_mode().await?;
        Ok(client)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// Wraps an already connected stream, with the default [`ClientConfig`].
    pub fn attach(stream: S) -> Self {
        Self::attach_with(stream, ClientConfig::default())
    }

    /// Wraps an already connected stream. The TLS policy of `config` is not applied here:
    /// call [`starttls`](Client::starttls) on a [`Transport`] stream yourself.
    pub fn attach_with(stream: S, config: ClientConfig) -> Self {
        Self {
            conn: Connection::new(stream, config.max_line),
            config,
            host: None,
            broken: false,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The stream, e.g. to check [`Transport::is_tls`].
    pub fn stream(&self) -> &S {
        &self.conn.stream
    }

    /// Sends any request and returns its one-line reply as parsed, `ERR` included (as
    /// [`Response::Err`]). Use [`request_list`](Self::request_list) for LIST requests.
    pub async fn request(&mut self, request: &Request) -> Result<Response, ClientError> {
        let (_, response) = self.exchange(request).await?;
        Ok(response)
    }

    /// Sends a request and returns the reply line and its parse; `ERR` becomes
    /// [`ClientError::Server`].
    async fn call(&mut self, request: &Request) -> Result<(String, Response), ClientError> {
        match self.exchange(request).await? {
            (_, Response::Err { code, .. }) => Err(ClientError::Server(code)),
            ok => Ok(ok),
        }
    }

    /// One request, one reply line, under the request timeout.
    async fn exchange(&mut self, request: &Request) -> Result<(String, Response), ClientError> {
        self.check_usable()?;
        let conn = &mut self.conn;
        let work = async {
            conn.send(request).await?;
            conn.read_response().await
        };
        let result = tokio::time::timeout(self.config.io_timeout, work).await;
        self.settle(result)
    }

    /// True once the connection was given up (a broken exchange, [`Client::abandon`] or
    /// `LOGOUT`): every request now fails with [`ClientError::Closed`].
    pub fn is_broken(&self) -> bool {
        self.broken
    }

    fn check_usable(&self) -> Result<(), ClientError> {
        if self.broken {
            return Err(ClientError::Closed);
        }
        Ok(())
    }

    /// Maps an elapsed timeout to [`ClientError::Timeout`] and marks the connection unusable
    /// if the exchange ended in a way that may leave reply lines behind.
    fn settle<T>(
        &mut self,
        result: Result<Result<T, ClientError>, tokio::time::error::Elapsed>,
    ) -> Result<T, ClientError> {
        let result = result.unwrap_or(Err(ClientError::Timeout));
        if let Err(e) = &result {
            self.broken = desyncs(e);
        }
        result
    }
}

/// Errors after which reply lines may still be in flight or the stream is dead.
fn desyncs(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Io(_)
            | ClientError::Timeout
            | ClientError::Closed
            | ClientError::TooManyItems { .. }
            | ClientError::Tls(_)
    )
}

/// The reply did not fit the request.
fn unexpected(expected: &'static str, got: String) -> ClientError {
    ClientError::Unexpected { expected, got }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use tokio::net::TcpSocket;

    use super::*;

    /// A server whose accept queue is full drops new SYNs, so `connect()` would wait for the
    /// kernel's retries (minutes); the configured connect timeout must end it promptly.
    #[tokio::test]
    async fn connect_gives_up_after_the_connect_timeout() {
        let socket = TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("addr"))
            .expect("bind");
        let addr = socket.local_addr().expect("local addr");
        // backlog 0: the kernel queues one connection, never accepted, then drops SYNs
        let _listener = socket.listen(0).expect("listen");
        let limit = Duration::from_millis(300);
        let config = ClientConfig::default().connect_timeout(limit);
        let mut queued = Vec::new();
        for _ in 0..16 {
            let started = Instant::now();
            match Client::connect_with("127.0.0.1", addr.port(), &config).await {
                Ok(client) => queued.push(client),
                Err(e) => {
                    let took = started.elapsed();
                    assert_eq!(e, ClientError::Timeout);
                    assert!(took >= limit, "gave up early: {took:?}");
                    assert!(took < Duration::from_secs(3), "took {took:?}");
                    return;
                }
            }
        }
        panic!("16 connections to a full backlog all succeeded");
    }
}
