//! The pure part of `upsrw`'s listing: reading `GET TYPE` words, formatting ENUM and RANGE.

use crate::tools::atol;

/// How a variable's value block is printed, from its `GET TYPE` words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `GET TYPE` failed: `Unknown type`.
    Unknown,
    /// `STRING:<len>`.
    String(i64),
    /// `NUMBER`.
    Number,
    /// `ENUM` with the base type, if the server named one.
    Enum(Option<EnumBase>),
    /// `RANGE` (always a number).
    Range,
}

/// The base type after `ENUM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumBase {
    /// `STRING:<len>`.
    String(i64),
    /// `NUMBER`.
    Number,
}

/// What to print for a type: `Type: <word> (unrecognized)` lines, then the value block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypePlan {
    /// Words NUT does not know, in order.
    pub unrecognized: Vec<String>,
    /// The value block, if any.
    pub kind: Option<ValueKind>,
}

impl TypePlan {
    /// The plan when `GET TYPE` failed.
    pub fn unknown() -> Self {
        Self {
            unrecognized: Vec::new(),
            kind: Some(ValueKind::Unknown),
        }
    }
}

/// Reads the type words after `TYPE <ups> <var>` the way upsrw 2.8.0 does.
pub fn type_plan(words: &[String]) -> TypePlan {
    let mut unrecognized = Vec::new();
    let mut is_enum = false;
    for word in words {
        let upper = word.to_ascii_uppercase();
        let kind = match upper.as_str() {
            "ENUM" => {
                is_enum = true;
                continue;
            }
            "RW" => continue,
            "RANGE" => ValueKind::Range,
            "NUMBER" if is_enum => ValueKind::Enum(Some(EnumBase::Number)),
            "NUMBER" => ValueKind::Number,
            s if s.starts_with("STRING:") => {
                let len = atol(&word[7..]);
                if is_enum {
                    ValueKind::Enum(Some(EnumBase::String(len)))
                } else {
                    ValueKind::String(len)
                }
            }
            _ => {
                unrecognized.push(word.clone());
                continue;
            }
        };
        return TypePlan {
            unrecognized,
            kind: Some(kind),
        };
    }
    let kind = is_enum.then_some(ValueKind::Enum(None));
    TypePlan { unrecognized, kind }
}

/// The ENUM block: type line, maximum length for strings, one `Option:` per value.
pub fn render_enum(base: Option<EnumBase>, options: &[String], current: &str) -> String {
    let mut out = match base {
        Some(EnumBase::String(len)) => format!("Type: ENUM STRING\nMaximum length: {len}\n"),
        Some(EnumBase::Number) => "Type: ENUM NUMBER\n".to_string(),
        None => "Type: ENUM\n".to_string(),
    };
    for opt in options {
        let selected = if opt == current { " SELECTED" } else { "" };
        out += &format!("Option: \"{opt}\"{selected}\n");
    }
    out
}

/// The RANGE block: bounds and the current value read with C's `atoi`.
pub fn render_range(ranges: &[(String, String)], current: &str) -> String {
    let ival = atoi(current);
    let mut out = "Type: RANGE NUMBER\n".to_string();
    for (min, max) in ranges {
        let (min, max) = (atoi(min), atoi(max));
        let selected = if ival >= min && ival <= max {
            " SELECTED"
        } else {
            ""
        };
        out += &format!("Option: \"{min}-{max}\"{selected}\n");
    }
    out
}

/// C's `atoi` (an `int`).
fn atoi(s: &str) -> i32 {
    atol(s) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn type_words() {
        assert_eq!(
            type_plan(&w(&["RW", "STRING:32"])).kind,
            Some(ValueKind::String(32))
        );
        assert_eq!(type_plan(&w(&["NUMBER"])).kind, Some(ValueKind::Number));
        assert_eq!(
            type_plan(&w(&["RW", "ENUM", "STRING:3"])).kind,
            Some(ValueKind::Enum(Some(EnumBase::String(3))))
        );
        assert_eq!(
            type_plan(&w(&["RW", "ENUM"])).kind,
            Some(ValueKind::Enum(None))
        );
        assert_eq!(
            type_plan(&w(&["RW", "ENUM", "RANGE", "NUMBER"])).kind,
            Some(ValueKind::Range)
        );
        let p = type_plan(&w(&["RW", "FOO", "NUMBER"]));
        assert_eq!(
            (p.unrecognized, p.kind),
            (w(&["FOO"]), Some(ValueKind::Number))
        );
        assert_eq!(type_plan(&w(&["RW"])).kind, None);
    }

    #[test]
    fn enum_block() {
        let opts = w(&["80", "120", "auto"]);
        assert_eq!(
            render_enum(Some(EnumBase::String(4)), &opts, "120"),
            "Type: ENUM STRING\nMaximum length: 4\nOption: \"80\"\nOption: \"120\" SELECTED\nOption: \"auto\"\n"
        );
        assert_eq!(render_enum(None, &[], "x"), "Type: ENUM\n");
        assert_eq!(
            render_enum(Some(EnumBase::Number), &w(&["1"]), "1"),
            "Type: ENUM NUMBER\nOption: \"1\" SELECTED\n"
        );
    }

    #[test]
    fn range_block() {
        let r = vec![
            ("0".to_string(), "600".to_string()),
            ("700".to_string(), "800x".to_string()),
        ];
        assert_eq!(
            render_range(&r, "20"),
            "Type: RANGE NUMBER\nOption: \"0-600\" SELECTED\nOption: \"700-800\"\n"
        );
    }
}
