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
    if !s.contains(['"', '\\', '#']) {
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
