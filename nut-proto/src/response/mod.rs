//! Server → client responses of the NUT network protocol (v1.3).
//!
//! [`Response::parse`] reads one reply line; `Display` writes the exact wire text (without the
//! newline), with values quoted and escaped as upsd writes them. Replies whose meaning depends
//! on the request (the free text after `VER`, `NETVER`, `HELP`) are [`Response::Text`].
//!
//! Keywords are matched exactly, upper-case, as upsd writes them (`VAR`, `OK Goodbye`, ...):
//! a line whose first word is not exactly a keyword is free text, which is how upsd's `VER`
//! reply (`Network UPS Tools upsd ...`) and its `NETVER` reply (`1.3`) read. `ERR` lines keep
//! everything after the code as written. A `VAR` line is always [`Response::Var`], inside a
//! list too ([`ListCollector`] takes it as a list item).
//!
//! ```
//! use nut_proto::Response;
//! let r = Response::parse(r#"VAR ups ups.status "OL CHRG""#).unwrap();
//! assert_eq!(
//!     r,
//!     Response::Var { ups: "ups".into(), var: "ups.status".into(), value: "OL CHRG".into() }
//! );
//! assert_eq!(r.to_string(), r#"VAR ups ups.status "OL CHRG""#);
//! ```

mod error_code;
mod list;

use std::fmt;

pub use crate::model::VarType;
pub use list::{ListCollector, ListError, MAX_LIST_ITEMS};

use crate::{
    error::ParseError,
    request::split::split_message,
    text::{quote, quoted, Limits},
};

/// An `ERR` code from the server; unknown codes are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `ACCESS-DENIED`
    AccessDenied,
    /// `UNKNOWN-UPS`
    UnknownUps,
    /// `VAR-NOT-SUPPORTED`
    VarNotSupported,
    /// `CMD-NOT-SUPPORTED`
    CmdNotSupported,
    /// `INVALID-ARGUMENT`
    InvalidArgument,
    /// `INSTCMD-FAILED`
    InstCmdFailed,
    /// `SET-FAILED`
    SetFailed,
    /// `READONLY`
    Readonly,
    /// `TOO-LONG`
    TooLong,
    /// `FEATURE-NOT-SUPPORTED`
    FeatureNotSupported,
    /// `FEATURE-NOT-CONFIGURED`
    FeatureNotConfigured,
    /// `ALREADY-SSL-MODE`
    AlreadySslMode,
    /// `DRIVER-NOT-CONNECTED`
    DriverNotConnected,
    /// `DATA-STALE`
    DataStale,
    /// `ALREADY-LOGGED-IN`
    AlreadyLoggedIn,
    /// `INVALID-PASSWORD`
    InvalidPassword,
    /// `ALREADY-SET-PASSWORD`
    AlreadySetPassword,
    /// `INVALID-USERNAME`
    InvalidUsername,
    /// `ALREADY-SET-USERNAME`
    AlreadySetUsername,
    /// `USERNAME-REQUIRED`
    UsernameRequired,
    /// `PASSWORD-REQUIRED`
    PasswordRequired,
    /// `UNKNOWN-COMMAND`
    UnknownCommand,
    /// `INVALID-VALUE`
    InvalidValue,
    /// `UNKNOWN` (GET TRACKING: unknown id, or the driver did not know the command)
    Unknown,
    /// `FAILED` (GET TRACKING: the driver failed the command)
    Failed,
    /// `PASSWORD-INCORRECT` (known to libupsclient, not sent by upsd 2.8.0)
    PasswordIncorrect,
    /// `MISSING-ARGUMENT` (known to libupsclient, not sent by upsd 2.8.0)
    MissingArgument,
    /// `VAR-UNKNOWN` (known to libupsclient, not sent by upsd 2.8.0)
    VarUnknown,
    /// `UNKNOWN-TYPE` (known to libupsclient, not sent by upsd 2.8.0)
    UnknownType,
    /// `UNKNOWN-VAR` (known to libupsclient, not sent by upsd 2.8.0)
    UnknownVar,
    /// `UNKNOWN-INSTCMD` (known to libupsclient, not sent by upsd 2.8.0)
    UnknownInstCmd,
    /// Any other code, as written.
    Other(String),
}

/// Which list a `BEGIN LIST` / `END LIST` pair frames, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListKind {
    /// `UPS`
    Ups,
    /// `VAR <ups>`
    Var(String),
    /// `RW <ups>`
    Rw(String),
    /// `CMD <ups>`
    Cmd(String),
    /// `ENUM <ups> <var>`
    Enum(String, String),
    /// `RANGE <ups> <var>`
    Range(String, String),
    /// `CLIENT <ups>`
    Client(String),
}

/// One item of a list reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListItem {
    /// `UPS <name> "<description>"`
    Ups {
        /// UPS name.
        name: String,
        /// Description.
        desc: String,
    },
    /// `VAR <ups> <var> "<value>"`
    Var {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// `RW <ups> <var> "<value>"`
    Rw {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// `CMD <ups> <cmd>`
    Cmd {
        /// UPS name.
        ups: String,
        /// Command name.
        cmd: String,
    },
    /// `ENUM <ups> <var> "<value>"`
    Enum {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// One allowed value.
        value: String,
    },
    /// `RANGE <ups> <var> "<min>" "<max>"`
    Range {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Lower bound, as sent.
        min: String,
        /// Upper bound, as sent.
        max: String,
    },
    /// `CLIENT <ups> <address>`
    Client {
        /// UPS name.
        ups: String,
        /// Client address as the server prints it.
        addr: String,
    },
}

/// Every reply line of protocol v1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// `OK`
    Ok,
    /// `OK TRACKING <id>`
    OkTracking(String),
    /// `OK Goodbye`
    OkGoodbye,
    /// `OK FSD-SET`
    OkFsdSet,
    /// `OK PRIMARY-GRANTED`
    OkPrimaryGranted,
    /// `OK MASTER-GRANTED`
    OkMasterGranted,
    /// `OK STARTTLS`
    OkStartTls,
    /// `ERR <code> [<extra>...]`
    Err {
        /// The error code.
        code: ErrorCode,
        /// The rest of the line after the code, if any, as written (upsd 2.8.0 sends none).
        extra: Option<String>,
    },
    /// `VAR <ups> <var> "<value>"` (reply to GET VAR)
    Var {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// `TYPE <ups> <var> <type words>`
    Type {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// The type.
        ty: VarType,
    },
    /// `DESC <ups> <var> "<text>"`
    Desc {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Description.
        desc: String,
    },
    /// `CMDDESC <ups> <cmd> "<text>"`
    CmdDesc {
        /// UPS name.
        ups: String,
        /// Command name.
        cmd: String,
        /// Description.
        desc: String,
    },
    /// `UPSDESC <ups> "<text>"`
    UpsDesc {
        /// UPS name.
        ups: String,
        /// Description.
        desc: String,
    },
    /// `NUMLOGINS <ups> <n>`
    NumLogins {
        /// UPS name.
        ups: String,
        /// Number of clients logged in to it.
        count: u32,
    },
    /// `ON` / `OFF`: reply to `GET TRACKING` without an id.
    TrackingMode(bool),
    /// `PENDING`: reply to `GET TRACKING <id>`.
    Pending,
    /// `SUCCESS`: reply to `GET TRACKING <id>`.
    Success,
    /// `BEGIN LIST <kind>`
    BeginList(ListKind),
    /// One item inside a list.
    Item(ListItem),
    /// `END LIST <kind>`
    EndList(ListKind),
    /// Free text (VER, NETVER/PROTVER and HELP replies).
    Text(String),
}

/// Limits for reply lines: words are never truncated (the line limit comes first), and a
/// reply has far fewer than 4096 words.
const RESPONSE_LIMITS: Limits = Limits {
    max_words: 4096,
    max_word_len: 64 * 1024,
    max_line_len: 64 * 1024,
};

/// First words that make a line a typed reply rather than free text.
const KEYWORDS: [&str; 20] = [
    "OK",
    "ERR",
    "VAR",
    "TYPE",
    "DESC",
    "CMDDESC",
    "UPSDESC",
    "NUMLOGINS",
    "ON",
    "OFF",
    "PENDING",
    "SUCCESS",
    "BEGIN",
    "END",
    "UPS",
    "RW",
    "CMD",
    "ENUM",
    "RANGE",
    "CLIENT",
];

impl Response {
    /// Reads one reply line (an optional final `\n` or `\r\n` is allowed).
    pub fn parse(line: &str) -> Result<Self, ParseError> {
        let line = line
            .strip_suffix('\n')
            .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
        let Some(first) = line.split_ascii_whitespace().next() else {
            return Err(ParseError::Empty);
        };
        if let Some((head, rest)) = line.split_once('\n') {
            return Err(ParseError::TrailingData {
                command: head
                    .split_ascii_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned(),
                rest: rest.to_owned(),
            });
        }
        match first {
            "ERR" => Ok(parse_err(line)?),
            _ if KEYWORDS.contains(&first) => {
                Self::from_words(&split_message(line, RESPONSE_LIMITS)?)
            }
            _ => Ok(Self::Text(line.to_owned())),
        }
    }

    /// Reads a reply from words already split. A first word that is not a keyword makes
    /// [`Response::Text`] of the words joined by spaces.
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Self, ParseError> {
        let Some((first, args)) = words.split_first() else {
            return Err(ParseError::Empty);
        };
        let kw = first.as_ref();
        Ok(match kw {
            "OK" => parse_ok(args)?,
            "ERR" => {
                let (code, extra) = args
                    .split_first()
                    .ok_or_else(|| missing("ERR", "missing error code"))?;
                Self::Err {
                    code: ErrorCode::parse(code.as_ref()),
                    extra: (!extra.is_empty()).then(|| join(extra)),
                }
            }
            "VAR" => {
                let [ups, var, value] = exact::<_, 3>(kw, args)?;
                Self::Var { ups, var, value }
            }
            "TYPE" => parse_type(args)?,
            "DESC" | "CMDDESC" => parse_desc(kw, args)?,
            "UPSDESC" => {
                let [ups, desc] = exact::<_, 2>(kw, args)?;
                Self::UpsDesc { ups, desc }
            }
            "NUMLOGINS" => parse_numlogins(args)?,
            "ON" | "OFF" | "PENDING" | "SUCCESS" => {
                exact::<_, 0>(kw, args)?;
                match kw {
                    "ON" => Self::TrackingMode(true),
                    "OFF" => Self::TrackingMode(false),
                    "PENDING" => Self::Pending,
                    _ => Self::Success,
                }
            }
            "BEGIN" | "END" => parse_list_frame(kw, args)?,
            "UPS" | "RW" | "CMD" | "ENUM" | "RANGE" | "CLIENT" => {
                Self::Item(ListItem::from_words(kw, args)?)
            }
            _ => Self::Text(join(words)),
        })
    }
}

/// `ERR <code> [rest]`, read from the raw line so that the rest is kept as written.
fn parse_err(line: &str) -> Result<Response, ParseError> {
    let after = line.trim_start_matches(|c: char| c.is_ascii_whitespace());
    let after = after.get(3..).unwrap_or("");
    let after = after.trim_matches(|c: char| c.is_ascii_whitespace());
    if after.is_empty() {
        return Err(missing("ERR", "missing error code"));
    }
    let (code, extra) = after
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((after, ""));
    let extra = extra.trim_start_matches(|c: char| c.is_ascii_whitespace());
    Ok(Response::Err {
        code: ErrorCode::parse(code),
        extra: (!extra.is_empty()).then(|| extra.to_owned()),
    })
}

fn parse_ok<S: AsRef<str>>(args: &[S]) -> Result<Response, ParseError> {
    let words: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    Ok(match words.as_slice() {
        [] => Response::Ok,
        ["TRACKING", id] => Response::OkTracking((*id).to_owned()),
        ["Goodbye"] => Response::OkGoodbye,
        ["FSD-SET"] => Response::OkFsdSet,
        ["PRIMARY-GRANTED"] => Response::OkPrimaryGranted,
        ["MASTER-GRANTED"] => Response::OkMasterGranted,
        ["STARTTLS"] => Response::OkStartTls,
        [other, ..] => {
            return Err(ParseError::InvalidValue {
                what: "OK reply",
                value: (*other).to_owned(),
            })
        }
    })
}

fn parse_type<S: AsRef<str>>(args: &[S]) -> Result<Response, ParseError> {
    let [ups, var, ty @ ..] = args else {
        return Err(missing("TYPE", "needs <ups> <var> <type>"));
    };
    Ok(Response::Type {
        ups: ups.as_ref().to_owned(),
        var: var.as_ref().to_owned(),
        ty: VarType::from_words(ty)?,
    })
}

fn parse_desc<S: AsRef<str>>(kw: &str, args: &[S]) -> Result<Response, ParseError> {
    let [ups, name, desc] = exact::<_, 3>(kw, args)?;
    Ok(if kw == "DESC" {
        Response::Desc {
            ups,
            var: name,
            desc,
        }
    } else {
        Response::CmdDesc {
            ups,
            cmd: name,
            desc,
        }
    })
}

fn parse_numlogins<S: AsRef<str>>(args: &[S]) -> Result<Response, ParseError> {
    let [ups, n] = exact::<_, 2>("NUMLOGINS", args)?;
    let count = match n.parse::<u32>() {
        Ok(count) if n.bytes().all(|b| b.is_ascii_digit()) => count,
        _ => {
            return Err(ParseError::InvalidValue {
                what: "login count",
                value: n.clone(),
            })
        }
    };
    Ok(Response::NumLogins {
        ups: ups.clone(),
        count,
    })
}

fn parse_list_frame<S: AsRef<str>>(kw: &str, args: &[S]) -> Result<Response, ParseError> {
    let Some(("LIST", kind)) = args.split_first().map(|(l, k)| (l.as_ref(), k)) else {
        return Err(missing(kw, "expected LIST"));
    };
    let kind = ListKind::from_words(kind)?;
    Ok(if kw == "BEGIN" {
        Response::BeginList(kind)
    } else {
        Response::EndList(kind)
    })
}

/// Exactly `N` arguments: fewer is [`ParseError::InvalidArgument`], more is
/// [`ParseError::TrailingData`].
pub(crate) fn exact<S: AsRef<str>, const N: usize>(
    command: &str,
    args: &[S],
) -> Result<[String; N], ParseError> {
    if let Some(extra) = args.get(N) {
        return Err(ParseError::TrailingData {
            command: command.to_owned(),
            rest: extra.as_ref().to_owned(),
        });
    }
    if args.len() < N {
        return Err(missing(command, "missing arguments"));
    }
    Ok(std::array::from_fn(|i| args[i].as_ref().to_owned()))
}

/// Words joined by single spaces.
fn join<S: AsRef<str>>(words: &[S]) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w.as_ref());
    }
    out
}

fn missing(command: &str, reason: &'static str) -> ParseError {
    ParseError::InvalidArgument {
        command: command.to_owned(),
        reason,
    }
}

impl fmt::Display for Response {
    /// The exact line upsd writes, without the newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("OK"),
            Self::OkTracking(id) => write!(f, "OK TRACKING {}", quote(id)),
            Self::OkGoodbye => f.write_str("OK Goodbye"),
            Self::OkFsdSet => f.write_str("OK FSD-SET"),
            Self::OkPrimaryGranted => f.write_str("OK PRIMARY-GRANTED"),
            Self::OkMasterGranted => f.write_str("OK MASTER-GRANTED"),
            Self::OkStartTls => f.write_str("OK STARTTLS"),
            Self::Err { code, extra: None } => write!(f, "ERR {code}"),
            Self::Err {
                code,
                extra: Some(extra),
            } => write!(f, "ERR {code} {extra}"),
            Self::Var { ups, var, value } => {
                write!(f, "VAR {} {} {}", quote(ups), quote(var), quoted(value))
            }
            Self::Type { ups, var, ty } => write!(f, "TYPE {} {} {ty}", quote(ups), quote(var)),
            Self::Desc { ups, var, desc } => {
                write!(f, "DESC {} {} {}", quote(ups), quote(var), quoted(desc))
            }
            Self::CmdDesc { ups, cmd, desc } => {
                write!(f, "CMDDESC {} {} {}", quote(ups), quote(cmd), quoted(desc))
            }
            Self::UpsDesc { ups, desc } => write!(f, "UPSDESC {} {}", quote(ups), quoted(desc)),
            Self::NumLogins { ups, count } => write!(f, "NUMLOGINS {} {count}", quote(ups)),
            Self::TrackingMode(on) => f.write_str(if *on { "ON" } else { "OFF" }),
            Self::Pending => f.write_str("PENDING"),
            Self::Success => f.write_str("SUCCESS"),
            Self::BeginList(kind) => write!(f, "BEGIN LIST {kind}"),
            Self::EndList(kind) => write!(f, "END LIST {kind}"),
            Self::Item(item) => item.fmt(f),
            Self::Text(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests;
