//! Client → server requests of the NUT network protocol (v1.3).
//!
//! One enum, [`Request`], covers every command. [`Request::parse`] reads one line (or
//! [`Request::from_words`] words already split, as a server does); `Display` writes the exact
//! wire text (without the newline), quoting arguments only where needed.
//! Command words are case-insensitive on input, as real upsd accepts them.
//!
//! Leniency follows upsd 2.8.0 exactly (see `tests/data/transcripts/errors.txt` and
//! `lenient.txt`, captured from it):
//! - `GET`, `LIST`, `SET` and `INSTCMD` ignore words after the ones they use; `INSTCMD` takes
//!   its parameter only when it is exactly the third argument, so `INSTCMD ups cmd p extra`
//!   has no parameter at all;
//! - `STARTTLS` ignores any arguments;
//! - `VER`, `NETVER`, `PROTVER`, `HELP`, `LOGOUT` take none, and `USERNAME`, `PASSWORD`,
//!   `LOGIN`, `PRIMARY`, `MASTER`, `FSD` exactly one: anything else is
//!   [`ParseError::InvalidArgument`].
//!
//! [`ParseError::error_code`] gives the `ERR` code upsd answers for each refusal.
//!
//! ```
//! use nut_proto::{Get, Request};
//! let r = Request::parse("get var myups ups.status").unwrap();
//! assert_eq!(r, Request::Get(Get::Var { ups: "myups".into(), var: "ups.status".into() }));
//! assert_eq!(r.to_string(), "GET VAR myups ups.status");
//! ```

mod get;
mod list;
pub(crate) mod split;

use std::fmt;

use crate::{
    error::ParseError,
    response::ErrorCode,
    text::{quote, quoted, Limits},
};

/// Sub-commands of `GET`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Get {
    /// `GET NUMLOGINS <ups>`
    NumLogins {
        /// UPS name.
        ups: String,
    },
    /// `GET UPSDESC <ups>`
    UpsDesc {
        /// UPS name.
        ups: String,
    },
    /// `GET VAR <ups> <var>`
    Var {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `GET TYPE <ups> <var>`
    Type {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `GET DESC <ups> <var>`
    Desc {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `GET CMDDESC <ups> <cmd>`
    CmdDesc {
        /// UPS name.
        ups: String,
        /// Instant command name.
        cmd: String,
    },
    /// `GET TRACKING` (is tracking on for this connection?) or `GET TRACKING <id>`.
    Tracking {
        /// The tracking id to query, if any.
        id: Option<String>,
    },
}

/// Sub-commands of `LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum List {
    /// `LIST UPS`
    Ups,
    /// `LIST VAR <ups>`
    Var {
        /// UPS name.
        ups: String,
    },
    /// `LIST RW <ups>`
    Rw {
        /// UPS name.
        ups: String,
    },
    /// `LIST CMD <ups>`
    Cmd {
        /// UPS name.
        ups: String,
    },
    /// `LIST ENUM <ups> <var>`
    Enum {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `LIST RANGE <ups> <var>`
    Range {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `LIST CLIENT <ups>`
    Client {
        /// UPS name.
        ups: String,
    },
}

/// Every request of protocol v1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// `GET ...`
    Get(Get),
    /// `LIST ...`
    List(List),
    /// `SET VAR <ups> <var> "<value>"`
    SetVar {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// New value.
        value: String,
    },
    /// `SET TRACKING ON|OFF`
    SetTracking(bool),
    /// `INSTCMD <ups> <cmd> [<param>]`
    InstCmd {
        /// UPS name.
        ups: String,
        /// Command name.
        cmd: String,
        /// Optional parameter.
        param: Option<String>,
    },
    /// `USERNAME <name>`
    Username(String),
    /// `PASSWORD <password>`
    Password(String),
    /// `LOGIN <ups>`
    Login(String),
    /// `LOGOUT`
    Logout,
    /// `PRIMARY <ups>`
    Primary(String),
    /// `MASTER <ups>` (the pre-2.8 name of PRIMARY)
    Master(String),
    /// `FSD <ups>`
    Fsd(String),
    /// `STARTTLS`
    StartTls,
    /// `VER`
    Ver,
    /// `NETVER`
    NetVer,
    /// `PROTVER` (same answer as NETVER)
    ProtVer,
    /// `HELP`
    Help,
}

impl Request {
    /// Reads one request line (an optional final `\n` or `\r\n` is allowed), with upsd's
    /// limits: at most 32 words (more are dropped) of at most 512 bytes (truncated).
    pub fn parse(line: &str) -> Result<Self, ParseError> {
        Self::from_words(&split::split_message(line, Limits::NETWORK)?)
    }

    /// Reads a request from words already split (as a server's streaming splitter yields
    /// them).
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Self, ParseError> {
        let Some((first, args)) = words.split_first() else {
            return Err(ParseError::Empty);
        };
        let first = first.as_ref();
        let command = keyword(first, &COMMANDS).unwrap_or("");
        match command {
            "GET" => Get::from_args(args).map(Self::Get),
            "LIST" => List::from_args(args).map(Self::List),
            "SET" => parse_set(args),
            "INSTCMD" => parse_instcmd(args),
            "STARTTLS" => Ok(Self::StartTls),
            "VER" | "NETVER" | "PROTVER" | "HELP" | "LOGOUT" => no_args(command, args),
            "USERNAME" | "PASSWORD" | "LOGIN" | "PRIMARY" | "MASTER" | "FSD" => {
                one_arg(command, args)
            }
            _ => Err(ParseError::UnknownCommand(first.to_owned())),
        }
    }

    /// The command word, upper-case (`GET`, `LIST`, `SET`, ...), e.g. for logs.
    pub fn command(&self) -> &'static str {
        match self {
            Self::Get(_) => "GET",
            Self::List(_) => "LIST",
            Self::SetVar { .. } | Self::SetTracking(_) => "SET",
            Self::InstCmd { .. } => "INSTCMD",
            Self::Username(_) => "USERNAME",
            Self::Password(_) => "PASSWORD",
            Self::Login(_) => "LOGIN",
            Self::Logout => "LOGOUT",
            Self::Primary(_) => "PRIMARY",
            Self::Master(_) => "MASTER",
            Self::Fsd(_) => "FSD",
            Self::StartTls => "STARTTLS",
            Self::Ver => "VER",
            Self::NetVer => "NETVER",
            Self::ProtVer => "PROTVER",
            Self::Help => "HELP",
        }
    }
}

fn no_args<S: AsRef<str>>(command: &str, args: &[S]) -> Result<Request, ParseError> {
    if !args.is_empty() {
        return Err(arg_count(command, "takes no arguments"));
    }
    Ok(match command {
        "VER" => Request::Ver,
        "NETVER" => Request::NetVer,
        "PROTVER" => Request::ProtVer,
        "HELP" => Request::Help,
        _ => Request::Logout,
    })
}

fn one_arg<S: AsRef<str>>(command: &str, args: &[S]) -> Result<Request, ParseError> {
    let [arg] = args else {
        return Err(arg_count(command, "takes exactly one argument"));
    };
    let arg = arg.as_ref().to_owned();
    Ok(match command {
        "USERNAME" => Request::Username(arg),
        "PASSWORD" => Request::Password(arg),
        "LOGIN" => Request::Login(arg),
        "PRIMARY" => Request::Primary(arg),
        "MASTER" => Request::Master(arg),
        _ => Request::Fsd(arg),
    })
}

fn parse_set<S: AsRef<str>>(args: &[S]) -> Result<Request, ParseError> {
    let [sub, rest @ ..] = args else {
        return Err(arg_count("SET", "missing sub-command"));
    };
    match keyword(sub.as_ref(), &["VAR", "TRACKING"]) {
        Some("VAR") => match rest {
            [ups, var, value, ..] => Ok(Request::SetVar {
                ups: ups.as_ref().to_owned(),
                var: var.as_ref().to_owned(),
                value: value.as_ref().to_owned(),
            }),
            _ => Err(arg_count("SET VAR", "needs <ups> <var> <value>")),
        },
        Some(_) => match rest
            .first()
            .and_then(|w| keyword(w.as_ref(), &["ON", "OFF"]))
        {
            Some("ON") => Ok(Request::SetTracking(true)),
            Some("OFF") => Ok(Request::SetTracking(false)),
            _ => Err(arg_count("SET TRACKING", "needs ON or OFF")),
        },
        None => Err(unknown_sub("SET", sub.as_ref())),
    }
}

fn parse_instcmd<S: AsRef<str>>(args: &[S]) -> Result<Request, ParseError> {
    let [ups, cmd, rest @ ..] = args else {
        return Err(arg_count("INSTCMD", "needs <ups> <cmd> [<param>]"));
    };
    // upsd 2.8.0 takes the parameter only when there are exactly three arguments.
    let param = match rest {
        [param] => Some(param.as_ref().to_owned()),
        _ => None,
    };
    Ok(Request::InstCmd {
        ups: ups.as_ref().to_owned(),
        cmd: cmd.as_ref().to_owned(),
        param,
    })
}

/// The command words of protocol v1.3, upper-case.
const COMMANDS: [&str; 16] = [
    "GET", "LIST", "SET", "INSTCMD", "STARTTLS", "VER", "NETVER", "PROTVER", "HELP", "LOGOUT",
    "USERNAME", "PASSWORD", "LOGIN", "PRIMARY", "MASTER", "FSD",
];

/// The upper-case spelling among `keywords` of `word`, compared without regard to case
/// (no allocation: this runs for every word that names a command).
pub(crate) fn keyword(word: &str, keywords: &[&'static str]) -> Option<&'static str> {
    keywords
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(word))
}

/// [`ParseError::InvalidArgument`] for `command`.
pub(crate) fn arg_count(command: &str, reason: &'static str) -> ParseError {
    ParseError::InvalidArgument {
        command: command.to_owned(),
        reason,
    }
}

/// [`ParseError::InvalidArgument`] for an unknown sub-command (`GET FOO`): upsd answers
/// `ERR INVALID-ARGUMENT`, unlike an unknown command word, even one with a space in it.
pub(crate) fn unknown_sub(command: &str, sub: &str) -> ParseError {
    ParseError::InvalidArgument {
        command: format!("{command} {}", sub.to_ascii_uppercase()),
        reason: "unknown sub-command",
    }
}

impl fmt::Display for Request {
    /// The exact wire text, without the newline. Arguments are quoted only when needed
    /// ([`quote`]); a `SET VAR` value is always quoted ([`quoted`]), as upsrw sends it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Get(get) => get.fmt(f),
            Self::List(list) => list.fmt(f),
            Self::SetVar { ups, var, value } => {
                write!(f, "SET VAR {} {} {}", quote(ups), quote(var), quoted(value))
            }
            Self::SetTracking(on) => {
                write!(f, "SET TRACKING {}", if *on { "ON" } else { "OFF" })
            }
            Self::InstCmd { ups, cmd, param } => {
                write!(f, "INSTCMD {} {}", quote(ups), quote(cmd))?;
                match param {
                    Some(p) => write!(f, " {}", quote(p)),
                    None => Ok(()),
                }
            }
            Self::Username(a)
            | Self::Password(a)
            | Self::Login(a)
            | Self::Primary(a)
            | Self::Master(a)
            | Self::Fsd(a) => write!(f, "{} {}", self.command(), quote(a)),
            _ => f.write_str(self.command()),
        }
    }
}

impl ParseError {
    /// The `ERR` code real upsd 2.8.0 answers for a request refused this way.
    ///
    /// An empty line and an unknown command are `UNKNOWN-COMMAND`; an unknown sub-command
    /// (`GET FOO`, `LIST CLIENTS`, `SET FOO`), a wrong number of words and every other
    /// refusal are `INVALID-ARGUMENT`. (upsd sends *no* reply at all for
    /// [`ParseError::HashInQuotes`]; a server mimicking that must check for it first.)
    ///
    /// ```
    /// use nut_proto::{ErrorCode, Request};
    /// let code = |line| Request::parse(line).unwrap_err().error_code();
    /// assert_eq!(code("FOO"), ErrorCode::UnknownCommand);
    /// assert_eq!(code("GET FOO"), ErrorCode::InvalidArgument);
    /// assert_eq!(code("VER extra"), ErrorCode::InvalidArgument);
    /// assert_eq!(code("\"two words\" x"), ErrorCode::UnknownCommand);
    /// ```
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Empty => ErrorCode::UnknownCommand,
            Self::UnknownCommand(_) => ErrorCode::UnknownCommand,
            _ => ErrorCode::InvalidArgument,
        }
    }
}

#[cfg(test)]
mod tests;
