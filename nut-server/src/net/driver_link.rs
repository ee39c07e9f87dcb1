//! The default [`Backend`]: driver processes reached through their Unix sockets at
//! `<statepath>/<driver>-<ups>`, exactly as upsd 2.8.0 reaches them.
//!
//! Per UPS: connect, send `DUMPALL`, feed every line the driver sends through the same
//! tolerant parser upsd uses (so real 2.8.0 drivers' unescaped values read the same), send
//! `PING` after MAXAGE/3 of silence, forward clients' `SET`/`INSTCMD`, and on EOF or error mark
//! the driver lost and reconnect forever.

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use nut_driver_core::sock::{DriverMsg, SOCKET_LIMITS};
use nut_proto::text::WordSplitter;
use nut_proto::ParseError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;

use super::backend::{Backend, UpsLink};
use crate::UpsDef;

/// How often the link checks whether a `PING` is due.
const PING_CHECK: Duration = Duration::from_millis(500);

/// Driver sockets under a state directory (NUT's `STATEPATH`).
#[derive(Debug, Clone)]
pub struct DriverSockets {
    statepath: PathBuf,
    retry: Duration,
}

impl DriverSockets {
    /// Drivers' sockets live in `statepath`; a lost driver is retried every second.
    pub fn new(statepath: impl Into<PathBuf>) -> Self {
        Self {
            statepath: statepath.into(),
            retry: Duration::from_secs(1),
        }
    }

    /// Changes the delay between reconnection attempts.
    pub fn with_retry(mut self, retry: Duration) -> Self {
        self.retry = retry;
        self
    }

    /// The socket path of one UPS: `<statepath>/<driver>-<ups>`.
    pub fn socket_path(&self, ups: &UpsDef) -> PathBuf {
        nut_driver_core::runloop::socket_path(&self.statepath, &ups.driver, &ups.name)
    }
}

#[async_trait]
impl Backend for DriverSockets {
    async fn run(&self, ups: UpsDef, mut link: UpsLink) {
        let path = self.socket_path(&ups);
        loop {
            match UnixStream::connect(&path).await {
                Ok(stream) => {
                    link.logger().info(&format!(
                        "Connected to UPS [{}]: {}",
                        ups.name,
                        file_name(&path)
                    ));
                    let why = serve(stream, &mut link).await;
                    link.lost();
                    // upsd says nothing here (only at -D); the reconnection is logged.
                    link.logger().debug(&format!(
                        "Driver for UPS [{}] disconnected ({why}); reconnecting",
                        ups.name
                    ));
                }
                Err(e) => {
                    if link.unreachable() {
                        link.logger().warn(&format!(
                            "Can't connect to UPS [{}] ({}): {}",
                            ups.name,
                            file_name(&path),
                            nut_proto::text::strerror(&e)
                        ));
                    }
                }
            }
            tokio::time::sleep(self.retry).await;
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Talks to one connected driver until it goes away; returns why.
async fn serve(stream: UnixStream, link: &mut UpsLink) -> String {
    let (mut rd, mut wr) = stream.into_split();
    link.connected();
    if let Err(e) = wr.write_all(b"DUMPALL\n").await {
        return e.to_string();
    }
    let mut splitter = WordSplitter::new(SOCKET_LIMITS);
    let mut buf = vec![0u8; 16 * 1024];
    let mut tick = tokio::time::interval(PING_CHECK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            read = rd.read(&mut buf) => match read {
                Ok(0) => return "end of file".into(),
                Ok(n) => feed(&mut splitter, &buf[..n], link),
                Err(e) => return e.to_string(),
            },
            cmd = link.next_command() => {
                let Some(cmd) = cmd else { return "server stopped".into() };
                if let Err(e) = wr.write_all(format!("{cmd}\n").as_bytes()).await {
                    return e.to_string();
                }
            }
            _ = tick.tick() => {
                link.check_stale();
                if link.ping_due() {
                    if let Err(e) = wr.write_all(b"PING\n").await {
                        return e.to_string();
                    }
                    link.ping_sent();
                }
            }
        }
    }
}

/// Splits bytes into lines and publishes every message upsd would understand; the rest is
/// ignored, as upsd ignores it.
fn feed(splitter: &mut WordSplitter, bytes: &[u8], link: &UpsLink) {
    let mut msgs = Vec::new();
    for &b in bytes {
        let words = match splitter.feed(b) {
            Some(Ok(words)) if !words.is_empty() => words,
            // upsd's parser fails on this one only, and says so.
            Some(Err(ParseError::HashInQuotes)) => {
                let why = "Unbalanced word due to unescaped # in quotes";
                link.logger().info(&format!("Parse error on sock: {why}"));
                continue;
            }
            _ => continue,
        };
        match DriverMsg::from_words(&words) {
            Ok(msg) => msgs.push(msg),
            Err(e) => link
                .logger()
                .debug(&format!("UPS [{}]: ignoring driver line: {e}", link.name())),
        }
    }
    if !msgs.is_empty() {
        link.msgs(&msgs);
    }
}
