//! Splitting one protocol line into words, shared by requests and responses.
//!
//! This is the hot path of every parse, so it works on the line in place: a word that is a
//! plain run of the input (no escape, no dropped byte) is borrowed, and only the others are
//! copied. The rules are those of [`WordSplitter`](crate::text::WordSplitter), which a test
//! checks this against on generated input.

use std::borrow::Cow;

use crate::{error::ParseError, text::Limits};

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FindWordStart,
    FindEol,
    QuoteCollect,
    QuoteLiteral,
    Collect,
    CollectLiteral,
}

/// The word being read: a run `start..start + len` of the input while it stays contiguous,
/// a copy once it does not.
struct Word {
    start: usize,
    len: usize,
    copy: Option<Vec<u8>>,
    active: bool,
}

impl Word {
    fn begin(&mut self, start: usize) {
        self.start = start;
        self.len = 0;
        self.copy = None;
        self.active = true;
    }

    /// Takes byte `b` found at `at`, applying the byte filter and the word length limit.
    fn add(&mut self, src: &[u8], at: usize, b: u8, max: usize) {
        if !(0x20..0x80).contains(&b) || self.len >= max {
            return;
        }
        match &mut self.copy {
            Some(copy) => copy.push(b),
            None if at == self.start + self.len => {}
            None => {
                let mut copy = Vec::with_capacity(self.len + 8);
                copy.extend_from_slice(&src[self.start..self.start + self.len]);
                copy.push(b);
                self.copy = Some(copy);
            }
        }
        self.len += 1;
    }

    fn end<'a>(&mut self, line: &'a str, words: &mut Vec<Cow<'a, str>>, max_words: usize) {
        self.active = false;
        if words.len() >= max_words {
            return;
        }
        // Only bytes 0x20..0x80 are kept, so both forms are ASCII.
        let word = match self.copy.take() {
            Some(copy) => Cow::Owned(String::from_utf8(copy).unwrap_or_default()),
            None => Cow::Borrowed(line.get(self.start..self.start + self.len).unwrap_or("")),
        };
        words.push(word);
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// Splits exactly one line: an optional final `\n` (or `\r\n`) is allowed, a newline inside
/// quotes is part of the line (as in upsd), and anything after the end of the line is
/// [`ParseError::TrailingData`].
pub(crate) fn split_message(line: &str, limits: Limits) -> Result<Vec<Cow<'_, str>>, ParseError> {
    let src = line.as_bytes();
    let max = limits.max_word_len;
    let mut words: Vec<Cow<'_, str>> = Vec::with_capacity(8);
    let mut w = Word {
        start: 0,
        len: 0,
        copy: None,
        active: false,
    };
    let mut st = State::FindWordStart;
    for (i, &b) in src.iter().enumerate() {
        let line_done = match st {
            State::FindWordStart => match b {
                b'\n' => true,
                b'#' => {
                    st = State::FindEol;
                    false
                }
                b'\\' => {
                    w.begin(i + 1);
                    st = State::CollectLiteral;
                    false
                }
                b'"' => {
                    w.begin(i + 1);
                    st = State::QuoteCollect;
                    false
                }
                b'=' => {
                    w.begin(i);
                    w.add(src, i, b, max);
                    w.end(line, &mut words, limits.max_words);
                    false
                }
                _ if is_blank(b) => false,
                _ => {
                    w.begin(i);
                    w.add(src, i, b, max);
                    st = State::Collect;
                    false
                }
            },
            State::FindEol => b == b'\n',
            State::QuoteCollect => match b {
                b'#' => return Err(ParseError::HashInQuotes),
                b'"' => {
                    w.end(line, &mut words, limits.max_words);
                    st = State::FindWordStart;
                    false
                }
                b'\\' => {
                    st = State::QuoteLiteral;
                    false
                }
                _ => {
                    w.add(src, i, b, max);
                    false
                }
            },
            State::QuoteLiteral => {
                w.add(src, i, b, max);
                st = State::QuoteCollect;
                false
            }
            State::Collect => match b {
                b'#' => {
                    w.end(line, &mut words, limits.max_words);
                    st = State::FindEol;
                    false
                }
                b'\n' => {
                    w.end(line, &mut words, limits.max_words);
                    true
                }
                b'=' => {
                    w.end(line, &mut words, limits.max_words);
                    w.begin(i);
                    w.add(src, i, b, max);
                    w.end(line, &mut words, limits.max_words);
                    st = State::FindWordStart;
                    false
                }
                b'\\' => {
                    st = State::CollectLiteral;
                    false
                }
                _ if is_blank(b) => {
                    w.end(line, &mut words, limits.max_words);
                    st = State::FindWordStart;
                    false
                }
                _ => {
                    w.add(src, i, b, max);
                    false
                }
            },
            State::CollectLiteral => {
                w.add(src, i, b, max);
                st = State::Collect;
                false
            }
        };
        if line_done {
            if i + 1 > limits.max_line_len {
                return Err(ParseError::LineTooLong {
                    max: limits.max_line_len,
                });
            }
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
    }
    if matches!(st, State::QuoteCollect | State::QuoteLiteral) {
        return Err(ParseError::UnterminatedQuote);
    }
    if w.active {
        w.end(line, &mut words, limits.max_words);
    }
    if src.len() > limits.max_line_len {
        return Err(ParseError::LineTooLong {
            max: limits.max_line_len,
        });
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::text::WordSplitter;

    fn split(line: &str) -> Result<Vec<String>, ParseError> {
        split_message(line, Limits::NETWORK).map(|w| w.into_iter().map(Cow::into_owned).collect())
    }

    /// The reference: the streaming splitter, fed the same bytes, as the old implementation
    /// of this function did.
    fn reference(line: &str, limits: Limits) -> Result<Vec<String>, ParseError> {
        let mut splitter = WordSplitter::new(limits);
        for (i, b) in line.bytes().enumerate() {
            let Some(done) = splitter.feed(b) else {
                continue;
            };
            let words = done?;
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

    #[test]
    fn agrees_with_the_streaming_splitter() {
        // Every string of up to 4 symbols over an alphabet of the bytes that matter, plus
        // longer pseudo-random ones; small limits so truncation and dropping are exercised.
        let alphabet: [&str; 14] = [
            "a", "B", " ", "\t", "\"", "\\", "#", "=", "\n", "\r", "\u{1}", "é", "x\\\"y", "\"\"",
        ];
        let limits = Limits {
            max_words: 3,
            max_word_len: 2,
            max_line_len: 9,
        };
        let mut cases = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for c in &cases {
                for a in alphabet {
                    next.push(format!("{c}{a}"));
                }
            }
            cases.extend(next);
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            cases.push(s);
        }
        for case in &cases {
            for lim in [limits, Limits::NETWORK] {
                let fast =
                    split_message(case, lim).map(|w| w.into_iter().map(Cow::into_owned).collect());
                assert_eq!(fast, reference(case, lim), "{case:?} {lim:?}");
            }
        }
    }

    #[test]
    fn plain_words_are_borrowed() {
        let words = split_message("GET VAR ups \"ups.status\"", Limits::NETWORK).expect("splits");
        assert!(words.iter().all(|w| matches!(w, Cow::Borrowed(_))));
        let words = split_message("SET VAR u x \"a\\\"b\"", Limits::NETWORK).expect("splits");
        assert!(matches!(words[4], Cow::Owned(_)));
        assert_eq!(words[4], "a\"b");
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
