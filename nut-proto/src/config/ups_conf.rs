//! `ups.conf`: global driver settings and one `[section]` per UPS.
//!
//! The file is read by `upsdrvctl`, by every driver (its own section plus the globals) and by
//! `upsd` (`driver`, `port`, `desc`). Lines are `key = value` or a bare `flag`; `[name]` starts
//! a section. Like NUT, a line that is neither (two words, or a second word other than `=`) is
//! skipped; we also report it as a warning. Words after `key = value` are ignored, with a
//! warning.
//!
//! A `pollinterval` is read as C's `atoi` reads it and never refused here: NUT's upsd and
//! upsdrvctl ignore it, and only the driver it applies to (every driver for the global one,
//! the section's own driver otherwise) exits when it is not above zero.
//!
//! ```
//! use nut_proto::config::ups_conf::{UpsConf, UpsOption};
//!
//! let text = "maxretry = 3\n[ups1]\n driver = usbhid-ups\n port = auto\n vendorid = 0463\n nolock\n";
//! let conf = UpsConf::parse(text, "ups.conf").unwrap().config;
//! assert_eq!(conf.globals.maxretry, Some(3));
//! let ups = conf.section("ups1").unwrap();
//! assert_eq!(ups.value("vendorid"), Some("0463"));
//! assert!(ups.has_flag("nolock"));
//! assert_eq!(UpsConf::parse(&conf.to_string(), "ups.conf").unwrap().config, conf);
//! ```

use std::fmt;

use super::common::{number, signed, write_line, Reader};
use super::Parsed;
use crate::error::{ConfigError, ConfigErrorKind};
use crate::text::atoi;

/// Documented default of `maxstartdelay` (seconds upsdrvctl waits for a driver to start).
pub const DEFAULT_MAXSTARTDELAY: u32 = 45;
/// Documented default of `maxretry` (attempts to start a driver).
pub const DEFAULT_MAXRETRY: u32 = 1;
/// Documented default of `retrydelay` (seconds between attempts).
pub const DEFAULT_RETRYDELAY: u32 = 5;
/// Documented default of `pollinterval` (seconds between driver updates).
pub const DEFAULT_POLLINTERVAL: u32 = 2;

/// A whole `ups.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsConf {
    /// Settings before the first section.
    pub globals: Globals,
    /// The UPS sections, in file order (a repeated name adds to the first one, as in NUT).
    pub sections: Vec<UpsSection>,
}

/// Global settings (before any section).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Globals {
    /// `chroot`: directory the drivers chroot into.
    pub chroot: Option<String>,
    /// `driverpath`: where upsdrvctl finds the drivers.
    pub driverpath: Option<String>,
    /// `user`: account the drivers run as.
    pub user: Option<String>,
    /// `group`: group the drivers run as.
    pub group: Option<String>,
    /// `maxstartdelay` (default [`DEFAULT_MAXSTARTDELAY`]).
    pub maxstartdelay: Option<u32>,
    /// `maxretry` (default [`DEFAULT_MAXRETRY`]).
    pub maxretry: Option<u32>,
    /// `retrydelay` (default [`DEFAULT_RETRYDELAY`]).
    pub retrydelay: Option<u32>,
    /// `pollinterval` (default [`DEFAULT_POLLINTERVAL`]) as C's `atoi` reads it: `0` or less
    /// (also for text that is not a number) makes every driver refuse to start.
    pub pollinterval: Option<i64>,
    /// `synchronous` (default [`Synchronous::No`]).
    pub synchronous: Option<Synchronous>,
    /// `debug_min`: minimum debug level of every driver.
    pub debug_min: Option<u32>,
    /// `nowait`: upsdrvctl does not wait for the drivers.
    pub nowait: bool,
    /// Any other global line, in order (NUT ignores them; they are kept for writing back).
    pub other: Vec<UpsOption>,
}

/// The `synchronous` setting of the driver socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    /// `yes`: wait for upsd to read each update.
    Yes,
    /// `no` (and, as in NUT, any word other than `yes` and `auto`).
    No,
    /// `auto`: asynchronous, falling back to synchronous when the socket is full.
    Auto,
}

impl Synchronous {
    fn parse(s: &str) -> Self {
        match s {
            "yes" => Self::Yes,
            "auto" => Self::Auto,
            _ => Self::No,
        }
    }
}

impl fmt::Display for Synchronous {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Auto => "auto",
        })
    }
}

/// One `[name]` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsSection {
    /// The UPS name (between the brackets).
    pub name: String,
    /// `driver`: program name of the driver (required by upsd and upsdrvctl).
    pub driver: Option<String>,
    /// `port`: device path or address (required by upsd and most drivers).
    pub port: Option<String>,
    /// `desc`: description served by upsd.
    pub desc: Option<String>,
    /// `sdorder`: shutdown order for upsdrvctl (default 0, -1 excludes the UPS).
    pub sdorder: Option<i32>,
    /// Every other line of the section, in order: driver options and flags.
    pub options: Vec<UpsOption>,
}

impl UpsSection {
    /// A section with just a name.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// The value of the last `key = value` option with this key.
    pub fn value(&self, key: &str) -> Option<&str> {
        let opt = self.options.iter().rev().find(|o| o.key == key)?;
        opt.value.as_deref()
    }

    /// True when the bare flag `key` is present.
    pub fn has_flag(&self, key: &str) -> bool {
        self.options
            .iter()
            .any(|o| o.key == key && o.value.is_none())
    }
}

/// A `key = value` line, or a bare flag (`value` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpsOption {
    /// The key, as written (keys are case-sensitive).
    pub key: String,
    /// The value, `None` for a flag.
    pub value: Option<String>,
}

impl UpsOption {
    /// A `key = value` option.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: Some(value.into()),
        }
    }

    /// A bare flag.
    pub fn flag(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            value: None,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, indent: &str) -> fmt::Result {
        f.write_str(indent)?;
        match &self.value {
            Some(v) => write_line(f, &[&self.key, "=", v]),
            None => write_line(f, &[&self.key]),
        }
    }
}

impl UpsConf {
    /// Parses the text of a `ups.conf`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let mut p = Parser {
            r: Reader::new(file),
            conf: Self::default(),
            current: None,
        };
        let lines = p.r.lines(text);
        for (line, words) in &lines {
            p.line(*line, words)?;
        }
        p.check_required(&lines);
        Ok(p.r.finish(p.conf))
    }

    /// The section named `name`.
    pub fn section(&self, name: &str) -> Option<&UpsSection> {
        self.sections.iter().find(|s| s.name == name)
    }
}

struct Parser<'a> {
    r: Reader<'a>,
    conf: UpsConf,
    /// Index of the section being filled.
    current: Option<usize>,
}

impl Parser<'_> {
    fn line(&mut self, line: usize, words: &[String]) -> Result<(), ConfigError> {
        let first = words[0].as_str();
        if let Some(name) = section_name(first) {
            self.start_section(line, name);
            return Ok(());
        }
        if first.starts_with('[') {
            self.r
                .warn(line, ConfigErrorKind::BadSection(words.join(" ")));
            return Ok(());
        }
        let opt = match words {
            [key] => UpsOption::flag(key.as_str()),
            [key, eq, value, rest @ ..] if eq == "=" => {
                if !rest.is_empty() {
                    self.r.bad_args(line, key, "words after the value ignored");
                }
                UpsOption::new(key.as_str(), value.as_str())
            }
            _ => {
                self.r
                    .bad_args(line, first, "expected `key = value` or a flag");
                return Ok(());
            }
        };
        match self.current {
            Some(i) => self.section_option(line, i, opt),
            None => self.global(line, opt),
        }
    }

    fn start_section(&mut self, line: usize, name: &str) {
        if let Some(i) = self.conf.sections.iter().position(|s| s.name == name) {
            self.r
                .warn(line, ConfigErrorKind::DuplicateSection(name.to_owned()));
            self.current = Some(i);
        } else {
            self.conf.sections.push(UpsSection::new(name));
            self.current = Some(self.conf.sections.len() - 1);
        }
    }

    fn global(&mut self, line: usize, opt: UpsOption) -> Result<(), ConfigError> {
        let UpsOption { key, value } = opt;
        let g = &mut self.conf.globals;
        match value {
            _ if key == "nowait" => g.nowait = true,
            None if is_global_key(&key) => self.r.bad_args(line, &key, "needs a value"),
            None => g.other.push(UpsOption::flag(key)),
            Some(v) if key == "pollinterval" => g.pollinterval = Some(atoi(&v)),
            Some(v) => {
                if !g.set(&key, &v) {
                    self.r.bad_value(line, &key, &v);
                }
            }
        }
        Ok(())
    }

    fn section_option(&mut self, line: usize, i: usize, opt: UpsOption) -> Result<(), ConfigError> {
        let Some(section) = self.conf.sections.get_mut(i) else {
            return Ok(());
        };
        let UpsOption { key, value } = opt;
        let Some(value) = value else {
            if matches!(key.as_str(), "driver" | "port" | "desc" | "sdorder") {
                self.r.bad_args(line, &key, "needs a value");
            } else {
                section.options.push(UpsOption::flag(key));
            }
            return Ok(());
        };
        match key.as_str() {
            "driver" => section.driver = Some(value),
            "port" => section.port = Some(value),
            "desc" => section.desc = Some(value),
            "sdorder" => match signed(&value) {
                Some(n) => section.sdorder = Some(n),
                None => self.r.bad_value(line, &key, &value),
            },
            _ => section.options.push(UpsOption::new(key, value)),
        }
        Ok(())
    }

    /// Warns about sections without `driver` or `port`, which upsd ignores.
    fn check_required(&mut self, lines: &[(usize, Vec<String>)]) {
        for s in &self.conf.sections {
            let line = header_line(lines, &s.name);
            for (what, set) in [("driver", s.driver.is_some()), ("port", s.port.is_some())] {
                if !set {
                    let kind = ConfigErrorKind::Missing(format!("{what} in [{}]", s.name));
                    self.r.warn(line, kind);
                }
            }
        }
    }
}

fn header_line(lines: &[(usize, Vec<String>)], name: &str) -> usize {
    lines
        .iter()
        .find(|(_, w)| section_name(&w[0]) == Some(name))
        .map_or(0, |(l, _)| *l)
}

/// `[name]` → `name`, by NUT's test: first byte `[`, last byte `]`.
fn section_name(word: &str) -> Option<&str> {
    if word.len() >= 2 {
        word.strip_prefix('[')?.strip_suffix(']')
    } else {
        None
    }
}

fn is_global_key(key: &str) -> bool {
    matches!(
        key,
        "chroot"
            | "driverpath"
            | "user"
            | "group"
            | "maxstartdelay"
            | "maxretry"
            | "retrydelay"
            | "pollinterval"
            | "synchronous"
            | "debug_min"
    )
}

impl Globals {
    /// Sets a known global or keeps an unknown one; false when the value is invalid.
    fn set(&mut self, key: &str, value: &str) -> bool {
        let text = Some(value.to_owned());
        match key {
            "chroot" => self.chroot = text,
            "driverpath" => self.driverpath = text,
            "user" => self.user = text,
            "group" => self.group = text,
            "synchronous" => self.synchronous = Some(Synchronous::parse(value)),
            "maxstartdelay" => return set_num(&mut self.maxstartdelay, value),
            "maxretry" => return set_num(&mut self.maxretry, value),
            "retrydelay" => return set_num(&mut self.retrydelay, value),
            "debug_min" => return set_num(&mut self.debug_min, value),
            _ => self.other.push(UpsOption::new(key, value)),
        }
        true
    }
}

fn set_num(slot: &mut Option<u32>, value: &str) -> bool {
    match number(value) {
        Some(n) => {
            *slot = Some(n);
            true
        }
        None => false,
    }
}

impl fmt::Display for UpsConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.globals.fmt(f)?;
        for s in &self.sections {
            f.write_str("\n")?;
            s.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Display for Globals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let strings = [
            ("chroot", &self.chroot),
            ("driverpath", &self.driverpath),
            ("user", &self.user),
            ("group", &self.group),
        ];
        for (key, v) in strings {
            if let Some(v) = v {
                write_line(f, &[key, "=", v])?;
            }
        }
        let numbers = [
            ("maxstartdelay", self.maxstartdelay),
            ("maxretry", self.maxretry),
            ("retrydelay", self.retrydelay),
            ("debug_min", self.debug_min),
        ];
        for (key, v) in numbers {
            if let Some(v) = v {
                write_line(f, &[key, "=", &v.to_string()])?;
            }
        }
        if let Some(v) = self.pollinterval {
            write_line(f, &["pollinterval", "=", &v.to_string()])?;
        }
        if let Some(s) = self.synchronous {
            write_line(f, &["synchronous", "=", &s.to_string()])?;
        }
        if self.nowait {
            write_line(f, &["nowait"])?;
        }
        self.other.iter().try_for_each(|o| o.write(f, ""))
    }
}

impl fmt::Display for UpsSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_line(f, &[&format!("[{}]", self.name)])?;
        let strings = [
            ("driver", &self.driver),
            ("port", &self.port),
            ("desc", &self.desc),
        ];
        for (key, v) in strings {
            if let Some(v) = v {
                f.write_str("\t")?;
                write_line(f, &[key, "=", v])?;
            }
        }
        if let Some(n) = self.sdorder {
            f.write_str("\t")?;
            write_line(f, &["sdorder", "=", &n.to_string()])?;
        }
        self.options.iter().try_for_each(|o| o.write(f, "\t"))
    }
}
