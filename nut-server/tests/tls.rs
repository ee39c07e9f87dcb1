//! STARTTLS over loopback with certificates generated at test time: the upgrade in place,
//! CERTREQUEST REQUIRE refusing clients without a certificate from CERTPATH, and
//! FEATURE-NOT-CONFIGURED without CERTFILE.
#![allow(clippy::unwrap_used)]

mod net_common;

use std::path::PathBuf;
use std::sync::Arc;

use net_common::TestServer;
use nut_proto::config::upsd_conf::CertRequest;
use nut_server::net::tls::{acceptor, TlsSettings};
use rcgen::{BasicConstraints, Certificate, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

struct Pki {
    dir: PathBuf,
    ca: Certificate,
    ca_key: KeyPair,
}

impl Pki {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nut-server-tls-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("ca")).unwrap();
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&ca_key).unwrap();
        std::fs::write(dir.join("ca/root.pem"), ca.pem()).unwrap();
        Self { dir, ca, ca_key }
    }

    fn leaf(&self, name: &str) -> (Certificate, KeyPair) {
        let key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec![name.to_string()]).unwrap();
        (params.signed_by(&key, &self.ca, &self.ca_key).unwrap(), key)
    }

    /// CERTFILE: the server certificate followed by its key, in one PEM file.
    fn certfile(&self) -> PathBuf {
        let (cert, key) = self.leaf("localhost");
        let path = self.dir.join("upsd.pem");
        std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
        path
    }

    fn client(&self, with_cert: bool) -> TlsConnector {
        let mut roots = RootCertStore::empty();
        roots.add(self.ca.der().clone()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots);
        let config = if with_cert {
            let (cert, key) = self.leaf("client");
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
            builder
                .with_client_auth_cert(vec![cert.der().clone(), self.ca.der().clone()], key)
                .unwrap()
        } else {
            builder.with_no_client_auth()
        };
        TlsConnector::from(Arc::new(config))
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Sends STARTTLS in plaintext, handshakes, then asks NETVER over TLS.
async fn starttls_netver(srv: &TestServer, connector: TlsConnector) -> Result<String, String> {
    let mut tcp = TcpStream::connect(srv.addr).await.unwrap();
    tcp.write_all(b"STARTTLS\n").await.unwrap();
    let mut ok = [0u8; 12];
    tokio::io::AsyncReadExt::read_exact(&mut tcp, &mut ok)
        .await
        .unwrap();
    assert_eq!(&ok, b"OK STARTTLS\n");
    let name = ServerName::try_from("localhost").unwrap();
    let tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    let mut tls = BufReader::new(tls);
    tls.get_mut()
        .write_all(b"NETVER\n")
        .await
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    tls.read_line(&mut line).await.map_err(|e| e.to_string())?;
    Ok(line)
}

#[tokio::test]
async fn starttls_upgrades_the_connection_in_place() {
    let pki = Pki::new("plain");
    let settings = TlsSettings {
        certfile: pki.certfile(),
        certpath: None,
        certrequest: CertRequest::No,
    };
    let acc = acceptor(&settings).unwrap();
    let srv = TestServer::start(&["ups1"], |o| o.tls = Some(acc)).await;
    assert_eq!(
        starttls_netver(&srv, pki.client(false)).await.unwrap(),
        "1.3\n"
    );
    assert!(srv
        .log
        .contains("SSL handshake done successfully with client 127.0.0.1"));
    srv.stop().await;
}

#[tokio::test]
async fn certrequest_require_refuses_clients_without_a_trusted_certificate() {
    let pki = Pki::new("require");
    let settings = TlsSettings {
        certfile: pki.certfile(),
        certpath: Some(pki.dir.join("ca")),
        certrequest: CertRequest::Require,
    };
    let acc = acceptor(&settings).unwrap();
    let srv = TestServer::start(&["ups1"], |o| o.tls = Some(acc)).await;
    assert_eq!(
        starttls_netver(&srv, pki.client(true)).await.unwrap(),
        "1.3\n"
    );
    let refused = starttls_netver(&srv, pki.client(false)).await;
    assert!(
        refused.is_err() || refused.as_deref() == Ok(""),
        "{refused:?}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn starttls_without_certfile_is_not_configured() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    let mut c = srv.client().await;
    assert_eq!(c.ask("STARTTLS").await, "ERR FEATURE-NOT-CONFIGURED");
    assert_eq!(c.ask("NETVER").await, "1.3");
    srv.stop().await;
}

#[test]
fn a_certfile_without_a_key_is_a_clear_error() {
    let pki = Pki::new("nokey");
    let path = pki.dir.join("cert-only.pem");
    std::fs::write(&path, pki.leaf("localhost").0.pem()).unwrap();
    let settings = TlsSettings {
        certfile: path,
        certpath: None,
        certrequest: CertRequest::No,
    };
    let err = acceptor(&settings).err().unwrap().to_string();
    assert!(
        err.contains("cert-only.pem") && err.contains("private key"),
        "{err}"
    );
}
