//! `upsd.users`: the accounts of the data server.
//!
//! Each `[name]` section is a user, with `password = ...`, `actions = ...` and
//! `instcmds = ...` (several values per line, and repeatable), and `upsmon primary|secondary`
//! (`master`/`slave` are the old names). Setting names are case-insensitive, as in upsd.
//!
//! upsd never refuses to start over this file; problems are warnings:
//! - a repeated `[name]`: the second section is ignored, with its settings (upsd 2.8.0 would
//!   apply them to the previous user, which we deliberately do not do);
//! - a second `password` (the first one stays), an unknown setting or `upsmon` role,
//!   obsolete `allowfrom`, and settings before the first section.
//!
//! ```
//! use nut_proto::config::upsd_users::{Action, UpsdUsers, UpsmonRole};
//!
//! let text = "[admin]\n password = s3cret\n actions = SET FSD\n instcmds = ALL\n\
//!             [mon]\n password = pw\n upsmon master\n";
//! let users = UpsdUsers::parse(text, "upsd.users")?.config;
//! let admin = users.user("admin").unwrap();
//! assert_eq!(admin.actions, [Action::Set, Action::Fsd]);
//! assert!(admin.allows_instcmd("test.battery.start"));
//! assert_eq!(users.user("mon").unwrap().upsmon, Some(UpsmonRole::Primary));
//! # Ok::<(), nut_proto::ConfigError>(())
//! ```

use std::fmt;

use super::common::{bad_args, bad_value, write_line, Reader};
use super::Parsed;
use crate::error::{ConfigError, ConfigErrorKind};

/// A whole `upsd.users`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsdUsers {
    /// The users, in file order; names are unique.
    pub users: Vec<User>,
}

/// One `[name]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    /// User name, as given to `USERNAME`.
    pub name: String,
    /// Password; a user without one cannot log in.
    pub password: Option<String>,
    /// Granted actions (`SET`, `FSD`, ...), without duplicates.
    pub actions: Vec<Action>,
    /// Allowed instant commands (`ALL` allows every one), without duplicates (ignoring case).
    pub instcmds: Vec<String>,
    /// `upsmon primary|secondary`.
    pub upsmon: Option<UpsmonRole>,
}

/// An `actions` value. Matched without regard to case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `SET`: change writable variables.
    Set,
    /// `FSD`: set the forced-shutdown flag.
    Fsd,
    /// Any other word, kept as written (upsd grants it as a named action).
    Other(String),
}

impl Action {
    /// Reads an action name.
    pub fn parse(s: &str) -> Self {
        if s.eq_ignore_ascii_case("SET") {
            Self::Set
        } else if s.eq_ignore_ascii_case("FSD") {
            Self::Fsd
        } else {
            Self::Other(s.to_owned())
        }
    }

    /// The name as written in the file.
    pub fn name(&self) -> &str {
        match self {
            Self::Set => "SET",
            Self::Fsd => "FSD",
            Self::Other(s) => s,
        }
    }
}

/// The `upsmon` role of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UpsmonRole {
    /// `secondary` (or `slave`): may log in.
    Secondary,
    /// `primary` (or `master`): may log in, claim primary and set FSD.
    Primary,
}

impl UpsmonRole {
    /// Reads `primary`/`master`/`secondary`/`slave`, without regard to case.
    pub fn parse(s: &str) -> Option<Self> {
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        if is("primary") || is("master") {
            Some(Self::Primary)
        } else if is("secondary") || is("slave") {
            Some(Self::Secondary)
        } else {
            None
        }
    }
}

impl fmt::Display for UpsmonRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Primary => "primary",
            Self::Secondary => "secondary",
        })
    }
}

impl User {
    /// A user with just a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// True when `instcmds` lists `cmd` or `ALL` (ignoring case, as upsd does).
    pub fn allows_instcmd(&self, cmd: &str) -> bool {
        self.instcmds
            .iter()
            .any(|c| c.eq_ignore_ascii_case(cmd) || c.eq_ignore_ascii_case("all"))
    }

    /// True when the user was granted `action` (ignoring case).
    pub fn has_action(&self, action: &Action) -> bool {
        let name = action.name();
        self.actions
            .iter()
            .any(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// Applies `var = value`; `Err` is the warning to report.
    fn set(&mut self, var: &str, value: &str) -> Result<(), ConfigErrorKind> {
        let is = |name: &str| var.eq_ignore_ascii_case(name);
        if is("password") {
            if self.password.is_some() {
                return Err(bad_args(var, "repeated; the first password is kept"));
            }
            self.password = Some(value.to_owned());
        } else if is("instcmds") {
            if !self.instcmds.iter().any(|c| c.eq_ignore_ascii_case(value)) {
                self.instcmds.push(value.to_owned());
            }
        } else if is("actions") {
            let action = Action::parse(value);
            if !self.has_action(&action) {
                self.actions.push(action);
            }
        } else if is("upsmon") {
            let role = UpsmonRole::parse(value).ok_or_else(|| bad_value(var, value))?;
            // Granting both roles grants what primary grants.
            self.upsmon = self.upsmon.max(Some(role));
        } else if is("allowfrom") {
            return Err(bad_args(var, "no longer used"));
        } else {
            return Err(ConfigErrorKind::UnknownDirective(var.to_owned()));
        }
        Ok(())
    }
}

/// Which section the lines go to.
enum Current {
    None,
    User(usize),
    /// A repeated section, ignored.
    Skip,
}

impl UpsdUsers {
    /// Parses the text of an `upsd.users`; `file` names it in warnings.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let mut r = Reader::new(file);
        let mut users = Self::default();
        let mut current = Current::None;
        for (line, words) in r.lines(text) {
            let mut warn = |kind| r.warn(line, kind);
            if let Some(name) = section_name(&words[0]) {
                current = users.start(name, &mut warn);
                continue;
            }
            let Some((var, values)) = setting(&words) else {
                if !words[0].eq_ignore_ascii_case("user") {
                    warn(bad_args(&words[0], "expected `name = value`"));
                }
                continue;
            };
            match current {
                Current::None => warn(ConfigErrorKind::OutsideSection(var.to_owned())),
                Current::Skip => {}
                Current::User(i) => users.users[i].set_all(var, values, &mut warn),
            }
        }
        Ok(r.finish(users))
    }

    /// The user named `name`.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    fn start(&mut self, name: &str, warn: &mut impl FnMut(ConfigErrorKind)) -> Current {
        if self.user(name).is_some() {
            warn(ConfigErrorKind::DuplicateSection(name.to_owned()));
            return Current::Skip;
        }
        self.users.push(User::new(name));
        Current::User(self.users.len() - 1)
    }
}

impl User {
    fn set_all(&mut self, var: &str, values: Vec<&str>, warn: &mut impl FnMut(ConfigErrorKind)) {
        for v in values {
            if let Err(kind) = self.set(var, v) {
                warn(kind);
            }
        }
    }
}

/// Splits a setting line into its name and values: `name = v1 v2...`, `upsmon role`, or
/// the compressed `name=v1 v2...` (only when the `=` was quoted into the first word).
fn setting(words: &[String]) -> Option<(&str, Vec<&str>)> {
    let rest = || words[1..].iter().map(String::as_str);
    if words[0].eq_ignore_ascii_case("user") {
        return None;
    }
    if let Some((var, first)) = words[0].split_once('=') {
        return Some((var, std::iter::once(first).chain(rest()).collect()));
    }
    match words {
        [var, eq, values @ ..] if eq == "=" && !values.is_empty() => {
            Some((var, values.iter().map(String::as_str).collect()))
        }
        [var, role] if var.eq_ignore_ascii_case("upsmon") => Some((var, vec![role.as_str()])),
        _ => None,
    }
}

fn section_name(word: &str) -> Option<&str> {
    if word.len() >= 2 && !word.contains('=') {
        word.strip_prefix('[')?.strip_suffix(']')
    } else {
        None
    }
}

impl fmt::Display for UpsdUsers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, u) in self.users.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            u.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(f, &[&format!("[{}]", self.name)])?;
        if let Some(p) = &self.password {
            f.write_str("\t")?;
            write_line(f, &["password", "=", p])?;
        }
        let actions: Vec<&str> = self.actions.iter().map(Action::name).collect();
        let instcmds: Vec<&str> = self.instcmds.iter().map(String::as_str).collect();
        for (var, values) in [("actions", actions), ("instcmds", instcmds)] {
            if !values.is_empty() {
                f.write_str("\t")?;
                write_line(f, &[&[var, "="], values.as_slice()].concat())?;
            }
        }
        if let Some(role) = self.upsmon {
            f.write_str("\t")?;
            write_line(f, &["upsmon", &role.to_string()])?;
        }
        Ok(())
    }
}
