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
            if self.partial.len() + chunk.len() > self.max + usize::from(chunk.ends_with(b"\r")) {
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
