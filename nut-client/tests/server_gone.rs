//! A server that goes away between two requests, over real TCP on 127.0.0.1 (upsd killed
//! while upsmon polls it). libupsclient's sequence, seen with strace on NUT 2.8.0's upsmon:
//! the request is written (the dead peer answers it with a reset), the read meets the
//! server's end-of-file, then `upscli_disconnect` writes `LOGOUT`, which fails with EPIPE;
//! that last error is the one reported: `Write error: Broken pipe`, whether upsd was stopped
//! by SIGTERM or SIGKILL (both close the socket the same way).
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use nut_client::{Client, ClientError, UpscliStage};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// How the fake server's connection ends after its one answer.
#[derive(Clone, Copy)]
enum Ending {
    /// A plain close (FIN): what a killed or stopped upsd does.
    Close,
    /// An abortive close (RST, `SO_LINGER` 0).
    Reset,
}

/// A server that answers one `GET VAR` and then closes the connection as `ending` says;
/// `closed` fires once it has.
async fn one_answer(ending: Ending) -> (SocketAddr, oneshot::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let mut lines = BufReader::new(sock);
        let mut line = String::new();
        lines.read_line(&mut line).await.unwrap();
        assert_eq!(line, "GET VAR ups ups.status\n");
        let mut sock = lines.into_inner();
        sock.write_all(b"VAR ups ups.status \"OL\"\n")
            .await
            .unwrap();
        if let Ending::Reset = ending {
            sock.set_zero_linger().unwrap();
        }
        drop(sock);
        drop(listener);
        let _ = tx.send(());
    });
    (addr, rx)
}

/// Connects, polls once successfully, waits for the server to close, then polls again and
/// gives the connection up; returns the second poll's error and the `LOGOUT` write's.
async fn poll_after_close(ending: Ending) -> (ClientError, Result<(), ClientError>) {
    let (addr, closed) = one_answer(ending).await;
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut client = Client::attach(tcp);
    assert_eq!(client.get_var("ups", "ups.status").await.unwrap(), "OL");
    closed.await.unwrap();
    // let the FIN or RST reach our socket
    tokio::time::sleep(Duration::from_millis(50)).await;
    let failed = client.get_var("ups", "ups.status").await.unwrap_err();
    let logout = client.abandon().await;
    assert_eq!(
        client.get_var("ups", "ups.status").await,
        Err(ClientError::Closed)
    );
    assert_eq!(
        client.abandon().await,
        Ok(()),
        "a second call writes nothing"
    );
    (failed, logout)
}

#[tokio::test]
async fn closed_server_reads_as_eof_and_the_logout_write_breaks_the_pipe() {
    let (failed, logout) = poll_after_close(Ending::Close).await;
    assert_eq!(failed, ClientError::Closed);
    assert_eq!(failed.upscli_text(UpscliStage::Read), "Server disconnected");
    let logout = logout.unwrap_err();
    assert_eq!(
        logout.upscli_text(UpscliStage::Write),
        "Write error: Broken pipe"
    );
}

#[tokio::test]
async fn reset_server_fails_the_request_and_the_logout_write_breaks_the_pipe() {
    let (failed, logout) = poll_after_close(Ending::Reset).await;
    assert!(
        matches!(&failed, ClientError::Io(e) if e.kind() == std::io::ErrorKind::ConnectionReset),
        "{failed:?}"
    );
    let logout = logout.unwrap_err();
    assert_eq!(
        logout.upscli_text(UpscliStage::Write),
        "Write error: Broken pipe"
    );
}

#[tokio::test]
async fn live_server_takes_the_logout_and_the_request_error_stands() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        let mut lines = BufReader::new(sock).lines();
        let mut seen = Vec::new();
        while let Ok(Some(l)) = lines.next_line().await {
            seen.push(l);
        }
        seen
    });
    let tcp = TcpStream::connect(addr).await.unwrap();
    let config = nut_client::ClientConfig::default().io_timeout(Duration::from_millis(100));
    let mut client = Client::attach_with(tcp, config);
    // the server never answers: the request times out, the connection is still up
    let failed = client.get_var("ups", "ups.status").await.unwrap_err();
    assert_eq!(failed, ClientError::Timeout);
    assert_eq!(client.abandon().await, Ok(()));
    let seen = tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen, ["GET VAR ups ups.status", "LOGOUT"]);
}
