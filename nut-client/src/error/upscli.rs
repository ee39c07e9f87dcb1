//! libupsclient's wording of errors (`upscli_strerror()`), which NUT's client programs print
//! after `Error: `. The server's `ERR` codes are worded by [`ErrorCode::message`]; transport
//! failures depend on the step that failed, given as a [`Stage`].

use nut_proto::ErrorCode;

use super::{ClientError, TlsError};

/// The step of a request that failed, which decides libupsclient's wording of I/O errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// Resolving the host name (`No such host`).
    Resolve,
    /// Connecting, STARTTLS included (`Connection failure: …`, `SSL error: …`).
    Connect,
    /// Sending a request (`Write error: …`).
    Write,
    /// Reading a reply (`Read error: …`, `Server disconnected`).
    Read,
}

impl ClientError {
    /// The text libupsclient's `upscli_strerror()` gives for this error at `stage`.
    ///
    /// ```
    /// use nut_client::{proto::ErrorCode, ClientError, UpscliStage};
    /// let e = ClientError::Server(ErrorCode::DriverNotConnected);
    /// assert_eq!(e.upscli_text(UpscliStage::Read), "Driver not connected");
    /// assert_eq!(ClientError::Closed.upscli_text(UpscliStage::Read), "Server disconnected");
    /// ```
    pub fn upscli_text(&self, stage: Stage) -> String {
        match (self, stage) {
            (Self::Server(code), _) => server_message(code).to_string(),
            (_, Stage::Resolve) | (Self::NoSuchHost(_), _) => "No such host".to_string(),
            (Self::NoAddressOfFamily(_), _) => "Unknown error".to_string(),
            (Self::Tls(TlsError::Handshake(e)), _) => format!("SSL error: {}", strerror(e)),
            (Self::Tls(e), _) => format!("SSL error: {e}"),
            (Self::Io(e), Stage::Connect) => format!("Connection failure: {}", strerror(e)),
            (Self::Timeout, Stage::Connect) => "Connection failure: Connection timed out".into(),
            (Self::Io(e), Stage::Write) => format!("Write error: {}", strerror(e)),
            (Self::Io(e), _) => format!("Read error: {}", strerror(e)),
            (Self::Parse(e), _) => format!("Parse error: {e}"),
            (Self::Unexpected { .. } | Self::TooManyItems { .. }, _) => "Protocol error".into(),
            _ => "Server disconnected".into(),
        }
    }

    /// True if upsd said `ERR UNKNOWN-COMMAND` (an upsd too old for the request).
    pub fn is_unknown_command(&self) -> bool {
        matches!(self, Self::Server(code) if server_code(code) == Some(ErrorCode::UnknownCommand))
    }
}

/// libupsclient compares each code it knows as a *prefix* of what follows `ERR `; this finds
/// the code that prefix-matches `code`, if any.
fn server_code(code: &ErrorCode) -> Option<ErrorCode> {
    let text = code.as_str();
    (1..=text.len())
        .filter(|&end| text.is_char_boundary(end))
        .map(|end| ErrorCode::parse(&text[..end]))
        .find(|c| c.message() != ErrorCode::Other(String::new()).message())
}

/// The text for an `ERR` code, with libupsclient's prefix matching.
fn server_message(code: &ErrorCode) -> &'static str {
    server_code(code).unwrap_or_else(|| code.clone()).message()
}

pub(crate) use nut_proto::text::strerror;

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    fn text(code: &str) -> String {
        ClientError::Server(ErrorCode::parse(code)).upscli_text(Stage::Read)
    }

    #[test]
    fn messages_match_libupsclient() {
        assert_eq!(text("UNKNOWN-UPS"), "Unknown UPS");
        assert_eq!(text("VAR-NOT-SUPPORTED"), "Variable not supported by UPS");
        assert_eq!(text("DRIVER-NOT-CONNECTED"), "Driver not connected");
        assert_eq!(text("DATA-STALE"), "Data stale");
        assert_eq!(text("INVALID-ARGUMENT"), "Unknown error");
        assert_eq!(text("UNKNOWN"), "Unknown error");
        assert_eq!(text("UNKNOWN-UPS-EXTRA"), "Unknown UPS");
    }

    #[test]
    fn io_errors_depend_on_the_stage() {
        let e = ClientError::from(io::Error::from_raw_os_error(111));
        assert_eq!(
            e.upscli_text(Stage::Connect),
            "Connection failure: Connection refused"
        );
        let e = ClientError::from(io::Error::from_raw_os_error(32));
        assert_eq!(e.upscli_text(Stage::Write), "Write error: Broken pipe");
        let e = ClientError::from(io::Error::from_raw_os_error(104));
        assert_eq!(
            e.upscli_text(Stage::Read),
            "Read error: Connection reset by peer"
        );
        assert_eq!(e.upscli_text(Stage::Resolve), "No such host");
        assert_eq!(
            ClientError::Timeout.upscli_text(Stage::Read),
            "Server disconnected"
        );
        let unexpected = ClientError::Unexpected {
            expected: "echo",
            got: "VAR x".into(),
        };
        assert_eq!(unexpected.upscli_text(Stage::Read), "Protocol error");
    }

    #[test]
    fn unknown_command_is_detected() {
        let e = |c: &str| ClientError::Server(ErrorCode::parse(c));
        assert!(e("UNKNOWN-COMMAND").is_unknown_command());
        assert!(!e("UNKNOWN-UPS").is_unknown_command());
        assert!(!ClientError::Closed.is_unknown_command());
    }
}
