//! The driver-side socket server against real Unix-socket clients: DUMPALL, PING, SET and
//! INSTCMD with TRACKING, broadcasts, and clients that misbehave.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use nut_driver_core::runloop::{run, LoopConfig};
use nut_driver_core::sock::TrackingResult;
use nut_driver_core::{Driver, DriverError, DriverInfo, DriverState};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::time::timeout;

struct TestDriver;

#[async_trait]
impl Driver for TestDriver {
    fn info(&self) -> DriverInfo {
        DriverInfo {
            name: "test-driver",
            version: "0.1",
            description: "test",
        }
    }
    async fn init(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        state.set_info("ups.status", "OL");
        state.set_info("ups.id", "rack");
        state.set_rw_string("ups.id", 16);
        state.add_cmd("test.battery.start");
        Ok(())
    }
    async fn update(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        state.data_ok();
        Ok(())
    }
    async fn set_var(&mut self, state: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        if !var.eq_ignore_ascii_case("ups.id") {
            return TrackingResult::Unknown;
        }
        state.set_info("ups.id", value);
        TrackingResult::Handled
    }
    async fn instcmd(&mut self, _: &mut DriverState, cmd: &str, _: Option<&str>) -> TrackingResult {
        if cmd == "test.battery.start" {
            TrackingResult::Handled
        } else {
            TrackingResult::Unknown
        }
    }
}

fn sock_path(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ndc-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("test-driver-ups");
    let _ = std::fs::remove_file(&p);
    p
}

async fn start(tag: &str) -> (PathBuf, tokio::sync::oneshot::Sender<()>) {
    let path = sock_path(tag);
    let listener = UnixListener::bind(&path).unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut d = TestDriver;
        let mut st = DriverState::new();
        d.init(&mut st).await.unwrap();
        let cfg = LoopConfig {
            poll_interval: Duration::from_millis(50),
            ..LoopConfig::default()
        };
        run(&mut d, &mut st, listener, cfg, async {
            let _ = stop_rx.await;
        })
        .await
        .unwrap();
    });
    (path, stop_tx)
}

struct Peer {
    rd: BufReader<tokio::net::unix::OwnedReadHalf>,
    wr: tokio::net::unix::OwnedWriteHalf,
}

impl Peer {
    async fn connect(path: &PathBuf) -> Self {
        let s = UnixStream::connect(path).await.unwrap();
        let (rd, wr) = s.into_split();
        Self {
            rd: BufReader::new(rd),
            wr,
        }
    }
    async fn send(&mut self, text: &[u8]) {
        self.wr.write_all(text).await.unwrap();
    }
    async fn line(&mut self) -> String {
        let mut l = String::new();
        timeout(Duration::from_secs(5), self.rd.read_line(&mut l))
            .await
            .expect("reply in time")
            .unwrap();
        l.trim_end_matches('\n').to_owned()
    }
    /// Reads until `want` arrives, returning the lines before it.
    async fn until(&mut self, want: &str) -> Vec<String> {
        let mut seen = Vec::new();
        loop {
            let l = self.line().await;
            if l == want {
                return seen;
            }
            seen.push(l);
        }
    }
}

#[tokio::test]
async fn dumpall_ping_and_tracked_set() {
    let (path, _stop) = start("basic").await;
    let mut a = Peer::connect(&path).await;
    let mut b = Peer::connect(&path).await;
    a.send(b"DUMPALL\n").await;
    let dump = a.until("DUMPDONE").await;
    let dump: Vec<&str> = dump
        .iter()
        .map(String::as_str)
        .filter(|l| *l != "DATASTALE")
        .collect();
    assert_eq!(
        dump.iter()
            .filter(|l| !l.starts_with("DATA"))
            .copied()
            .collect::<Vec<_>>(),
        [
            "SETINFO ups.id \"rack\"",
            "SETAUX ups.id 16",
            "SETFLAGS ups.id RW STRING",
            "SETINFO ups.status \"OL\"",
            "ADDCMD test.battery.start",
        ]
    );
    a.send(b"PING\n").await;
    a.until("PONG").await;

    b.send(b"DUMPALL\n").await;
    b.until("DUMPDONE").await;
    a.send(b"SET ups.id \"a \\\"b\\\"\" TRACKING abc-1\n").await;
    // The change is broadcast, escaped, to everyone; TRACKING goes to the requester only.
    a.until("SETINFO ups.id \"a \\\"b\\\"\"").await;
    a.until("TRACKING abc-1 0").await;
    b.until("SETINFO ups.id \"a \\\"b\\\"\"").await;
    a.send(b"INSTCMD nope TRACKING x2\nINSTCMD test.battery.start TRACKING x3\n")
        .await;
    a.until("TRACKING x2 1").await;
    a.until("TRACKING x3 0").await;
    b.send(b"PING\n").await;
    assert_eq!(
        b.until("PONG")
            .await
            .iter()
            .filter(|l| l.starts_with("TRACKING"))
            .count(),
        0
    );
}

#[tokio::test]
async fn garbage_and_huge_lines_are_ignored() {
    let (path, _stop) = start("garbage").await;
    let mut a = Peer::connect(&path).await;
    a.send(b"FOO bar\n\x01\x02\xff\n\"unterminated # quote\nSET x\n")
        .await;
    let huge = vec![b'A'; 1024 * 1024];
    a.send(&huge).await;
    a.send(b"\nPING\n").await;
    // Nothing answers the garbage: the only other line possible is the first poll's DATAOK.
    let before: Vec<String> = a.until("PONG").await;
    assert!(before.iter().all(|l| l == "DATAOK"), "{before:?}");
}

#[tokio::test]
async fn a_client_that_never_reads_does_not_stall_others() {
    let (path, _stop) = start("slow").await;
    let mut lazy = Peer::connect(&path).await;
    let mut ok = Peer::connect(&path).await;
    // The lazy client floods DUMPALL requests and never reads the replies.
    let flood = b"DUMPALL\n".repeat(20_000);
    let writer = tokio::spawn(async move {
        let _ = timeout(Duration::from_secs(10), lazy.wr.write_all(&flood)).await;
        lazy
    });
    for i in 0..50 {
        ok.send(b"PING\n").await;
        ok.until("PONG").await;
        ok.send(format!("SET ups.id \"v{i}\"\n").as_bytes()).await;
        ok.until(&format!("SETINFO ups.id \"v{i}\"")).await;
    }
    let _ = writer.await;
}
