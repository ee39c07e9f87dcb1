//! `upssched.conf`: timers and commands driven by upsmon notifications.
//!
//! `CMDSCRIPT`, `PIPEFN` and `LOCKFN` must all come before the first `AT` line: upssched
//! exits otherwise, so that is an error here. An `AT` line that is malformed (too few words,
//! an unknown notify type or command, a timer without a number of seconds) is a warning and
//! is skipped, as are unknown directives. An empty `EXECUTE` is kept, as upssched keeps it
//! (it complains when the line fires).
//!
//! ```
//! use nut_proto::config::upssched_conf::{AtAction, UpsMatch, UpsschedConf};
//! use nut_proto::config::NotifyType;
//!
//! let text = "CMDSCRIPT /bin/upssched-cmd\nPIPEFN /run/nut/upssched.pipe\n\
//!             LOCKFN /run/nut/upssched.lock\nAT ONBATT * START-TIMER onbattwarn 30\n";
//! let conf = UpsschedConf::parse(text, "upssched.conf")?.config;
//! let at = &conf.at[0];
//! assert_eq!((&at.notify, &at.ups), (&NotifyType::OnBatt, &UpsMatch::Any));
//! assert_eq!(at.action, AtAction::StartTimer { name: "onbattwarn".into(), seconds: 30 });
//! # Ok::<(), nut_proto::ConfigError>(())
//! ```

use std::fmt;

use super::common::{bad_args, bad_value, number, write_line, write_opt, Reader};
use super::notify::NotifyType;
use super::Parsed;
use crate::error::{ConfigError, ConfigErrorKind};

/// A whole `upssched.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsschedConf {
    /// `CMDSCRIPT`: the script called with the timer or command name.
    pub cmdscript: Option<String>,
    /// `PIPEFN`: the socket between upssched instances.
    pub pipefn: Option<String>,
    /// `LOCKFN`: the lock file guarding the timer daemon's start.
    pub lockfn: Option<String>,
    /// `AT` lines, in order.
    pub at: Vec<At>,
}

/// `AT notifytype ups action...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    /// The notification this line reacts to (always a known type).
    pub notify: NotifyType,
    /// The UPS it applies to.
    pub ups: UpsMatch,
    /// What to do.
    pub action: AtAction,
}

/// The UPS field of an `AT` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsMatch {
    /// `*`: every UPS.
    Any,
    /// One UPS, as upsmon names it (`ups@host`).
    Name(String),
}

impl UpsMatch {
    /// True when this matches the UPS named `ups`.
    pub fn matches(&self, ups: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Name(n) => n == ups,
        }
    }
}

/// The command of an `AT` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AtAction {
    /// `START-TIMER name seconds`.
    StartTimer {
        /// Timer name, passed to CMDSCRIPT when it fires.
        name: String,
        /// Delay.
        seconds: u32,
    },
    /// `CANCEL-TIMER name [cmd]`: `cmd` goes to CMDSCRIPT when no such timer was running.
    CancelTimer {
        /// Timer name.
        name: String,
        /// Command to run if the timer had already fired or never started.
        cmd: Option<String>,
    },
    /// `EXECUTE cmd`: pass `cmd` to CMDSCRIPT at once.
    Execute(String),
}

impl UpsschedConf {
    /// Parses the text of an `upssched.conf`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let mut r = Reader::new(file);
        let mut conf = Self::default();
        for (line, words) in r.lines(text) {
            if words[0] == "AT" && words.len() >= 5 {
                if let Some(missing) = conf.missing_before_at() {
                    let kind = ConfigErrorKind::Missing(format!("{missing} before the first AT"));
                    return Err(r.error(line, kind));
                }
            }
            if let Err(kind) = conf.apply(&words) {
                r.warn(line, kind);
            }
        }
        Ok(r.finish(conf))
    }

    fn missing_before_at(&self) -> Option<&'static str> {
        [
            ("CMDSCRIPT", &self.cmdscript),
            ("PIPEFN", &self.pipefn),
            ("LOCKFN", &self.lockfn),
        ]
        .into_iter()
        .find_map(|(name, v)| v.is_none().then_some(name))
    }

    fn apply(&mut self, words: &[String]) -> Result<(), ConfigErrorKind> {
        let slot = match words[0].as_str() {
            "CMDSCRIPT" => &mut self.cmdscript,
            "PIPEFN" => &mut self.pipefn,
            "LOCKFN" => &mut self.lockfn,
            "AT" => {
                self.at.push(At::parse(&words[1..])?);
                return Ok(());
            }
            other => return Err(ConfigErrorKind::UnknownDirective(other.to_owned())),
        };
        let value = words
            .get(1)
            .ok_or_else(|| bad_args(&words[0], "needs a value"))?;
        *slot = Some(value.clone());
        Ok(())
    }
}

impl At {
    fn parse(args: &[String]) -> Result<Self, ConfigErrorKind> {
        let [notify, ups, cmd, arg1, rest @ ..] = args else {
            return Err(bad_args("AT", "needs a notify type, a UPS and a command"));
        };
        let notify = NotifyType::parse(notify);
        if !notify.is_known() {
            return Err(bad_value("AT", notify.name()));
        }
        let ups = match ups.as_str() {
            "*" => UpsMatch::Any,
            name => UpsMatch::Name(name.to_owned()),
        };
        let action = match (cmd.as_str(), rest.first()) {
            ("START-TIMER", Some(secs)) => AtAction::StartTimer {
                name: arg1.clone(),
                seconds: number(secs).ok_or_else(|| bad_value("START-TIMER", secs))?,
            },
            ("START-TIMER", None) => return Err(bad_args("START-TIMER", "needs seconds")),
            ("CANCEL-TIMER", cmd) => AtAction::CancelTimer {
                name: arg1.clone(),
                cmd: cmd.cloned(),
            },
            // An empty one is kept: upssched complains when it comes to run it.
            ("EXECUTE", _) => AtAction::Execute(arg1.clone()),
            (other, _) => return Err(bad_value("AT", other)),
        };
        Ok(Self {
            notify,
            ups,
            action,
        })
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ups = match &self.ups {
            UpsMatch::Any => "*",
            UpsMatch::Name(n) => n,
        };
        let head = ["AT", self.notify.name(), ups];
        match &self.action {
            AtAction::StartTimer { name, seconds } => write_line(
                f,
                &[&head[..], &["START-TIMER", name, &seconds.to_string()]].concat(),
            ),
            AtAction::CancelTimer { name, cmd } => {
                let mut words = [&head[..], &["CANCEL-TIMER", name]].concat();
                words.extend(cmd.as_deref());
                write_line(f, &words)
            }
            AtAction::Execute(cmd) => write_line(f, &[&head[..], &["EXECUTE", cmd]].concat()),
        }
    }
}

impl fmt::Display for UpsschedConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_opt(f, "CMDSCRIPT", &self.cmdscript)?;
        write_opt(f, "PIPEFN", &self.pipefn)?;
        write_opt(f, "LOCKFN", &self.lockfn)?;
        self.at.iter().try_for_each(|a| a.fmt(f))
    }
}
