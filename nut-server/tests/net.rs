//! The network layer over real loopback sockets: replies, LOGOUT, pipelining, idle timeout,
//! MAXCONN refusal, reload without dropping clients, SET/INSTCMD to an in-process driver,
//! the driver-socket backend against a scripted driver, and shutdown.
#![allow(clippy::unwrap_used)]

mod net_common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use net_common::{config, TestServer};
use nut_server::DriverSockets;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixListener;

#[tokio::test]
async fn serves_vars_lists_and_commands_from_an_in_process_driver() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    srv.wait_ready("ups1").await;
    let mut c = srv.client().await;
    assert_eq!(
        c.ask("GET VAR ups1 device.mfr").await,
        "VAR ups1 device.mfr \"ACME\""
    );
    assert_eq!(
        c.ask("get var UPS1 Ups.Status").await,
        "VAR UPS1 Ups.Status \"OL\""
    );
    let list = c.list("LIST VAR ups1").await;
    assert_eq!(list.first().unwrap(), "BEGIN LIST VAR ups1");
    assert!(
        list.contains(&"VAR ups1 battery.charge \"100\"".to_string()),
        "{list:?}"
    );
    assert_eq!(list.last().unwrap(), "END LIST VAR ups1");
    assert_eq!(c.ask("GET VAR nosuch ups.status").await, "ERR UNKNOWN-UPS");
    srv.stop().await;
}

#[tokio::test]
async fn set_and_instcmd_reach_the_driver_with_tracking() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    srv.wait_ready("ups1").await;
    let mut c = srv.client().await;
    for l in ["USERNAME admin", "PASSWORD secret", "SET TRACKING ON"] {
        assert!(c.ask(l).await.starts_with("OK"), "{l}");
    }
    let ok = c.ask("SET VAR ups1 ups.id \"rack 7\"").await;
    let id = ok
        .strip_prefix("OK TRACKING ")
        .expect("tracking id")
        .to_string();
    let mut status = String::new();
    for _ in 0..100 {
        status = c.ask(&format!("GET TRACKING {id}")).await;
        if status != "PENDING" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, "SUCCESS");
    assert_eq!(
        c.ask("GET VAR ups1 ups.id").await,
        "VAR ups1 ups.id \"rack 7\""
    );
    assert!(c
        .ask("INSTCMD ups1 beeper.off")
        .await
        .starts_with("OK TRACKING "));
    srv.stop().await;
}

#[tokio::test]
async fn logout_closes_unless_another_command_follows_in_the_same_read() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    let mut c = srv.client().await;
    c.send(b"LOGOUT\nVER\n").await;
    assert_eq!(c.line().await, "OK Goodbye");
    assert!(c.line().await.starts_with("Network UPS Tools upsd"));
    assert_eq!(c.ask("LOGOUT").await, "OK Goodbye");
    assert!(c.closed_within(Duration::from_secs(2)).await);
    srv.stop().await;
}

#[tokio::test]
async fn pipelined_requests_get_every_reply_in_order() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    srv.wait_ready("ups1").await;
    let mut c = srv.client().await;
    let mut batch = String::new();
    for i in 0..500 {
        batch += if i % 2 == 0 {
            "GET VAR ups1 device.mfr\n"
        } else {
            "NETVER\n"
        };
    }
    c.send(batch.as_bytes()).await;
    for i in 0..500 {
        let want = if i % 2 == 0 {
            "VAR ups1 device.mfr \"ACME\""
        } else {
            "1.3"
        };
        assert_eq!(c.line().await, want, "reply {i}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn idle_clients_are_closed_but_a_partial_line_does_not_keep_them() {
    let srv = TestServer::start(&["ups1"], |o| o.idle_timeout = Duration::from_millis(300)).await;
    let mut busy = srv.client().await;
    let mut partial = srv.client().await;
    partial.send(b"GET VAR ups1").await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(busy.ask("NETVER").await, "1.3");
    }
    assert!(partial.closed_within(Duration::from_secs(2)).await);
    assert_eq!(busy.ask("NETVER").await, "1.3");
    srv.stop().await;
}

#[tokio::test]
async fn maxconn_refuses_extra_clients_at_once_and_logs_it() {
    let srv = TestServer::start(&["ups1"], |o| o.maxconn = 2).await;
    let mut a = srv.client().await;
    let mut b = srv.client().await;
    assert_eq!(a.ask("NETVER").await, "1.3");
    assert_eq!(b.ask("NETVER").await, "1.3");
    let mut extra = srv.client().await;
    assert!(extra.closed_within(Duration::from_secs(2)).await);
    assert!(srv.log.contains("MAXCONN (2) reached"));
    drop(a);
    let mut again = None;
    for _ in 0..100 {
        let mut c = srv.client().await;
        if c.ask("NETVER").await == "1.3" {
            again = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        again.is_some(),
        "a slot freed by a leaving client is reused"
    );
    srv.stop().await;
}

#[tokio::test]
async fn reload_adds_and_removes_upses_without_dropping_clients() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    let mut c = srv.client().await;
    assert_eq!(c.list("LIST UPS").await.len(), 3);
    srv.handle.reload(config(&["ups1", "ups2"]));
    let list = c.list("LIST UPS").await;
    assert!(list.iter().any(|l| l.starts_with("UPS ups2 ")), "{list:?}");
    srv.handle.reload(config(&["ups2"]));
    assert_eq!(c.ask("GET VAR ups1 ups.status").await, "ERR UNKNOWN-UPS");
    assert_eq!(c.list("LIST UPS").await.len(), 3);
    srv.stop().await;
}

/// As upsd 2.8.0: a reload that removes a UPS disconnects the clients logged in to it (and
/// only those) and reports them; emptying the table is allowed.
#[tokio::test]
async fn reload_kicks_the_clients_of_a_removed_ups() {
    let srv = TestServer::start(&["ups1", "ups2"], |_| {}).await;
    let mut on_ups1 = srv.client().await;
    for line in ["USERNAME admin", "PASSWORD secret", "LOGIN ups1"] {
        assert_eq!(on_ups1.ask(line).await, "OK", "{line}");
    }
    let mut bystander = srv.client().await;
    assert_eq!(bystander.ask("NETVER").await, "1.3");
    let report = srv.handle.reload(config(&["ups2"]));
    assert!(on_ups1.closed_within(Duration::from_secs(2)).await);
    assert_eq!(
        bystander.ask("GET NUMLOGINS ups2").await,
        "NUMLOGINS ups2 0"
    );
    let kicked: Vec<_> = (report.deleted.iter())
        .map(|(ups, logins)| {
            (
                ups.as_str(),
                logins.iter().map(|l| l.addr.as_str()).collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(kicked, [("ups1", vec!["127.0.0.1"])]);
    assert_eq!((report.remaining, report.redefined.len()), (1, 0));
    let report = srv.handle.reload(config(&[]));
    assert_eq!(report.remaining, 0);
    assert_eq!(bystander.ask("GET NUMLOGINS ups2").await, "ERR UNKNOWN-UPS");
    srv.stop().await;
}

#[tokio::test]
async fn shutdown_closes_clients_and_serve_returns() {
    let srv = TestServer::start(&["ups1"], |_| {}).await;
    let mut c = srv.client().await;
    assert_eq!(c.ask("NETVER").await, "1.3");
    srv.stop().await;
    assert!(c.closed_within(Duration::from_secs(2)).await);
}

/// An empty directory of this test process, `nut-net-<tag>-<pid>` under the temp dir.
fn fresh_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nut-net-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A server for `ups1`, whose driver `fake` has its socket in `dir` (retried every `retry`),
/// and its log.
async fn driver_socket_server(dir: &Path, retry: Duration) -> (TestServer, net_common::Captured) {
    let mut opts =
        nut_server::ServerOptions::with_backend(DriverSockets::new(dir).with_retry(retry));
    let log = net_common::Captured::default();
    opts.log = log.logger();
    let mut cfg = config(&[]);
    cfg.upses = vec![nut_server::UpsDef::new("ups1", "fake", "x")];
    let state = nut_server::ServerState::new(cfg, nut_server::Descriptions::builtin());
    (TestServer::start_with(state, opts, log.clone()).await, log)
}

/// A scripted driver: answers DUMPALL, records what upsd sends, goes away on request.
#[tokio::test]
async fn driver_socket_backend_dumps_forwards_and_reconnects() {
    let dir = fresh_dir("drv");
    let listener = UnixListener::bind(dir.join("fake-ups1")).unwrap();
    let (srv, _log) = driver_socket_server(&dir, Duration::from_millis(50)).await;

    let (sock, _) = listener.accept().await.unwrap();
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    let mut line = String::new();
    rd.read_line(&mut line).await.unwrap();
    assert_eq!(line, "DUMPALL\n");
    let mut c = srv.client().await;
    assert_eq!(
        c.ask("GET VAR ups1 ups.status").await,
        "VAR ups1 ups.status \"WAIT\""
    );
    // Unescaped quotes as 2.8.0 drivers send them: cut where upsd cuts.
    wr.write_all(b"SETINFO ups.status \"OL\"\nSETINFO ups.id \"a \"quoted\" value\"\nSETFLAGS ups.id RW STRING\nSETAUX ups.id 20\nDATAOK\nDUMPDONE\n")
        .await
        .unwrap();
    let mut ready = String::new();
    for _ in 0..100 {
        ready = c.ask("GET VAR ups1 ups.status").await;
        if ready.contains("OL") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(ready, "VAR ups1 ups.status \"OL\"");
    assert_eq!(c.ask("GET VAR ups1 ups.id").await, "VAR ups1 ups.id \"a \"");

    for l in ["USERNAME admin", "PASSWORD secret"] {
        assert!(c.ask(l).await.starts_with("OK"));
    }
    assert_eq!(c.ask("SET VAR ups1 ups.id \"x y\"").await, "OK");
    line.clear();
    rd.read_line(&mut line).await.unwrap();
    assert_eq!(line, "SET ups.id \"x y\"\n");

    drop((rd, wr));
    let mut lost = String::new();
    for _ in 0..100 {
        lost = c.ask("GET VAR ups1 ups.status").await;
        if lost.starts_with("ERR") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(lost, "ERR DRIVER-NOT-CONNECTED");
    let (sock, _) = tokio::time::timeout(Duration::from_secs(5), listener.accept())
        .await
        .expect("upsd reconnects")
        .unwrap();
    let mut rd = BufReader::new(sock);
    line.clear();
    rd.read_line(&mut line).await.unwrap();
    assert_eq!(line, "DUMPALL\n");
    srv.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits (bounded) until the captured log has `needle`.
async fn logged(log: &net_common::Captured, needle: &str) -> bool {
    for _ in 0..300 {
        if log.contains(needle) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn stale_data_is_logged_once_when_it_turns_and_when_it_recovers() {
    let dir = fresh_dir("stale");
    let listener = UnixListener::bind(dir.join("fake-ups1")).unwrap();
    let mut opts = nut_server::ServerOptions::with_backend(DriverSockets::new(&dir));
    let log = net_common::Captured::default();
    opts.log = log.logger();
    let mut cfg = config(&[]);
    cfg.upses = vec![nut_server::UpsDef::new("ups1", "fake", "x")];
    cfg.maxage = Duration::from_secs(2);
    let state = nut_server::ServerState::new(cfg, nut_server::Descriptions::builtin());
    let srv = TestServer::start_with(state, opts, log.clone()).await;
    let (sock, _) = listener.accept().await.unwrap();
    let (rd, mut wr) = sock.into_split();
    wr.write_all(b"SETINFO ups.status \"OL\"\nDATAOK\nDUMPDONE\nDATASTALE\n")
        .await
        .unwrap();
    let stale = "Data for UPS [ups1] is stale - check driver";
    let fresh = "UPS [ups1] data is no longer stale";
    assert!(logged(&log, stale).await, "{:?}", log.lines());
    let mut c = srv.client().await;
    assert_eq!(c.ask("GET VAR ups1 ups.status").await, "ERR DATA-STALE");
    wr.write_all(b"DATAOK\n").await.unwrap();
    assert!(logged(&log, fresh).await, "{:?}", log.lines());
    // Silence (no PONG to upsd's PING) past MAXAGE is stale too.
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(c.ask("GET VAR ups1 ups.status").await, "ERR DATA-STALE");
    assert!(logged(&log, stale).await);
    let count = |needle: &str| log.lines().iter().filter(|l| l.contains(needle)).count();
    assert_eq!((count(stale), count(fresh)), (2, 1), "{:?}", log.lines());
    drop((rd, wr));
    srv.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// As upsd (`SS_CONNFAIL_INT`): a driver that cannot be reached is complained about once per
/// 5 minutes, counted from the last complaint even if the driver was reached in between.
#[tokio::test]
async fn an_unreachable_driver_is_complained_about_once_per_five_minutes() {
    let dir = fresh_dir("connfail");
    let (srv, log) = driver_socket_server(&dir, Duration::from_millis(20)).await;
    let complaints = || {
        (log.lines().iter())
            .filter(|l| l.contains("Can't connect to UPS [ups1]"))
            .count()
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(complaints(), 1, "{:?}", log.lines());
    // The driver comes, is reached, and goes away again.
    let socket = dir.join("fake-ups1");
    let listener = UnixListener::bind(&socket).unwrap();
    let (sock, _) = listener.accept().await.unwrap();
    drop(sock);
    drop(listener);
    std::fs::remove_file(&socket).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(log.contains("Connected to UPS [ups1]: fake-ups1"));
    assert_eq!(complaints(), 1, "{:?}", log.lines());
    srv.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A driver line with an unescaped `#` inside quotes (2.8.0 drivers send live values
/// unescaped) is the one line upsd's parser refuses, and upsd says so.
#[tokio::test]
async fn a_driver_line_with_a_hash_in_quotes_is_reported() {
    let dir = fresh_dir("hash");
    let listener = UnixListener::bind(dir.join("fake-ups1")).unwrap();
    let (srv, log) = driver_socket_server(&dir, Duration::from_millis(50)).await;
    let (mut sock, _) = listener.accept().await.unwrap();
    sock.write_all(b"SETINFO ups.id \"a#b\"\nSETINFO ups.status \"OL\"\nDATAOK\nDUMPDONE\n")
        .await
        .unwrap();
    let want = "Parse error on sock: Unbalanced word due to unescaped # in quotes";
    for _ in 0..100 {
        if log.contains(want) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(log.contains(want), "{:?}", log.lines());
    srv.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
