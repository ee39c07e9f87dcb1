//! The upsmon runtime against our own upsd (nut-server, in process) with STARTTLS: server
//! certificate verification against CERTPATH (a directory of PEM CAs), the name check and
//! CERTHOST, client certificates (CERTFILE, and CERTIDENT naming a PEM file) for
//! `CERTREQUEST REQUIRE`, FORCESSL against a server without TLS, and `-4`/`-6`.
//!
//! Success is seen on the server (`GET NUMLOGINS` counts upsmon's LOGIN); failure in
//! upsmon's own log, captured through a Unix datagram socket standing in for `/dev/log`.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::PathBuf;

use std::time::Duration;

use async_trait::async_trait;
use nut_client::{Client, ClientError};
use nut_driver_core::sock::TrackingResult;
use nut_driver_core::{Driver, DriverError, DriverInfo, DriverState};
use nut_monitor::runtime::connector::{AddressFamily, Connector, TcpConnector};
use nut_monitor::runtime::upsmon::{Control, Finish};
use nut_proto::config::upsd_conf::CertRequest;
use nut_proto::config::{UpsdUsers, UpsmonConf};
use nut_server::auth::Users;
use nut_server::net::tls::{acceptor, TlsSettings};
use nut_server::{
    Descriptions, InProcess, ServedConfig, Server, ServerOptions, ServerState, UpsDef,
};
use rcgen::{BasicConstraints, Certificate, CertificateParams, IsCa, KeyPair};
use support::{fast_upsmon, Syslog};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

/// A UPS on line.
struct Online;

#[async_trait]
impl Driver for Online {
    fn info(&self) -> DriverInfo {
        DriverInfo {
            name: "online",
            version: "1.0",
            description: "test UPS",
        }
    }

    async fn init(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.set_info("ups.status", "OL");
        st.data_ok();
        Ok(())
    }

    async fn update(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.data_ok();
        Ok(())
    }

    async fn set_var(&mut self, _: &mut DriverState, _: &str, _: &str) -> TrackingResult {
        TrackingResult::Unknown
    }

    async fn instcmd(&mut self, _: &mut DriverState, _: &str, _: Option<&str>) -> TrackingResult {
        TrackingResult::Unknown
    }
}

/// A CA, its directory (`ca/root.pem`) and leaf certificates signed by it.
struct Pki {
    dir: PathBuf,
    ca: Certificate,
    ca_key: KeyPair,
}

impl Pki {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("nut-rs-mon-tls-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("ca")).unwrap();
        let mut params = CertificateParams::new(Vec::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_key = KeyPair::generate().unwrap();
        let ca = params.self_signed(&ca_key).unwrap();
        std::fs::write(dir.join("ca/root.pem"), ca.pem()).unwrap();
        Self { dir, ca, ca_key }
    }

    /// A PEM file with a certificate for `name` followed by its key.
    fn leaf_pem(&self, name: &str, file: &str) -> PathBuf {
        let key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec![name.to_string()]).unwrap();
        let cert = params.signed_by(&key, &self.ca, &self.ca_key).unwrap();
        let path = self.dir.join(file);
        std::fs::write(&path, format!("{}{}", cert.pem(), key.serialize_pem())).unwrap();
        path
    }

    fn cadir(&self) -> PathBuf {
        self.dir.join("ca")
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const USERS: &str = "[mon]\n password = pass\n upsmon primary\n";

/// Our upsd on 127.0.0.1:0 serving `ups1`, with STARTTLS when `tls` is given.
async fn upsd(tls: Option<TlsSettings>) -> (u16, oneshot::Sender<()>) {
    let backend = InProcess::new().with_poll_interval(Duration::from_millis(100));
    backend.add("ups1", Online);
    let mut opts = ServerOptions::with_backend(backend);
    opts.tls = tls.map(|t| acceptor(&t).unwrap());
    let users = Users::from_config(&UpsdUsers::parse(USERS, "upsd.users").unwrap().config);
    let served = ServedConfig::new(vec![UpsDef::new("ups1", "online", "none")], users);
    let server = Server::new(ServerState::new(served, Descriptions::builtin()), opts);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = server
            .serve(vec![listener], async {
                let _ = rx.await;
            })
            .await;
    });
    (port, tx)
}

/// `GET NUMLOGINS ups1`, asked in plain text (STARTTLS is optional for this client).
async fn numlogins(port: u16) -> u32 {
    let mut c = Client::connect("127.0.0.1", port).await.unwrap();
    c.num_logins("ups1").await.unwrap()
}

/// upsmon's log lines, received on a datagram socket.
/// Runs upsmon with `extra` configuration against `port` for about a second (many fast
/// polls); returns the login count seen by upsd meanwhile and upsmon's log.
async fn run_upsmon(pki: &Pki, port: u16, host: &str, extra: &str) -> (u32, Vec<String>) {
    let text = format!(
        "MONITOR ups1@{host}:{port} 1 mon pass primary\nNOTIFYFLAG COMMBAD IGNORE\n{extra}"
    );
    let syslog = Syslog::new(&pki.dir);
    let mon = fast_upsmon(&text, &syslog);
    assert_eq!(numlogins(port).await, 0, "the previous run logged out");
    let (tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(mon.run(rx));
    let mut logins = 0;
    for _ in 0..20 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        logins = numlogins(port).await;
        if logins > 0 {
            break;
        }
    }
    tx.send(Control::Stop(15)).await.unwrap();
    let finish = tokio::time::timeout(Duration::from_secs(10), run).await;
    assert_eq!(finish.unwrap().unwrap(), Finish::Stopped);
    (logins, syslog.datagrams())
}

fn require_settings(pki: &Pki) -> TlsSettings {
    TlsSettings {
        certfile: pki.leaf_pem("localhost", "upsd.pem"),
        certpath: Some(pki.cadir()),
        certrequest: CertRequest::Require,
    }
}

fn verified(pki: &Pki) -> String {
    format!(
        "FORCESSL 1\nCERTVERIFY 1\nCERTPATH {}\nCERTHOST 127.0.0.1 localhost 1 1\n",
        pki.cadir().display()
    )
}

#[tokio::test]
async fn verified_tls_with_a_client_certificate_logs_in() {
    let pki = Pki::new("certfile");
    let (port, _stop) = upsd(Some(require_settings(&pki))).await;
    let client = pki.leaf_pem("upsmon", "client.pem");
    let extra = format!("{}CERTFILE {}\n", verified(&pki), client.display());
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", &extra).await;
    assert_eq!(logins, 1, "{log:?}");

    let ident = format!(
        "{}CERTIDENT {} \"unused\"\n",
        verified(&pki),
        client.display()
    );
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", &ident).await;
    assert_eq!(logins, 1, "CERTIDENT naming a PEM file: {log:?}");
}

#[tokio::test]
async fn certrequest_require_refuses_upsmon_without_a_client_certificate() {
    let pki = Pki::new("nocert");
    let (port, _stop) = upsd(Some(require_settings(&pki))).await;
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", &verified(&pki)).await;
    assert_eq!(logins, 0);
    // The handshake ends before upsd checks for a certificate (TLS 1.3): the login's first
    // write meets upsd's alert, and every new connection fails the same way.
    let refused = log
        .iter()
        .filter(|l| l.contains("CertificateRequired"))
        .count();
    assert!(refused >= 3, "each connection tries and fails: {log:?}");
    assert!(
        log[0].starts_with("<27>upsmon["),
        "LOG_ERR, daemon: {log:?}"
    );
}

#[tokio::test]
async fn certverify_checks_the_ca_and_the_name() {
    let pki = Pki::new("verify");
    let other = Pki::new("verify-other");
    let settings = TlsSettings {
        certrequest: CertRequest::No,
        certpath: None,
        ..require_settings(&pki)
    };
    let (port, _stop) = upsd(Some(settings)).await;
    // Another CA in CERTPATH: refused.
    let wrong_ca = format!(
        "FORCESSL 1\nCERTVERIFY 1\nCERTPATH {}\nCERTHOST 127.0.0.1 localhost 1 1\n",
        other.cadir().display()
    );
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", &wrong_ca).await;
    assert_eq!(logins, 0, "{log:?}");
    assert!(log.iter().any(|l| l.contains("connect failed")), "{log:?}");
    // The right CA but the certificate names localhost, not 127.0.0.1: refused.
    let no_certhost = format!(
        "FORCESSL 1\nCERTVERIFY 1\nCERTPATH {}\n",
        pki.cadir().display()
    );
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", &no_certhost).await;
    assert_eq!(logins, 0, "{log:?}");
    // CERTHOST names it: accepted.
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", &verified(&pki)).await;
    assert_eq!(logins, 1, "{log:?}");
    // Without CERTVERIFY any certificate is accepted (encryption only), as upsmon does.
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", "FORCESSL 1\n").await;
    assert_eq!(logins, 1, "{log:?}");
}

#[tokio::test]
async fn forcessl_refuses_a_server_without_tls_and_plain_text_is_the_fallback() {
    let pki = Pki::new("plain");
    let (port, _stop) = upsd(None).await;
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", "FORCESSL 1\n").await;
    assert_eq!(logins, 0, "{log:?}");
    let (logins, log) = run_upsmon(&pki, port, "127.0.0.1", "").await;
    assert_eq!(logins, 1, "{log:?}");
}

async fn reach(family: AddressFamily, host: &str, port: u16) -> Result<(), ClientError> {
    let text = "MONITOR ups1@127.0.0.1 1 mon pass secondary\n";
    let conf = UpsmonConf::parse(text, "upsmon.conf").unwrap().config;
    let connector = TcpConnector::new(&conf).family(family);
    let mut c = connector.connect(host, port).await?;
    c.num_logins("ups1").await.map(drop)
}

#[tokio::test]
async fn address_family_options_filter_what_is_tried() {
    let (port, _stop) = upsd(None).await;
    assert!(reach(AddressFamily::Any, "127.0.0.1", port).await.is_ok());
    assert!(reach(AddressFamily::V4, "127.0.0.1", port).await.is_ok());
    let v6 = reach(AddressFamily::V6, "127.0.0.1", port).await;
    assert_eq!(v6, Err(ClientError::NoAddressOfFamily("127.0.0.1".into())));
    let v4_only = reach(AddressFamily::V4, "::1", port).await;
    assert_eq!(v4_only, Err(ClientError::NoAddressOfFamily("::1".into())));
}
