//! `LIST` sub-commands: parsing of the words after `LIST`, their wire form, and the
//! [`ListKind`] a request expects back.

use std::fmt;

use super::{arg_count, keyword, unknown_sub};

const SUBS: [&str; 7] = ["UPS", "VAR", "RW", "CMD", "CLIENT", "ENUM", "RANGE"];
use crate::{error::ParseError, request::List, response::ListKind, text::quote};

impl List {
    /// Reads the words after `LIST`, with upsd 2.8.0's rules: case-insensitive sub-commands,
    /// extra trailing words ignored. `LIST CLIENTS` (plural, as PyNUT sends it) is unknown.
    pub(crate) fn from_args<S: AsRef<str>>(args: &[S]) -> Result<Self, ParseError> {
        let Some((sub, rest)) = args.split_first() else {
            return Err(arg_count("LIST", "missing sub-command"));
        };
        let sub = sub.as_ref();
        let upper = keyword(sub, &SUBS).unwrap_or("");
        let need = match upper {
            "UPS" => return Ok(Self::Ups),
            "VAR" | "RW" | "CMD" | "CLIENT" => 1,
            "ENUM" | "RANGE" => 2,
            _ => return Err(unknown_sub("LIST", sub)),
        };
        if rest.len() < need {
            let command = format!("LIST {upper}");
            return Err(arg_count(&command, "missing arguments"));
        }
        let ups = rest[0].as_ref().to_owned();
        let var = || rest[1].as_ref().to_owned();
        Ok(match upper {
            "VAR" => Self::Var { ups },
            "RW" => Self::Rw { ups },
            "CMD" => Self::Cmd { ups },
            "CLIENT" => Self::Client { ups },
            "ENUM" => Self::Enum { ups, var: var() },
            _ => Self::Range { ups, var: var() },
        })
    }

    /// The list the server frames its answer with (`BEGIN LIST <kind>` ... `END LIST <kind>`).
    ///
    /// ```
    /// use nut_proto::{List, ListKind};
    /// let l = List::Var { ups: "ups".into() };
    /// assert_eq!(l.kind(), ListKind::Var("ups".into()));
    /// ```
    pub fn kind(&self) -> ListKind {
        match self.clone() {
            Self::Ups => ListKind::Ups,
            Self::Var { ups } => ListKind::Var(ups),
            Self::Rw { ups } => ListKind::Rw(ups),
            Self::Cmd { ups } => ListKind::Cmd(ups),
            Self::Enum { ups, var } => ListKind::Enum(ups, var),
            Self::Range { ups, var } => ListKind::Range(ups, var),
            Self::Client { ups } => ListKind::Client(ups),
        }
    }
}

impl fmt::Display for List {
    /// The whole request line, `LIST ...`, without the newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ups => f.write_str("LIST UPS"),
            Self::Var { ups } => write!(f, "LIST VAR {}", quote(ups)),
            Self::Rw { ups } => write!(f, "LIST RW {}", quote(ups)),
            Self::Cmd { ups } => write!(f, "LIST CMD {}", quote(ups)),
            Self::Client { ups } => write!(f, "LIST CLIENT {}", quote(ups)),
            Self::Enum { ups, var } => write!(f, "LIST ENUM {} {}", quote(ups), quote(var)),
            Self::Range { ups, var } => write!(f, "LIST RANGE {} {}", quote(ups), quote(var)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::{
        request::{List, Request},
        response::ListKind,
        ErrorCode, ParseError,
    };

    fn s(x: &str) -> String {
        x.to_owned()
    }

    /// (value, exact wire text, kind of the reply), checked in both directions.
    #[test]
    fn table() {
        let table = [
            (List::Ups, "LIST UPS", ListKind::Ups),
            (
                List::Var { ups: s("ups") },
                "LIST VAR ups",
                ListKind::Var(s("ups")),
            ),
            (
                List::Rw { ups: s("ups") },
                "LIST RW ups",
                ListKind::Rw(s("ups")),
            ),
            (
                List::Cmd { ups: s("ups") },
                "LIST CMD ups",
                ListKind::Cmd(s("ups")),
            ),
            (
                List::Client { ups: s("ups") },
                "LIST CLIENT ups",
                ListKind::Client(s("ups")),
            ),
            (
                List::Enum {
                    ups: s("ups"),
                    var: s("ups.beeper.status"),
                },
                "LIST ENUM ups ups.beeper.status",
                ListKind::Enum(s("ups"), s("ups.beeper.status")),
            ),
            (
                List::Range {
                    ups: s("ups"),
                    var: s("input.transfer.high"),
                },
                "LIST RANGE ups input.transfer.high",
                ListKind::Range(s("ups"), s("input.transfer.high")),
            ),
        ];
        for (value, text, kind) in table {
            assert_eq!(Request::List(value.clone()).to_string(), text);
            assert_eq!(value.kind(), kind);
            assert_eq!(Request::parse(text), Ok(Request::List(value)), "{text}");
        }
    }

    /// Real upsd 2.8.0 answers `ERR INVALID-ARGUMENT` to `LIST CLIENTS ups` (transcripts/errors.txt).
    #[test]
    fn list_clients_plural_is_invalid_argument() {
        let err = Request::parse("LIST CLIENTS dummy").unwrap_err();
        assert_eq!(
            err,
            ParseError::InvalidArgument {
                command: s("LIST CLIENTS"),
                reason: "unknown sub-command"
            }
        );
        assert_eq!(err.error_code(), ErrorCode::InvalidArgument);
    }

    #[test]
    fn extra_words_are_ignored_like_upsd() {
        assert_eq!(
            Request::parse("LIST UPS extra words"),
            Ok(Request::List(List::Ups))
        );
        assert_eq!(
            Request::parse("list enum a b c"),
            Ok(Request::List(List::Enum {
                ups: s("a"),
                var: s("b")
            }))
        );
    }
}
