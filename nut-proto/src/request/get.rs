//! `GET` sub-commands: parsing of the words after `GET`, and their wire form.

use std::fmt;

use super::{arg_count, keyword, unknown_sub};

const SUBS: [&str; 7] = [
    "TRACKING",
    "NUMLOGINS",
    "UPSDESC",
    "VAR",
    "TYPE",
    "DESC",
    "CMDDESC",
];
use crate::{error::ParseError, request::Get, text::quote};

impl Get {
    /// Reads the words after `GET`, with upsd 2.8.0's rules: sub-commands are
    /// case-insensitive, words beyond the ones a sub-command uses are ignored, and
    /// `GET TRACKING` takes an optional id.
    pub(crate) fn from_args<S: AsRef<str>>(args: &[S]) -> Result<Self, ParseError> {
        let Some((sub, rest)) = args.split_first() else {
            return Err(arg_count("GET", "missing sub-command"));
        };
        let sub = sub.as_ref();
        let upper = keyword(sub, &SUBS).unwrap_or("");
        let need = match upper {
            "TRACKING" => {
                return Ok(Self::Tracking {
                    id: rest.first().map(|w| w.as_ref().to_owned()),
                })
            }
            "NUMLOGINS" | "UPSDESC" => 1,
            "VAR" | "TYPE" | "DESC" | "CMDDESC" => 2,
            _ => return Err(unknown_sub("GET", sub)),
        };
        if rest.len() < need {
            let command = format!("GET {upper}");
            return Err(arg_count(&command, "missing arguments"));
        }
        let ups = rest[0].as_ref().to_owned();
        let name = || rest[1].as_ref().to_owned();
        Ok(match upper {
            "NUMLOGINS" => Self::NumLogins { ups },
            "UPSDESC" => Self::UpsDesc { ups },
            "VAR" => Self::Var { ups, var: name() },
            "TYPE" => Self::Type { ups, var: name() },
            "DESC" => Self::Desc { ups, var: name() },
            _ => Self::CmdDesc { ups, cmd: name() },
        })
    }
}

impl fmt::Display for Get {
    /// The whole request line, `GET ...`, without the newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NumLogins { ups } => write!(f, "GET NUMLOGINS {}", quote(ups)),
            Self::UpsDesc { ups } => write!(f, "GET UPSDESC {}", quote(ups)),
            Self::Var { ups, var } => write!(f, "GET VAR {} {}", quote(ups), quote(var)),
            Self::Type { ups, var } => write!(f, "GET TYPE {} {}", quote(ups), quote(var)),
            Self::Desc { ups, var } => write!(f, "GET DESC {} {}", quote(ups), quote(var)),
            Self::CmdDesc { ups, cmd } => {
                write!(f, "GET CMDDESC {} {}", quote(ups), quote(cmd))
            }
            Self::Tracking { id: None } => f.write_str("GET TRACKING"),
            Self::Tracking { id: Some(id) } => write!(f, "GET TRACKING {}", quote(id)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::request::{Get, Request};

    fn s(x: &str) -> String {
        x.to_owned()
    }

    /// (value, exact wire text), checked in both directions.
    #[test]
    fn table() {
        let table = [
            (Get::NumLogins { ups: s("ups") }, "GET NUMLOGINS ups"),
            (Get::UpsDesc { ups: s("ups") }, "GET UPSDESC ups"),
            (
                Get::Var {
                    ups: s("ups"),
                    var: s("ups.status"),
                },
                "GET VAR ups ups.status",
            ),
            (
                Get::Type {
                    ups: s("ups"),
                    var: s("ups.id"),
                },
                "GET TYPE ups ups.id",
            ),
            (
                Get::Desc {
                    ups: s("ups"),
                    var: s("ups.id"),
                },
                "GET DESC ups ups.id",
            ),
            (
                Get::CmdDesc {
                    ups: s("ups"),
                    cmd: s("load.off"),
                },
                "GET CMDDESC ups load.off",
            ),
            (Get::Tracking { id: None }, "GET TRACKING"),
            (
                Get::Tracking {
                    id: Some(s("2DDC5036-F665-4D29-BE4C-0374D091D263")),
                },
                "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263",
            ),
            (
                Get::Var {
                    ups: s("my ups"),
                    var: s(""),
                },
                r#"GET VAR "my ups" """#,
            ),
        ];
        for (value, text) in table {
            assert_eq!(Request::Get(value.clone()).to_string(), text);
            assert_eq!(Request::parse(text), Ok(Request::Get(value)), "{text}");
        }
    }

    /// upsd 2.8.0 ignores words after the ones a GET sub-command uses (transcripts/lenient.txt).
    #[test]
    fn extra_words_are_ignored_like_upsd() {
        assert_eq!(
            Request::parse("get var dummy ups.status junk").unwrap(),
            Request::Get(Get::Var {
                ups: s("dummy"),
                var: s("ups.status")
            })
        );
        assert_eq!(
            Request::parse("GET TRACKING id more").unwrap(),
            Request::Get(Get::Tracking { id: Some(s("id")) })
        );
        assert_eq!(
            Request::parse("GET NUMLOGINS ups extra").unwrap(),
            Request::Get(Get::NumLogins { ups: s("ups") })
        );
    }
}
