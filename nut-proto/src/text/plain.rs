//! Zero-copy splitting of "plain" lines: the fast path of a server's streaming input.
//!
//! Most request lines (`GET VAR ups ups.status`, `LIST VAR ups`, `VER`) use none of NUT's
//! quoting rules: no quotes, escapes, comments or `=`, only printable ASCII and blanks. For
//! such a line the words are simply the runs between blanks, so they can be borrowed from the
//! input instead of being built byte by byte by a [`WordSplitter`](super::WordSplitter). Any
//! other line is refused, and the caller feeds it to a `WordSplitter` as before: the result is
//! the same either way (a test checks this against the `WordSplitter` on generated input).

use std::ops::Range;

use super::Limits;

/// How the fast path sees a byte.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Needs the full rules: `"`, `\`, `#`, `=`, `\n`, other control bytes, non-ASCII.
    Special,
    /// Separates words: space, tab, CR, vertical tab, form feed.
    Blank,
    /// Printable ASCII that is part of a word as is.
    Plain,
}

/// [`Class`] of every byte, computed once at compile time.
const CLASSES: [Class; 256] = {
    let mut t = [Class::Special; 256];
    let mut b = 0x21;
    while b < 0x7f {
        if !matches!(b, b'"' | b'\\' | b'#' | b'=') {
            t[b as usize] = Class::Plain;
        }
        b += 1;
    }
    let mut i = 0;
    let blanks = [b' ', b'\t', b'\r', 0x0b, 0x0c];
    while i < blanks.len() {
        t[blanks[i] as usize] = Class::Blank;
        i += 1;
    }
    t
};

/// Splits one complete line, `line` being its bytes up to and including its `\n`, when it is
/// plain: every byte before the `\n` is a blank or printable ASCII other than `"`, `\`, `#`
/// and `=`, and the whole line fits `limits.max_line_len`. The words, borrowed from `line`,
/// are appended to `words` (which is cleared first), truncated and counted as a
/// [`WordSplitter`](super::WordSplitter) with the same `limits` would: words past
/// `max_words` are dropped, bytes of a word past `max_word_len` are dropped.
///
/// Returns false, with `words` empty, for any other input; the line then needs the full rules.
///
/// ```
/// use nut_proto::text::{split_plain_line, Limits};
///
/// let mut words = Vec::new();
/// assert!(split_plain_line(b"GET VAR ups  ups.status\r\n", Limits::NETWORK, &mut words));
/// assert_eq!(words, ["GET", "VAR", "ups", "ups.status"]);
/// assert!(!split_plain_line(b"GET VAR ups \"ups.status\"\n", Limits::NETWORK, &mut words));
/// assert!(words.is_empty());
/// ```
pub fn split_plain_line<'a>(line: &'a [u8], limits: Limits, words: &mut Vec<&'a str>) -> bool {
    words.clear();
    let Some((&b'\n', body)) = line.split_last() else {
        return false;
    };
    if line.len() > limits.max_line_len {
        return false;
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let mut start = None;
    for (i, &b) in body.iter().enumerate() {
        match CLASSES[usize::from(b)] {
            Class::Plain => {
                start.get_or_insert(i);
            }
            Class::Blank => {
                if let Some(s) = start.take() {
                    push_word(words, text, s..i, limits);
                }
            }
            Class::Special => {
                words.clear();
                return false;
            }
        }
    }
    if let Some(s) = start {
        push_word(words, text, s..body.len(), limits);
    }
    true
}

/// Adds the word at `range` of `text` within the limits (dropped past `max_words`, cut at
/// `max_word_len`).
fn push_word<'a>(words: &mut Vec<&'a str>, text: &'a str, range: Range<usize>, limits: Limits) {
    if words.len() < limits.max_words {
        let end = range.end.min(range.start + limits.max_word_len);
        // The bounds are positions of ASCII bytes in a valid `str`, so `get` succeeds.
        if let Some(word) = text.get(range.start..end) {
            words.push(word);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::text::WordSplitter;

    /// What a fresh streaming splitter makes of `line`: the first line it completes.
    fn reference(line: &[u8], limits: Limits) -> Option<Vec<String>> {
        let mut s = WordSplitter::new(limits);
        line.iter().find_map(|&b| s.feed(b)).and_then(Result::ok)
    }

    fn fast(line: &[u8], limits: Limits) -> Option<Vec<String>> {
        let mut words = Vec::new();
        split_plain_line(line, limits, &mut words)
            .then(|| words.iter().map(|w| (*w).to_owned()).collect())
    }

    #[test]
    fn agrees_with_the_streaming_splitter_whenever_it_answers() {
        let alphabet: [&[u8]; 14] = [
            b"a",
            b"B",
            b" ",
            b"\t",
            b"\r",
            b"\"",
            b"\\",
            b"#",
            b"=",
            b"\x01",
            b"\xc3\xa9",
            b"\x0b",
            b"xyz",
            b"\n",
        ];
        let small = Limits {
            max_words: 3,
            max_word_len: 2,
            max_line_len: 9,
        };
        let mut cases: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for c in &cases {
                for a in alphabet {
                    next.push([c.as_slice(), a].concat());
                }
            }
            cases.extend(next);
        }
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..20_000 {
            let mut s = Vec::new();
            for _ in 0..(seed % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                s.extend_from_slice(alphabet[(seed % 13) as usize]);
            }
            cases.push(s);
        }
        let mut answered = 0;
        for mut case in cases {
            case.push(b'\n');
            for lim in [small, Limits::NETWORK] {
                if let Some(words) = fast(&case, lim) {
                    answered += 1;
                    assert_eq!(Some(words), reference(&case, lim), "{case:?} {lim:?}");
                }
            }
        }
        assert!(answered > 10_000, "only {answered} plain cases");
    }

    #[test]
    fn plain_requests_are_borrowed_words() {
        assert_eq!(
            fast(b"  LIST  VAR\tups \r\n", Limits::NETWORK),
            Some(vec!["LIST".into(), "VAR".into(), "ups".into()])
        );
        assert_eq!(fast(b"\n", Limits::NETWORK), Some(Vec::new()));
        assert_eq!(fast(b"   \n", Limits::NETWORK), Some(Vec::new()));
    }

    #[test]
    fn limits_truncate_like_the_streaming_splitter() {
        let lim = Limits {
            max_words: 2,
            max_word_len: 3,
            max_line_len: 20,
        };
        assert_eq!(
            fast(b"abcdef gh ij\n", lim),
            Some(vec!["abc".into(), "gh".into()])
        );
    }

    #[test]
    fn lines_needing_the_full_rules_are_refused() {
        let mut words = vec!["stale"];
        for line in [
            &b"SET VAR u x \"a b\"\n"[..],
            b"a\\ b\n",
            b"VER # comment\n",
            b"a=b\n",
            b"caf\xc3\xa9\n",
            b"a\x01b\n",
            b"no newline",
            b"two\nlines\n",
            b"",
        ] {
            assert!(
                !split_plain_line(line, Limits::NETWORK, &mut words),
                "{line:?}"
            );
            assert!(words.is_empty());
        }
    }

    #[test]
    fn an_over_long_line_is_refused() {
        let lim = Limits {
            max_words: 32,
            max_word_len: 512,
            max_line_len: 8,
        };
        assert!(fast(b"1234567\n", lim).is_some());
        assert!(fast(b"12345678\n", lim).is_none());
    }
}
