//! The connection's two splitting paths (plain lines split in place, the rest byte by byte)
//! give the same replies: one script of requests, sent in one write (plain lines take the
//! fast path) and one byte per write (every line goes through the streaming splitter), must
//! get byte-identical answers, which are also checked against the session fed by a
//! `WordSplitter`.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use async_trait::async_trait;
use nut_driver_core::{Driver, DriverError, DriverInfo, DriverState};
use nut_proto::text::{Limits, WordSplitter};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::auth::Users;
use crate::net::{InProcess, Server, ServerOptions};
use crate::{Descriptions, ServedConfig, ServerState, Session, TlsPolicy, UpsDef};

/// A UPS whose values need escaping.
struct Sim;

#[async_trait]
impl Driver for Sim {
    fn info(&self) -> DriverInfo {
        DriverInfo {
            name: "sim",
            version: "1.0",
            description: "test UPS",
        }
    }

    async fn init(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.set_info("device.mfr", "ACME \"quoted\" \\ #1");
        st.set_info("ups.status", "OL");
        st.add_cmd("beeper.off");
        st.data_ok();
        Ok(())
    }

    async fn update(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.data_ok();
        Ok(())
    }
}

/// Plain lines, and lines that need the full rules, in every framing the server sees.
const SCRIPT: &[u8] = b"GET VAR sim device.mfr\n\
    get var SIM ups.status\r\n\
    GET VAR sim \"ups.status\"\n\
    GET\tVAR  sim\x0bups.status \x0c\n\
    \n\
    \x20  \n\
    # a comment\n\
    VER # trailing comment\n\
    GET VAR sim ups.stat\\us\n\
    GET VAR sim ups=status\n\
    GET VAR sim \"a#b\"\n\
    GET VAR sim \"two\nlines\"\n\
    GET VAR \x01sim\x7f ups.status\n\
    GET VAR sim caf\xc3\xa9\n\
    LIST CMD sim\n\
    GET VAR nosuch ups.status\n\
    USERNAME admin\n\
    GET VAR sim server.version\n\
    HELP\n\
    a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9\n\
    LOGOUT\n";

async fn start() -> std::net::SocketAddr {
    let backend = InProcess::new().with_poll_interval(Duration::from_millis(100));
    backend.add("sim", Sim);
    let state = ServerState::new(config(), Descriptions::builtin());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = Server::new(state, ServerOptions::with_backend(backend));
    tokio::spawn(server.serve(vec![listener], std::future::pending::<()>()));
    addr
}

fn config() -> ServedConfig {
    ServedConfig::new(vec![UpsDef::new("sim", "sim", "none")], Users::none())
}

/// Sends `SCRIPT` in writes of `chunk` bytes and returns everything read until the server
/// closes after `LOGOUT`.
async fn run(addr: std::net::SocketAddr, chunk: usize) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.set_nodelay(true).unwrap();
    for part in SCRIPT.chunks(chunk) {
        s.write_all(part).await.unwrap();
        if chunk < SCRIPT.len() {
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut out))
        .await
        .expect("server closes after LOGOUT")
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// Waits until the UPS data is in (GET VAR answers a value).
async fn wait_ready(addr: std::net::SocketAddr) {
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET VAR sim ups.status\nLOGOUT\n")
            .await
            .unwrap();
        let mut out = String::new();
        let read = s.read_to_string(&mut out);
        tokio::time::timeout(Duration::from_secs(10), read)
            .await
            .expect("server closes after LOGOUT")
            .unwrap();
        if out.starts_with("VAR sim ups.status \"OL\"") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the simulated UPS never became ready");
}

/// What a session fed by the streaming splitter answers to `SCRIPT`, given the UPS data of
/// the running server.
fn reference() -> String {
    let mut state = ServerState::new(config(), Descriptions::builtin());
    let now = std::time::Instant::now();
    state.driver_connected("sim", now);
    // The same data the driver publishes, through the same socket messages.
    for line in [
        "SETINFO device.mfr \"ACME \\\"quoted\\\" \\\\ \\#1\"",
        "SETINFO ups.status \"OL\"",
        "ADDCMD beeper.off",
        "DATAOK",
        "DUMPDONE",
    ] {
        let msg = nut_driver_core::sock::DriverMsg::parse(line).unwrap();
        state.driver_msg("sim", &msg, now);
    }
    let mut session = Session::new(1, "127.0.0.1".into(), TlsPolicy::default());
    let mut splitter = WordSplitter::new(Limits::NETWORK);
    let mut out = String::new();
    for &b in SCRIPT {
        if let Some(words) = splitter.feed(b) {
            out.push_str(&session.handle(words, &mut state, now).text);
        }
    }
    out
}

#[tokio::test]
async fn plain_and_streamed_lines_get_identical_replies() {
    let addr = start().await;
    wait_ready(addr).await;
    let whole = run(addr, SCRIPT.len()).await;
    let bytewise = run(addr, 1).await;
    let odd = run(addr, 7).await;
    assert!(
        whole.starts_with(
            "VAR sim device.mfr \"ACME \\\"quoted\\\" \\\\ \\#1\"\nVAR SIM ups.status \"OL\"\n"
        ),
        "{whole}"
    );
    assert_eq!(
        whole.lines().count(),
        bytewise.lines().count(),
        "{whole}\n--\n{bytewise}"
    );
    assert_eq!(whole, bytewise);
    assert_eq!(whole, odd);
    assert_eq!(whole, reference());
}

/// As upsd: after LOGOUT, a following line in the same read with an unescaped `#` inside
/// quotes is no command, so the connection still closes (another command would keep it).
#[tokio::test]
async fn logout_then_a_hash_in_quotes_line_still_closes() {
    let addr = start().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"LOGOUT\nINSTCMD sim x \"a #b\"\n")
        .await
        .unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .expect("closed after LOGOUT")
        .unwrap();
    assert_eq!(out, b"OK Goodbye\n");
}

/// As upsd, which reads 512 bytes at a time: a line after LOGOUT that does not end within
/// the same 512 bytes does not keep the connection open.
#[tokio::test]
async fn logout_then_a_line_ending_past_512_bytes_still_closes() {
    let addr = start().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let mut script = b"LOGOUT\n".to_vec();
    script.extend(std::iter::repeat_n(b'W', 600));
    script.extend(b" GET VAR sim ups.status\n");
    let _ = s.write_all(&script).await;
    let mut out = Vec::new();
    // The server closes with unread bytes, so the end may be a reset.
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .expect("closed after LOGOUT");
    assert!(
        b"OK Goodbye\n".starts_with(&out),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}
