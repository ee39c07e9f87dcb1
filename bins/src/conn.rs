//! A client session with libupsclient's semantics, which the CLIs' output depends on.
//!
//! NUT's tools print libupsclient's error texts and, in places, raw reply lines
//! (`Unexpected response from upsd: ERR ACCESS-DENIED`), so this layer keeps the request /
//! reply lines visible: [`Conn::get`] and [`Conn::list_start`]/[`Conn::list_next`] check the
//! echo as libupsclient does, [`Conn::send_line`]/[`Conn::read_line`] give the raw lines.
//! Words are split with `nut_proto`'s tokenizer.

use std::time::Duration;

use nut_proto::text::{escape, split_line, LineDecoder, DEFAULT_MAX_LINE};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::upserror::{strerror, UpsError};

/// libupsclient's `DEFAULT_NETWORK_TIMEOUT`: how long to wait for one reply line.
pub const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

/// Most items one list may have; a server sending more gets a protocol error, so a hostile
/// server cannot make a tool that collects a list grow without bound.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// A byte stream to upsd: plain TCP, or TLS after STARTTLS.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// An open connection to upsd.
pub struct Conn {
    stream: Box<dyn Stream>,
    lines: LineDecoder,
    list_items: usize,
}

impl std::fmt::Debug for Conn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conn")
            .field("pending", &self.lines.pending())
            .finish_non_exhaustive()
    }
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
                Ok(stream) if try_tls => return Self::try_starttls(stream, host).await,
                Ok(stream) => return Ok(Self::new(Box::new(stream))),
                Err(e) => last = UpsError::Connect(strerror(&e)),
            }
        }
        Err(last)
    }

    fn new(stream: Box<dyn Stream>) -> Self {
        Self {
            stream,
            lines: LineDecoder::new(DEFAULT_MAX_LINE),
            list_items: 0,
        }
    }

    /// `STARTTLS`: on `OK STARTTLS` a TLS handshake (any certificate accepted, as NUT's
    /// clients do without `CERTVERIFY`), otherwise plain text as before.
    async fn try_starttls(mut tcp: TcpStream, host: &str) -> Result<Self, UpsError> {
        let mut lines = LineDecoder::new(DEFAULT_MAX_LINE);
        tcp.write_all(b"STARTTLS\n")
            .await
            .map_err(|e| UpsError::Write(strerror(&e)))?;
        let reply = read_line_from(&mut tcp, &mut lines, NETWORK_TIMEOUT).await?;
        if !reply.starts_with("OK STARTTLS") {
            let mut conn = Self::new(Box::new(tcp));
            conn.lines = lines;
            return Ok(conn);
        }
        match crate::tls::handshake(tcp, host).await {
            Ok(tls) => {
                eprintln!("Connected to NUT server {host} in SSL");
                eprintln!("Certificate verification is disabled");
                Ok(Self::new(Box::new(tls)))
            }
            Err(e) => {
                eprintln!("Error while connecting to NUT server {host}, disconnect");
                Err(e)
            }
        }
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
        read_line_from(&mut self.stream, &mut self.lines, limit).await
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
        self.list_items = 0;
        Ok(())
    }

    /// The next item of a list (its words), or `None` at `END LIST`.
    pub async fn list_next(&mut self, query: &[&str]) -> Result<Option<Vec<String>>, UpsError> {
        let words = self.read_words().await?;
        if words.len() >= 2 && words[0] == "END" && words[1] == "LIST" {
            return Ok(None);
        }
        self.list_items += 1;
        if words.is_empty() || !echoes(query, &words) || self.list_items > MAX_LIST_ITEMS {
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

/// One line from `stream` through `lines`, waiting at most `limit`.
async fn read_line_from<S: AsyncRead + Unpin + ?Sized>(
    stream: &mut S,
    lines: &mut LineDecoder,
    limit: Duration,
) -> Result<String, UpsError> {
    let read = async {
        let mut buf = [0u8; 512];
        loop {
            match lines.next_line() {
                Ok(Some(line)) => return Ok(line),
                Ok(None) => {}
                Err(e) => return Err(UpsError::Parse(e.to_string())),
            }
            let n = stream
                .read(&mut buf)
                .await
                .map_err(|e| UpsError::Read(strerror(&e)))?;
            if n == 0 {
                return Err(UpsError::Disconnected);
            }
            lines.push(&buf[..n]);
        }
    };
    tokio::time::timeout(limit, read)
        .await
        .map_err(|_| UpsError::Disconnected)?
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

    /// A scripted server: answers each request line with the next canned reply.
    async fn fake_server(replies: Vec<String>) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.expect("accept");
            let mut buf = [0u8; 512];
            for reply in replies {
                if sock.read(&mut buf).await.unwrap_or(0) == 0 {
                    return;
                }
                if sock.write_all(reply.as_bytes()).await.is_err() {
                    return;
                }
            }
            // take one more request, then hang up
            let _ = sock.read(&mut buf).await;
        });
        port
    }

    #[tokio::test]
    async fn starttls_refusal_is_ignored_and_acceptance_reported() {
        let port = fake_server(vec![
            "ERR FEATURE-NOT-CONFIGURED\n".into(),
            "VAR u x.y \"1\"\n".into(),
        ])
        .await;
        let mut conn = Conn::connect("127.0.0.1", port, true)
            .await
            .expect("connects");
        assert_eq!(conn.get(&["VAR", "u", "x.y"]).await.expect("value")[3], "1");
        let port = fake_server(vec!["OK STARTTLS\n".into()]).await;
        let err = Conn::connect("127.0.0.1", port, true)
            .await
            .expect_err("no TLS");
        assert!(matches!(err, UpsError::Ssl(_)), "{err:?}");
    }

    #[tokio::test]
    async fn errors_and_echo_mismatches() {
        let port = fake_server(vec![
            "ERR UNKNOWN-UPS\n".into(),
            "VAR other x.y \"1\"\n".into(),
        ])
        .await;
        let mut conn = Conn::connect("127.0.0.1", port, false)
            .await
            .expect("connects");
        let err = conn.get(&["VAR", "u", "x.y"]).await.expect_err("unknown");
        assert_eq!(err.to_string(), "Unknown UPS");
        let err = conn.get(&["VAR", "u", "x.y"]).await.expect_err("mismatch");
        assert_eq!(err, UpsError::Protocol);
    }

    #[tokio::test]
    async fn endless_lists_are_cut_off() {
        let mut flood = String::from("BEGIN LIST VAR u\n");
        for i in 0..=MAX_LIST_ITEMS {
            flood += &format!("VAR u v{i} \"x\"\n");
        }
        let port = fake_server(vec![flood]).await;
        let mut conn = Conn::connect("127.0.0.1", port, false)
            .await
            .expect("connects");
        conn.list_start(&["VAR", "u"]).await.expect("begins");
        let mut n = 0;
        while let Ok(Some(_)) = conn.list_next(&["VAR", "u"]).await {
            n += 1;
        }
        assert_eq!(n, MAX_LIST_ITEMS);
    }

    #[tokio::test]
    async fn closed_connection_is_reported() {
        let port = fake_server(vec![]).await;
        let mut conn = Conn::connect("127.0.0.1", port, false)
            .await
            .expect("connects");
        conn.send_line("VER\n").await.expect("sent");
        assert_eq!(conn.read_line().await, Err(UpsError::Disconnected));
    }
}
