//! A blocking line client: one request out, its whole reply (one line, or a LIST up to
//! `END LIST`) back, as raw bytes.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

/// Longest reply line read (real upsd cuts replies at 512 bytes; ours does not).
const MAX_LINE: u64 = 64 * 1024;
/// Most lines in one LIST reply.
const MAX_LIST: usize = 2_000;

/// One client connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    /// Wraps a connected stream (2 s read timeout: a missing reply fails, never hangs).
    pub fn new(stream: TcpStream) -> io::Result<Self> {
        stream.set_read_timeout(Some(Duration::from_secs(2)))?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::new(stream),
        })
    }

    /// Connects to 127.0.0.1:`port`.
    pub fn open(port: u16) -> io::Result<Self> {
        Self::new(TcpStream::connect(("127.0.0.1", port))?)
    }

    /// Sends `line` (with `\n`) and reads its reply.
    pub fn request(&mut self, line: &str) -> io::Result<Vec<String>> {
        self.send(&format!("{line}\n"))?;
        self.read_reply()
    }

    /// Sends raw bytes as they are.
    pub fn send(&mut self, raw: &str) -> io::Result<()> {
        self.reader.get_mut().write_all(raw.as_bytes())
    }

    /// A request whose reply length is unknown (maybe none at all): sends `raw`, then
    /// `probe` in a later write, and returns every line up to `probe_reply` (excluded).
    pub fn request_until(
        &mut self,
        raw: &str,
        probe: &str,
        probe_reply: &str,
    ) -> io::Result<Vec<String>> {
        self.send(raw)?;
        thread::sleep(Duration::from_millis(30));
        self.send(probe)?;
        let mut lines = Vec::new();
        while lines.len() < MAX_LIST {
            let reply = self.read_reply()?;
            if reply.first().is_some_and(|l| l == probe_reply) {
                return Ok(lines);
            }
            let eof = reply.iter().any(|l| l == "<EOF>");
            lines.extend(reply);
            if eof {
                return Ok(lines);
            }
        }
        Err(io::Error::other("no reply to the probe"))
    }

    /// One line, or a whole `BEGIN LIST` .. `END LIST` block.
    pub fn read_reply(&mut self) -> io::Result<Vec<String>> {
        let first = self.read_line()?;
        let mut lines = vec![first];
        if !lines[0].starts_with("BEGIN LIST ") {
            return Ok(lines);
        }
        while lines.len() < MAX_LIST {
            let line = self.read_line()?;
            let end = line.starts_with("END LIST ");
            lines.push(line);
            if end {
                return Ok(lines);
            }
        }
        Err(io::Error::other("LIST reply without END LIST"))
    }

    /// Reads one line; the text without `\n` (lossy UTF-8), `<EOF>` at end of stream.
    fn read_line(&mut self) -> io::Result<String> {
        let mut buf = Vec::new();
        let n = self
            .reader
            .by_ref()
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok("<EOF>".into());
        }
        if buf.pop() != Some(b'\n') {
            buf.extend_from_slice(b"<NO NEWLINE>");
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Ends our side and waits (at most `wait`) until the server has closed its side too,
    /// so that its logins are gone.
    pub fn closed_within(&mut self, wait: Duration) -> bool {
        let _ = self.reader.get_ref().shutdown(std::net::Shutdown::Write);
        let _ = self.reader.get_ref().set_read_timeout(Some(wait));
        let mut byte = [0u8; 1];
        matches!(self.reader.read(&mut byte), Ok(0))
    }
}
