//! Reaching a `MONITOR` target: a [`Connector`] opens a [`Client`]; [`TcpConnector`] does it
//! over TCP with upsmon's STARTTLS policy and address family.
//!
//! The policy follows upsmon.conf: STARTTLS is always tried (a server without TLS answers an
//! error and the session carries on in plain text) unless `FORCESSL 1` (or the host's
//! `CERTHOST ... forcessl` field) requires it. `CERTVERIFY 1` (or the host's `CERTHOST`
//! verify field) checks the server certificate against `CERTPATH` (a directory of PEM CA
//! certificates, or one PEM file); otherwise any certificate is accepted, as upsmon does.
//! `CERTHOST host name ...` makes `name` the name checked in the server's certificate.
//! (upsmon itself never connects when `CERTVERIFY 1` comes without `CERTPATH`, as 2.8.0.)
//!
//! Client certificates: NUT 2.8.0 reads `CERTIDENT <name> <password>` as a certificate
//! nickname in an NSS database (`CERTPATH`) and that database's password. There is no NSS
//! database here, so the client certificate is a PEM file holding the certificate chain
//! followed by its (unencrypted) private key: `CERTFILE <file>` (the directive later NUT
//! releases use for OpenSSL builds) or, failing that, a `CERTIDENT` whose name is the path
//! of such a file. The `CERTIDENT` password is not used: encrypted keys are not supported.
//!
//! `upsmon -4` / `-6` restrict the addresses tried to one family ([`AddressFamily`]), as
//! NUT's `upscli_connect` does with the resolver hint: the host is resolved, addresses of
//! the other family are dropped, and the rest are tried in order.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use nut_client::{Client, ClientConfig, ClientError, TlsConfig, TlsError, TlsMode, Transport};
use nut_proto::config::UpsmonConf;
use nut_proto::ErrorCode;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

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

/// Which addresses of a host are tried (`upsmon -4`, `-6`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AddressFamily {
    /// Every address the resolver returns.
    #[default]
    Any,
    /// IPv4 only (`-4`).
    V4,
    /// IPv6 only (`-6`).
    V6,
}

impl AddressFamily {
    /// Whether `addr` may be tried.
    pub fn accepts(self, addr: &SocketAddr) -> bool {
        match self {
            Self::Any => true,
            Self::V4 => addr.is_ipv4(),
            Self::V6 => addr.is_ipv6(),
        }
    }
}

/// TCP connections with upsmon's STARTTLS policy.
#[derive(Debug, Clone)]
pub struct TcpConnector {
    conf: UpsmonConf,
    timeout: Duration,
    family: AddressFamily,
}

impl TcpConnector {
    /// The policy of `conf` with [`NET_TIMEOUT`], any address family.
    pub fn new(conf: &UpsmonConf) -> Self {
        Self {
            conf: conf.clone(),
            timeout: NET_TIMEOUT,
            family: AddressFamily::Any,
        }
    }

    /// Restricts connections to `family`.
    #[must_use]
    pub fn family(mut self, family: AddressFamily) -> Self {
        self.family = family;
        self
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
        tls = tls.server_name(certhost.map_or(host, |c| c.cert_name.as_str()));
        if let Some(pem) = self.client_pem() {
            tls = tls.client_cert(pem, pem);
        }
        if force {
            TlsMode::Require(tls)
        } else {
            TlsMode::Try(tls)
        }
    }

    /// The PEM file (certificate chain and key) presented as client certificate.
    fn client_pem(&self) -> Option<&str> {
        let ident = self.conf.certident.as_ref().map(|c| c.name.as_str());
        self.conf
            .certfile
            .as_deref()
            .or_else(|| ident.filter(|n| Path::new(n).is_file()))
    }

    /// Resolves `host` and connects to the first address of the allowed family that
    /// answers, all within the timeout.
    async fn tcp(&self, host: &str, port: u16) -> Result<TcpStream, ClientError> {
        let attempt = async {
            let mut last = None;
            let addrs = (tokio::net::lookup_host((host, port)).await)
                .map_err(|_| ClientError::NoSuchHost(host.to_owned()))?;
            for addr in addrs {
                if !self.family.accepts(&addr) {
                    continue;
                }
                match TcpStream::connect(addr).await {
                    Ok(s) => return Ok(s),
                    Err(e) => last = Some(e),
                }
            }
            // No address of the family (`-4`/`-6`): getaddrinfo with that hint finds none.
            Err(last.map_or_else(
                || ClientError::NoAddressOfFamily(host.to_owned()),
                ClientError::from,
            ))
        };
        let tcp = tokio::time::timeout(self.timeout, attempt)
            .await
            .map_err(|_| ClientError::Timeout)??;
        tcp.set_nodelay(true)?;
        Ok(tcp)
    }
}

#[async_trait]
impl Connector for TcpConnector {
    type Stream = Transport;

    async fn connect(&self, host: &str, port: u16) -> Result<Client<Transport>, ClientError> {
        let config = ClientConfig::default()
            .connect_timeout(self.timeout)
            .io_timeout(self.timeout);
        let tcp = self.tcp(host, port).await?;
        let mut client = Client::attach_with(Transport::from(tcp), config);
        match self.tls_mode(host) {
            TlsMode::Require(tls) => client.starttls(&tls).await?,
            TlsMode::Try(tls) => match client.starttls(&tls).await {
                Err(ClientError::Tls(TlsError::Refused(code))) if no_tls_here(&code) => {}
                other => other?,
            },
            _ => {}
        }
        Ok(client)
    }
}

/// Answers of a server without TLS, after which `TlsMode::Try` carries on in plain text.
fn no_tls_here(code: &ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::FeatureNotConfigured
            | ErrorCode::FeatureNotSupported
            | ErrorCode::UnknownCommand
    )
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

    #[test]
    fn certhost_names_the_certificate_and_certpath_verifies() {
        let conf = "MONITOR u@h 1 a b primary\nCERTPATH /ca.pem\nCERTHOST h upsd.example 1 0\n";
        let TlsMode::Try(tls) = mode(conf, "h") else {
            panic!("not Try")
        };
        let want = TlsConfig::ca_file("/ca.pem").server_name("upsd.example");
        assert_eq!(tls, want);
        let TlsMode::Try(tls) = mode(conf, "other") else {
            panic!("not Try")
        };
        assert_eq!(tls, TlsConfig::accept_any_server().server_name("other"));
    }

    #[test]
    fn families_filter_addresses() {
        let v4: SocketAddr = "127.0.0.1:1".parse().expect("v4");
        let v6: SocketAddr = "[::1]:1".parse().expect("v6");
        assert!(AddressFamily::Any.accepts(&v4) && AddressFamily::Any.accepts(&v6));
        assert!(AddressFamily::V4.accepts(&v4) && !AddressFamily::V4.accepts(&v6));
        assert!(AddressFamily::V6.accepts(&v6) && !AddressFamily::V6.accepts(&v4));
    }
}
