//! Messages upsd sends to a driver.

use std::fmt;

use nut_proto::text::{quote, quoted};
use nut_proto::ParseError;

use super::{arg_error, split};

/// A line from upsd (or any socket client) to a driver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerMsg {
    /// `DUMPALL`: send everything, ending with `DUMPDONE`.
    DumpAll,
    /// `PING`: answer `PONG`.
    Ping,
    /// `SET <var> "<value>" [TRACKING <id>]`
    Set {
        /// Variable name, as the client typed it.
        var: String,
        /// Requested value.
        value: String,
        /// Tracking id, if the client wants the outcome.
        tracking: Option<String>,
    },
    /// `INSTCMD <cmd> [<param>] [TRACKING <id>]`
    InstCmd {
        /// Command name, as the client typed it.
        cmd: String,
        /// Optional parameter.
        param: Option<String>,
        /// Tracking id, if the client wants the outcome.
        tracking: Option<String>,
    },
    /// `LOGOUT` (newer NUT): the client is leaving.
    Logout,
    /// `GETPID` (newer NUT): ask the driver's process id.
    GetPid,
    /// `DUMPVALUE <var>` (newer NUT): send one variable.
    DumpValue(String),
    /// `DUMPSTATUS` (newer NUT): send `ups.status`.
    DumpStatus,
    /// `NOBROADCAST` / `BROADCAST 0`: stop sending updates to this client.
    NoBroadcast,
    /// `BROADCAST [1]`: resume updates to this client.
    Broadcast,
}

fn tracking_tail(cmd: &str, w: &[String]) -> Result<Option<String>, ParseError> {
    match w {
        [] => Ok(None),
        [t, id] if t.eq_ignore_ascii_case("TRACKING") => Ok(Some(id.clone())),
        _ => Err(arg_error(cmd, "expected TRACKING <id>")),
    }
}

impl ServerMsg {
    /// Parses one line (without its newline) with the rules of NUT 2.8.0 drivers.
    pub fn parse(line: &str) -> Result<Self, ParseError> {
        Self::from_words(&split(line)?)
    }

    /// Parses words already split.
    ///
    /// `INSTCMD` takes 2 to 5 words exactly as NUT's drivers do (`INSTCMD cmd`,
    /// `INSTCMD cmd param`, `INSTCMD cmd TRACKING id`, `INSTCMD cmd param TRACKING id`); `SET`
    /// takes 3 words or 5 ending in `TRACKING id`.
    pub fn from_words(w: &[String]) -> Result<Self, ParseError> {
        let Some(first) = w.first() else {
            return Err(ParseError::Empty);
        };
        let cmd = first.to_ascii_uppercase();
        Ok(match cmd.as_str() {
            "DUMPALL" => Self::DumpAll,
            "PING" => Self::Ping,
            "LOGOUT" => Self::Logout,
            "GETPID" => Self::GetPid,
            "DUMPSTATUS" => Self::DumpStatus,
            "NOBROADCAST" => Self::NoBroadcast,
            "BROADCAST" => match w.get(1).map(String::as_str) {
                Some("0") => Self::NoBroadcast,
                _ => Self::Broadcast,
            },
            "DUMPVALUE" => match w.get(1) {
                Some(v) => Self::DumpValue(v.clone()),
                None => return Err(arg_error(&cmd, "missing variable")),
            },
            "INSTCMD" => {
                let (cmdname, param, tracking) = match w {
                    [_, c] => (c, None, None),
                    [_, c, p] => (c, Some(p.clone()), None),
                    [_, c, rest @ ..] if rest.len() == 2 => (c, None, tracking_tail(&cmd, rest)?),
                    [_, c, p, rest @ ..] if rest.len() == 2 => {
                        (c, Some(p.clone()), tracking_tail(&cmd, rest)?)
                    }
                    _ => return Err(arg_error(&cmd, "malformed INSTCMD")),
                };
                Self::InstCmd {
                    cmd: cmdname.clone(),
                    param,
                    tracking,
                }
            }
            "SET" => match w {
                [_, var, value, rest @ ..] if rest.len() != 1 && rest.len() <= 2 => Self::Set {
                    var: var.clone(),
                    value: value.clone(),
                    tracking: tracking_tail(&cmd, rest)?,
                },
                _ => return Err(arg_error(&cmd, "malformed SET")),
            },
            _ => return Err(ParseError::UnknownCommand(first.clone())),
        })
    }
}

impl fmt::Display for ServerMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let track = |f: &mut fmt::Formatter<'_>, t: &Option<String>| match t {
            Some(id) => write!(f, " TRACKING {}", quote(id)),
            None => Ok(()),
        };
        match self {
            Self::DumpAll => f.write_str("DUMPALL"),
            Self::Ping => f.write_str("PING"),
            Self::Logout => f.write_str("LOGOUT"),
            Self::GetPid => f.write_str("GETPID"),
            Self::DumpStatus => f.write_str("DUMPSTATUS"),
            Self::NoBroadcast => f.write_str("NOBROADCAST"),
            Self::Broadcast => f.write_str("BROADCAST 1"),
            Self::DumpValue(v) => write!(f, "DUMPVALUE {}", quote(v)),
            Self::Set {
                var,
                value,
                tracking,
            } => {
                write!(f, "SET {} {}", quote(var), quoted(value))?;
                track(f, tracking)
            }
            Self::InstCmd {
                cmd,
                param,
                tracking,
            } => {
                write!(f, "INSTCMD {}", quote(cmd))?;
                if let Some(p) = param {
                    write!(f, " {}", quote(p))?;
                }
                track(f, tracking)
            }
        }
    }
}
