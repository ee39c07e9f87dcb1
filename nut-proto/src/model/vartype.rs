//! Variable types as reported by `GET TYPE`.
//!
//! upsd writes the words after `TYPE <ups> <var>` in a fixed order: `RW`, `ENUM`, `RANGE`, then
//! exactly one of `STRING:<n>` or `NUMBER` (read-only strings such as `driver.name` report
//! `NUMBER`). Reading is case-insensitive and order-free, as upsrw's is; writing uses upsd's
//! order.

use std::fmt;

use crate::error::ParseError;

/// The base kind of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VarKind {
    /// `STRING:<n>`: a string of at most `n` bytes.
    String(usize),
    /// `NUMBER`.
    Number,
}

/// A variable's type: `[RW] [ENUM] [RANGE] STRING:n|NUMBER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VarType {
    /// Writable (`RW`).
    pub rw: bool,
    /// Has an enumeration of allowed values (`ENUM`).
    pub enumerated: bool,
    /// Has allowed ranges (`RANGE`).
    pub range: bool,
    /// String or number.
    pub kind: VarKind,
}

impl VarType {
    /// A read-only number, the type upsd reports for plain values.
    pub const NUMBER: Self = Self {
        rw: false,
        enumerated: false,
        range: false,
        kind: VarKind::Number,
    };

    /// Reads the type words that follow `TYPE <ups> <var>`.
    ///
    /// ```
    /// use nut_proto::{VarKind, VarType};
    /// let words: Vec<String> = ["RW", "ENUM", "STRING:32"].map(String::from).to_vec();
    /// let ty = VarType::from_words(&words).unwrap();
    /// assert_eq!(ty.kind, VarKind::String(32));
    /// assert!(ty.rw && ty.enumerated && !ty.range);
    /// assert_eq!(ty.to_string(), "RW ENUM STRING:32");
    /// ```
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Self, ParseError> {
        let mut ty = Self::NUMBER;
        let mut kind = None;
        for w in words {
            let w = w.as_ref();
            let upper = w.to_ascii_uppercase();
            match upper.as_str() {
                "RW" => ty.rw = true,
                "ENUM" => ty.enumerated = true,
                "RANGE" => ty.range = true,
                _ => {
                    if kind.is_some() {
                        return Err(invalid(w));
                    }
                    kind = Some(parse_kind(&upper).ok_or_else(|| invalid(w))?);
                }
            }
        }
        ty.kind = kind.ok_or_else(|| ParseError::InvalidArgument {
            command: "TYPE".into(),
            reason: "no STRING:<n> or NUMBER",
        })?;
        Ok(ty)
    }
}

fn parse_kind(upper: &str) -> Option<VarKind> {
    if upper == "NUMBER" {
        return Some(VarKind::Number);
    }
    let len = upper.strip_prefix("STRING:")?;
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    len.parse().ok().map(VarKind::String)
}

fn invalid(word: &str) -> ParseError {
    ParseError::InvalidValue {
        what: "variable type",
        value: word.to_owned(),
    }
}

impl fmt::Display for VarKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String(n) => write!(f, "STRING:{n}"),
            Self::Number => f.write_str("NUMBER"),
        }
    }
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (set, word) in [
            (self.rw, "RW "),
            (self.enumerated, "ENUM "),
            (self.range, "RANGE "),
        ] {
            if set {
                f.write_str(word)?;
            }
        }
        write!(f, "{}", self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    fn ty(rw: bool, enumerated: bool, range: bool, kind: VarKind) -> VarType {
        VarType {
            rw,
            enumerated,
            range,
            kind,
        }
    }

    /// Every line here was seen from real upsd 2.8.0 (tests/data/transcripts/get.txt).
    #[test]
    fn table_from_real_upsd() {
        let table = [
            (ty(true, false, false, VarKind::String(32)), "RW STRING:32"),
            (ty(false, false, false, VarKind::Number), "NUMBER"),
            (ty(true, false, false, VarKind::String(16)), "RW STRING:16"),
            (ty(true, true, false, VarKind::Number), "RW ENUM NUMBER"),
            (ty(true, false, true, VarKind::Number), "RW RANGE NUMBER"),
            (
                ty(true, true, true, VarKind::String(8)),
                "RW ENUM RANGE STRING:8",
            ),
        ];
        for (value, text) in table {
            assert_eq!(value.to_string(), text);
            assert_eq!(VarType::from_words(&words(text)), Ok(value), "{text}");
        }
    }

    #[test]
    fn reading_is_case_insensitive_and_order_free() {
        let t = VarType::from_words(&words("string:5 enum rw")).expect("valid");
        assert_eq!(t, ty(true, true, false, VarKind::String(5)));
        assert_eq!(t.to_string(), "RW ENUM STRING:5");
    }

    #[test]
    fn malformed_types_are_refused() {
        for bad in [
            "",
            "RW",
            "STRING",
            "STRING:",
            "STRING:-1",
            "STRING:x",
            "NUMBER NUMBER",
            "FLOAT",
        ] {
            assert!(VarType::from_words(&words(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(
            VarType::from_words(&words("RW BLOB")),
            Err(ParseError::InvalidValue {
                what: "variable type",
                value: "BLOB".into()
            })
        );
    }
}
