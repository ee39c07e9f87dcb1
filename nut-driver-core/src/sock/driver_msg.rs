//! Messages a driver sends to upsd (and to any other socket client).

use std::fmt;

use nut_proto::text::{quote, quoted};
use nut_proto::ParseError;

use super::{arg_error, atoi, split};

/// A variable flag as carried by `SETFLAGS`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VarFlag {
    /// `RW`: writable.
    Rw,
    /// `STRING`: a string (its maximum length comes with `SETAUX`).
    String,
    /// `NUMBER`: a number.
    Number,
    /// Any other word, kept as written.
    Other(String),
}

impl VarFlag {
    /// Reads a flag word (case-insensitive, as upsd compares them).
    pub fn parse(word: &str) -> Self {
        match word.to_ascii_uppercase().as_str() {
            "RW" => Self::Rw,
            "STRING" => Self::String,
            "NUMBER" => Self::Number,
            _ => Self::Other(word.to_owned()),
        }
    }

    /// The flag as written on the socket.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Rw => "RW",
            Self::String => "STRING",
            Self::Number => "NUMBER",
            Self::Other(s) => s,
        }
    }
}

/// The result code a driver reports in `TRACKING <id> <code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrackingResult {
    /// 0: handled (`SUCCESS` on the network side).
    Handled,
    /// 1: unknown command or variable (`ERR UNKNOWN`).
    Unknown,
    /// 2: invalid argument (`ERR INVALID-ARGUMENT`).
    Invalid,
    /// 3: failed (`ERR FAILED`).
    Failed,
    /// Any other code (upsd treats it as a failure).
    Other(i64),
}

impl TrackingResult {
    /// From the numeric code.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => Self::Handled,
            1 => Self::Unknown,
            2 => Self::Invalid,
            3 => Self::Failed,
            n => Self::Other(n),
        }
    }

    /// The numeric code.
    pub fn code(self) -> i64 {
        match self {
            Self::Handled => 0,
            Self::Unknown => 1,
            Self::Invalid => 2,
            Self::Failed => 3,
            Self::Other(n) => n,
        }
    }
}

/// A line from a driver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriverMsg {
    /// `SETINFO <var> "<value>"`: create or update a variable.
    SetInfo {
        /// Variable name.
        var: String,
        /// New value.
        value: String,
    },
    /// `DELINFO <var>`
    DelInfo {
        /// Variable name.
        var: String,
    },
    /// `ADDENUM <var> "<value>"`
    AddEnum {
        /// Variable name.
        var: String,
        /// Allowed value.
        value: String,
    },
    /// `DELENUM <var> "<value>"`
    DelEnum {
        /// Variable name.
        var: String,
        /// Value to remove.
        value: String,
    },
    /// `ADDRANGE <var> <min> <max>`
    AddRange {
        /// Variable name.
        var: String,
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// `DELRANGE <var> <min> <max>`
    DelRange {
        /// Variable name.
        var: String,
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// `SETAUX <var> <n>`: maximum length of a string variable.
    SetAux {
        /// Variable name.
        var: String,
        /// The auxiliary value.
        aux: i64,
    },
    /// `SETFLAGS <var> <flag>...` (replaces previous flags; may be empty only when built in code).
    SetFlags {
        /// Variable name.
        var: String,
        /// The flags, in the order sent.
        flags: Vec<VarFlag>,
    },
    /// `ADDCMD <cmd>`
    AddCmd(String),
    /// `DELCMD <cmd>`
    DelCmd(String),
    /// `DUMPDONE`: end of a `DUMPALL` reply.
    DumpDone,
    /// `PONG`: answer to `PING`.
    Pong,
    /// `DATAOK`: the data is fresh.
    DataOk,
    /// `DATASTALE`: the data is not usable.
    DataStale,
    /// `TRACKING <id> <code>`: the outcome of a tracked SET or INSTCMD.
    Tracking {
        /// The id the server sent.
        id: String,
        /// The outcome.
        result: TrackingResult,
    },
}

impl DriverMsg {
    /// Parses one line (without its newline) as upsd 2.8.0 does.
    pub fn parse(line: &str) -> Result<Self, ParseError> {
        Self::from_words(&split(line)?)
    }

    /// Parses words already split; extra trailing words are ignored, numbers read with `atoi`.
    pub fn from_words(w: &[String]) -> Result<Self, ParseError> {
        let Some(first) = w.first() else {
            return Err(ParseError::Empty);
        };
        let cmd = first.to_ascii_uppercase();
        let need = |n: usize| -> Result<(), ParseError> {
            if w.len() < n {
                Err(arg_error(&cmd, "missing arguments"))
            } else {
                Ok(())
            }
        };
        let s = |i: usize| w[i].clone();
        Ok(match cmd.as_str() {
            "PONG" => Self::Pong,
            "DUMPDONE" => Self::DumpDone,
            "DATAOK" => Self::DataOk,
            "DATASTALE" => Self::DataStale,
            "ADDCMD" | "DELCMD" | "DELINFO" => {
                need(2)?;
                match cmd.as_str() {
                    "ADDCMD" => Self::AddCmd(s(1)),
                    "DELCMD" => Self::DelCmd(s(1)),
                    _ => Self::DelInfo { var: s(1) },
                }
            }
            "SETINFO" | "ADDENUM" | "DELENUM" | "SETAUX" | "SETFLAGS" | "TRACKING" => {
                need(3)?;
                let (var, value) = (s(1), s(2));
                match cmd.as_str() {
                    "SETINFO" => Self::SetInfo { var, value },
                    "ADDENUM" => Self::AddEnum { var, value },
                    "DELENUM" => Self::DelEnum { var, value },
                    "SETAUX" => Self::SetAux {
                        var,
                        aux: atoi(&value),
                    },
                    "SETFLAGS" => Self::SetFlags {
                        var,
                        flags: w[2..].iter().map(|f| VarFlag::parse(f)).collect(),
                    },
                    _ => Self::Tracking {
                        id: var,
                        result: TrackingResult::from_code(atoi(&value)),
                    },
                }
            }
            "ADDRANGE" | "DELRANGE" => {
                need(4)?;
                let (var, min, max) = (s(1), atoi(&w[2]), atoi(&w[3]));
                if cmd == "ADDRANGE" {
                    Self::AddRange { var, min, max }
                } else {
                    Self::DelRange { var, min, max }
                }
            }
            _ => return Err(ParseError::UnknownCommand(first.clone())),
        })
    }
}

impl fmt::Display for DriverMsg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SetInfo { var, value } => write!(f, "SETINFO {} {}", quote(var), quoted(value)),
            Self::DelInfo { var } => write!(f, "DELINFO {}", quote(var)),
            Self::AddEnum { var, value } => write!(f, "ADDENUM {} {}", quote(var), quoted(value)),
            Self::DelEnum { var, value } => write!(f, "DELENUM {} {}", quote(var), quoted(value)),
            Self::AddRange { var, min, max } => write!(f, "ADDRANGE {} {min} {max}", quote(var)),
            Self::DelRange { var, min, max } => write!(f, "DELRANGE {} {min} {max}", quote(var)),
            Self::SetAux { var, aux } => write!(f, "SETAUX {} {aux}", quote(var)),
            Self::SetFlags { var, flags } => {
                write!(f, "SETFLAGS {}", quote(var))?;
                flags
                    .iter()
                    .try_for_each(|fl| write!(f, " {}", quote(fl.as_str())))
            }
            Self::AddCmd(c) => write!(f, "ADDCMD {}", quote(c)),
            Self::DelCmd(c) => write!(f, "DELCMD {}", quote(c)),
            Self::DumpDone => f.write_str("DUMPDONE"),
            Self::Pong => f.write_str("PONG"),
            Self::DataOk => f.write_str("DATAOK"),
            Self::DataStale => f.write_str("DATASTALE"),
            Self::Tracking { id, result } => write!(f, "TRACKING {} {}", quote(id), result.code()),
        }
    }
}
