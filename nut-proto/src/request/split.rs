//! Splitting one protocol line into words, shared by requests and responses.

use crate::{
    error::ParseError,
    text::{Limits, WordSplitter},
};

/// Splits exactly one line: an optional final `\n` (or `\r\n`) is allowed, a newline inside
/// quotes is part of the line (as in upsd), and anything after the end of the line is
/// [`ParseError::TrailingData`].
pub(crate) fn split_message(line: &str, limits: Limits) -> Result<Vec<String>, ParseError> {
    let mut splitter = WordSplitter::new(limits);
    for (i, b) in line.bytes().enumerate() {
        let Some(done) = splitter.feed(b) else {
            continue;
        };
        let words = done?;
        // `b` was the newline ending the line (ASCII, so `i + 1` is a char boundary).
        let rest = line.get(i + 1..).unwrap_or("");
        if rest.is_empty() {
            return Ok(words);
        }
        return Err(ParseError::TrailingData {
            command: words
                .first()
                .map(|w| w.to_ascii_uppercase())
                .unwrap_or_default(),
            rest: rest.to_owned(),
        });
    }
    splitter.finish().unwrap_or(Ok(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(line: &str) -> Result<Vec<String>, ParseError> {
        split_message(line, Limits::NETWORK)
    }

    #[test]
    fn one_line_with_or_without_its_ending() {
        for line in ["VER", "VER\n", "VER\r\n", "  VER  # comment\n"] {
            assert_eq!(split(line), Ok(vec!["VER".to_owned()]), "{line:?}");
        }
    }

    #[test]
    fn a_second_line_is_trailing_data() {
        assert_eq!(
            split("ver\nLOGOUT\n"),
            Err(ParseError::TrailingData {
                command: "VER".into(),
                rest: "LOGOUT\n".into()
            })
        );
    }

    #[test]
    fn a_newline_inside_quotes_does_not_end_the_line() {
        assert_eq!(
            split("A \"b\nc\" d"),
            Ok(vec!["A".into(), "bc".into(), "d".into()])
        );
    }

    #[test]
    fn splitting_errors_come_through() {
        assert_eq!(split("A \"b#\""), Err(ParseError::HashInQuotes));
        assert_eq!(split("A \"b"), Err(ParseError::UnterminatedQuote));
        assert_eq!(split(""), Ok(Vec::new()));
    }
}
