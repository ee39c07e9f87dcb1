//! Error types of `nut-proto`.
//!
//! [`ParseError`] is what every parser in this crate returns for malformed input;
//! [`ConfigError`] adds the file and line of a configuration file; [`ProtoError`] is the
//! crate-wide enum that absorbs both.

use std::fmt;

/// Malformed protocol or configuration text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// A `#` appeared inside a quoted word without a backslash before it.
    #[error("unbalanced word due to unescaped # in quotes")]
    HashInQuotes,
    /// The input ended inside a quoted word.
    #[error("unterminated quoted word")]
    UnterminatedQuote,
    /// A line was longer than the configured maximum.
    #[error("line longer than {max} bytes")]
    LineTooLong {
        /// The limit that was exceeded.
        max: usize,
    },
    /// The line held no words.
    #[error("empty line")]
    Empty,
    /// The first word is not a command (or reply keyword) of the protocol.
    #[error("unknown command {0:?}")]
    UnknownCommand(String),
    /// A known command with missing, extra or malformed arguments.
    #[error("invalid arguments for {command}: {reason}")]
    InvalidArgument {
        /// The command or reply keyword, upper-case.
        command: String,
        /// What was wrong, for humans.
        reason: &'static str,
    },
    /// A value that does not fit its field (a name with spaces, a number that is not one, ...).
    #[error("invalid {what}: {value:?}")]
    InvalidValue {
        /// What kind of field was being parsed.
        what: &'static str,
        /// The offending text.
        value: String,
    },
    /// Words were left over after a complete message.
    #[error("trailing data after {command}: {rest:?}")]
    TrailingData {
        /// The command or reply keyword, upper-case.
        command: String,
        /// The first unexpected word.
        rest: String,
    },
}

/// A configuration file problem, with the file name and line it was found on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    /// Name of the file (as given by the caller; `nut-proto` never opens files).
    pub file: String,
    /// 1-based physical line where the offending logical line starts.
    pub line: usize,
    /// What went wrong.
    pub kind: ConfigErrorKind,
}

impl ConfigError {
    /// Builds an error for `file:line`.
    pub fn new(file: impl Into<String>, line: usize, kind: ConfigErrorKind) -> Self {
        Self {
            file: file.into(),
            line,
            kind,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.kind)
    }
}

impl std::error::Error for ConfigError {}

/// The kinds of [`ConfigError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The line could not be split into words.
    #[error("{0}")]
    Syntax(#[from] ParseError),
    /// A directive this file format does not know.
    #[error("unknown directive {0:?}")]
    UnknownDirective(String),
    /// A directive with the wrong number or kind of arguments.
    #[error("{directive}: {reason}")]
    BadArguments {
        /// The directive, as written.
        directive: String,
        /// What was wrong.
        reason: String,
    },
    /// A value that does not parse (a number, a flag, an address...).
    #[error("invalid value {value:?} for {key}")]
    InvalidValue {
        /// The key or directive the value belongs to.
        key: String,
        /// The value as written.
        value: String,
    },
    /// A setting that needs a section appeared before any `[section]`.
    #[error("{0:?} outside of any section")]
    OutsideSection(String),
    /// A section header that is not `[name]`.
    #[error("malformed section header {0:?}")]
    BadSection(String),
    /// A section name used twice.
    #[error("duplicate section [{0}]")]
    DuplicateSection(String),
    /// Something required is missing.
    #[error("missing {0}")]
    Missing(String),
}

/// The crate-wide error of `nut-proto`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProtoError {
    /// Malformed protocol text.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Malformed configuration file.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A LIST reply that does not assemble.
    #[error(transparent)]
    List(#[from] crate::response::ListError),
}
