//! Line framing for byte streams: partial reads, several lines per read, LF or CRLF, and a hard
//! bound on line length.

use std::collections::VecDeque;

use crate::error::ParseError;

/// Upstream libupsclient reads replies into 512-byte buffers but accepts lines of any length;
/// this is our default bound for one line in either direction.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024;

/// Splits a byte stream into lines.
///
/// Bytes go in with [`push`](Self::push); whole lines come out of
/// [`next_line`](Self::next_line) without their `\n` or `\r\n`. A line longer than the limit
/// yields one [`ParseError::LineTooLong`] and is discarded up to its newline, so memory per
/// decoder never exceeds the limit plus what one `push` brought.
///
/// ```
/// use nut_proto::text::LineDecoder;
///
/// let mut d = LineDecoder::new(1024);
/// d.push(b"OK\r\nVAR ups x \"1\"\nBEG");
/// assert_eq!(d.next_line().unwrap().as_deref(), Some("OK"));
/// assert_eq!(d.next_line().unwrap().as_deref(), Some("VAR ups x \"1\""));
/// assert_eq!(d.next_line().unwrap(), None);
/// d.push(b"IN LIST UPS\n");
/// assert_eq!(d.next_line().unwrap().as_deref(), Some("BEGIN LIST UPS"));
/// ```
#[derive(Debug, Clone)]
pub struct LineDecoder {
    max: usize,
    partial: Vec<u8>,
    discarding: bool,
    ready: VecDeque<Result<String, ParseError>>,
}

impl Default for LineDecoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_LINE)
    }
}

impl LineDecoder {
    /// A decoder that refuses lines longer than `max` bytes (not counting the line ending).
    pub fn new(max: usize) -> Self {
        Self {
            max,
            partial: Vec::new(),
            discarding: false,
            ready: VecDeque::new(),
        }
    }

    /// Adds received bytes.
    pub fn push(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let nl = data.iter().position(|&b| b == b'\n');
            let (chunk, rest, complete) = match nl {
                Some(i) => (&data[..i], &data[i + 1..], true),
                None => (data, &data[data.len()..], false),
            };
            data = rest;
            if self.discarding {
                if complete {
                    self.discarding = false;
                }
                continue;
            }
            // A final `\r` (possibly left by an earlier push) is not part of the line.
            let last = chunk.last().or_else(|| self.partial.last());
            let cr = usize::from(last == Some(&b'\r'));
            if self.partial.len() + chunk.len() > self.max + cr {
                self.partial.clear();
                self.ready
                    .push_back(Err(ParseError::LineTooLong { max: self.max }));
                self.discarding = !complete;
                continue;
            }
            self.partial.extend_from_slice(chunk);
            if complete {
                let mut line = std::mem::take(&mut self.partial);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.ready.push_back(Ok(into_string(line)));
            }
        }
    }

    /// The next complete line: `Ok(None)` when more input is needed.
    pub fn next_line(&mut self) -> Result<Option<String>, ParseError> {
        self.ready.pop_front().transpose()
    }

    /// Bytes of an incomplete line held back.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }

    /// Whether complete lines (or errors) are waiting to be taken.
    pub fn has_line(&self) -> bool {
        !self.ready.is_empty()
    }
}

fn into_string(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Every line (or error) currently ready.
    fn drain(d: &mut LineDecoder) -> Vec<Result<String, ParseError>> {
        let mut out = Vec::new();
        loop {
            match d.next_line() {
                Ok(Some(l)) => out.push(Ok(l)),
                Ok(None) => return out,
                Err(e) => out.push(Err(e)),
            }
        }
    }

    fn ok(lines: &[&str]) -> Vec<Result<String, ParseError>> {
        lines.iter().map(|l| Ok(l.to_string())).collect()
    }

    #[test]
    fn half_a_line_is_held_back() {
        let mut d = LineDecoder::new(64);
        d.push(b"GET VAR ups ups.st");
        assert_eq!(d.next_line(), Ok(None));
        assert!(!d.has_line());
        assert_eq!(d.pending(), 18);
        d.push(b"atus\n");
        assert_eq!(drain(&mut d), ok(&["GET VAR ups ups.status"]));
        assert_eq!(d.pending(), 0);
    }

    #[test]
    fn two_lines_in_one_read() {
        let mut d = LineDecoder::new(64);
        d.push(b"OK\nOK Goodbye\nVAR");
        assert_eq!(drain(&mut d), ok(&["OK", "OK Goodbye"]));
        assert_eq!(d.pending(), 3);
    }

    #[test]
    fn crlf_and_lf() {
        let mut d = LineDecoder::new(64);
        d.push(b"a\r\nb\n\r\n\nc\rd\n");
        assert_eq!(drain(&mut d), ok(&["a", "b", "", "", "c\rd"]));
    }

    #[test]
    fn crlf_split_across_reads() {
        let mut d = LineDecoder::new(64);
        d.push(b"VER\r");
        assert_eq!(d.next_line(), Ok(None));
        d.push(b"\n");
        assert_eq!(drain(&mut d), ok(&["VER"]));
    }

    #[test]
    fn over_long_line_in_one_read_then_recovery() {
        let mut d = LineDecoder::new(8);
        d.push(b"0123456789\nOK\n");
        assert_eq!(
            drain(&mut d),
            [
                Err(ParseError::LineTooLong { max: 8 }),
                Ok("OK".to_string())
            ]
        );
    }

    /// The error comes as soon as the limit is passed; the rest of that line is dropped
    /// without being stored, whatever its length.
    #[test]
    fn over_long_line_across_reads_is_discarded_to_its_newline() {
        let mut d = LineDecoder::new(8);
        d.push(b"01234");
        d.push(b"56789");
        assert_eq!(drain(&mut d), [Err(ParseError::LineTooLong { max: 8 })]);
        for _ in 0..1000 {
            d.push(b"garbage garbage ");
            assert_eq!(d.pending(), 0);
        }
        d.push(b"still garbage\nOK\n");
        assert_eq!(drain(&mut d), ok(&["OK"]));
    }

    #[test]
    fn exactly_the_limit_is_accepted_and_cr_is_not_counted() {
        let mut d = LineDecoder::new(4);
        d.push(b"1234\n1234\r\n12345\n");
        assert_eq!(
            drain(&mut d),
            [
                Ok("1234".into()),
                Ok("1234".into()),
                Err(ParseError::LineTooLong { max: 4 })
            ]
        );
    }

    /// Found by the `line_decoder` fuzz target: a line of exactly the limit whose `\r` and
    /// `\n` came in separate reads was refused, though accepted in one read.
    #[test]
    fn fuzz_crlf_split_after_a_line_of_exactly_the_limit() {
        let mut d = LineDecoder::new(4);
        d.push(b"1234\r");
        d.push(b"\n");
        assert_eq!(drain(&mut d), ok(&["1234"]));
    }

    /// Bytes after the last newline are not a line until their newline comes.
    #[test]
    fn trailing_garbage_stays_pending() {
        let mut d = LineDecoder::new(64);
        d.push(b"OK\ntrailing garbage");
        assert_eq!(drain(&mut d), ok(&["OK"]));
        assert_eq!(d.pending(), 16);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_refused() {
        let mut d = LineDecoder::new(64);
        d.push(b"caf\xe9\n");
        assert_eq!(drain(&mut d), ok(&["caf\u{fffd}"]));
    }

    /// However the stream is cut into reads, the same lines come out and no more than the
    /// limit is ever held.
    #[test]
    fn chunking_does_not_matter_and_memory_stays_bounded() {
        let stream: &[u8] = b"BEGIN LIST VAR u\r\nVAR u a \"1\"\nthis line is far too long for it\nEND LIST VAR u\n";
        let mut whole = LineDecoder::new(20);
        whole.push(stream);
        let want = drain(&mut whole);
        assert_eq!(want.len(), 4);
        assert_eq!(want[2], Err(ParseError::LineTooLong { max: 20 }));
        for size in 1..stream.len() {
            let mut d = LineDecoder::new(20);
            let mut got = Vec::new();
            for chunk in stream.chunks(size) {
                d.push(chunk);
                assert!(
                    d.pending() <= 20,
                    "chunk size {size}: {} pending",
                    d.pending()
                );
                got.extend(drain(&mut d));
            }
            assert_eq!(got, want, "chunk size {size}");
        }
    }
}
