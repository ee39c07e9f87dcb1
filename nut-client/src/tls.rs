//! [`TlsConfig`]: how STARTTLS verifies the server and whether it presents a client
//! certificate. Certificates are read from PEM files with rustls' own PEM reader.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::TlsError;

/// How the server's certificate is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verify {
    /// Chain to one of the CA certificates in this PEM file; check the server name.
    CaFile(PathBuf),
    /// Chain to a CA certificate in any PEM file of this directory (NUT's `CERTPATH`).
    CaDir(PathBuf),
    /// The server's end-entity certificate must be exactly this one (DER); name not checked.
    Pinned(CertificateDer<'static>),
    /// Anything goes (upsc's behaviour without `CERTVERIFY`): encryption without authentication.
    AcceptAny,
}

/// STARTTLS settings.
///
/// ```no_run
/// use nut_client::TlsConfig;
///
/// let tls = TlsConfig::ca_file("/etc/nut/ca.pem")
///     .server_name("ups.example.net")
///     .client_cert("/etc/nut/client.pem", "/etc/nut/client.key");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    verify: Verify,
    client: Option<(PathBuf, PathBuf)>,
    server_name: Option<String>,
}

impl TlsConfig {
    /// Verify the server against the CA certificates of one PEM file.
    pub fn ca_file(path: impl Into<PathBuf>) -> Self {
        Self::with(Verify::CaFile(path.into()))
    }

    /// Verify the server against every PEM file of a directory (like NUT's `CERTPATH`).
    pub fn ca_dir(path: impl Into<PathBuf>) -> Self {
        Self::with(Verify::CaDir(path.into()))
    }

    /// Accept exactly this server certificate (DER bytes) and nothing else.
    pub fn pinned_der(der: impl Into<Vec<u8>>) -> Self {
        Self::with(Verify::Pinned(CertificateDer::from(der.into())))
    }

    /// Accept exactly the (first) certificate of this PEM file.
    pub fn pinned_pem_file(path: impl AsRef<Path>) -> Result<Self, TlsError> {
        let path = path.as_ref();
        let cert = CertificateDer::from_pem_file(path).map_err(|e| pem_error(path, e))?;
        Ok(Self::with(Verify::Pinned(cert)))
    }

    /// Encrypt without checking who the server is. Protects against passive eavesdropping
    /// only; this is what upsc does unless `CERTVERIFY` is set.
    pub fn accept_any_server() -> Self {
        Self::with(Verify::AcceptAny)
    }

    /// Present this client certificate chain and key (PEM files).
    #[must_use]
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client = Some((cert.into(), key.into()));
        self
    }

    /// Name used for SNI and checked against the certificate (default: the host connected to).
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.server_name = Some(name.into());
        self
    }

    fn with(verify: Verify) -> Self {
        Self {
            verify,
            client: None,
            server_name: None,
        }
    }

    /// The name to verify: the configured one, else `host`.
    pub(crate) fn name_for(&self, host: &str) -> Result<ServerName<'static>, TlsError> {
        let name = self.server_name.as_deref().unwrap_or(host);
        ServerName::try_from(name.to_string())
            .map_err(|_| TlsError::InvalidServerName(name.to_string()))
    }

    /// The rustls configuration these settings stand for (reads the certificate files), for
    /// callers that run the TLS handshake themselves.
    ///
    /// ```
    /// let config = nut_client::TlsConfig::accept_any_server().rustls_config()?;
    /// assert!(config.alpn_protocols.is_empty());
    /// # Ok::<(), nut_client::TlsError>(())
    /// ```
    pub fn rustls_config(&self) -> Result<rustls::ClientConfig, TlsError> {
        self.build()
    }

    /// Builds the rustls configuration (reads the certificate files).
    pub(crate) fn build(&self) -> Result<rustls::ClientConfig, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?;
        let builder = match &self.verify {
            Verify::CaFile(path) => {
                builder.with_root_certificates(roots(std::slice::from_ref(path), path)?)
            }
            Verify::CaDir(dir) => builder.with_root_certificates(roots(&pem_files(dir)?, dir)?),
            Verify::Pinned(cert) => builder
                .dangerous()
                .with_custom_certificate_verifier(Custom::verifier(Some(cert.clone()), provider)),
            Verify::AcceptAny => builder
                .dangerous()
                .with_custom_certificate_verifier(Custom::verifier(None, provider)),
        };
        match &self.client {
            None => Ok(builder.with_no_client_auth()),
            Some((cert, key)) => {
                Ok(builder.with_client_auth_cert(certs(cert)?, private_key(key)?)?)
            }
        }
    }
}

fn pem_error(path: &Path, error: rustls::pki_types::pem::Error) -> TlsError {
    TlsError::Pem {
        path: path.to_path_buf(),
        error: Arc::new(error),
    }
}

fn certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e))
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_error(path, e))
}

/// Every regular file of `dir` whose name ends in `.pem` or `.crt`, sorted.
fn pem_files(dir: &Path) -> Result<Vec<PathBuf>, TlsError> {
    let dir_error = |e| TlsError::Dir {
        path: dir.to_path_buf(),
        error: Arc::new(e),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(dir_error)? {
        let path = entry.map_err(dir_error)?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if path.is_file() && matches!(ext, "pem" | "crt") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// A root store of every certificate in `files`; `origin` names the source in errors.
fn roots(files: &[PathBuf], origin: &Path) -> Result<RootCertStore, TlsError> {
    let mut store = RootCertStore::empty();
    for file in files {
        for cert in certs(file)? {
            store.add(cert)?;
        }
    }
    if store.is_empty() {
        return Err(TlsError::NoCertificates(origin.to_path_buf()));
    }
    Ok(store)
}

/// Accepts one exact end-entity certificate (`pinned`) or, without one, any certificate;
/// either way the handshake signatures are still verified against the certificate.
#[derive(Debug)]
struct Custom {
    pinned: Option<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl Custom {
    fn verifier(
        pinned: Option<CertificateDer<'static>>,
        provider: Arc<CryptoProvider>,
    ) -> Arc<Self> {
        Arc::new(Self { pinned, provider })
    }
}

impl ServerCertVerifier for Custom {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.pinned {
            Some(cert) if end_entity.as_ref() != cert.as_ref() => {
                Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::ApplicationVerificationFailure,
                ))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}
