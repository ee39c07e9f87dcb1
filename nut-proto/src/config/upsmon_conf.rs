//! `upsmon.conf`: what the monitor watches and how it reacts.
//!
//! Directive names are case-sensitive (except `DEBUG_MIN`). Fatal, as in upsmon 2.8.0:
//! - an old-style `MONITOR` line with five words (no user name);
//! - power values of the `MONITOR` lines adding up to less than `MINSUPPLIES` (default 1):
//!   a file without any `MONITOR` line does not start upsmon.
//!
//! Warnings (the line is skipped): unknown directives, missing arguments, an unknown notify
//! type in `NOTIFYMSG`/`NOTIFYFLAG`, an unknown flag (the other flags of the line are kept),
//! a repeated `MONITOR` system, an invalid power value, and numbers that do not parse.
//! Numbers are read strictly (upsmon's `atoi` takes `5s` as 5; we warn and skip it).
//!
//! Directives added after 2.8.0 (`SHUTDOWNEXIT`, `OFFDURATION`, `OVERDURATION`,
//! `OBLBDURATION`, `POLLFAIL_LOG_THROTTLE_MAX`, `ALARMCRITICAL`, `CERTFILE`) are understood.
//!
//! ```
//! use nut_proto::config::upsmon_conf::{NotifyFlags, UpsmonConf};
//! use nut_proto::config::{upsd_users::UpsmonRole, NotifyType};
//!
//! let text = "MONITOR ups@localhost 1 monuser secret primary\n\
//!             SHUTDOWNCMD \"/sbin/shutdown -h +0\"\nNOTIFYFLAG ONBATT SYSLOG+EXEC\n";
//! let conf = UpsmonConf::parse(text, "upsmon.conf")?.config;
//! assert_eq!(conf.monitors[0].role, UpsmonRole::Primary);
//! assert_eq!(conf.notify_flags(&NotifyType::OnBatt), NotifyFlags { syslog: true, exec: true, ..NotifyFlags::NONE });
//! assert_eq!(conf.pollfreq(), 5);
//! # Ok::<(), nut_proto::ConfigError>(())
//! ```

use std::fmt;

use super::common::{bad_args, bad_value, number, signed, write_line, write_opt, Reader};
use super::notify::NotifyType;
pub use super::upsd_conf::CertIdent;
pub use super::upsd_users::UpsmonRole;
use super::Parsed;
use crate::error::{ConfigError, ConfigErrorKind};

mod directives;

pub use directives::{CertHost, Monitor, NotifyFlags, ShutdownExit};

/// A whole `upsmon.conf`. `None` fields are unset; the accessors give the defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpsmonConf {
    /// `MONITOR` lines, in order, one per system.
    pub monitors: Vec<Monitor>,
    /// `MINSUPPLIES` (default 1).
    pub minsupplies: Option<u32>,
    /// `SHUTDOWNCMD`.
    pub shutdowncmd: Option<String>,
    /// `NOTIFYCMD`.
    pub notifycmd: Option<String>,
    /// `NOTIFYMSG type "message"`, one per type, in first-seen order.
    pub notifymsg: Vec<(NotifyType, String)>,
    /// `NOTIFYFLAG type flags`, one per type, in first-seen order.
    pub notifyflag: Vec<(NotifyType, NotifyFlags)>,
    /// `POLLFREQ` (default 5).
    pub pollfreq: Option<u32>,
    /// `POLLFREQALERT` (default 5).
    pub pollfreqalert: Option<u32>,
    /// `HOSTSYNC` (default 15).
    pub hostsync: Option<u32>,
    /// `DEADTIME` (default 15).
    pub deadtime: Option<u32>,
    /// `POWERDOWNFLAG`.
    pub powerdownflag: Option<String>,
    /// `RBWARNTIME` (default 43200).
    pub rbwarntime: Option<u32>,
    /// `NOCOMMWARNTIME` (default 300).
    pub nocommwarntime: Option<u32>,
    /// `FINALDELAY` (default 5).
    pub finaldelay: Option<u32>,
    /// `RUN_AS_USER`.
    pub run_as_user: Option<String>,
    /// `CERTPATH`.
    pub certpath: Option<String>,
    /// `CERTFILE` (after 2.8.0).
    pub certfile: Option<String>,
    /// `CERTIDENT name password`.
    pub certident: Option<CertIdent>,
    /// `CERTHOST` lines, in order.
    pub certhosts: Vec<CertHost>,
    /// `CERTVERIFY 0|1` (default off).
    pub certverify: Option<bool>,
    /// `FORCESSL 0|1` (default off).
    pub forcessl: Option<bool>,
    /// `DEBUG_MIN`.
    pub debug_min: Option<u32>,
    /// `SHUTDOWNEXIT` (after 2.8.0; default [`ShutdownExit::Yes`]).
    pub shutdownexit: Option<ShutdownExit>,
    /// `OFFDURATION` seconds (after 2.8.0; default 30, negative disables).
    pub offduration: Option<i32>,
    /// `OVERDURATION` seconds (after 2.8.0; default -1).
    pub overduration: Option<i32>,
    /// `OBLBDURATION` seconds (after 2.8.0; default 0).
    pub oblbduration: Option<i32>,
    /// `POLLFAIL_LOG_THROTTLE_MAX` (after 2.8.0; default -1).
    pub pollfail_log_throttle_max: Option<i32>,
    /// `ALARMCRITICAL 0|1` (after 2.8.0; default on).
    pub alarmcritical: Option<bool>,
}

impl UpsmonConf {
    /// Parses the text of an `upsmon.conf`; `file` names it in errors. A file whose
    /// `MONITOR` power values add up to less than `MINSUPPLIES` is an error.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let (parsed, _, min_line) = Self::read(text, file)?;
        match parsed.config.power_shortfall() {
            None => Ok(parsed),
            Some((total, min)) => {
                let reason = format!("the MONITOR power values add up to {total}, less than {min}");
                let line = min_line.unwrap_or_else(|| text.lines().count().max(1));
                Err(ConfigError::new(
                    file,
                    line,
                    bad_args("MINSUPPLIES", &reason),
                ))
            }
        }
    }

    /// [`parse`](Self::parse) without the `MINSUPPLIES` check (upsmon 2.8.0 reports that
    /// itself once the file is read: see [`power_shortfall`](Self::power_shortfall)), also
    /// telling which lines set what upsmon reports while it reads the file: `(line,
    /// Applied)` pairs in file order (lines count from 1, as in the warnings).
    ///
    /// ```
    /// use nut_proto::config::upsmon_conf::{Applied, UpsmonConf};
    ///
    /// let text = "MONITOR a@h 1 u p primary\nBOGUS\nPOWERDOWNFLAG /etc/killpower\n";
    /// let (parsed, applied) = UpsmonConf::parse_traced(text, "upsmon.conf")?;
    /// assert_eq!(applied, [(1, Applied::Monitor(0)), (3, Applied::PowerDownFlag)]);
    /// assert_eq!(parsed.warnings[0].line, 2);
    /// let (short, _) = UpsmonConf::parse_traced("MONITOR a@h 0 u p primary\n", "f")?;
    /// assert_eq!(short.config.power_shortfall(), Some((0, 1)));
    /// # Ok::<(), nut_proto::ConfigError>(())
    /// ```
    pub fn parse_traced(text: &str, file: &str) -> Result<(Parsed<Self>, Trace), ConfigError> {
        Self::read(text, file).map(|(parsed, trace, _)| (parsed, trace))
    }

    /// Reads every line: the configuration, what each line set, and the line of the last
    /// `MINSUPPLIES`.
    fn read(text: &str, file: &str) -> Result<(Parsed<Self>, Trace, Option<usize>), ConfigError> {
        let mut r = Reader::new(file);
        let mut conf = Self::default();
        let mut min_line = None;
        let mut applied = Vec::new();
        for (line, words) in r.lines(text) {
            if words[0] == "MINSUPPLIES" {
                min_line = Some(line);
            }
            let monitors = conf.monitors.len();
            let result = conf.apply(&words);
            if conf.monitors.len() > monitors {
                applied.push((line, Applied::Monitor(monitors)));
            }
            match result {
                Ok(()) if words[0] == "POWERDOWNFLAG" => {
                    applied.push((line, Applied::PowerDownFlag));
                }
                Ok(()) => {}
                Err(Problem::Warn(kind)) => r.warn(line, kind),
                Err(Problem::Fatal(kind)) => return Err(r.error(line, kind)),
            }
        }
        Ok((r.finish(conf), applied, min_line))
    }

    /// `Some((sum of the MONITOR power values, MINSUPPLIES))` when the sum is too small for
    /// upsmon to run.
    pub fn power_shortfall(&self) -> Option<(u64, u32)> {
        let total: u64 = self.monitors.iter().map(|m| u64::from(m.power_value)).sum();
        (total < u64::from(self.minsupplies())).then_some((total, self.minsupplies()))
    }

    /// `MINSUPPLIES`, or 1.
    pub fn minsupplies(&self) -> u32 {
        self.minsupplies.unwrap_or(1)
    }

    /// `POLLFREQ`, or 5.
    pub fn pollfreq(&self) -> u32 {
        self.pollfreq.unwrap_or(5)
    }

    /// `POLLFREQALERT`, or 5.
    pub fn pollfreqalert(&self) -> u32 {
        self.pollfreqalert.unwrap_or(5)
    }

    /// `HOSTSYNC`, or 15.
    pub fn hostsync(&self) -> u32 {
        self.hostsync.unwrap_or(15)
    }

    /// `DEADTIME`, or 15.
    pub fn deadtime(&self) -> u32 {
        self.deadtime.unwrap_or(15)
    }

    /// `RBWARNTIME`, or 43200.
    pub fn rbwarntime(&self) -> u32 {
        self.rbwarntime.unwrap_or(43_200)
    }

    /// `NOCOMMWARNTIME`, or 300.
    pub fn nocommwarntime(&self) -> u32 {
        self.nocommwarntime.unwrap_or(300)
    }

    /// `FINALDELAY`, or 5.
    pub fn finaldelay(&self) -> u32 {
        self.finaldelay.unwrap_or(5)
    }

    /// The flags for `t`: its `NOTIFYFLAG`, or upsmon 2.8.0's default (SYSLOG+WALL; SYSLOG
    /// alone for CAL).
    pub fn notify_flags(&self, t: &NotifyType) -> NotifyFlags {
        match self.notifyflag.iter().find(|(k, _)| k == t) {
            Some((_, flags)) => *flags,
            None if *t == NotifyType::Cal => NotifyFlags {
                syslog: true,
                ..NotifyFlags::NONE
            },
            None => NotifyFlags {
                syslog: true,
                wall: true,
                ..NotifyFlags::NONE
            },
        }
    }

    /// The `NOTIFYMSG` for `t`, if one was set (`%s` stands for the UPS name).
    pub fn notify_message(&self, t: &NotifyType) -> Option<&str> {
        let (_, msg) = self.notifymsg.iter().find(|(k, _)| k == t)?;
        Some(msg)
    }

    fn apply(&mut self, words: &[String]) -> Result<(), Problem> {
        let name = words[0].as_str();
        let args = &words[1..];
        if name.eq_ignore_ascii_case("DEBUG_MIN") {
            return set(&mut self.debug_min, name, args, number);
        }
        match name {
            "MONITOR" => self.monitor(args),
            "NOTIFYMSG" => self.notifymsg(args),
            "NOTIFYFLAG" => self.notifyflag(args),
            "CERTIDENT" => self.certident(args),
            "CERTHOST" => self.certhost(args),
            _ => self.simple(name, args),
        }
    }

    /// Directives with one argument.
    fn simple(&mut self, name: &str, args: &[String]) -> Result<(), Problem> {
        match name {
            "MINSUPPLIES" => set(&mut self.minsupplies, name, args, number),
            "SHUTDOWNCMD" => set(&mut self.shutdowncmd, name, args, text),
            "NOTIFYCMD" => set(&mut self.notifycmd, name, args, text),
            "POLLFREQ" => set(&mut self.pollfreq, name, args, number),
            "POLLFREQALERT" => set(&mut self.pollfreqalert, name, args, number),
            "HOSTSYNC" => set(&mut self.hostsync, name, args, number),
            "DEADTIME" => set(&mut self.deadtime, name, args, number),
            "POWERDOWNFLAG" => set(&mut self.powerdownflag, name, args, text),
            "RBWARNTIME" => set(&mut self.rbwarntime, name, args, number),
            "NOCOMMWARNTIME" => set(&mut self.nocommwarntime, name, args, number),
            "FINALDELAY" => set(&mut self.finaldelay, name, args, number),
            "RUN_AS_USER" => set(&mut self.run_as_user, name, args, text),
            "CERTPATH" => set(&mut self.certpath, name, args, text),
            "CERTFILE" => set(&mut self.certfile, name, args, text),
            "CERTVERIFY" => set(&mut self.certverify, name, args, flag),
            "FORCESSL" => set(&mut self.forcessl, name, args, flag),
            "SHUTDOWNEXIT" => set(&mut self.shutdownexit, name, args, ShutdownExit::parse),
            "OFFDURATION" => set(&mut self.offduration, name, args, signed),
            "OVERDURATION" => set(&mut self.overduration, name, args, signed),
            "OBLBDURATION" => set(&mut self.oblbduration, name, args, signed),
            "POLLFAIL_LOG_THROTTLE_MAX" => {
                set(&mut self.pollfail_log_throttle_max, name, args, signed)
            }
            "ALARMCRITICAL" => set(&mut self.alarmcritical, name, args, flag),
            _ => Err(Problem::Warn(ConfigErrorKind::UnknownDirective(
                name.to_owned(),
            ))),
        }
    }
}

/// A line that took effect and that upsmon reports as it reads the file (see
/// [`UpsmonConf::parse_traced`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Applied {
    /// A `MONITOR` line: the index of its entry in [`UpsmonConf::monitors`].
    Monitor(usize),
    /// A `POWERDOWNFLAG` line (the last one is the setting).
    PowerDownFlag,
}

/// `(line, what it set)` pairs in file order: see [`UpsmonConf::parse_traced`].
pub type Trace = Vec<(usize, Applied)>;

/// What is wrong with a line.
enum Problem {
    /// Logged by upsmon; the line is skipped.
    Warn(ConfigErrorKind),
    /// upsmon exits.
    Fatal(ConfigErrorKind),
}

fn warn(kind: ConfigErrorKind) -> Problem {
    Problem::Warn(kind)
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// `0`/`1` (any number; non-zero is on), written back as `0`/`1`.
fn flag(s: &str) -> Option<bool> {
    number::<u32>(s).map(|n| n != 0)
}

/// Sets `slot` from the first argument, converted by `conv`.
fn set<T>(
    slot: &mut Option<T>,
    name: &str,
    args: &[String],
    conv: impl Fn(&str) -> Option<T>,
) -> Result<(), Problem> {
    let value = args
        .first()
        .ok_or_else(|| warn(bad_args(name, "needs a value")))?;
    *slot = Some(conv(value).ok_or_else(|| warn(bad_value(name, value)))?);
    Ok(())
}

/// Writes a `0|1` directive.
fn write_flag(f: &mut fmt::Formatter<'_>, name: &str, value: Option<bool>) -> fmt::Result {
    write_opt(f, name, &value.map(u8::from))
}

impl fmt::Display for UpsmonConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.monitors.iter().try_for_each(|m| m.fmt(f))?;
        write_opt(f, "MINSUPPLIES", &self.minsupplies)?;
        write_opt(f, "SHUTDOWNCMD", &self.shutdowncmd)?;
        write_opt(f, "NOTIFYCMD", &self.notifycmd)?;
        for (t, msg) in &self.notifymsg {
            write_line(f, &["NOTIFYMSG", t.name(), msg])?;
        }
        for (t, flags) in &self.notifyflag {
            write_line(f, &["NOTIFYFLAG", t.name(), &flags.to_string()])?;
        }
        let numbers = [
            ("POLLFREQ", self.pollfreq),
            ("POLLFREQALERT", self.pollfreqalert),
            ("HOSTSYNC", self.hostsync),
            ("DEADTIME", self.deadtime),
            ("RBWARNTIME", self.rbwarntime),
            ("NOCOMMWARNTIME", self.nocommwarntime),
            ("FINALDELAY", self.finaldelay),
            ("DEBUG_MIN", self.debug_min),
        ];
        for (name, v) in numbers {
            write_opt(f, name, &v)?;
        }
        write_opt(f, "POWERDOWNFLAG", &self.powerdownflag)?;
        write_opt(f, "RUN_AS_USER", &self.run_as_user)?;
        write_opt(f, "CERTPATH", &self.certpath)?;
        write_opt(f, "CERTFILE", &self.certfile)?;
        if let Some(c) = &self.certident {
            write_line(f, &["CERTIDENT", &c.name, &c.password])?;
        }
        self.certhosts.iter().try_for_each(|h| h.fmt(f))?;
        write_flag(f, "CERTVERIFY", self.certverify)?;
        write_flag(f, "FORCESSL", self.forcessl)?;
        write_opt(f, "SHUTDOWNEXIT", &self.shutdownexit)?;
        let signed = [
            ("OFFDURATION", self.offduration),
            ("OVERDURATION", self.overduration),
            ("OBLBDURATION", self.oblbduration),
            ("POLLFAIL_LOG_THROTTLE_MAX", self.pollfail_log_throttle_max),
        ];
        for (name, v) in signed {
            write_opt(f, name, &v)?;
        }
        write_flag(f, "ALARMCRITICAL", self.alarmcritical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_names_the_monitor_entries_kept_and_the_flag_lines() {
        let text = "MONITOR a@h 1 u p primary\n\
                    MONITOR a@h 1 u p primary\n\
                    MONITOR b@h 0 u p sideways\n\
                    MONITOR c@h x u p primary\n\
                    POWERDOWNFLAG\n\
                    POWERDOWNFLAG /k\n";
        let (parsed, applied) = UpsmonConf::parse_traced(text, "f").expect("parses");
        assert_eq!(
            applied,
            [
                (1, Applied::Monitor(0)),
                (3, Applied::Monitor(1)),
                (6, Applied::PowerDownFlag)
            ]
        );
        let lines: Vec<usize> = parsed.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
        assert_eq!(parsed.config.monitors[1].system, "b@h");
    }
}
