//! STARTTLS on a [`Transport`] client.

use nut_proto::{ErrorCode, Request, Response};

use super::{unexpected, Client};
use crate::config::TlsMode;
use crate::error::{ClientError, TlsError};
use crate::tls::TlsConfig;
use crate::transport::Transport;

impl Client<Transport> {
    /// Sends `STARTTLS`, expects `OK STARTTLS`, then runs the TLS handshake on the same
    /// connection (bounded by [`connect_timeout`](crate::ClientConfig::connect_timeout)).
    /// An `ERR` answer is [`TlsError::Refused`]; the connection stays usable in plain text.
    pub async fn starttls(&mut self, tls: &TlsConfig) -> Result<(), ClientError> {
        if self.conn.stream.is_tls() {
            return Err(TlsError::AlreadyTls.into());
        }
        let config = tls.build()?;
        let name = tls.name_for(self.host.as_deref().unwrap_or(""))?;
        match self.call(&Request::StartTls).await {
            Ok((_, Response::OkStartTls)) => {}
            Ok((line, _)) => return Err(unexpected("OK STARTTLS", line)),
            Err(ClientError::Server(code)) => return Err(TlsError::Refused(code).into()),
            Err(e) => return Err(e),
        }
        if self.conn.has_buffered() {
            self.broken = true;
            return Err(TlsError::PlaintextAfterStartTls.into());
        }
        let handshake = self.conn.stream.upgrade(config, name);
        let result = tokio::time::timeout(self.config.connect_timeout, handshake).await;
        self.settle(result)
    }

    /// Applies [`ClientConfig::tls`](crate::ClientConfig::tls) right after connecting.
    pub(super) async fn apply_tls_mode(&mut self) -> Result<(), ClientError> {
        match self.config.tls.clone() {
            TlsMode::Plain => Ok(()),
            TlsMode::Require(tls) => self.starttls(&tls).await,
            TlsMode::Try(tls) => match self.starttls(&tls).await {
                Err(ClientError::Tls(TlsError::Refused(code))) if plain_fallback(&code) => Ok(()),
                other => other,
            },
        }
    }
}

/// Answers after which `TlsMode::Try` carries on in plain text, as upsc does.
fn plain_fallback(code: &ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::FeatureNotConfigured
            | ErrorCode::FeatureNotSupported
            | ErrorCode::UnknownCommand
    )
}
