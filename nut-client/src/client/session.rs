//! Authentication and privileges: USERNAME, PASSWORD, LOGIN, LOGOUT, PRIMARY/MASTER, FSD.

use nut_proto::{Request, Response};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{unexpected, Client};
use crate::error::ClientError;

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// `USERNAME <name>`. upsd checks nothing until a privileged command.
    pub async fn username(&mut self, name: &str) -> Result<(), ClientError> {
        self.expect_ok(&Request::Username(name.into())).await
    }

    /// `PASSWORD <password>`. upsd checks nothing until a privileged command.
    pub async fn password(&mut self, password: &str) -> Result<(), ClientError> {
        self.expect_ok(&Request::Password(password.into())).await
    }

    /// `LOGIN <ups>`: counts this connection in the UPS's NUMLOGINS (what upsmon does).
    pub async fn login(&mut self, ups: &str) -> Result<(), ClientError> {
        self.expect_ok(&Request::Login(ups.into())).await
    }

    /// `LOGOUT`: the server answers `OK Goodbye` and closes the connection; this client is
    /// unusable afterwards.
    pub async fn logout(&mut self) -> Result<(), ClientError> {
        let result = match self.call(&Request::Logout).await? {
            (_, Response::OkGoodbye | Response::Ok) => Ok(()),
            (line, _) => Err(unexpected("OK Goodbye", line)),
        };
        self.conn.shutdown().await;
        self.broken = true;
        result
    }

    /// `PRIMARY <ups>`: claims the primary role (upsmon `primary`). Any answer but `OK`
    /// (a server older than 2.8.0 answers `ERR UNKNOWN-COMMAND`) is followed by
    /// `MASTER <ups>`, whose answer decides, as upsmon 2.8.0 does.
    pub async fn primary(&mut self, ups: &str) -> Result<(), ClientError> {
        match self.call(&Request::Primary(ups.into())).await {
            Ok((_, Response::OkPrimaryGranted | Response::OkMasterGranted | Response::Ok)) => {
                Ok(())
            }
            Ok(_) | Err(ClientError::Server(_)) => self.master(ups).await,
            Err(e) => Err(e),
        }
    }

    /// `MASTER <ups>`: the pre-2.8.0 name of [`primary`](Self::primary).
    pub async fn master(&mut self, ups: &str) -> Result<(), ClientError> {
        match self.call(&Request::Master(ups.into())).await? {
            (_, Response::OkMasterGranted | Response::OkPrimaryGranted | Response::Ok) => Ok(()),
            (line, _) => Err(unexpected("OK MASTER-GRANTED", line)),
        }
    }

    /// `FSD <ups>`: sets the forced-shutdown flag (needs the primary role).
    pub async fn fsd(&mut self, ups: &str) -> Result<(), ClientError> {
        match self.call(&Request::Fsd(ups.into())).await? {
            (_, Response::OkFsdSet | Response::Ok) => Ok(()),
            (line, _) => Err(unexpected("OK FSD-SET", line)),
        }
    }

    /// A request answered by a bare `OK`.
    pub(super) async fn expect_ok(&mut self, request: &Request) -> Result<(), ClientError> {
        match self.call(request).await? {
            (_, Response::Ok) => Ok(()),
            (line, _) => Err(unexpected("OK", line)),
        }
    }
}
