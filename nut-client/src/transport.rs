//! [`Transport`]: a TCP stream that STARTTLS can upgrade in place.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use crate::error::{ClientError, TlsError};

/// The default stream of a [`Client`](crate::Client): plain TCP, or TLS after STARTTLS.
#[derive(Debug)]
pub struct Transport(Inner);

#[derive(Debug)]
enum Inner {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// Only seen if a handshake failed half-way: the stream is gone.
    Broken,
}

impl From<TcpStream> for Transport {
    fn from(stream: TcpStream) -> Self {
        Self(Inner::Plain(stream))
    }
}

impl Transport {
    /// Whether the stream is encrypted.
    pub fn is_tls(&self) -> bool {
        matches!(self.0, Inner::Tls(_))
    }

    /// Runs the TLS handshake on the plain stream and replaces it with the encrypted one.
    pub(crate) async fn upgrade(
        &mut self,
        config: rustls::ClientConfig,
        name: ServerName<'static>,
    ) -> Result<(), ClientError> {
        let tcp = match std::mem::replace(&mut self.0, Inner::Broken) {
            Inner::Plain(tcp) => tcp,
            other => {
                let was_tls = matches!(other, Inner::Tls(_));
                self.0 = other;
                return Err(if was_tls {
                    TlsError::AlreadyTls
                } else {
                    TlsError::NotUpgradable
                }
                .into());
            }
        };
        let connector = TlsConnector::from(Arc::new(config));
        let tls = connector
            .connect(name, tcp)
            .await
            .map_err(handshake_error)?;
        self.0 = Inner::Tls(Box::new(tls));
        Ok(())
    }
}

/// rustls errors come back wrapped in `io::Error`; unwrap them into [`TlsError::Rustls`].
/// Other failures during the handshake are [`TlsError::Handshake`].
fn handshake_error(e: io::Error) -> ClientError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        Some(tls) => TlsError::Rustls(tls.clone()).into(),
        None => TlsError::Handshake(Arc::new(e)).into(),
    }
}

fn broken() -> io::Error {
    io::Error::new(
        io::ErrorKind::NotConnected,
        "connection lost during TLS handshake",
    )
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Inner::Broken => Poll::Ready(Err(broken())),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Inner::Broken => Poll::Ready(Err(broken())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_flush(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Inner::Broken => Poll::Ready(Err(broken())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().0 {
            Inner::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Inner::Broken => Poll::Ready(Ok(())),
        }
    }
}
