//! The `upsmon.conf` directives with more than one argument, and their value types.

use std::fmt;

use super::{warn, Problem, UpsmonConf};
use crate::config::common::{bad_args, bad_value, number, write_line};
use crate::config::notify::NotifyType;
use crate::config::upsd_conf::CertIdent;
use crate::config::upsd_users::UpsmonRole;

/// `MONITOR system powervalue username password role`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Monitor {
    /// `upsname[@host[:port]]`, as written.
    pub system: String,
    /// How many of this host's power supplies the UPS feeds (0: monitor only).
    pub power_value: u32,
    /// User name in the server's `upsd.users`.
    pub username: String,
    /// Its password.
    pub password: String,
    /// `primary`/`master` or `secondary`/`slave`.
    pub role: UpsmonRole,
}

impl fmt::Display for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pv = self.power_value.to_string();
        let role = self.role.to_string();
        let words = [
            "MONITOR",
            &self.system,
            &pv,
            &self.username,
            &self.password,
            &role,
        ];
        write_line(f, &words)
    }
}

/// `CERTHOST host certname verify forcessl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertHost {
    /// Server host name.
    pub host: String,
    /// Name of its certificate.
    pub cert_name: String,
    /// Verify the server certificate.
    pub verify: bool,
    /// Refuse to talk without TLS.
    pub force_ssl: bool,
}

impl fmt::Display for CertHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verify = u8::from(self.verify).to_string();
        let force = u8::from(self.force_ssl).to_string();
        write_line(
            f,
            &["CERTHOST", &self.host, &self.cert_name, &verify, &force],
        )
    }
}

/// The flags of `NOTIFYFLAG`: what upsmon does with a notification.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NotifyFlags {
    /// `SYSLOG`: log it.
    pub syslog: bool,
    /// `WALL`: tell logged-in users.
    pub wall: bool,
    /// `EXEC`: run `NOTIFYCMD`.
    pub exec: bool,
    /// `IGNORE`: do nothing.
    pub ignore: bool,
}

impl NotifyFlags {
    /// No flag set.
    pub const NONE: Self = Self {
        syslog: false,
        wall: false,
        exec: false,
        ignore: false,
    };

    /// Reads `FLAG[+FLAG...]` (names are case-sensitive); returns the unknown names too.
    pub fn parse(s: &str) -> (Self, Vec<&str>) {
        let mut flags = Self::NONE;
        let mut unknown = Vec::new();
        for word in s.split('+') {
            match word {
                "SYSLOG" => flags.syslog = true,
                "WALL" => flags.wall = true,
                "EXEC" => flags.exec = true,
                "IGNORE" => flags.ignore = true,
                other => unknown.push(other),
            }
        }
        (flags, unknown)
    }
}

impl fmt::Display for NotifyFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (self.syslog, "SYSLOG"),
            (self.wall, "WALL"),
            (self.exec, "EXEC"),
            (self.ignore, "IGNORE"),
        ];
        let set: Vec<&str> = names
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, n)| *n)
            .collect();
        f.write_str(&set.join("+"))
    }
}

/// `SHUTDOWNEXIT`: whether upsmon exits after calling `SHUTDOWNCMD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownExit {
    /// `yes`/`on`/`true`/`0`: exit at once (the default).
    Yes,
    /// `no`/`off`/`false`/a negative number: keep running.
    No,
    /// A positive number: exit after that many seconds.
    After(u32),
}

impl ShutdownExit {
    pub(super) fn parse(s: &str) -> Option<Self> {
        let is = |w: &str| s.eq_ignore_ascii_case(w);
        if is("on") || is("yes") || is("true") {
            return Some(Self::Yes);
        }
        if is("off") || is("no") || is("false") {
            return Some(Self::No);
        }
        let n = super::signed(s)?;
        Some(match u32::try_from(n) {
            Ok(0) => Self::Yes,
            Ok(secs) => Self::After(secs),
            Err(_) => Self::No,
        })
    }
}

impl fmt::Display for ShutdownExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Yes => f.write_str("yes"),
            Self::No => f.write_str("no"),
            Self::After(secs) => write!(f, "{secs}"),
        }
    }
}

fn known_type(name: &str, directive: &str) -> Result<NotifyType, Problem> {
    let t = NotifyType::parse(name);
    if t.is_known() {
        Ok(t)
    } else {
        Err(warn(bad_value(directive, name)))
    }
}

/// Replaces the entry for `key`, or appends one.
fn upsert<V>(list: &mut Vec<(NotifyType, V)>, key: NotifyType, value: V) {
    match list.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => list.push((key, value)),
    }
}

impl UpsmonConf {
    pub(super) fn monitor(&mut self, args: &[String]) -> Result<(), Problem> {
        let [system, pv, user, pass, role, ..] = args else {
            return Err(match args.len() {
                4 => Problem::Fatal(bad_args("MONITOR", "old-style line without a user name")),
                _ => warn(bad_args(
                    "MONITOR",
                    "needs system, power value, user, password, role",
                )),
            });
        };
        let power_value = number(pv).ok_or_else(|| warn(bad_value("MONITOR", pv)))?;
        if self.monitors.iter().any(|m| m.system == *system) {
            let reason = format!("{system} is already monitored; line ignored");
            return Err(warn(bad_args("MONITOR", &reason)));
        }
        self.monitors.push(Monitor {
            system: system.clone(),
            power_value,
            username: user.clone(),
            password: pass.clone(),
            // upsmon takes anything but primary/master as secondary.
            role: UpsmonRole::parse(role).unwrap_or(UpsmonRole::Secondary),
        });
        match UpsmonRole::parse(role) {
            Some(_) => Ok(()),
            None => Err(warn(bad_value("MONITOR", role))),
        }
    }

    pub(super) fn notifymsg(&mut self, args: &[String]) -> Result<(), Problem> {
        let [name, msg, ..] = args else {
            return Err(warn(bad_args("NOTIFYMSG", "needs a type and a message")));
        };
        let t = known_type(name, "NOTIFYMSG")?;
        upsert(&mut self.notifymsg, t, msg.clone());
        Ok(())
    }

    pub(super) fn notifyflag(&mut self, args: &[String]) -> Result<(), Problem> {
        let [name, flags, ..] = args else {
            return Err(warn(bad_args("NOTIFYFLAG", "needs a type and flags")));
        };
        let t = known_type(name, "NOTIFYFLAG")?;
        let (parsed, unknown) = NotifyFlags::parse(flags);
        upsert(&mut self.notifyflag, t, parsed);
        match unknown.first() {
            None => Ok(()),
            Some(bad) => Err(warn(bad_value("NOTIFYFLAG", bad))),
        }
    }

    pub(super) fn certident(&mut self, args: &[String]) -> Result<(), Problem> {
        let [name, password, ..] = args else {
            return Err(warn(bad_args("CERTIDENT", "needs a name and a password")));
        };
        self.certident = Some(CertIdent {
            name: name.clone(),
            password: password.clone(),
        });
        Ok(())
    }

    pub(super) fn certhost(&mut self, args: &[String]) -> Result<(), Problem> {
        let [host, cert_name, verify, force, ..] = args else {
            return Err(warn(bad_args(
                "CERTHOST",
                "needs host, certificate name, verify, forcessl",
            )));
        };
        let verify = super::flag(verify).ok_or_else(|| warn(bad_value("CERTHOST", verify)))?;
        let force_ssl = super::flag(force).ok_or_else(|| warn(bad_value("CERTHOST", force)))?;
        self.certhosts.push(CertHost {
            host: host.clone(),
            cert_name: cert_name.clone(),
            verify,
            force_ssl,
        });
        Ok(())
    }
}
