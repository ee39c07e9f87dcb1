//! `ERR` codes: wire text, parsing, and the messages NUT's client library prints for them.

use std::fmt;

use super::ErrorCode;

/// Every named code: (value, wire text, libupsclient message).
///
/// The messages are the ones NUT 2.8.0's libupsclient (`upscli_strerror`) prints for a server
/// error, which the command-line tools show after `Error: `. libupsclient only knows the codes
/// of its own table; for the others (`INVALID-ARGUMENT`, `FEATURE-NOT-CONFIGURED`, the
/// tracking results...) it says "Unknown error", and so do we.
const CODES: [(ErrorCode, &str, &str); 31] = [
    (ErrorCode::AccessDenied, "ACCESS-DENIED", "Access denied"),
    (ErrorCode::UnknownUps, "UNKNOWN-UPS", "Unknown UPS"),
    (
        ErrorCode::VarNotSupported,
        "VAR-NOT-SUPPORTED",
        "Variable not supported by UPS",
    ),
    (
        ErrorCode::CmdNotSupported,
        "CMD-NOT-SUPPORTED",
        "Instant command not supported",
    ),
    (
        ErrorCode::InvalidArgument,
        "INVALID-ARGUMENT",
        UNKNOWN_ERROR,
    ),
    (
        ErrorCode::InstCmdFailed,
        "INSTCMD-FAILED",
        "Instant command failed",
    ),
    (ErrorCode::SetFailed, "SET-FAILED", "Set command failed"),
    (ErrorCode::Readonly, "READONLY", "Read-only variable"),
    (ErrorCode::TooLong, "TOO-LONG", "New value is too long"),
    (
        ErrorCode::FeatureNotSupported,
        "FEATURE-NOT-SUPPORTED",
        UNKNOWN_ERROR,
    ),
    (
        ErrorCode::FeatureNotConfigured,
        "FEATURE-NOT-CONFIGURED",
        UNKNOWN_ERROR,
    ),
    (ErrorCode::AlreadySslMode, "ALREADY-SSL-MODE", UNKNOWN_ERROR),
    (
        ErrorCode::DriverNotConnected,
        "DRIVER-NOT-CONNECTED",
        "Driver not connected",
    ),
    (ErrorCode::DataStale, "DATA-STALE", "Data stale"),
    (
        ErrorCode::AlreadyLoggedIn,
        "ALREADY-LOGGED-IN",
        "Already logged in",
    ),
    (
        ErrorCode::InvalidPassword,
        "INVALID-PASSWORD",
        "Invalid password",
    ),
    (
        ErrorCode::AlreadySetPassword,
        "ALREADY-SET-PASSWORD",
        "Already set password",
    ),
    (
        ErrorCode::InvalidUsername,
        "INVALID-USERNAME",
        "Invalid username",
    ),
    (
        ErrorCode::AlreadySetUsername,
        "ALREADY-SET-USERNAME",
        "Already set username",
    ),
    (
        ErrorCode::UsernameRequired,
        "USERNAME-REQUIRED",
        "Username required",
    ),
    (
        ErrorCode::PasswordRequired,
        "PASSWORD-REQUIRED",
        "Password required",
    ),
    (
        ErrorCode::UnknownCommand,
        "UNKNOWN-COMMAND",
        "Unknown command",
    ),
    (
        ErrorCode::InvalidValue,
        "INVALID-VALUE",
        "Invalid value for variable",
    ),
    (ErrorCode::Unknown, "UNKNOWN", UNKNOWN_ERROR),
    (ErrorCode::Failed, "FAILED", UNKNOWN_ERROR),
    (
        ErrorCode::PasswordIncorrect,
        "PASSWORD-INCORRECT",
        "Password incorrect",
    ),
    (
        ErrorCode::MissingArgument,
        "MISSING-ARGUMENT",
        "Missing argument",
    ),
    (ErrorCode::VarUnknown, "VAR-UNKNOWN", "Variable unknown"),
    (
        ErrorCode::UnknownType,
        "UNKNOWN-TYPE",
        "Unknown variable type",
    ),
    (ErrorCode::UnknownVar, "UNKNOWN-VAR", "Unknown variable"),
    (
        ErrorCode::UnknownInstCmd,
        "UNKNOWN-INSTCMD",
        "Unknown instant command",
    ),
];

/// libupsclient's text for a code it does not know.
const UNKNOWN_ERROR: &str = "Unknown error";

impl ErrorCode {
    /// The code as written on the wire, e.g. `UNKNOWN-UPS`.
    pub fn as_str(&self) -> &str {
        if let Self::Other(s) = self {
            return s;
        }
        CODES
            .iter()
            .find(|(c, _, _)| c == self)
            .map_or("", |(_, wire, _)| wire)
    }

    /// Reads a code; the match is exact (upper-case, as upsd writes and libupsclient
    /// compares). Anything else is kept as [`ErrorCode::Other`].
    ///
    /// ```
    /// use nut_proto::ErrorCode;
    /// assert_eq!(ErrorCode::parse("DATA-STALE"), ErrorCode::DataStale);
    /// assert_eq!(ErrorCode::parse("NEW-CODE"), ErrorCode::Other("NEW-CODE".into()));
    /// ```
    pub fn parse(s: &str) -> Self {
        CODES
            .iter()
            .find(|(_, wire, _)| *wire == s)
            .map_or_else(|| Self::Other(s.to_owned()), |(c, _, _)| c.clone())
    }

    /// The human text NUT's client tools print for this server error, e.g.
    /// `Driver not connected` (`upsc` shows `Error: Driver not connected`).
    ///
    /// ```
    /// use nut_proto::ErrorCode;
    /// assert_eq!(ErrorCode::UnknownUps.message(), "Unknown UPS");
    /// assert_eq!(ErrorCode::InvalidArgument.message(), "Unknown error");
    /// ```
    pub fn message(&self) -> &'static str {
        CODES
            .iter()
            .find(|(c, _, _)| c == self)
            .map_or(UNKNOWN_ERROR, |(_, _, msg)| msg)
    }
}

impl fmt::Display for ErrorCode {
    /// The wire code (use [`ErrorCode::message`] for the human text).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for (code, wire, _) in CODES.iter() {
            assert_eq!(ErrorCode::parse(wire), *code);
            assert_eq!(code.to_string(), *wire);
        }
        let other = ErrorCode::parse("SOMETHING-NEW");
        assert_eq!(other, ErrorCode::Other("SOMETHING-NEW".into()));
        assert_eq!(other.as_str(), "SOMETHING-NEW");
        assert_eq!(other.message(), "Unknown error");
    }

    #[test]
    fn codes_are_case_sensitive() {
        assert_eq!(
            ErrorCode::parse("unknown-ups"),
            ErrorCode::Other("unknown-ups".into())
        );
    }

    /// Messages as NUT 2.8.0's `clients/upsclient.c` maps server codes (upsd_errlist →
    /// upscli_errlist).
    #[test]
    fn messages_match_libupsclient() {
        let table = [
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
            ("INVALID-ARGUMENT", "Unknown error"),
            ("FEATURE-NOT-CONFIGURED", "Unknown error"),
            ("FEATURE-NOT-SUPPORTED", "Unknown error"),
            ("ALREADY-SSL-MODE", "Unknown error"),
            ("UNKNOWN", "Unknown error"),
            ("FAILED", "Unknown error"),
        ];
        for (wire, msg) in table {
            assert_eq!(ErrorCode::parse(wire).message(), msg, "{wire}");
        }
    }
}
