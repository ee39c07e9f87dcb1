//! Errors of a NUT client session, worded exactly as libupsclient's `upscli_strerror()`.

use std::io;

/// `ERR` codes upsd may send, with the text libupsclient shows for each.
///
/// libupsclient compares each entry as a *prefix* of what follows `ERR `, in this order, and
/// reports "Unknown error" for anything else (e.g. `INVALID-ARGUMENT`, `UNKNOWN`).
const UPSD_ERRORS: &[(&str, &str)] = &[
    ("VAR-NOT-SUPPORTED", "Variable not supported by UPS"),
    ("UNKNOWN-UPS", "Unknown UPS"),
    ("ACCESS-DENIED", "Access denied"),
    ("PASSWORD-REQUIRED", "Password required"),
    ("PASSWORD-INCORRECT", "Password incorrect"),
    ("MISSING-ARGUMENT", "Missing argument"),
    ("DATA-STALE", "Data stale"),
    ("VAR-UNKNOWN", "Variable unknown"),
    ("ALREADY-LOGGED-IN", "Already logged in"),
    ("ALREADY-SET-PASSWORD", "Already set password"),
    ("UNKNOWN-TYPE", "Unknown variable type"),
    ("UNKNOWN-VAR", "Unknown variable"),
    ("READONLY", "Read-only variable"),
    ("TOO-LONG", "New value is too long"),
    ("INVALID-VALUE", "Invalid value for variable"),
    ("SET-FAILED", "Set command failed"),
    ("UNKNOWN-INSTCMD", "Unknown instant command"),
    ("INSTCMD-FAILED", "Instant command failed"),
    ("CMD-NOT-SUPPORTED", "Instant command not supported"),
    ("INVALID-USERNAME", "Invalid username"),
    ("ALREADY-SET-USERNAME", "Already set username"),
    ("UNKNOWN-COMMAND", "Unknown command"),
    ("INVALID-PASSWORD", "Invalid password"),
    ("USERNAME-REQUIRED", "Username required"),
    ("DRIVER-NOT-CONNECTED", "Driver not connected"),
];

/// A failed client operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UpsError {
    /// upsd answered `ERR <code>`; holds the code text as sent.
    #[error("{}", server_message(.0))]
    Server(String),
    /// The host name did not resolve.
    #[error("No such host")]
    NoSuchHost,
    /// `connect()` failed; holds the system's error text.
    #[error("Connection failure: {0}")]
    Connect(String),
    /// Writing to the server failed.
    #[error("Write error: {0}")]
    Write(String),
    /// Reading from the server failed.
    #[error("Read error: {0}")]
    Read(String),
    /// The server closed the connection.
    #[error("Server disconnected")]
    Disconnected,
    /// A reply that does not fit the request.
    #[error("Invalid response from server")]
    InvalidResponse,
    /// A reply that does not echo the request.
    #[error("Protocol error")]
    Protocol,
    /// A reply line that cannot be split into words.
    #[error("Parse error: {0}")]
    Parse(String),
    /// The TLS handshake after `OK STARTTLS` failed.
    #[error("SSL error: {0}")]
    Ssl(String),
}

impl UpsError {
    /// Builds an error from the text after `ERR `.
    pub fn from_err_line(rest: &str) -> Self {
        Self::Server(rest.to_string())
    }

    /// True if upsd said `ERR UNKNOWN-COMMAND` (an upsd too old for the request).
    pub fn is_unknown_command(&self) -> bool {
        matches!(self, Self::Server(code) if code.starts_with("UNKNOWN-COMMAND"))
    }
}

/// libupsclient's text for the words after `ERR `.
pub fn server_message(code: &str) -> &'static str {
    UPSD_ERRORS
        .iter()
        .find(|(prefix, _)| code.starts_with(prefix))
        .map_or("Unknown error", |(_, text)| text)
}

/// The C library's `strerror()` text for an I/O error (Rust adds " (os error N)").
pub fn strerror(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(pos) => text[..pos].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_libupsclient() {
        let text = |c: &str| UpsError::from_err_line(c).to_string();
        assert_eq!(text("UNKNOWN-UPS"), "Unknown UPS");
        assert_eq!(text("VAR-NOT-SUPPORTED"), "Variable not supported by UPS");
        assert_eq!(text("DRIVER-NOT-CONNECTED"), "Driver not connected");
        assert_eq!(text("DATA-STALE"), "Data stale");
        assert_eq!(text("INVALID-ARGUMENT"), "Unknown error");
        assert_eq!(text("UNKNOWN"), "Unknown error");
        assert_eq!(text("UNKNOWN-UPS-EXTRA words"), "Unknown UPS");
    }

    #[test]
    fn io_errors_use_strerror_text() {
        let e = io::Error::from_raw_os_error(111);
        assert_eq!(
            UpsError::Connect(strerror(&e)).to_string(),
            "Connection failure: Connection refused"
        );
    }

    #[test]
    fn unknown_command_is_detected() {
        assert!(UpsError::from_err_line("UNKNOWN-COMMAND").is_unknown_command());
        assert!(!UpsError::from_err_line("UNKNOWN-UPS").is_unknown_command());
    }
}
