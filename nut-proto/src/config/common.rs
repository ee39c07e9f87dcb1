//! Machinery shared by the config parsers: line iteration with warnings, value parsing, and
//! writing directives.

use std::fmt;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::text::{quote, split_config};

use super::Parsed;

/// Collects warnings for one file and builds errors that name it.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    file: &'a str,
    warnings: Vec<ConfigError>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(file: &'a str) -> Self {
        Self {
            file,
            warnings: Vec::new(),
        }
    }

    /// The logical lines of `text` as `(line, words)`; lines that cannot be split become
    /// warnings, as every NUT program logs and skips them.
    pub(crate) fn lines(&mut self, text: &str) -> Vec<(usize, Vec<String>)> {
        let mut out = Vec::new();
        for item in split_config(text) {
            match item {
                Ok(l) => out.push((l.line, l.words)),
                Err((line, e)) => self.warn(line, ConfigErrorKind::Syntax(e)),
            }
        }
        out
    }

    pub(crate) fn warn(&mut self, line: usize, kind: ConfigErrorKind) {
        self.warnings.push(ConfigError::new(self.file, line, kind));
    }

    pub(crate) fn error(&self, line: usize, kind: ConfigErrorKind) -> ConfigError {
        ConfigError::new(self.file, line, kind)
    }

    /// Warns that `directive` has too few or wrong arguments.
    pub(crate) fn bad_args(&mut self, line: usize, directive: &str, reason: &str) {
        self.warn(line, bad_args(directive, reason));
    }

    /// Warns that `value` is not valid for `key`.
    pub(crate) fn bad_value(&mut self, line: usize, key: &str, value: &str) {
        self.warn(line, bad_value(key, value));
    }

    /// The result, with the warnings sorted by line (stable).
    pub(crate) fn finish<T>(mut self, config: T) -> Parsed<T> {
        self.warnings.sort_by_key(|w| w.line);
        Parsed {
            config,
            warnings: self.warnings,
        }
    }
}

pub(crate) fn bad_args(directive: &str, reason: &str) -> ConfigErrorKind {
    ConfigErrorKind::BadArguments {
        directive: directive.to_owned(),
        reason: reason.to_owned(),
    }
}

pub(crate) fn bad_value(key: &str, value: &str) -> ConfigErrorKind {
    ConfigErrorKind::InvalidValue {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}

/// A decimal number made of ASCII digits only (no sign, no blanks), that fits `T`.
pub(crate) fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A decimal number with an optional leading `-`.
pub(crate) fn signed(s: &str) -> Option<i32> {
    match s.strip_prefix('-') {
        Some(rest) => number::<i32>(rest).map(|n| -n),
        None => number(s),
    }
}

/// NUT's boolean words (upsd `parse_boolean`): true/on/yes/1 and false/off/no/0, any case.
pub(crate) fn boolean(s: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "on", "yes", "1"];
    const FALSE: [&str; 4] = ["false", "off", "no", "0"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(true)
    } else if FALSE.iter().any(|t| t.eq_ignore_ascii_case(s)) {
        Some(false)
    } else {
        None
    }
}

/// Writes one line: the words quoted as needed, separated by spaces.
pub(crate) fn write_line(f: &mut fmt::Formatter<'_>, words: &[&str]) -> fmt::Result {
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        f.write_str(&quote(w))?;
    }
    f.write_str("\n")
}

/// Writes `NAME value` when the value is set.
pub(crate) fn write_opt<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    value: &Option<T>,
) -> fmt::Result {
    match value {
        Some(v) => write_line(f, &[name, &v.to_string()]),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_strict() {
        assert_eq!(number::<u32>("15"), Some(15));
        assert_eq!(number::<u32>("15s"), None);
        assert_eq!(number::<u32>("-1"), None);
        assert_eq!(number::<u32>(""), None);
        assert_eq!(number::<u32>("99999999999"), None);
        assert_eq!(signed("-1"), Some(-1));
        assert_eq!(signed("--1"), None);
    }

    #[test]
    fn booleans_follow_upsd() {
        assert_eq!(boolean("YES"), Some(true));
        assert_eq!(boolean("0"), Some(false));
        assert_eq!(boolean("2"), None);
    }
}
