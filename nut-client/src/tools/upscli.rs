//! A session with libupsclient's semantics, over [`Client`]'s raw lines, for the programs'
//! NUT-exact output.
//!
//! NUT's tools print libupsclient's error texts and, in places, raw reply lines
//! (`Unexpected response from upsd: ERR ACCESS-DENIED`), so this layer keeps the lines
//! visible: [`Conn::get`] and [`Conn::list_start`]/[`Conn::list_next`] check that the reply
//! echoes the request as libupsclient does; [`Conn::send_line`]/[`Conn::read_line`] give
//! the raw lines. Reply words come from `nut_proto`'s tokenizer, `ERR` codes from
//! [`Response::parse`].

use std::fmt;
use std::time::Duration;

use nut_proto::text::{escape, split_line};
use nut_proto::{ErrorCode, Response};

use crate::{Client, ClientConfig, ClientError, TlsConfig, Transport, UpscliStage as Stage};

/// libupsclient's `DEFAULT_NETWORK_TIMEOUT`: how long to wait for one reply line.
pub const NETWORK_TIMEOUT: Duration = Duration::from_secs(5);

/// A failed call: the client error and the step it happened in. Displays as libupsclient's
/// `upscli_strerror()` text.
#[derive(Debug, Clone, PartialEq)]
pub struct UpscliError {
    /// The step that failed.
    pub stage: Stage,
    /// What went wrong.
    pub error: ClientError,
}

impl UpscliError {
    fn at(stage: Stage) -> impl FnOnce(ClientError) -> Self {
        move |error| Self { stage, error }
    }

    /// True if upsd said `ERR UNKNOWN-COMMAND` (an upsd too old for the request).
    pub fn is_unknown_command(&self) -> bool {
        self.error.is_unknown_command()
    }

    /// True if upsd answered `ERR` (rather than the connection failing).
    pub fn is_server_error(&self) -> bool {
        matches!(self.error, ClientError::Server(_))
    }
}

impl fmt::Display for UpscliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.upscli_text(self.stage))
    }
}

impl std::error::Error for UpscliError {}

/// Why [`Conn::list_all`] failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ListError {
    /// `LIST` itself was refused or its `BEGIN LIST` line was wrong.
    Start(UpscliError),
    /// An item had `got` words where the program needs `need`.
    Short {
        /// Words in the item.
        got: usize,
        /// Words needed.
        need: usize,
    },
}

impl ListError {
    /// What NUT's programs print after `Error: `; with `too_old`, an `ERR UNKNOWN-COMMAND`
    /// to `LIST` reads "upsd is too old to support this query".
    pub fn text(&self, too_old: bool) -> String {
        match self {
            Self::Start(e) if too_old && e.is_unknown_command() => {
                "upsd is too old to support this query".into()
            }
            Self::Start(e) => e.to_string(),
            Self::Short { got, need } => {
                format!("insufficient data (got {got} args, need at least {need})")
            }
        }
    }
}

/// An open connection to upsd.
#[derive(Debug)]
pub struct Conn {
    client: Client<Transport>,
    list_items: usize,
}

impl Conn {
    /// Connects to `host:port`; with `try_tls`, sends `STARTTLS` first and carries on in
    /// plain text unless the server answers `OK STARTTLS` (as `UPSCLI_CONN_TRYSSL` does).
    /// After the handshake any server certificate is accepted, as NUT's clients do without
    /// `CERTVERIFY`; NUT's notices about it go to stderr.
    pub async fn connect(host: &str, port: u16, try_tls: bool) -> Result<Self, UpscliError> {
        let addrs = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| UpscliError::at(Stage::Resolve)(e.into()))?;
        let config = ClientConfig::default().io_timeout(NETWORK_TIMEOUT);
        let mut last = UpscliError::at(Stage::Resolve)(ClientError::Closed);
        for addr in addrs {
            match Client::connect_with(&addr.ip().to_string(), port, &config).await {
                Ok(client) if try_tls => return Self::try_starttls(client, host).await,
                Ok(client) => return Ok(Self::new(client)),
                Err(e) => last = UpscliError::at(Stage::Connect)(e),
            }
        }
        Err(last)
    }

    fn new(client: Client<Transport>) -> Self {
        Self {
            client,
            list_items: 0,
        }
    }

    /// `STARTTLS` as `upscli_sslinit` sends it: carries on in plain text after any answer but
    /// `OK STARTTLS`; a failed send or read, or a failed handshake, ends the connection with
    /// NUT's "Error while connecting" notice on stderr.
    async fn try_starttls(client: Client<Transport>, host: &str) -> Result<Self, UpscliError> {
        let name = if TlsConfig::accept_any_server().name_for(host).is_ok() {
            host
        } else {
            "localhost"
        };
        let tls = TlsConfig::accept_any_server().server_name(name);
        let mut conn = Self::new(client);
        let result = conn.client.starttls(&tls).await;
        match result {
            Ok(()) => {
                eprintln!("Connected to NUT server {host} in SSL");
                eprintln!("Certificate verification is disabled");
                Ok(conn)
            }
            // anything but OK STARTTLS: plain text, as before
            Err(ClientError::Tls(crate::TlsError::Refused(_)))
            | Err(ClientError::Unexpected { .. } | ClientError::Parse(_)) => Ok(conn),
            Err(error) => {
                eprintln!("Error while connecting to NUT server {host}, disconnect");
                let stage = match &error {
                    ClientError::Tls(_) => return Err(UpscliError::at(Stage::Connect)(error)),
                    ClientError::Io(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                        Stage::Write
                    }
                    _ => Stage::Read,
                };
                Err(conn.give_up(UpscliError { stage, error }).await)
            }
        }
    }

    /// What libupsclient does after a send or read that failed (not an `ERR` answer): it
    /// gives the connection up (`upscli_disconnect`, which writes `LOGOUT` if the socket
    /// takes it at once) and, when that `LOGOUT` write fails, reports its error instead of
    /// the request's. After a server hung up, the request drew a reset, so a read that met
    /// end-of-file typically ends as "Write error: Broken pipe".
    async fn give_up(&mut self, e: UpscliError) -> UpscliError {
        if !breaks(&e.error) {
            return e;
        }
        match self.client.abandon().await {
            Ok(()) => e,
            Err(logout) => UpscliError::at(Stage::Write)(logout),
        }
    }

    /// Sends `line` as is (a newline is added unless present). A failed send gives the connection up, as libupsclient does.
    pub async fn send_line(&mut self, line: &str) -> Result<(), UpscliError> {
        match self.client.send_line(line).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.give_up(UpscliError::at(Stage::Write)(e)).await),
        }
    }

    /// Reads one reply line, without checking for `ERR` (libupsclient's `upscli_readline`).
    pub async fn read_line(&mut self) -> Result<String, UpscliError> {
        self.read_line_timeout(NETWORK_TIMEOUT).await
    }

    /// [`read_line`](Self::read_line) with a custom timeout. A failed read (end of file, a
    /// socket error, the timeout) gives the connection up, as libupsclient does.
    pub async fn read_line_timeout(&mut self, limit: Duration) -> Result<String, UpscliError> {
        match self.client.read_line_timeout(limit).await {
            Ok(line) => Ok(line),
            Err(e) => Err(self.give_up(UpscliError::at(Stage::Read)(e)).await),
        }
    }

    /// Reads a line, turns `ERR` into an error and splits the rest into words.
    async fn read_words(&mut self) -> Result<Vec<String>, UpscliError> {
        let line = self.read_line().await?;
        let read_error = UpscliError::at(Stage::Read);
        if let Some(rest) = line.strip_prefix("ERR") {
            let code = match Response::parse(&line) {
                Ok(Response::Err { code, .. }) => code,
                _ => ErrorCode::parse(rest.trim_start_matches(' ').split(' ').next().unwrap_or("")),
            };
            return Err(read_error(ClientError::Server(code)));
        }
        split_line(&line).map_err(|e| read_error(e.into()))
    }

    /// `GET <query...>`: the reply words, which must echo the query (`VAR ups var value`).
    pub async fn get(&mut self, query: &[&str]) -> Result<Vec<String>, UpscliError> {
        self.send_line(&build_cmd("GET", query)).await?;
        let words = self.read_words().await?;
        if !echoes(query, &words) {
            return Err(protocol_error(&words));
        }
        Ok(words)
    }

    /// `LIST <query...>`: checks the `BEGIN LIST <query>` line.
    pub async fn list_start(&mut self, query: &[&str]) -> Result<(), UpscliError> {
        self.send_line(&build_cmd("LIST", query)).await?;
        let words = self.read_words().await?;
        let begin = words.len() >= 2
            && words[0].eq_ignore_ascii_case("BEGIN")
            && words[1].eq_ignore_ascii_case("LIST");
        if !begin || !echoes(query, &words[2..]) {
            return Err(protocol_error(&words));
        }
        self.list_items = 0;
        Ok(())
    }

    /// The next item of a list (its words), or `None` at `END LIST`.
    pub async fn list_next(&mut self, query: &[&str]) -> Result<Option<Vec<String>>, UpscliError> {
        let words = self.read_words().await?;
        if words.len() >= 2 && words[0] == "END" && words[1] == "LIST" {
            return Ok(None);
        }
        self.list_items += 1;
        let max = self.client.config().max_list_items;
        if self.list_items > max {
            return Err(UpscliError::at(Stage::Read)(ClientError::TooManyItems {
                max,
            }));
        }
        if words.is_empty() || !echoes(query, &words) {
            return Err(protocol_error(&words));
        }
        Ok(Some(words))
    }

    /// `LIST <query...>` read to its end, as NUT's programs read a list: the items (each must
    /// have at least `min` words, or the list fails at once); an error after `BEGIN LIST`
    /// just ends the list.
    pub async fn list_all(
        &mut self,
        query: &[&str],
        min: usize,
    ) -> Result<Vec<Vec<String>>, ListError> {
        self.list_start(query).await.map_err(ListError::Start)?;
        let mut items = Vec::new();
        while let Ok(Some(words)) = self.list_next(query).await {
            if words.len() < min {
                return Err(ListError::Short {
                    got: words.len(),
                    need: min,
                });
            }
            items.push(words);
        }
        Ok(items)
    }

    /// Sends `LOGOUT` without waiting for the reply, and closes, as `upscli_disconnect` does.
    pub async fn disconnect(self) {
        self.client.hang_up().await;
    }
}

/// Errors of a send or read that failed, after which libupsclient gives the connection up:
/// not `ERR` answers, replies it would have read differently, or our own bounds.
fn breaks(error: &ClientError) -> bool {
    matches!(
        error,
        ClientError::Io(_) | ClientError::Timeout | ClientError::Closed
    )
}

/// A reply that does not echo the request: libupsclient's "Protocol error".
fn protocol_error(words: &[String]) -> UpscliError {
    UpscliError::at(Stage::Read)(ClientError::Unexpected {
        expected: "an echo of the request",
        got: words.join(" "),
    })
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
    use crate::DEFAULT_MAX_LIST_ITEMS as MAX_LIST_ITEMS;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

    /// A plain-text [`Conn`] to a [`fake_server`] with `replies`.
    async fn connected(replies: &[&str]) -> Conn {
        let port = fake_server(replies.iter().map(|r| r.to_string()).collect()).await;
        Conn::connect("127.0.0.1", port, false)
            .await
            .expect("connects")
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
        assert!(matches!(err.error, ClientError::Tls(_)), "{err:?}");
        assert!(err.to_string().starts_with("SSL error: "), "{err}");
    }

    #[tokio::test]
    async fn errors_and_echo_mismatches() {
        let mut conn = connected(&["ERR UNKNOWN-UPS\n", "VAR other x.y \"1\"\n"]).await;
        let err = conn.get(&["VAR", "u", "x.y"]).await.expect_err("unknown");
        assert_eq!(err.to_string(), "Unknown UPS");
        let err = conn.get(&["VAR", "u", "x.y"]).await.expect_err("mismatch");
        assert_eq!(err.to_string(), "Protocol error");
    }

    #[tokio::test]
    async fn endless_lists_are_cut_off() {
        let mut flood = String::from("BEGIN LIST VAR u\n");
        for i in 0..=MAX_LIST_ITEMS {
            flood += &format!("VAR u v{i} \"x\"\n");
        }
        let mut conn = connected(&[&flood]).await;
        conn.list_start(&["VAR", "u"]).await.expect("begins");
        let mut n = 0;
        while let Ok(Some(_)) = conn.list_next(&["VAR", "u"]).await {
            n += 1;
        }
        assert_eq!(n, MAX_LIST_ITEMS);
    }

    #[tokio::test]
    async fn closed_connection_is_reported() {
        let mut conn = connected(&[]).await;
        conn.send_line("VER\n").await.expect("sent");
        let err = conn.read_line().await.expect_err("closed");
        assert_eq!(err.error, ClientError::Closed);
        assert_eq!(err.to_string(), "Server disconnected");
    }
}
