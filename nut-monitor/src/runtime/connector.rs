//! Reaching a `MONITOR` target: a [`Connector`] opens a [`Client`]; [`TcpConnector`] does it
//! over TCP with upsmon's STARTTLS policy.
//!
//! The policy follows upsmon.conf: STARTTLS is always tried (a server without TLS answers an
//! error and the session carries on in plain text) unless `FORCESSL 1` (or the host's
//! `CERTHOST ... forcessl` field) requires it. `CERTVERIFY 1` (or the host's `CERTHOST`
//! verify field) checks the server certificate against `CERTPATH` (a directory of CA
//! certificates, or one file); otherwise any certificate is accepted, as upsmon does.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use nut_client::{Client, ClientConfig, ClientError, TlsConfig, TlsMode, Transport};
use nut_proto::config::UpsmonConf;
use tokio::io::{AsyncRead, AsyncWrite};

/// upsmon's network timeout: every connect and request gets this long (`NET_TIMEOUT`).
pub const NET_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens connections to upsd.
#[async_trait]
pub trait Connector: Send + Sync {
    /// The byte stream of a connection.
    type Stream: AsyncRead + AsyncWrite + Unpin + Send;

    /// Connects to `host:port` (STARTTLS included, when the policy asks for it).
    async fn connect(&self, host: &str, port: u16) -> Result<Client<Self::Stream>, ClientError>;
}

/// TCP connections with upsmon's STARTTLS policy.
#[derive(Debug, Clone)]
pub struct TcpConnector {
    conf: UpsmonConf,
    timeout: Duration,
}

impl TcpConnector {
    /// The policy of `conf` with [`NET_TIMEOUT`].
    pub fn new(conf: &UpsmonConf) -> Self {
        Self {
            conf: conf.clone(),
            timeout: NET_TIMEOUT,
        }
    }

    /// The STARTTLS mode for `host`.
    pub fn tls_mode(&self, host: &str) -> TlsMode {
        let certhost = self.conf.certhosts.iter().find(|c| c.host == host);
        let verify = certhost.map_or_else(|| self.conf.certverify == Some(true), |c| c.verify);
        let force = certhost.map_or_else(|| self.conf.forcessl == Some(true), |c| c.force_ssl);
        let mut tls = match (&self.conf.certpath, verify) {
            (Some(p), true) if Path::new(p).is_dir() => TlsConfig::ca_dir(p),
            (Some(p), true) => TlsConfig::ca_file(p),
            _ => TlsConfig::accept_any_server(),
        };
        if let Some(c) = certhost {
            tls = tls.server_name(c.cert_name.clone());
        }
        if force {
            TlsMode::Require(tls)
        } else {
            TlsMode::Try(tls)
        }
    }
}

#[async_trait]
impl Connector for TcpConnector {
    type Stream = Transport;

    async fn connect(&self, host: &str, port: u16) -> Result<Client<Transport>, ClientError> {
        let config = ClientConfig::default()
            .connect_timeout(self.timeout)
            .io_timeout(self.timeout)
            .tls(self.tls_mode(host));
        Client::connect_with(host, port, &config).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(text: &str, host: &str) -> TlsMode {
        let conf = UpsmonConf::parse(text, "upsmon.conf")
            .expect("valid")
            .config;
        TcpConnector::new(&conf).tls_mode(host)
    }

    #[test]
    fn starttls_is_tried_by_default_and_required_with_forcessl() {
        let base = "MONITOR u@h 1 a b primary\n";
        assert!(matches!(mode(base, "h"), TlsMode::Try(_)));
        let forced = format!("{base}FORCESSL 1\n");
        assert!(matches!(mode(&forced, "h"), TlsMode::Require(_)));
        let per_host = format!("{base}CERTHOST h server 0 1\n");
        assert!(matches!(mode(&per_host, "h"), TlsMode::Require(_)));
        assert!(matches!(mode(&per_host, "other"), TlsMode::Try(_)));
    }
}
