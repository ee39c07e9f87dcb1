//! Word splitting with the rules of NUT's `parseconf`, shared by the network protocol, the
//! driver socket and every configuration file.
//!
//! The rules, as NUT applies them byte by byte:
//! - blanks (space, tab, CR, vertical tab, form feed) separate words; a newline ends the line;
//! - `"` at the start of a word opens a quoted word that ends at the next unescaped `"`
//!   (spaces, `=` and newlines do not end it; a newline inside it is dropped);
//! - `\` takes the next byte literally, inside or outside quotes; `\` before a newline joins the
//!   next physical line to the current one;
//! - `#` outside quotes starts a comment that runs to the end of the line; an unescaped `#`
//!   inside quotes is an error ([`ParseError::HashInQuotes`]);
//! - `=` outside quotes is always a word of its own (`a=b` is three words);
//! - bytes below 0x20 and at or above 0x80 are dropped wherever they appear;
//! - an empty quoted word (`""`) is a word.
//!
//! [`Limits`] bounds the number of words (extra words are dropped, as upsd does), the length of
//! a word (truncated, as upsd does) and the length of a line (an error: NUT has no limit).

use std::borrow::Cow;

use crate::error::ParseError;

/// Bounds applied while splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Words after this many are silently dropped (upsd: 32).
    pub max_words: usize,
    /// Bytes of a word after this many are silently dropped (upsd: 512).
    pub max_word_len: usize,
    /// Bytes of one logical line, counted as received; past it the line is an error.
    pub max_line_len: usize,
}

impl Limits {
    /// Limits of upsd's network parser (32 words of 512 bytes), with a 64 KiB line cap.
    pub const NETWORK: Self = Self {
        max_words: 32,
        max_word_len: 512,
        max_line_len: 64 * 1024,
    };
    /// Generous limits for configuration files and replies.
    pub const CONFIG: Self = Self {
        max_words: 4096,
        max_word_len: 64 * 1024,
        max_line_len: 1024 * 1024,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::CONFIG
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FindWordStart,
    FindEol,
    QuoteCollect,
    QuoteLiteral,
    Collect,
    CollectLiteral,
    /// After a parse error: drop everything up to the end of the physical line.
    Discard,
}

/// A streaming, byte-at-a-time word splitter: feed bytes, get whole lines of words.
///
/// ```
/// use nut_proto::text::{Limits, WordSplitter};
///
/// let mut s = WordSplitter::new(Limits::NETWORK);
/// let mut lines = Vec::new();
/// for &b in b"GET VAR ups \"ups.status\"\nLOGOUT\n" {
///     if let Some(line) = s.feed(b) {
///         lines.push(line.unwrap());
///     }
/// }
/// assert_eq!(lines, vec![vec!["GET", "VAR", "ups", "ups.status"], vec!["LOGOUT"]]);
/// ```
#[derive(Debug, Clone)]
pub struct WordSplitter {
    limits: Limits,
    state: State,
    words: Vec<String>,
    word: Vec<u8>,
    in_word: bool,
    line_len: usize,
    too_long: bool,
}

impl WordSplitter {
    /// A splitter with the given bounds.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            state: State::FindWordStart,
            words: Vec::new(),
            word: Vec::new(),
            in_word: false,
            line_len: 0,
            too_long: false,
        }
    }

    /// True when no partial line is buffered.
    pub fn is_idle(&self) -> bool {
        self.state == State::FindWordStart && self.words.is_empty() && !self.in_word
    }

    /// True when nothing of the current line has been fed yet (not even blanks): the next
    /// byte starts a new line. A caller may then split a complete plain line itself with
    /// [`split_plain_line`](super::split_plain_line) instead of feeding it byte by byte.
    ///
    /// ```
    /// use nut_proto::text::{Limits, WordSplitter};
    ///
    /// let mut s = WordSplitter::new(Limits::NETWORK);
    /// assert!(s.at_line_start());
    /// s.feed(b' ');
    /// assert!(s.is_idle() && !s.at_line_start());
    /// s.feed(b'\n');
    /// assert!(s.at_line_start());
    /// ```
    pub fn at_line_start(&self) -> bool {
        self.is_idle() && self.line_len == 0
    }

    /// True while inside a quoted word (a newline would not end the line).
    pub fn in_quotes(&self) -> bool {
        matches!(self.state, State::QuoteCollect | State::QuoteLiteral)
    }

    /// Feeds one byte. Returns the words of a line when this byte completed one (a line may
    /// have no words), or the error that ended it.
    pub fn feed(&mut self, b: u8) -> Option<Result<Vec<String>, ParseError>> {
        if self.state == State::Discard {
            if b == b'\n' {
                self.reset();
            }
            return None;
        }
        self.line_len += 1;
        if self.line_len > self.limits.max_line_len && !self.too_long {
            self.too_long = true;
        }
        let done = match self.state {
            State::FindWordStart => self.find_word_start(b),
            State::FindEol => b == b'\n',
            State::QuoteCollect => return self.quote_collect(b),
            State::QuoteLiteral => {
                self.add(b);
                self.state = State::QuoteCollect;
                false
            }
            State::Collect => self.collect(b),
            State::CollectLiteral => {
                self.add(b);
                self.state = State::Collect;
                false
            }
            State::Discard => false,
        };
        if done {
            Some(self.take_line())
        } else {
            None
        }
    }

    /// Ends the input: returns the pending line, if any (a file without a final newline).
    pub fn finish(&mut self) -> Option<Result<Vec<String>, ParseError>> {
        match self.state {
            State::QuoteCollect | State::QuoteLiteral => {
                self.reset();
                Some(Err(ParseError::UnterminatedQuote))
            }
            State::Discard => {
                self.reset();
                None
            }
            _ => {
                if self.in_word {
                    self.end_word();
                }
                if self.words.is_empty() && self.line_len == 0 {
                    self.reset();
                    None
                } else {
                    Some(self.take_line())
                }
            }
        }
    }

    fn find_word_start(&mut self, b: u8) -> bool {
        match b {
            b'\n' => return true,
            b'#' => self.state = State::FindEol,
            b'\\' => {
                self.in_word = true;
                self.state = State::CollectLiteral;
            }
            b'"' => {
                self.in_word = true;
                self.state = State::QuoteCollect;
            }
            b'=' => {
                self.in_word = true;
                self.add(b);
                self.end_word();
            }
            _ if is_blank(b) => {}
            _ => {
                self.in_word = true;
                self.add(b);
                self.state = State::Collect;
            }
        }
        false
    }

    fn quote_collect(&mut self, b: u8) -> Option<Result<Vec<String>, ParseError>> {
        match b {
            b'#' => {
                self.words.clear();
                self.word.clear();
                self.in_word = false;
                // Like NUT, the error ends the line; unlike NUT we skip the rest of this
                // physical line so that its tail is not taken for a new command.
                self.state = State::Discard;
                return Some(Err(ParseError::HashInQuotes));
            }
            b'"' => {
                self.end_word();
                self.state = State::FindWordStart;
            }
            b'\\' => self.state = State::QuoteLiteral,
            _ => self.add(b),
        }
        None
    }

    fn collect(&mut self, b: u8) -> bool {
        match b {
            b'#' => {
                self.end_word();
                self.state = State::FindEol;
            }
            b'\n' => {
                self.end_word();
                return true;
            }
            b'=' => {
                self.end_word();
                self.in_word = true;
                self.add(b);
                self.end_word();
                self.state = State::FindWordStart;
            }
            b'\\' => self.state = State::CollectLiteral,
            _ if is_blank(b) => {
                self.end_word();
                self.state = State::FindWordStart;
            }
            _ => self.add(b),
        }
        false
    }

    fn add(&mut self, b: u8) {
        if (0x20..0x80).contains(&b) && self.word.len() < self.limits.max_word_len {
            self.word.push(b);
        }
    }

    fn end_word(&mut self) {
        if self.words.len() < self.limits.max_words {
            // Only bytes 0x20..0x80 are ever stored, so this is always ASCII.
            let w = String::from_utf8_lossy(&self.word).into_owned();
            self.words.push(w);
        }
        self.word.clear();
        self.in_word = false;
    }

    fn take_line(&mut self) -> Result<Vec<String>, ParseError> {
        let too_long = self.too_long;
        let words = std::mem::take(&mut self.words);
        self.reset();
        if too_long {
            Err(ParseError::LineTooLong {
                max: self.limits.max_line_len,
            })
        } else {
            Ok(words)
        }
    }

    fn reset(&mut self) {
        self.state = State::FindWordStart;
        self.words.clear();
        self.word.clear();
        self.in_word = false;
        self.line_len = 0;
        self.too_long = false;
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// Splits one line (without its newline) into words, with [`Limits::CONFIG`].
///
/// A quoted word left open at the end is [`ParseError::UnterminatedQuote`].
///
/// ```
/// use nut_proto::text::split_line;
/// assert_eq!(split_line(r#"SET VAR ups x "a \"b\"""#).unwrap(), ["SET", "VAR", "ups", "x", "a \"b\""]);
/// assert_eq!(split_line("a=b # comment").unwrap(), ["a", "=", "b"]);
/// ```
pub fn split_line(line: &str) -> Result<Vec<String>, ParseError> {
    split_line_with(line, Limits::CONFIG)
}

/// [`split_line`] with explicit limits.
pub fn split_line_with(line: &str, limits: Limits) -> Result<Vec<String>, ParseError> {
    let mut s = WordSplitter::new(limits);
    for &b in line.as_bytes() {
        if b == b'\n' && !s.in_quotes() {
            break;
        }
        if let Some(res) = s.feed(b) {
            return res;
        }
    }
    s.finish().unwrap_or(Ok(Vec::new()))
}

/// One logical line of a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfLine {
    /// 1-based physical line on which this logical line starts.
    pub line: usize,
    /// The words of the line (never empty: blank and comment lines are skipped).
    pub words: Vec<String>,
}

/// Splits a whole configuration file into its non-empty logical lines.
///
/// Each item is a line's words or the error of a malformed line, with the line number where
/// the logical line began. Parsing goes on after an error.
///
/// ```
/// use nut_proto::text::split_config;
/// let lines: Vec<_> = split_config("# c\n[ups]\n  driver = dummy-ups\n").collect();
/// assert_eq!(lines[0].as_ref().unwrap().words, ["[ups]"]);
/// assert_eq!(lines[1].as_ref().unwrap().line, 3);
/// ```
pub fn split_config(text: &str) -> ConfigLines<'_> {
    ConfigLines {
        bytes: text.as_bytes(),
        pos: 0,
        physical: 1,
        start: 1,
        splitter: WordSplitter::new(Limits::CONFIG),
        done: false,
    }
}

/// Iterator returned by [`split_config`].
#[derive(Debug, Clone)]
pub struct ConfigLines<'a> {
    bytes: &'a [u8],
    pos: usize,
    physical: usize,
    start: usize,
    splitter: WordSplitter,
    done: bool,
}

impl Iterator for ConfigLines<'_> {
    type Item = Result<ConfLine, (usize, ParseError)>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let Some(&b) = self.bytes.get(self.pos) else {
                self.done = true;
                let start = self.start;
                return match self.splitter.finish() {
                    Some(Ok(words)) if !words.is_empty() => {
                        Some(Ok(ConfLine { line: start, words }))
                    }
                    Some(Err(e)) => Some(Err((start, e))),
                    _ => None,
                };
            };
            self.pos += 1;
            if self.splitter.is_idle() && !is_blank(b) && b != b'\n' {
                self.start = self.physical;
            }
            let res = self.splitter.feed(b);
            if b == b'\n' {
                self.physical += 1;
            }
            match res {
                Some(Ok(words)) if !words.is_empty() => {
                    return Some(Ok(ConfLine {
                        line: self.start,
                        words,
                    }))
                }
                Some(Err(e)) => return Some(Err((self.start, e))),
                _ => {}
            }
        }
        None
    }
}

/// Escapes `"`, `\` and `#` with a backslash, as NUT's `pconf_encode` does for values inside
/// quotes (upsd writes `VAR ups x "rack\#1"`; an unescaped `#` inside quotes is a parse error).
///
/// ```
/// assert_eq!(nut_proto::text::escape(r#"a "b" \c #1"#), r#"a \"b\" \\c \#1"#);
/// ```
pub fn escape(s: &str) -> Cow<'_, str> {
    // A byte scan: the three are ASCII, so they cannot be part of a multi-byte character.
    if !s.bytes().any(|b| matches!(b, b'"' | b'\\' | b'#')) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// Writes `s` as one word that [`split_line`] reads back unchanged: as is when it is a plain
/// token, otherwise in double quotes with `"` and `\` escaped (and `#` too, which NUT refuses
/// unescaped inside quotes).
///
/// ```
/// use nut_proto::text::quote;
/// assert_eq!(quote("ups.status"), "ups.status");
/// assert_eq!(quote("OL CHRG"), "\"OL CHRG\"");
/// assert_eq!(quote(""), "\"\"");
/// ```
pub fn quote(s: &str) -> Cow<'_, str> {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b > 0x20 && b < 0x7f && !matches!(b, b'"' | b'\\' | b'#' | b'='));
    if plain {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '\\' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Cow::Owned(out)
}

/// Always quotes: `"` + [`escape`]d value + `"`, the form upsd uses for values.
pub fn quoted(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Feeds `input` in one go and returns every finished line.
    fn stream(limits: Limits, input: &[u8]) -> Vec<Result<Vec<String>, ParseError>> {
        let mut s = WordSplitter::new(limits);
        input.iter().filter_map(|&b| s.feed(b)).collect()
    }

    fn ok(words: &[&str]) -> Result<Vec<String>, ParseError> {
        Ok(words.iter().map(|w| w.to_string()).collect())
    }

    #[test]
    fn half_a_line_waits_for_the_rest() {
        let mut s = WordSplitter::new(Limits::NETWORK);
        assert!(b"GET VA".iter().all(|&b| s.feed(b).is_none()));
        assert!(!s.is_idle());
        let done: Vec<_> = b"R ups x\n".iter().filter_map(|&b| s.feed(b)).collect();
        assert_eq!(done, [ok(&["GET", "VAR", "ups", "x"])]);
        assert!(s.is_idle());
    }

    #[test]
    fn two_lines_in_one_read() {
        assert_eq!(
            stream(Limits::NETWORK, b"VER\nLIST UPS\n"),
            [ok(&["VER"]), ok(&["LIST", "UPS"])]
        );
    }

    #[test]
    fn crlf_and_lf_end_lines_alike() {
        assert_eq!(
            stream(Limits::NETWORK, b"GET VAR u x\r\nGET VAR u x\n"),
            [ok(&["GET", "VAR", "u", "x"]), ok(&["GET", "VAR", "u", "x"])]
        );
    }

    #[test]
    fn blank_and_comment_lines_are_empty_lines() {
        assert_eq!(
            stream(Limits::NETWORK, b"\n  \t\n# hi\n"),
            [ok(&[]), ok(&[]), ok(&[])]
        );
        assert_eq!(split_line("VER # trailing comment"), ok(&["VER"]));
    }

    /// A quote opened on one line ends on a later one; the newline inside is dropped
    /// (COMPAT item 5).
    #[test]
    fn quotes_span_lines() {
        let mut s = WordSplitter::new(Limits::NETWORK);
        let mut out = Vec::new();
        let mut newlines = 0;
        for &b in b"SET VAR u x \"a\nb\"\n" {
            if b == b'\n' {
                newlines += 1;
                assert_eq!(s.in_quotes(), newlines == 1, "newline {newlines}");
            }
            out.extend(s.feed(b));
        }
        assert_eq!(out, [ok(&["SET", "VAR", "u", "x", "ab"])]);
        assert_eq!(split_line("A \"b\nc\""), ok(&["A", "bc"]));
    }

    /// An unescaped `#` inside quotes is an error; the rest of that physical line is dropped
    /// and the next line parses normally. `\#` is fine.
    #[test]
    fn hash_in_quotes_is_an_error_then_recovery() {
        assert_eq!(
            stream(Limits::NETWORK, b"GET VAR u \"a#b\" tail\nVER\n"),
            [Err(ParseError::HashInQuotes), ok(&["VER"])]
        );
        assert_eq!(
            split_line(r#"SET VAR u x "rack\#1""#),
            ok(&["SET", "VAR", "u", "x", "rack#1"])
        );
    }

    #[test]
    fn equals_is_always_a_word_of_its_own() {
        assert_eq!(split_line("a=b"), ok(&["a", "=", "b"]));
        assert_eq!(split_line("a = b"), ok(&["a", "=", "b"]));
        assert_eq!(split_line("=x=="), ok(&["=", "x", "=", "="]));
        assert_eq!(split_line(r#""a=b" c\=d"#), ok(&["a=b", "c=d"]));
    }

    /// Bytes below 0x20 and from 0x80 up vanish, even inside words (COMPAT item 4).
    #[test]
    fn control_and_high_bytes_are_dropped() {
        assert_eq!(
            split_line("GET VAR u ups.st\u{1}atus"),
            ok(&["GET", "VAR", "u", "ups.status"])
        );
        assert_eq!(split_line("caf\u{e9} \"x\u{7}y\""), ok(&["caf", "xy"]));
        assert_eq!(split_line("del\u{7f}"), ok(&["del\u{7f}"]));
    }

    /// upsd keeps 32 words of at most 512 bytes and drops the rest silently (COMPAT item 6).
    #[test]
    fn word_count_and_word_length_limits() {
        let line: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let words = split_line_with(&line.join(" "), Limits::NETWORK).unwrap();
        assert_eq!(words, line[..32]);
        let long = "y".repeat(700);
        let words = split_line_with(&format!("a {long} \"{long}\""), Limits::NETWORK).unwrap();
        assert_eq!(
            words.iter().map(String::len).collect::<Vec<_>>(),
            [1, 512, 512]
        );
    }

    #[test]
    fn over_long_line_is_an_error_then_recovery() {
        let limits = Limits {
            max_words: 32,
            max_word_len: 512,
            max_line_len: 16,
        };
        let out = stream(limits, b"GET VAR ups a.very.long.name\nVER\n");
        assert_eq!(
            out,
            [Err(ParseError::LineTooLong { max: 16 }), ok(&["VER"])]
        );
    }

    /// `\` takes the next byte literally; before a newline it joins the next line.
    #[test]
    fn backslash_escapes_and_continuation() {
        assert_eq!(stream(Limits::CONFIG, b"ab\\\ncd\n"), [ok(&["abcd"])]);
        assert_eq!(
            stream(Limits::CONFIG, b"GET VAR \\\nups x\n"),
            [ok(&["GET", "VAR", "ups", "x"])]
        );
        assert_eq!(
            split_line(r#"a\ b \"c\" "d\\e""#),
            ok(&["a b", "\"c\"", "d\\e"])
        );
    }

    /// Text after a closing quote starts a new word (COMPAT item 3).
    #[test]
    fn trailing_garbage_after_a_quote_is_another_word() {
        assert_eq!(
            split_line(r#"GET VAR dummy "ups.status"extra"#),
            ok(&["GET", "VAR", "dummy", "ups.status", "extra"])
        );
        assert_eq!(split_line("VER\ngarbage"), ok(&["VER"]));
    }

    #[test]
    fn empty_quoted_word_and_unterminated_quote() {
        assert_eq!(split_line(r#"a "" b"#), ok(&["a", "", "b"]));
        assert_eq!(split_line(r#"a "open"#), Err(ParseError::UnterminatedQuote));
        let mut s = WordSplitter::new(Limits::NETWORK);
        assert!(b"no newline".iter().all(|&b| s.feed(b).is_none()));
        assert_eq!(s.finish(), Some(ok(&["no", "newline"])));
        assert_eq!(s.finish(), None);
    }

    const TRICKY: [&str; 14] = [
        "",
        " ",
        "plain",
        "two words",
        "\"",
        "\\",
        "#",
        "=",
        "a=b",
        "a#b",
        "\"quoted\" \\back\\",
        " lead",
        "trail ",
        "# \" \\ = mixed",
    ];

    /// A tiny deterministic generator of printable-ASCII strings heavy in special bytes.
    fn generated(n: usize) -> Vec<String> {
        const ALPHABET: &[u8] = b"aZ0. \"\\#=\x7f-:";
        let mut seed: u32 = 0x2545_f491;
        (0..n)
            .map(|i| {
                (0..i % 13)
                    .map(|_| {
                        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        char::from(ALPHABET[(seed >> 16) as usize % ALPHABET.len()])
                    })
                    .collect()
            })
            .collect()
    }

    /// `quote` and `quoted` always read back as the same single word.
    #[test]
    fn quote_round_trips_tricky_strings() {
        let all: Vec<String> = TRICKY
            .iter()
            .map(|s| s.to_string())
            .chain(generated(500))
            .collect();
        for s in &all {
            assert_eq!(
                split_line(&quote(s)),
                Ok(vec![s.clone()]),
                "quote({s:?}) = {}",
                quote(s)
            );
            assert_eq!(split_line(&quoted(s)), Ok(vec![s.clone()]), "quoted({s:?})");
        }
        let line: Vec<String> = all.iter().map(|s| quote(s).into_owned()).collect();
        let words = split_line_with(&line.join(" "), Limits::CONFIG).unwrap();
        assert_eq!(words, all);
    }

    #[test]
    fn quote_leaves_plain_tokens_alone() {
        assert!(matches!(quote("ups.status"), Cow::Borrowed("ups.status")));
        assert_eq!(quote("a b"), "\"a b\"");
        assert_eq!(quote("a#b"), r#""a\#b""#);
        assert_eq!(quoted("30"), "\"30\"");
    }

    #[test]
    fn split_config_reports_start_lines_and_continues_after_errors() {
        // `\` + newline before a blank yields an empty word, as in NUT's parseconf.
        let text = "a = 1\n\nb \"x#\"\nc = \\\n 2\nd = 1\\\n2\n";
        let got: Vec<_> = split_config(text).collect();
        assert_eq!(
            got[0],
            Ok(ConfLine {
                line: 1,
                words: ok(&["a", "=", "1"]).unwrap()
            })
        );
        assert_eq!(got[1], Err((3, ParseError::HashInQuotes)));
        assert_eq!(
            got[2],
            Ok(ConfLine {
                line: 4,
                words: ok(&["c", "=", "", "2"]).unwrap()
            })
        );
        assert_eq!(
            got[3],
            Ok(ConfLine {
                line: 6,
                words: ok(&["d", "=", "12"]).unwrap()
            })
        );
        assert_eq!(got.len(), 4);
    }
}
