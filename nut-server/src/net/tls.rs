//! STARTTLS: the rustls server configuration built from upsd.conf's `CERTFILE`, `CERTPATH`,
//! `CERTREQUEST` and `DISABLE_WEAK_SSL`.
//!
//! - `CERTFILE`: one PEM file holding the certificate chain (server certificate first) and its
//!   private key, as NUT's OpenSSL build expects.
//! - `CERTREQUEST`: `NO` does not ask clients for a certificate; `REQUEST` asks and verifies one
//!   if given; `REQUIRE` refuses clients without a certificate signed by a CA of `CERTPATH`.
//! - `CERTPATH`: a directory of PEM CA certificates (every `*.pem`/`*.crt` file in it) that
//!   client certificates are checked against.
//! - `DISABLE_WEAK_SSL`: TLS 1.2 and newer only. rustls never speaks SSLv3, TLS 1.0 or 1.1, so
//!   this holds whether or not it is set.

use std::path::Path;
use std::sync::Arc;

use nut_proto::config::upsd_conf::CertRequest;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig};
use tokio_rustls::TlsAcceptor;

use super::error::NetError;

/// What upsd.conf says about TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// `CERTFILE`: PEM certificate chain plus private key.
    pub certfile: std::path::PathBuf,
    /// `CERTPATH`: directory of CA certificates for client certificates.
    pub certpath: Option<std::path::PathBuf>,
    /// `CERTREQUEST`.
    pub certrequest: CertRequest,
}

fn tls_err(path: &Path, reason: impl ToString) -> NetError {
    NetError::Tls {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Builds the acceptor used after `OK STARTTLS`.
pub fn acceptor(settings: &TlsSettings) -> Result<TlsAcceptor, NetError> {
    let pem = std::fs::read(&settings.certfile)
        .map_err(|e| NetError::io(settings.certfile.display().to_string(), e))?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(&settings.certfile, e))?;
    if chain.is_empty() {
        return Err(tls_err(&settings.certfile, "no certificate in file"));
    }
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|e| tls_err(&settings.certfile, format!("no usable private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| tls_err(&settings.certfile, e))?;
    let builder = match settings.certrequest {
        CertRequest::No => builder.with_no_client_auth(),
        req => {
            let roots = client_roots(settings)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if req == CertRequest::Request {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier = verifier
                .build()
                .map_err(|e| tls_err(cert_dir(settings), e))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let config = builder
        .with_single_cert(chain, key)
        .map_err(|e| tls_err(&settings.certfile, e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

fn cert_dir(settings: &TlsSettings) -> &Path {
    settings
        .certpath
        .as_deref()
        .unwrap_or_else(|| Path::new("CERTPATH"))
}

/// Every CA certificate of `CERTPATH`.
fn client_roots(settings: &TlsSettings) -> Result<RootCertStore, NetError> {
    let dir = cert_dir(settings);
    let entries = std::fs::read_dir(dir).map_err(|e| NetError::io(dir.display().to_string(), e))?;
    let mut roots = RootCertStore::empty();
    for entry in entries.flatten() {
        let path = entry.path();
        let is_cert = path
            .extension()
            .is_some_and(|e| e == "pem" || e == "crt" || e == "cer");
        if !is_cert {
            continue;
        }
        let pem = std::fs::read(&path).map_err(|e| NetError::io(path.display().to_string(), e))?;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| tls_err(&path, e))?;
            roots.add(cert).map_err(|e| tls_err(&path, e))?;
        }
    }
    if roots.is_empty() {
        return Err(tls_err(
            dir,
            "CERTREQUEST needs CA certificates (*.pem) in CERTPATH",
        ));
    }
    Ok(roots)
}
