//! `nut.conf`: the shell fragment that tells service scripts which parts of NUT to start.
//!
//! The file is sourced by POSIX shells (and read by systemd), so only plain assignments are
//! understood: `KEY=value` with no blanks around `=`, where the value is made of unquoted
//! characters, `'single quoted'` text, `"double quoted"` text (with `\"`, `\\`, `` \` `` and
//! `\$` escapes) and `\x` escapes, optionally followed by blanks and a `# comment`. Lines that
//! are blank or start with `#` are skipped. Anything else (commands, `$` expansions, blanks
//! around `=`) is an error, since a shell would not give the assignment NUT documents.
//! An unknown `MODE` value is kept as [`Mode::Other`] with a warning.
//!
//! ```
//! use nut_proto::config::nut_conf::{Mode, NutConf};
//!
//! let conf = NutConf::parse("MODE=netserver\nUPSD_OPTIONS='-D'\n", "nut.conf")?.config;
//! assert_eq!(conf.mode, Some(Mode::Netserver));
//! assert_eq!(conf.get("UPSD_OPTIONS"), Some("-D"));
//! # Ok::<(), nut_proto::ConfigError>(())
//! ```

use std::fmt;

use super::common::{bad_args, bad_value, Reader};
use super::Parsed;
use crate::error::ConfigError;

/// A whole `nut.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NutConf {
    /// `MODE` (the documented default is [`Mode::None`]).
    pub mode: Option<Mode>,
    /// Every other assignment (`UPSD_OPTIONS`, `UPSMON_OPTIONS`, `POWEROFF_WAIT`, ...), in
    /// first-seen order; a repeated key keeps its place and takes the last value.
    pub vars: Vec<(String, String)>,
}

/// The `MODE` of a NUT installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `none`: start nothing.
    None,
    /// `standalone`: driver, upsd and upsmon for a local UPS.
    Standalone,
    /// `netserver`: like standalone, serving other hosts.
    Netserver,
    /// `netclient`: upsmon only.
    Netclient,
    /// `controlled`: started by something else (documented after 2.8.0).
    Controlled,
    /// `manual`: started by hand (documented after 2.8.0).
    Manual,
    /// Any other value, as written.
    Other(String),
}

const MODES: [(&str, Mode); 6] = [
    ("none", Mode::None),
    ("standalone", Mode::Standalone),
    ("netserver", Mode::Netserver),
    ("netclient", Mode::Netclient),
    ("controlled", Mode::Controlled),
    ("manual", Mode::Manual),
];

impl Mode {
    /// Reads a mode name (case-sensitive, as the scripts compare it).
    pub fn parse(s: &str) -> Self {
        MODES
            .iter()
            .find(|(n, _)| *n == s)
            .map_or_else(|| Self::Other(s.to_owned()), |(_, m)| m.clone())
    }

    /// The name as written.
    pub fn name(&self) -> &str {
        match self {
            Self::Other(s) => s,
            known => MODES
                .iter()
                .find(|(_, m)| m == known)
                .map_or("", |(n, _)| n),
        }
    }
}

impl NutConf {
    /// Parses the text of a `nut.conf`; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let mut r = Reader::new(file);
        let mut conf = Self::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim_start_matches([' ', '\t']);
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = assignment(line).map_err(|reason| r.error(i + 1, reason))?;
            if key == "MODE" {
                let mode = Mode::parse(&value);
                if let Mode::Other(v) = &mode {
                    r.warn(i + 1, bad_value("MODE", v));
                }
                conf.mode = Some(mode);
            } else {
                conf.set(key, value);
            }
        }
        Ok(r.finish(conf))
    }

    /// The value of `key` (`MODE` included).
    pub fn get(&self, key: &str) -> Option<&str> {
        if key == "MODE" {
            return self.mode.as_ref().map(Mode::name);
        }
        let (_, v) = self.vars.iter().find(|(k, _)| k == key)?;
        Some(v)
    }

    /// Sets `key` (other than `MODE`), keeping its place when already present.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        match self.vars.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.vars.push((key, value)),
        }
    }
}

type Problem = crate::error::ConfigErrorKind;

/// Splits `KEY=value [# comment]`.
fn assignment(line: &str) -> Result<(&str, String), Problem> {
    let (key, rest) = line
        .split_once('=')
        .ok_or_else(|| bad_args(first_word(line), "expected KEY=value"))?;
    if !is_name(key) {
        return Err(bad_args(
            first_word(line),
            "expected KEY=value without blanks around =",
        ));
    }
    let value = shell_word(rest).map_err(|reason| bad_args(key, reason))?;
    Ok((key, value))
}

fn first_word(line: &str) -> &str {
    line.split([' ', '\t', '=']).next().unwrap_or(line)
}

fn is_name(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Reads one shell word that must make up the rest of the line (bar a comment).
fn shell_word(s: &str) -> Result<String, &'static str> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' => return trailing(chars.as_str()).map(|()| out),
            '\'' => loop {
                match chars.next().ok_or("unterminated single quote")? {
                    '\'' => break,
                    c => out.push(c),
                }
            },
            '"' => double_quoted(&mut chars, &mut out)?,
            '\\' => out.push(chars.next().ok_or("backslash at end of line")?),
            '$' | '`' => return Err("expansions are not supported"),
            ';' | '&' | '|' | '<' | '>' | '(' | ')' => return Err("only an assignment is allowed"),
            c => out.push(c),
        }
    }
    Ok(out)
}

fn double_quoted(chars: &mut std::str::Chars<'_>, out: &mut String) -> Result<(), &'static str> {
    loop {
        match chars.next().ok_or("unterminated double quote")? {
            '"' => return Ok(()),
            '$' | '`' => return Err("expansions are not supported"),
            '\\' => match chars.next().ok_or("unterminated double quote")? {
                c @ ('"' | '\\' | '$' | '`') => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c);
                }
            },
            c => out.push(c),
        }
    }
}

/// After the value: only blanks and an optional comment.
fn trailing(rest: &str) -> Result<(), &'static str> {
    let rest = rest.trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err("text after the value (blanks must be quoted)")
    }
}

/// Writes `value` so that a shell (and [`NutConf::parse`]) reads it back unchanged.
fn shell_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+,".contains(&b));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\\''"))
    }
}

impl fmt::Display for NutConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(mode) = &self.mode {
            writeln!(f, "MODE={}", shell_quote(mode.name()))?;
        }
        for (k, v) in &self.vars {
            writeln!(f, "{k}={}", shell_quote(v))?;
        }
        Ok(())
    }
}
