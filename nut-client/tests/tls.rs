//! STARTTLS against an in-process tokio-rustls server on 127.0.0.1:0 that speaks just enough
//! NUT (STARTTLS, VER). Certificates are generated per test with rcgen.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use nut_client::proto::ErrorCode;
use nut_client::{Client, ClientConfig, ClientError, TlsConfig, TlsError, TlsMode};
use rcgen::{BasicConstraints, Certificate, CertificateParams, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const BANNER: &str = "Network UPS Tools upsd test";

/// A CA and a certificate it signed.
struct Pki {
    ca: Certificate,
    ca_key: KeyPair,
}

impl Pki {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        let name = format!("test CA {}", N.fetch_add(1, Ordering::Relaxed));
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&ca_key).unwrap();
        Self { ca, ca_key }
    }

    /// A leaf certificate for `names`, signed by this CA.
    fn leaf(&self, names: &[&str]) -> (Certificate, KeyPair) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(names)
            .unwrap()
            .signed_by(&key, &self.ca, &self.ca_key)
            .unwrap();
        (cert, key)
    }
}

/// A unique scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("nut-client-tls-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// How the fake server answers STARTTLS.
#[allow(clippy::large_enum_variant)]
enum Mode {
    /// `OK STARTTLS`, then TLS with this certificate; `client_ca` requires client certificates.
    Tls {
        cert: Certificate,
        key: KeyPair,
        client_ca: Option<CertificateDer<'static>>,
    },
    /// `OK STARTTLS` followed at once by a plaintext line (an injection attempt).
    Inject,
    /// `ERR FEATURE-NOT-CONFIGURED`, then plain text.
    NotConfigured,
}

/// Starts the server; returns its port and what it learnt (whether a client certificate came).
async fn serve(mode: Mode) -> (u16, oneshot::Receiver<bool>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tcp = BufReader::new(tcp);
        let mut line = String::new();
        if tcp.read_line(&mut line).await.is_err() || line != "STARTTLS\n" {
            return;
        }
        match mode {
            Mode::NotConfigured => {
                tcp.write_all(b"ERR FEATURE-NOT-CONFIGURED\n")
                    .await
                    .unwrap();
                answer_ver(tcp).await;
            }
            Mode::Inject => tcp.write_all(b"OK STARTTLS\nVAR evil\n").await.unwrap(),
            Mode::Tls {
                cert,
                key,
                client_ca,
            } => {
                tcp.write_all(b"OK STARTTLS\n").await.unwrap();
                let acceptor = acceptor(&cert, &key, client_ca.as_ref());
                let Ok(tls) = acceptor.accept(tcp.into_inner()).await else {
                    return;
                };
                let _ = tx.send(tls.get_ref().1.peer_certificates().is_some());
                answer_ver(BufReader::new(tls)).await;
            }
        }
    });
    (port, rx)
}

async fn answer_ver<S: AsyncRead + AsyncWrite + Unpin>(mut io: BufReader<S>) {
    let mut line = String::new();
    while io.read_line(&mut line).await.unwrap_or(0) > 0 {
        if line == "VER\n" {
            let _ = io.write_all(format!("{BANNER}\n").as_bytes()).await;
            let _ = io.flush().await;
        }
        line.clear();
    }
}

fn acceptor(
    cert: &Certificate,
    key: &KeyPair,
    client_ca: Option<&CertificateDer<'static>>,
) -> tokio_rustls::TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.clone()).unwrap();
            let verifier = WebPkiClientVerifier::builder_with_provider(roots.into(), provider)
                .build()
                .unwrap();
            builder.with_client_cert_verifier(verifier)
        }
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let chain = vec![CertificateDer::from(cert.der().to_vec())];
    let config = builder.with_single_cert(chain, key).unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

async fn connect(port: u16, mode: TlsMode) -> Result<Client, ClientError> {
    Client::connect_with("127.0.0.1", port, &ClientConfig::default().tls(mode)).await
}

fn tls_server(pki: &Pki) -> Mode {
    let (cert, key) = pki.leaf(&["localhost"]);
    Mode::Tls {
        cert,
        key,
        client_ca: None,
    }
}

#[tokio::test]
async fn verified_with_the_right_ca_file() {
    let (pki, dir) = (Pki::new(), Scratch::new());
    let ca = dir.write("ca.pem", &pki.ca.pem());
    let (port, _) = serve(tls_server(&pki)).await;
    let tls = TlsConfig::ca_file(&ca).server_name("localhost");
    let mut client = connect(port, TlsMode::Require(tls)).await.unwrap();
    assert!(client.stream().is_tls());
    assert_eq!(client.ver().await.unwrap(), BANNER);
}

#[tokio::test]
async fn verified_with_a_ca_directory() {
    let (pki, dir) = (Pki::new(), Scratch::new());
    dir.write("other.pem", &Pki::new().ca.pem());
    dir.write("ours.crt", &pki.ca.pem());
    dir.write("README", "not a certificate");
    let (port, _) = serve(tls_server(&pki)).await;
    let tls = TlsConfig::ca_dir(&dir.0).server_name("localhost");
    let mut client = connect(port, TlsMode::Require(tls)).await.unwrap();
    assert_eq!(client.ver().await.unwrap(), BANNER);
}

#[tokio::test]
async fn refused_with_the_wrong_ca() {
    let dir = Scratch::new();
    let wrong = dir.write("wrong.pem", &Pki::new().ca.pem());
    let (port, _) = serve(tls_server(&Pki::new())).await;
    let tls = TlsConfig::ca_file(&wrong).server_name("localhost");
    let err = connect(port, TlsMode::Require(tls)).await.unwrap_err();
    let unknown_issuer = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
    assert_eq!(err, ClientError::Tls(TlsError::Rustls(unknown_issuer)));
}

#[tokio::test]
async fn refused_when_the_name_does_not_match() {
    let (pki, dir) = (Pki::new(), Scratch::new());
    let ca = dir.write("ca.pem", &pki.ca.pem());
    let (port, _) = serve(tls_server(&pki)).await;
    // The certificate names "localhost"; by default the host connected to (127.0.0.1) is checked.
    let err = connect(port, TlsMode::Require(TlsConfig::ca_file(&ca)))
        .await
        .unwrap_err();
    let is_name_error = matches!(
        &err,
        ClientError::Tls(TlsError::Rustls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName
                | rustls::CertificateError::NotValidForNameContext { .. }
        )))
    );
    assert!(is_name_error, "{err:?}");
}

#[tokio::test]
async fn pinned_certificate_accepted_and_mismatch_refused() {
    let pki = Pki::new();
    let (cert, key) = pki.leaf(&["localhost"]);
    let der = cert.der().to_vec();
    let mode = Mode::Tls {
        cert,
        key,
        client_ca: None,
    };
    let (port, _) = serve(mode).await;
    let mut client = connect(port, TlsMode::Require(TlsConfig::pinned_der(der)))
        .await
        .unwrap();
    assert_eq!(client.ver().await.unwrap(), BANNER);

    let dir = Scratch::new();
    let other = dir.write("other.pem", &pki.leaf(&["localhost"]).0.pem());
    let (port, _) = serve(tls_server(&pki)).await;
    let pinned = TlsConfig::pinned_pem_file(&other).unwrap();
    let err = connect(port, TlsMode::Require(pinned)).await.unwrap_err();
    let mismatch =
        rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure);
    assert_eq!(err, ClientError::Tls(TlsError::Rustls(mismatch)));
}

#[tokio::test]
async fn client_certificate_is_presented() {
    let (pki, dir) = (Pki::new(), Scratch::new());
    let ca = dir.write("ca.pem", &pki.ca.pem());
    let (client_cert, client_key) = pki.leaf(&["upsmon.example"]);
    let cert_file = dir.write("client.pem", &client_cert.pem());
    let key_file = dir.write("client.key", &client_key.serialize_pem());
    let (cert, key) = pki.leaf(&["localhost"]);
    let mode = Mode::Tls {
        cert,
        key,
        client_ca: Some(pki.ca.der().clone()),
    };
    let (port, saw_cert) = serve(mode).await;
    let tls = TlsConfig::ca_file(&ca)
        .server_name("localhost")
        .client_cert(&cert_file, &key_file);
    let mut client = connect(port, TlsMode::Require(tls)).await.unwrap();
    assert_eq!(client.ver().await.unwrap(), BANNER);
    assert!(saw_cert.await.unwrap(), "server saw no client certificate");
}

#[tokio::test]
async fn require_fails_when_the_server_has_no_tls() {
    let (port, _) = serve(Mode::NotConfigured).await;
    let err = connect(port, TlsMode::Require(TlsConfig::accept_any_server()))
        .await
        .unwrap_err();
    let refused = TlsError::Refused(ErrorCode::FeatureNotConfigured);
    assert_eq!(err, ClientError::Tls(refused));
}

#[tokio::test]
async fn try_falls_back_to_plain_text() {
    let (port, _) = serve(Mode::NotConfigured).await;
    let mut client = connect(port, TlsMode::Try(TlsConfig::accept_any_server()))
        .await
        .unwrap();
    assert!(!client.stream().is_tls());
    assert_eq!(client.ver().await.unwrap(), BANNER);
}

#[tokio::test]
async fn plaintext_injected_after_ok_starttls_is_refused() {
    let (port, _) = serve(Mode::Inject).await;
    let err = connect(port, TlsMode::Try(TlsConfig::accept_any_server()))
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Tls(TlsError::PlaintextAfterStartTls));
}

#[tokio::test]
async fn missing_or_empty_certificate_files_are_reported() {
    let dir = Scratch::new();
    let (port, _) = serve(tls_server(&Pki::new())).await;
    let empty = dir.write("empty.pem", "");
    let err = connect(port, TlsMode::Require(TlsConfig::ca_file(&empty)))
        .await
        .unwrap_err();
    assert_eq!(err, ClientError::Tls(TlsError::NoCertificates(empty)));
    let missing: &Path = &dir.0.join("missing.pem");
    let err = TlsConfig::pinned_pem_file(missing).unwrap_err();
    assert!(
        matches!(err, TlsError::Pem { ref path, .. } if path == missing),
        "{err:?}"
    );
}
