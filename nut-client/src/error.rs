//! [`ClientError`], the one error type of this crate, and [`TlsError`] nested inside it.

use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use nut_proto::{ErrorCode, ParseError};
use rustls::pki_types::pem;

mod upscli;

pub(crate) use upscli::strerror;
pub use upscli::Stage;

/// Everything that can go wrong talking to a NUT server.
///
/// Transport failures ([`Io`](Self::Io), [`Timeout`](Self::Timeout), [`Closed`](Self::Closed))
/// are kept apart from the server's own `ERR <code>` answers ([`Server`](Self::Server)), so a
/// caller can tell "the UPS is unknown" from "the network is down".
/// Equality compares I/O errors by kind and message, so tests can `assert_eq!` on errors.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Connecting, reading or writing failed.
    #[error("I/O error: {0}")]
    Io(Arc<io::Error>),
    /// The server sent a line that is not valid NUT protocol (or one too long).
    #[error("malformed reply from server: {0}")]
    Parse(#[from] ParseError),
    /// The server answered `ERR <code>`.
    #[error("server error: {}", .0.as_str())]
    Server(ErrorCode),
    /// The server sent a valid reply that does not answer the request.
    #[error("unexpected reply: expected {expected}, got {got:?}")]
    Unexpected {
        /// What the request calls for.
        expected: &'static str,
        /// The line the server sent.
        got: String,
    },
    /// STARTTLS or the TLS layer failed.
    #[error("TLS: {0}")]
    Tls(#[from] TlsError),
    /// Connecting or a request took longer than its timeout.
    #[error("timed out")]
    Timeout,
    /// The host name did not resolve (libupsclient: `No such host`).
    #[error("no such host: {0}")]
    NoSuchHost(String),
    /// The host has no address of the family asked for (`-4`/`-6`; libupsclient, whose
    /// `getaddrinfo` fails then with another code: `Unknown error`).
    #[error("no address of the requested family for {0}")]
    NoAddressOfFamily(String),
    /// The server closed the connection before answering completely.
    #[error("connection closed by server")]
    Closed,
    /// A list reply went on past the client's limit.
    #[error("list reply longer than {max} items")]
    TooManyItems {
        /// The limit.
        max: usize,
    },
    /// `GET TRACKING` still answered `PENDING` when the wait ended.
    #[error("no result for tracking id {id} in time")]
    TrackingTimeout {
        /// The tracking id the server handed out.
        id: String,
    },
}

impl From<io::Error> for ClientError {
    fn from(e: io::Error) -> Self {
        Self::Io(Arc::new(e))
    }
}

impl PartialEq for ClientError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Io(a), Self::Io(b)) => same_io(a, b),
            (Self::Parse(a), Self::Parse(b)) => a == b,
            (Self::Server(a), Self::Server(b)) => a == b,
            (
                Self::Unexpected { expected, got },
                Self::Unexpected {
                    expected: e2,
                    got: g2,
                },
            ) => expected == e2 && got == g2,
            (Self::Tls(a), Self::Tls(b)) => a == b,
            (Self::TooManyItems { max: a }, Self::TooManyItems { max: b }) => a == b,
            (Self::TrackingTimeout { id: a }, Self::TrackingTimeout { id: b }) => a == b,
            (Self::NoSuchHost(a), Self::NoSuchHost(b))
            | (Self::NoAddressOfFamily(a), Self::NoAddressOfFamily(b)) => a == b,
            (Self::Timeout, Self::Timeout) | (Self::Closed, Self::Closed) => true,
            _ => false,
        }
    }
}

/// Failures of STARTTLS: the server refusing it, local certificate files, or the handshake.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server answered STARTTLS with `ERR <code>` and TLS was required.
    #[error("server refused STARTTLS: {}", .0.as_str())]
    Refused(ErrorCode),
    /// The connection is already encrypted.
    #[error("connection already uses TLS")]
    AlreadyTls,
    /// This transport cannot be upgraded (it was not made by `connect` or from a `TcpStream`).
    #[error("transport cannot be upgraded to TLS")]
    NotUpgradable,
    /// The server sent bytes after `OK STARTTLS` before the handshake (possible injection).
    #[error("plaintext data received after OK STARTTLS")]
    PlaintextAfterStartTls,
    /// A certificate or key file could not be read or parsed.
    #[error("{}: {error}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What was wrong with it.
        error: Arc<pem::Error>,
    },
    /// A CA directory could not be listed.
    #[error("{}: {error}", path.display())]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        error: Arc<io::Error>,
    },
    /// No usable CA certificate was found.
    #[error("no CA certificate found in {}", .0.display())]
    NoCertificates(PathBuf),
    /// The name to verify the server against is not a valid DNS name or IP address.
    #[error("invalid server name {0:?}")]
    InvalidServerName(String),
    /// rustls refused the configuration or the handshake failed.
    #[error("{0}")]
    Rustls(#[from] rustls::Error),
    /// The connection failed during the handshake (e.g. the server hung up).
    #[error("{0}")]
    Handshake(Arc<io::Error>),
}

impl PartialEq for TlsError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Refused(a), Self::Refused(b)) => a == b,
            (
                Self::Pem { path, error },
                Self::Pem {
                    path: p2,
                    error: e2,
                },
            ) => path == p2 && error.to_string() == e2.to_string(),
            (
                Self::Dir { path, error },
                Self::Dir {
                    path: p2,
                    error: e2,
                },
            ) => path == p2 && same_io(error, e2),
            (Self::NoCertificates(a), Self::NoCertificates(b)) => a == b,
            (Self::InvalidServerName(a), Self::InvalidServerName(b)) => a == b,
            (Self::Rustls(a), Self::Rustls(b)) => a == b,
            (Self::Handshake(a), Self::Handshake(b)) => same_io(a, b),
            (Self::AlreadyTls, Self::AlreadyTls)
            | (Self::NotUpgradable, Self::NotUpgradable)
            | (Self::PlaintextAfterStartTls, Self::PlaintextAfterStartTls) => true,
            _ => false,
        }
    }
}

fn same_io(a: &io::Error, b: &io::Error) -> bool {
    a.kind() == b.kind() && a.to_string() == b.to_string()
}
