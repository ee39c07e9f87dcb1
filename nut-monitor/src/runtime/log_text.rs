//! upsmon 2.8.0's log lines for failed requests to upsd: which step failed (sending or
//! reading its reply) and libupsclient's wording of the error
//! ([`ClientError::upscli_text`]).
//!
//! After a failed read or write libupsclient gives the connection up (`upscli_disconnect`),
//! writing `LOGOUT` on its way out; when that write fails too, its error replaces the
//! request's in what upsmon logs. A [`Failure`] keeps both.

use nut_client::{ClientError, UpscliStage};

use super::log::Level;

/// A step of logging in to upsd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginStep {
    /// `USERNAME`.
    Username,
    /// `PASSWORD`.
    Password,
    /// `LOGIN`.
    Login,
    /// `PRIMARY` (or `MASTER`).
    Primary,
}

/// The stage libupsclient would have failed at: a request whose write failed (the peer had
/// already reset the connection) reads as a write error, anything else as a read error.
pub fn request_stage(e: &ClientError) -> UpscliStage {
    match e {
        ClientError::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe => UpscliStage::Write,
        _ => UpscliStage::Read,
    }
}

/// A failed request: its own error, and the error of the `LOGOUT` libupsclient wrote while
/// giving the connection up, if that write failed
/// ([`Client::abandon`](nut_client::Client::abandon)).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The request's error.
    pub error: ClientError,
    /// The `LOGOUT` write's error; `None` if it was written or not tried.
    pub logout: Option<ClientError>,
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        Self {
            error,
            logout: None,
        }
    }
}

impl Failure {
    /// Whether sending the request failed (else reading its reply).
    pub fn sent(&self) -> bool {
        request_stage(&self.error) == UpscliStage::Write
    }

    /// libupsclient's text (`upscli_strerror`) once the connection was given up.
    pub fn text(&self) -> String {
        match &self.logout {
            Some(e) => e.upscli_text(UpscliStage::Write),
            None => self.error.upscli_text(request_stage(&self.error)),
        }
    }
}

/// What upsmon 2.8.0 logs before [`poll_failed`] when upsd does not know `GET`:
/// `UPS [x]: Too old to monitor`.
///
/// ```
/// use nut_client::ClientError;
/// use nut_monitor::runtime::log_text::too_old;
/// use nut_proto::ErrorCode;
/// let e = ClientError::Server(ErrorCode::UnknownCommand);
/// assert_eq!(too_old("u@h", &e).as_deref(), Some("UPS [u@h]: Too old to monitor"));
/// assert_eq!(too_old("u@h", &ClientError::Closed), None);
/// ```
pub fn too_old(sys: &str, e: &ClientError) -> Option<String> {
    e.is_unknown_command()
        .then(|| format!("UPS [{sys}]: Too old to monitor"))
}

/// The log line for a failed status poll of `sys` (`ups` on `host`).
pub fn poll_failed(sys: &str, ups: &str, host: &str, f: &Failure) -> String {
    match &f.error {
        ClientError::Server(code) if code.as_str().starts_with("UNKNOWN-UPS") => {
            format!("Poll UPS [{sys}] failed - [{ups}] does not exist on server {host}")
        }
        _ => format!("Poll UPS [{sys}] failed - {}", f.text()),
    }
}

/// The reply line upsd gave when it was read but is not `OK` (an `ERR` or anything else):
/// upsmon reads its login replies raw (`upscli_readline`) and logs such a line as it came.
pub fn refusal_line(e: &ClientError) -> Option<String> {
    match e {
        ClientError::Server(code) => Some(format!("ERR {code}")),
        ClientError::Unexpected { got, .. } => Some(got.clone()),
        _ => None,
    }
}

/// The log lines for a failed login `step` on `sys`.
pub fn login_failed(sys: &str, step: LoginStep, f: &Failure) -> Vec<(Level, String)> {
    if let Some(got) = refusal_line(&f.error) {
        return refused(sys, step, &got);
    }
    let sent = f.sent();
    let t = f.text();
    let line = match (step, sent) {
        (LoginStep::Username, true) => format!("Can't set username on [{sys}]: {t}"),
        (LoginStep::Username, false) => format!("Set username on [{sys}] failed: {t}"),
        (LoginStep::Password, true) => format!("Can't set password on [{sys}]: {t}"),
        (LoginStep::Password, false) => format!("Set password on [{sys}] failed: {t}"),
        (LoginStep::Login, true) => format!("Login to UPS [{sys}] failed: {t}"),
        (LoginStep::Login, false) => format!("Can't login to UPS [{sys}]: {t}"),
        (LoginStep::Primary, true) => {
            format!("Can't set primary managerial mode on UPS [{sys}] - {t}")
        }
        (LoginStep::Primary, false) => {
            return vec![
                (
                    Level::Alert,
                    format!("Primary managerial privileges unavailable on UPS [{sys}]"),
                ),
                (Level::Alert, format!("Reason: {t}")),
            ]
        }
    };
    let level = if step == LoginStep::Primary {
        Level::Alert
    } else {
        Level::Err
    };
    vec![(level, line)]
}

/// The log lines for a login `step` on `sys` whose reply was read but was `got`, not `OK`
/// (upsmon 2.8.0 does not look at the reply to `USERNAME`: nothing is logged for it).
fn refused(sys: &str, step: LoginStep, got: &str) -> Vec<(Level, String)> {
    match step {
        LoginStep::Username => Vec::new(),
        LoginStep::Password => vec![(
            Level::Err,
            format!("Set password on [{sys}] failed - got [{got}]"),
        )],
        LoginStep::Login => vec![(
            Level::Err,
            format!("Login on UPS [{sys}] failed - got [{got}]"),
        )],
        LoginStep::Primary => vec![
            (
                Level::Alert,
                format!("Primary managerial privileges unavailable on UPS [{sys}]"),
            ),
            (Level::Alert, format!("Response: [{got}]")),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nut_client::proto::ErrorCode;
    use std::sync::Arc;

    #[test]
    fn wording_of_upsmon_2_8_0() {
        let denied = ClientError::Server(ErrorCode::AccessDenied).into();
        assert_eq!(
            login_failed("u@h", LoginStep::Login, &denied),
            [(
                Level::Err,
                "Login on UPS [u@h] failed - got [ERR ACCESS-DENIED]".into()
            )]
        );
        assert_eq!(
            login_failed("u@h", LoginStep::Password, &denied),
            [(
                Level::Err,
                "Set password on [u@h] failed - got [ERR ACCESS-DENIED]".into()
            )]
        );
        assert_eq!(login_failed("u@h", LoginStep::Username, &denied), []);
        assert_eq!(
            login_failed("u@h", LoginStep::Primary, &denied)[1],
            (Level::Alert, "Response: [ERR ACCESS-DENIED]".into())
        );
        let reset = ClientError::from(std::io::Error::from_raw_os_error(104)).into();
        assert_eq!(
            login_failed("u@h", LoginStep::Primary, &reset)[1],
            (
                Level::Alert,
                "Reason: Read error: Connection reset by peer".into()
            )
        );
        assert_eq!(
            login_failed("u@h", LoginStep::Login, &reset),
            [(
                Level::Err,
                "Can't login to UPS [u@h]: Read error: Connection reset by peer".into()
            )]
        );
        let pipe = ClientError::Io(Arc::new(std::io::ErrorKind::BrokenPipe.into()));
        assert_eq!(
            poll_failed("u@h", "u", "h", &pipe.into()),
            "Poll UPS [u@h] failed - Write error: broken pipe"
        );
        let unknown = ClientError::Server(ErrorCode::UnknownUps).into();
        assert_eq!(
            poll_failed("u@h", "u", "h", &unknown),
            "Poll UPS [u@h] failed - [u] does not exist on server h"
        );
        assert_eq!(
            poll_failed("u@h", "u", "h", &ClientError::Closed.into()),
            "Poll UPS [u@h] failed - Server disconnected"
        );
    }

    /// The read met end-of-file, then the `LOGOUT` write broke the pipe: the line names the
    /// step that failed (the read) and the error of the write.
    #[test]
    fn the_logout_error_replaces_the_request_error() {
        let epipe = ClientError::from(std::io::Error::from_raw_os_error(32));
        let f = Failure {
            error: ClientError::Closed,
            logout: Some(epipe),
        };
        assert_eq!(
            poll_failed("u@h", "u", "h", &f),
            "Poll UPS [u@h] failed - Write error: Broken pipe"
        );
        assert_eq!(
            login_failed("u@h", LoginStep::Username, &f),
            [(
                Level::Err,
                "Set username on [u@h] failed: Write error: Broken pipe".into()
            )]
        );
        let not_writable = Failure {
            error: ClientError::from(std::io::Error::from_raw_os_error(104)),
            logout: Some(ClientError::Closed),
        };
        assert_eq!(not_writable.text(), "Server disconnected");
    }
}
