//! upssched: timers driven by upsmon notifications, without I/O.
//!
//! upsmon runs upssched as its NOTIFYCMD with `NOTIFYTYPE` and `UPSNAME` set. upssched reads
//! its `AT` lines ([`plan`]) and, for each one that matches, either runs CMDSCRIPT at once
//! (`EXECUTE`) or sends a request to the timer daemon (`START-TIMER`, `CANCEL-TIMER`), starting
//! the daemon on demand. The daemon ([`TimerDaemon`]) keeps the timers, runs CMDSCRIPT with a
//! timer's name when it fires, and exits once it has had no timers for a while.
//!
//! The daemon protocol is one line per request on PIPEFN: `START "name" "seconds"` or
//! `CANCEL "name" ["cmd"]`, each answered `OK` ([`DaemonRequest`]).

mod daemon;

pub use daemon::{DaemonEvent, TimerDaemon, IDLE_EXIT};

use std::fmt;

use nut_proto::config::upssched_conf::{AtAction, UpsschedConf};
use nut_proto::text::{quoted, split_line};

/// A request to the timer daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaemonRequest {
    /// Start a timer that runs CMDSCRIPT with `name` after `seconds`.
    Start {
        /// Timer name.
        name: String,
        /// Delay, as sent (upssched reads it with `strtol`; negative delays are ignored).
        seconds: String,
    },
    /// Cancel the first timer called `name`; if there is none, run `cmd` (if given).
    Cancel {
        /// Timer name.
        name: String,
        /// Command to run when nothing was cancelled.
        cmd: Option<String>,
    },
}

impl DaemonRequest {
    /// Parses one request line; `None` for anything else (the daemon answers
    /// `ERR UNKNOWN` to those).
    pub fn parse(line: &str) -> Option<Self> {
        let w = split_line(line).ok()?;
        match w.first().map(String::as_str) {
            Some("CANCEL") if w.len() >= 2 => Some(Self::Cancel {
                name: w[1].clone(),
                cmd: w.get(2).filter(|c| !c.is_empty()).cloned(),
            }),
            Some("START") if w.len() >= 3 => Some(Self::Start {
                name: w[1].clone(),
                seconds: w[2].clone(),
            }),
            _ => None,
        }
    }
}

impl fmt::Display for DaemonRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Start { name, seconds } => {
                write!(f, "START {} {}", quoted(name), quoted(seconds))
            }
            Self::Cancel { name, cmd } => {
                write!(f, "CANCEL {}", quoted(name))?;
                match cmd {
                    Some(c) => write!(f, " {}", quoted(c)),
                    None => Ok(()),
                }
            }
        }
    }
}

/// One thing upssched must do for a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Run `CMDSCRIPT <arg>` now.
    Execute(String),
    /// Send this request to the daemon (starting it first if it is not running; a CANCEL
    /// without a command does not need a daemon that is not running).
    Send(DaemonRequest),
}

impl Step {
    /// Whether this step needs the daemon started when it is not running.
    pub fn needs_daemon(&self) -> bool {
        !matches!(
            self,
            Self::Execute(_) | Self::Send(DaemonRequest::Cancel { cmd: None, .. })
        )
    }
}

/// The steps for a notification of `notify_type` about `ups`, in `AT` line order.
/// The type is compared without regard to case, the UPS exactly (or `*`).
pub fn plan(conf: &UpsschedConf, notify_type: &str, ups: &str) -> Vec<Step> {
    conf.at
        .iter()
        .filter(|at| at.notify.name().eq_ignore_ascii_case(notify_type) && at.ups.matches(ups))
        .map(|at| match &at.action {
            AtAction::StartTimer { name, seconds } => Step::Send(DaemonRequest::Start {
                name: name.clone(),
                seconds: seconds.to_string(),
            }),
            AtAction::CancelTimer { name, cmd } => Step::Send(DaemonRequest::Cancel {
                name: name.clone(),
                cmd: cmd.clone(),
            }),
            // An empty one is kept: upssched complains about it when it comes to it.
            AtAction::Execute(cmd) => Step::Execute(cmd.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = r#"CMDSCRIPT /bin/sched-cmd
PIPEFN /run/upssched.pipe
LOCKFN /run/upssched.lock
AT ONBATT * START-TIMER onbattwarn 30
AT ONLINE * CANCEL-TIMER onbattwarn online
AT ONLINE ups@hostA EXECUTE "back on line"
AT LOWBATT ups@hostB EXECUTE lowbatt-b
"#;

    fn conf() -> UpsschedConf {
        UpsschedConf::parse(CONF, "upssched.conf")
            .expect("valid")
            .config
    }

    #[test]
    fn plans_follow_at_lines_in_order() {
        let c = conf();
        assert_eq!(
            plan(&c, "onbatt", "ups@hostA"),
            [Step::Send(DaemonRequest::Start {
                name: "onbattwarn".into(),
                seconds: "30".into()
            })]
        );
        assert_eq!(
            plan(&c, "ONLINE", "ups@hostA"),
            [
                Step::Send(DaemonRequest::Cancel {
                    name: "onbattwarn".into(),
                    cmd: Some("online".into())
                }),
                Step::Execute("back on line".into()),
            ]
        );
        assert!(plan(&c, "LOWBATT", "ups@hostA").is_empty());
        assert_eq!(
            plan(&c, "LOWBATT", "ups@hostB"),
            [Step::Execute("lowbatt-b".into())]
        );
    }

    #[test]
    fn requests_round_trip_on_the_wire() {
        for r in [
            DaemonRequest::Start {
                name: "a b".into(),
                seconds: "30".into(),
            },
            DaemonRequest::Cancel {
                name: "x\"y".into(),
                cmd: None,
            },
            DaemonRequest::Cancel {
                name: "x".into(),
                cmd: Some("run it".into()),
            },
        ] {
            assert_eq!(DaemonRequest::parse(&r.to_string()), Some(r));
        }
        assert_eq!(DaemonRequest::parse("START x"), None);
        assert_eq!(DaemonRequest::parse("FOO"), None);
        assert!(!Step::Send(DaemonRequest::Cancel {
            name: "n".into(),
            cmd: None
        })
        .needs_daemon());
    }
}
