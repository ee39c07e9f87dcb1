//! SET VAR, INSTCMD and status tracking (`SET TRACKING`, `GET TRACKING`).

use std::time::Duration;

use nut_proto::{ErrorCode, Get, Request, Response};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{unexpected, Client};
use crate::error::ClientError;

/// How long `upscmd -w` / `upsrw -w` wait for a tracked result by default (NUT 2.8.0).
pub const DEFAULT_TRACKING_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between two `GET TRACKING` polls, as upscmd/upsrw do.
const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The answer to `GET TRACKING <id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TrackingStatus {
    /// The driver has not answered yet.
    Pending,
    /// The driver carried the command out.
    Success,
    /// An `ERR` answer: `FAILED`, `UNKNOWN` (unknown id or command), `INVALID-ARGUMENT`, or
    /// `FEATURE-NOT-CONFIGURED` when tracking is off on this connection.
    Failed(ErrorCode),
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// `SET VAR <ups> <var> "<value>"`. Returns the tracking id if tracking is on.
    pub async fn set_var(
        &mut self,
        ups: &str,
        var: &str,
        value: &str,
    ) -> Result<Option<String>, ClientError> {
        let request = Request::SetVar {
            ups: ups.into(),
            var: var.into(),
            value: value.into(),
        };
        self.tracked_ok(&request).await
    }

    /// `INSTCMD <ups> <cmd> [<param>]`. Returns the tracking id if tracking is on.
    pub async fn instcmd(
        &mut self,
        ups: &str,
        cmd: &str,
        param: Option<&str>,
    ) -> Result<Option<String>, ClientError> {
        let request = Request::InstCmd {
            ups: ups.into(),
            cmd: cmd.into(),
            param: param.map(Into::into),
        };
        self.tracked_ok(&request).await
    }

    /// `SET TRACKING ON|OFF` for this connection.
    pub async fn set_tracking(&mut self, on: bool) -> Result<(), ClientError> {
        self.expect_ok(&Request::SetTracking(on)).await
    }

    /// `GET TRACKING`: whether tracking is on for this connection.
    pub async fn tracking_mode(&mut self) -> Result<bool, ClientError> {
        match self.call(&Request::Get(Get::Tracking { id: None })).await? {
            (_, Response::TrackingMode(on)) => Ok(on),
            (line, _) => Err(unexpected("ON or OFF", line)),
        }
    }

    /// `GET TRACKING <id>`: where a tracked SET or INSTCMD stands.
    pub async fn tracking_status(&mut self, id: &str) -> Result<TrackingStatus, ClientError> {
        let request = Request::Get(Get::Tracking {
            id: Some(id.into()),
        });
        match self.exchange(&request).await? {
            (_, Response::Pending) => Ok(TrackingStatus::Pending),
            (_, Response::Success) => Ok(TrackingStatus::Success),
            (_, Response::Err { code, .. }) => Ok(TrackingStatus::Failed(code)),
            (line, _) => Err(unexpected("PENDING, SUCCESS or ERR", line)),
        }
    }

    /// Like `upsrw -w`: turns tracking on, sets the variable, then polls once a second until
    /// the driver reports the result or `timeout` has passed
    /// ([`ClientError::TrackingTimeout`]). A driver failure is [`ClientError::Server`].
    /// A server that answers a plain `OK` (no tracking support) counts as success.
    pub async fn set_var_wait(
        &mut self,
        ups: &str,
        var: &str,
        value: &str,
        timeout: Duration,
    ) -> Result<(), ClientError> {
        self.set_tracking(true).await?;
        let id = self.set_var(ups, var, value).await?;
        self.wait_for(id, timeout).await
    }

    /// Like `upscmd -w`: turns tracking on, sends the command, then polls as
    /// [`set_var_wait`](Self::set_var_wait) does.
    pub async fn instcmd_wait(
        &mut self,
        ups: &str,
        cmd: &str,
        param: Option<&str>,
        timeout: Duration,
    ) -> Result<(), ClientError> {
        self.set_tracking(true).await?;
        let id = self.instcmd(ups, cmd, param).await?;
        self.wait_for(id, timeout).await
    }

    /// Polls `GET TRACKING <id>` once a second until it is no longer PENDING.
    async fn wait_for(&mut self, id: Option<String>, timeout: Duration) -> Result<(), ClientError> {
        let Some(id) = id else {
            return Ok(());
        };
        let start = tokio::time::Instant::now();
        loop {
            if start.elapsed() >= timeout {
                return Err(ClientError::TrackingTimeout { id });
            }
            match self.tracking_status(&id).await? {
                TrackingStatus::Success => return Ok(()),
                TrackingStatus::Failed(code) => return Err(ClientError::Server(code)),
                TrackingStatus::Pending => tokio::time::sleep(POLL_INTERVAL).await,
            }
        }
    }

    /// A SET/INSTCMD reply: `OK` or `OK TRACKING <id>`.
    async fn tracked_ok(&mut self, request: &Request) -> Result<Option<String>, ClientError> {
        match self.call(request).await? {
            (_, Response::Ok) => Ok(None),
            (_, Response::OkTracking(id)) => Ok(Some(id)),
            (line, _) => Err(unexpected("OK or OK TRACKING", line)),
        }
    }
}
