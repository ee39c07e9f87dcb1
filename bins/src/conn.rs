//! A client session with libupsclient's semantics, which the CLIs' output depends on.
//!
//! NUT's tools print libupsclient's error texts and, in places, raw reply lines
//! (`Unexpected response from upsd: ERR ACCESS-DENIED`), so this layer keeps the request /
//! reply lines visible: [`Conn::get`] and [`Conn::list_start`]/[`Conn::list_next`] check the
//! echo as libupsclient does, [`Conn::send_line`]/[`Conn::read_line`] give the raw lines.
//! Words are split with `nut_proto`'s tokenizer.

use std::time::Duration;

use nut_proto::text::{escape, split_line, LineDecoder, DEFAULT_MAX_LINE};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::upserror::{strerror, UpsError};

/// libupsclient's `DEFAULT_NETWORK_TIMEOUT`: how long to wait for one reply line.
pub const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

/// An open connection to upsd.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    lines: LineDecoder,
}

impl Conn {
    /// Connects to `host:port`; with `try_tls`, sends `STARTTLS` first and carries on in
    /// plain text when the server declines (as `UPSCLI_CONN_TRYSSL` does).
    pub async fn connect(host: &str, port: u16, try_tls: bool) -> Result<Self, UpsError> {
        let addrs = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| UpsError::NoSuchHost)?;
        let mut last = UpsError::NoSuchHost;
        for addr in addrs {
            match TcpStream::connect(addr).await {
                Ok(stream) => {
                    let mut conn = Self {
                        stream,
                        lines: LineDecoder::new(DEFAULT_MAX_LINE),
                    };
                    if try_tls {
                        conn.try_starttls().await?;
                    }
                    return Ok(conn);
                }
                Err(e) => last = UpsError::Connect(strerror(&e)),
            }
        }
        Err(last)
    }

    async fn try_starttls(&mut self) -> Result<(), UpsError> {
        self.send_line("STARTTLS\n").await?;
        let reply = self.read_line().await?;
        if reply.starts_with("OK STARTTLS") {
            return Err(UpsError::SslUnavailable);
        }
        Ok(())
    }

    /// Sends `line` as is (the caller includes the newline).
    pub async fn send_line(&mut self, line: &str) -> Result<(), UpsError> {
        self.stream
            .write_all(line.as_bytes())
            .await
            .map_err(|e| UpsError::Write(strerror(&e)))
    }

    /// Reads one reply line, without checking for `ERR` (libupsclient's `upscli_readline`).
    pub async fn read_line(&mut self) -> Result<String, UpsError> {
        self.read_line_timeout(NETWORK_TIMEOUT).await
    }

    /// [`read_line`](Self::read_line) with a custom timeout.
    pub async fn read_line_timeout(&mut self, limit: Duration) -> Result<String, UpsError> {
        tokio::time::timeout(limit, self.read_line_inner())
            .await
            .map_err(|_| UpsError::Disconnected)?
    }

    async fn read_line_inner(&mut self) -> Result<String, UpsError> {
        let mut buf = [0u8; 512];
        loop {
            match self.lines.next_line() {
                Ok(Some(line)) => return Ok(line),
                Ok(None) => {}
                Err(e) => return Err(UpsError::Parse(e.to_string())),
            }
            let n = self
                .stream
                .read(&mut buf)
                .await
                .map_err(|e| UpsError::Read(strerror(&e)))?;
            if n == 0 {
                return Err(UpsError::Disconnected);
            }
            self.lines.push(&buf[..n]);
        }
    }

    /// Reads a line, turns `ERR` into an error and splits the rest into words.
    async fn read_words(&mut self) -> Result<Vec<String>, UpsError> {
        let line = self.read_line().await?;
        if let Some(rest) = line.strip_prefix("ERR") {
            return Err(UpsError::from_err_line(rest.trim_start_matches(' ')));
        }
        split_line(&line).map_err(|e| UpsError::Parse(e.to_string()))
    }

    /// `GET <query...>`: the reply words, which must echo the query (`VAR ups var value`).
    pub async fn get(&mut self, query: &[&str]) -> Result<Vec<String>, UpsError> {
        self.send_line(&build_cmd("GET", query)).await?;
        let words = self.read_words().await?;
        if !echoes(query, &words) {
            return Err(UpsError::Protocol);
        }
        Ok(words)
    }

    /// `LIST <query...>`: checks the `BEGIN LIST <query>` line.
    pub async fn list_start(&mut self, query: &[&str]) -> Result<(), UpsError> {
        self.send_line(&build_cmd("LIST", query)).await?;
        let words = self.read_words().await?;
        let begin = words.len() >= 2
            && words[0].eq_ignore_ascii_case("BEGIN")
            && words[1].eq_ignore_ascii_case("LIST");
        if !begin || !echoes(query, &words[2..]) {
            return Err(UpsError::Protocol);
        }
        Ok(())
    }

    /// The next item of a list (its words), or `None` at `END LIST`.
    pub async fn list_next(&mut self, query: &[&str]) -> Result<Option<Vec<String>>, UpsError> {
        let words = self.read_words().await?;
        if words.len() >= 2 && words[0] == "END" && words[1] == "LIST" {
            return Ok(None);
        }
        if words.is_empty() || !echoes(query, &words) {
            return Err(UpsError::Protocol);
        }
        Ok(Some(words))
    }

    /// Sends `LOGOUT` without waiting for the reply, and closes, as `upscli_disconnect` does.
    pub async fn disconnect(mut self) {
        let _ = self.stream.write_all(b"LOGOUT\n").await;
        let _ = self.stream.shutdown().await;
    }
}

/// `CMD arg arg...\n`, each argument escaped and quoted when it holds a space.
pub fn build_cmd(cmd: &str, args: &[&str]) -> String {
    let mut line = cmd.to_string();
    for arg in args {
        let enc = escape(arg);
        if arg.contains(' ') {
            line.push_str(&format!(" \"{enc}\""));
        } else {
            line.push(' ');
            line.push_str(&enc);
        }
    }
    line.push('\n');
    line
}

/// True if `answer` starts with the words of `query` (case-insensitively).
fn echoes(query: &[&str], answer: &[String]) -> bool {
    answer.len() >= query.len()
        && query
            .iter()
            .zip(answer)
            .all(|(q, a)| q.eq_ignore_ascii_case(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_built_like_libupsclient() {
        assert_eq!(
            build_cmd("GET", &["VAR", "ups", "x.y"]),
            "GET VAR ups x.y\n"
        );
        assert_eq!(
            build_cmd("GET", &["VAR", "ups", "a \"b\""]),
            "GET VAR ups \"a \\\"b\\\"\"\n"
        );
        assert_eq!(build_cmd("LIST", &["UPS"]), "LIST UPS\n");
    }

    #[test]
    fn echo_check_is_case_insensitive() {
        let a: Vec<String> = ["var", "UPS", "x", "1"].map(String::from).to_vec();
        assert!(echoes(&["VAR", "ups"], &a));
        assert!(!echoes(&["VAR", "other"], &a));
        assert!(!echoes(&["VAR", "ups", "x", "1", "more"], &a));
    }
}
