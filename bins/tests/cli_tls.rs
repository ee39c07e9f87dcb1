//! STARTTLS as NUT's `upsc` does it: after `OK STARTTLS` the session continues over TLS with
//! whatever certificate the server shows, and NUT's two notices go to stderr.
//!
//! Debian's upsd 2.8.0 is built with NSS and needs an NSS certificate database, so this test
//! uses a scripted in-process server with a self-signed certificate instead of real upsd.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const OURS: &str = env!("CARGO_BIN_EXE_upsc");

fn acceptor() -> tokio_rustls::TlsAcceptor {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.key_pair.serialize_der()));
    let chain = vec![CertificateDer::from(ck.cert.der().to_vec())];
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// Accepts one client: `STARTTLS` in the clear, then `LIST UPS` over TLS; returns the
/// requests it saw.
async fn serve_once(listener: TcpListener) -> Vec<String> {
    let (tcp, _) = listener.accept().await.unwrap();
    let mut plain = BufReader::new(tcp);
    let mut line = String::new();
    plain.read_line(&mut line).await.unwrap();
    let mut seen = vec![line.trim_end().to_string()];
    plain.get_mut().write_all(b"OK STARTTLS\n").await.unwrap();
    let tls = acceptor().accept(plain.into_inner()).await.unwrap();
    let mut tls = BufReader::new(tls);
    loop {
        let mut line = String::new();
        if tls.read_line(&mut line).await.unwrap_or(0) == 0 {
            break;
        }
        let request = line.trim_end().to_string();
        if request == "LIST UPS" {
            let reply = "BEGIN LIST UPS\nUPS dummy \"Over TLS\"\nEND LIST UPS\n";
            tls.get_mut().write_all(reply.as_bytes()).await.unwrap();
        }
        let logout = request == "LOGOUT";
        seen.push(request);
        if logout {
            break;
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upsc_lists_over_starttls() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(serve_once(listener));
    let host = format!("127.0.0.1:{port}");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(OURS).args(["-L", &host]).output().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "dummy: Over TLS\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Connected to NUT server 127.0.0.1 in SSL\nCertificate verification is disabled\n"
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.await.unwrap(), ["STARTTLS", "LIST UPS", "LOGOUT"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_handshake_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // says OK STARTTLS, then talks plain text instead of TLS
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut plain = BufReader::new(tcp);
        let mut line = String::new();
        plain.read_line(&mut line).await.unwrap();
        plain
            .get_mut()
            .write_all(b"OK STARTTLS\nnot tls at all\n")
            .await
            .unwrap();
    });
    let host = format!("127.0.0.1:{port}");
    let out = tokio::task::spawn_blocking(move || {
        Command::new(OURS).args(["-l", &host]).output().unwrap()
    })
    .await
    .unwrap();
    server.await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "Error while connecting to NUT server 127.0.0.1, disconnect\nError: SSL error: "
        ),
        "{stderr}"
    );
    assert_eq!((out.stdout.len(), out.status.code()), (0, Some(1)));
}
