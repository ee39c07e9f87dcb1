//! Hostile clients must not hurt anyone else: garbage, overlong lines, half-open connections,
//! a client that never reads, and 10,000 connects. Loopback only; every wait is bounded.
#![allow(clippy::unwrap_used)]

mod net_common;

use std::time::{Duration, Instant};

use net_common::TestServer;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

#[tokio::test]
async fn garbage_bytes_get_error_lines_and_the_server_carries_on() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    srv.wait_ready("ups1").await;
    let mut c = srv.client().await;
    // Every byte value, no newline among them except the last.
    let garbage: Vec<u8> = (0u8..=255).filter(|&b| b != b'\n' && b != b'"').collect();
    c.send(&garbage).await;
    c.send(b"\n").await;
    assert!(c.line().await.starts_with("ERR "));
    assert_eq!(
        c.ask("GET VAR ups1 device.mfr").await,
        "VAR ups1 device.mfr \"ACME\""
    );
    srv.stop().await;
}

#[tokio::test]
async fn an_overlong_line_is_refused_and_the_next_one_works() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    let mut c = srv.client().await;
    let long = vec![b'A'; 200 * 1024];
    c.send(&long).await;
    c.send(b"\nNETVER\n").await;
    assert_eq!(c.line().await, "ERR INVALID-ARGUMENT");
    assert_eq!(c.line().await, "1.3");
    // An endless quoted word is bounded too: no reply until it ends, then one error.
    c.send(b"GET VAR \"").await;
    c.send(&long).await;
    c.send(b"\"\n").await;
    assert_eq!(c.line().await, "ERR INVALID-ARGUMENT");
    assert_eq!(c.ask("NETVER").await, "1.3");
    srv.stop().await;
}

#[tokio::test]
async fn half_open_connections_do_not_block_others_and_time_out() {
    let srv = TestServer::start(&["ups1"], |o| o.idle_timeout = Duration::from_millis(500)).await;
    let mut silent = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(b"GET VAR ups1 ups.st").await.unwrap();
        silent.push(s);
    }
    let mut c = srv.client().await;
    assert_eq!(c.ask("NETVER").await, "1.3");
    let deadline = Instant::now() + Duration::from_secs(5);
    while srv.handle.clients() > 1 {
        assert!(
            Instant::now() < deadline,
            "half-open clients were not closed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(c.ask("NETVER").await, "1.3");
    }
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_does_not_slow_the_others() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    srv.wait_ready("ups1").await;
    // Floods pipelined LIST requests and never reads a byte of the replies.
    let mut hog = TcpStream::connect(srv.addr).await.unwrap();
    let flood = "LIST VAR ups1\n".repeat(100_000);
    let writer = tokio::spawn(async move {
        let _ = tokio::time::timeout(Duration::from_secs(5), hog.write_all(flood.as_bytes())).await;
        hog
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut c = srv.client().await;
    let mut worst = Duration::ZERO;
    for _ in 0..200 {
        let t = Instant::now();
        assert_eq!(
            c.ask("GET VAR ups1 device.mfr").await,
            "VAR ups1 device.mfr \"ACME\""
        );
        worst = worst.max(t.elapsed());
    }
    assert!(
        worst < Duration::from_millis(500),
        "worst GET VAR took {worst:?}"
    );
    let hog = writer.await.unwrap();
    drop(hog);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_connects_leave_the_server_healthy() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    let addr = srv.addr;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..50 {
        tasks.push(tokio::spawn(async move {
            let mut served = 0;
            for i in 0..200 {
                let Ok(mut s) = TcpStream::connect(addr).await else {
                    continue;
                };
                // Half of them say something, half just hang up.
                if (t + i) % 2 == 0 {
                    let _ = s.write_all(b"VER\nLOGOUT\n").await;
                }
                served += 1;
            }
            served
        }));
    }
    let mut connected = 0;
    for t in tasks {
        connected += tokio::time::timeout(Duration::from_secs(120), t)
            .await
            .expect("connect storm ends")
            .unwrap();
    }
    assert_eq!(connected, 10_000);
    let mut c = srv.client().await;
    assert_eq!(c.ask("NETVER").await, "1.3");
    let deadline = Instant::now() + Duration::from_secs(10);
    while srv.handle.clients() > 1 {
        assert!(
            Instant::now() < deadline,
            "connections leaked: {}",
            srv.handle.clients()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(started.elapsed() < Duration::from_secs(120));
    srv.stop().await;
}
