//! The programs' session ([`nut_client::tools::upscli::Conn`]) when the server hangs up, over
//! real TCP on 127.0.0.1. libupsclient (NUT 2.8.0) gives the connection up after any failed
//! send or read: it writes `LOGOUT` if the socket takes it at once and, when that write
//! fails, reports the write's error instead of the read's. upsc tries `STARTTLS` first, and
//! a failed send or read of that exchange ends the connection with
//! "Error while connecting to NUT server <host>, disconnect" on stderr (printed, so not
//! checked here; `bins/tests/cli_server_gone.rs` compares the programs' stderr with NUT's).
#![cfg(feature = "tools")]
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use nut_client::tools::upscli::{Conn, UpscliError};
use nut_client::{ClientError, UpscliStage};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// How the fake server treats its one connection.
#[derive(Clone, Copy)]
enum Script {
    /// Accepts and closes at once.
    CloseAtOnce,
    /// Reads one line, then closes.
    OneLineThenClose,
    /// Answers `STARTTLS` with `ERR FEATURE-NOT-CONFIGURED`; closes once another line came.
    RefuseTlsThenClose,
    /// Reads one line, shuts its sending side down and keeps reading to the end.
    HalfClose,
    /// Reads one line and says nothing, reading to the end.
    Silent,
}

/// Starts a server running `script` on one connection; gives its port and, once the
/// connection is over, everything the client sent.
async fn server(script: Script) -> (u16, oneshot::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let mut sock = BufReader::new(sock);
        let mut seen = String::new();
        match script {
            Script::CloseAtOnce => {}
            Script::OneLineThenClose => {
                sock.read_line(&mut seen).await.unwrap();
            }
            Script::RefuseTlsThenClose => loop {
                let mut line = String::new();
                sock.read_line(&mut line).await.unwrap();
                seen.push_str(&line);
                if line != "STARTTLS\n" {
                    break;
                }
                let refusal = b"ERR FEATURE-NOT-CONFIGURED\n";
                sock.get_mut().write_all(refusal).await.unwrap();
            },
            Script::HalfClose | Script::Silent => {
                sock.read_line(&mut seen).await.unwrap();
                if let Script::HalfClose = script {
                    sock.get_mut().shutdown().await.unwrap();
                }
                sock.read_to_string(&mut seen).await.unwrap();
            }
        }
        drop(sock);
        let _ = tx.send(seen);
    });
    (port, rx)
}

/// What the client sent, once the server is done; a client that never closes fails the
/// test instead of hanging it.
async fn sent(seen: oneshot::Receiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), seen)
        .await
        .expect("the client ends the connection")
        .expect("the server ran")
}

/// The text libupsclient's `upscli_strerror` gives for `e`.
fn text(e: &UpscliError) -> String {
    e.to_string()
}

#[tokio::test]
async fn starttls_to_a_server_that_closed_at_once_ends_in_the_logout_write_error() {
    for _ in 0..5 {
        let (port, _) = server(Script::CloseAtOnce).await;
        let err = Conn::connect("127.0.0.1", port, true)
            .await
            .expect_err("nobody answers STARTTLS");
        // the STARTTLS drew a reset, so the LOGOUT breaks the pipe
        assert_eq!(err.stage, UpscliStage::Write, "{err:?}");
        assert_eq!(text(&err), "Write error: Broken pipe");
    }
}

#[tokio::test]
async fn starttls_read_by_a_server_that_then_closed_is_server_disconnected() {
    let (port, seen) = server(Script::OneLineThenClose).await;
    let err = Conn::connect("127.0.0.1", port, true)
        .await
        .expect_err("no answer to STARTTLS");
    assert_eq!(text(&err), "Server disconnected");
    assert_eq!(sent(seen).await, "STARTTLS\n");
}

#[tokio::test]
async fn a_failed_read_writes_logout_and_ends_the_connection() {
    let (port, seen) = server(Script::HalfClose).await;
    let err = Conn::connect("127.0.0.1", port, true)
        .await
        .expect_err("the server stopped talking");
    assert_eq!(err.error, ClientError::Closed);
    assert_eq!(text(&err), "Server disconnected");
    // LOGOUT was written, then our side closed (the server read to its end)
    assert_eq!(sent(seen).await, "STARTTLS\nLOGOUT\n");
}

#[tokio::test]
async fn a_request_after_a_refused_starttls_fails_like_libupsclient() {
    let (port, seen) = server(Script::RefuseTlsThenClose).await;
    let mut conn = Conn::connect("127.0.0.1", port, true)
        .await
        .expect("a refused STARTTLS carries on in plain text");
    let err = conn
        .get(&["VAR", "ups", "ups.status"])
        .await
        .expect_err("gone");
    assert_eq!(text(&err), "Server disconnected");
    assert_eq!(sent(seen).await, "STARTTLS\nGET VAR ups ups.status\n");
    // the connection was given up: nothing more is sent
    let again = conn.send_line("VER").await.expect_err("given up");
    assert_eq!(again.error, ClientError::Closed);
}

#[tokio::test]
async fn a_request_to_a_server_that_closed_at_once_ends_in_the_logout_write_error() {
    for _ in 0..5 {
        let (port, _) = server(Script::CloseAtOnce).await;
        let mut conn = Conn::connect("127.0.0.1", port, false)
            .await
            .expect("plain connect");
        let err = conn.list_start(&["CMD", "ups"]).await.expect_err("gone");
        assert_eq!(text(&err), "Write error: Broken pipe");
    }
}

#[tokio::test]
async fn a_read_timeout_gives_the_connection_up() {
    let (port, seen) = server(Script::Silent).await;
    let mut conn = Conn::connect("127.0.0.1", port, false)
        .await
        .expect("plain connect");
    conn.send_line("VER").await.expect("sent");
    let err = conn
        .read_line_timeout(Duration::from_millis(200))
        .await
        .expect_err("no answer");
    assert_eq!(err.error, ClientError::Timeout);
    assert_eq!(text(&err), "Server disconnected");
    assert_eq!(sent(seen).await, "VER\nLOGOUT\n");
}

#[tokio::test]
async fn an_err_answer_keeps_the_connection() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let mut sock = BufReader::new(sock);
        let mut line = String::new();
        while sock.read_line(&mut line).await.unwrap_or(0) > 0 {
            let answer: &[u8] = if line.starts_with("GET VAR nope") {
                b"ERR UNKNOWN-UPS\n"
            } else {
                b"VAR ups ups.status \"OL\"\n"
            };
            sock.get_mut().write_all(answer).await.unwrap();
            line.clear();
        }
    });
    let mut conn = Conn::connect("127.0.0.1", port, false)
        .await
        .expect("plain connect");
    let err = conn
        .get(&["VAR", "nope", "ups.status"])
        .await
        .expect_err("ERR");
    assert_eq!(text(&err), "Unknown UPS");
    let words = conn
        .get(&["VAR", "ups", "ups.status"])
        .await
        .expect("usable");
    assert_eq!(words[3], "OL");
}
