//! upsmon 2.8.0's log lines for failed requests to upsd: which step failed (sending or
//! reading its reply) and libupsclient's wording of the error
//! ([`ClientError::upscli_text`]).

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

/// The text of `e` for a failed request.
pub fn request_text(e: &ClientError) -> String {
    e.upscli_text(request_stage(e))
}

/// The log line for a failed status poll of `sys` (`ups` on `host`).
pub fn poll_failed(sys: &str, ups: &str, host: &str, e: &ClientError) -> String {
    match e {
        ClientError::Server(code) if code.as_str().starts_with("UNKNOWN-UPS") => {
            format!("Poll UPS [{sys}] failed - [{ups}] does not exist on server {host}")
        }
        _ => format!("Poll UPS [{sys}] failed - {}", request_text(e)),
    }
}

/// The log lines for a failed login `step` on `sys`.
pub fn login_failed(sys: &str, step: LoginStep, e: &ClientError) -> Vec<(Level, String)> {
    let sent = request_stage(e) == UpscliStage::Write;
    let t = request_text(e);
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

#[cfg(test)]
mod tests {
    use super::*;
    use nut_client::proto::ErrorCode;
    use std::sync::Arc;

    #[test]
    fn wording_of_upsmon_2_8_0() {
        let denied = ClientError::Server(ErrorCode::AccessDenied);
        assert_eq!(
            login_failed("u@h", LoginStep::Login, &denied),
            [(Level::Err, "Can't login to UPS [u@h]: Access denied".into())]
        );
        assert_eq!(
            login_failed("u@h", LoginStep::Primary, &denied)[1],
            (Level::Alert, "Reason: Access denied".into())
        );
        let pipe = ClientError::Io(Arc::new(std::io::ErrorKind::BrokenPipe.into()));
        assert_eq!(
            poll_failed("u@h", "u", "h", &pipe),
            "Poll UPS [u@h] failed - Write error: broken pipe"
        );
        assert_eq!(
            poll_failed("u@h", "u", "h", &ClientError::Server(ErrorCode::UnknownUps)),
            "Poll UPS [u@h] failed - [u] does not exist on server h"
        );
        assert_eq!(
            poll_failed("u@h", "u", "h", &ClientError::Closed),
            "Poll UPS [u@h] failed - Server disconnected"
        );
    }
}
