//! upsmon's log when upsd goes away mid-session, against a fake upsd on 127.0.0.1 that
//! closes the connection at a chosen request. NUT 2.8.0's upsmon, traced with strace when
//! upsd is killed: the poll's request is written (the dead peer answers it with a reset),
//! the read meets end-of-file, libupsclient then writes `LOGOUT` while giving the connection
//! up, and that write's EPIPE is what is logged. When the server closes after *reading* the
//! request instead, nothing was written after its close, the `LOGOUT` goes out and the
//! end-of-file stands ("Server disconnected"). Both were checked against NUT 2.8.0's upsmon
//! with a fake server that hangs up the same ways.
//!
//! upsmon's log is captured through a Unix datagram socket standing in for `/dev/log`.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nut_monitor::runtime::upsmon::{Control, Finish};
use support::{fast_upsmon, temp_dir, Syslog};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the fake upsd does.
#[derive(Clone, Copy)]
enum HangUp {
    /// Hangs up after answering the first `GET VAR` (upsd killed between two polls).
    AfterFirstPoll,
    /// Hangs up on reading `USERNAME`, without answering it.
    OnUsername,
    /// Never hangs up; refuses `LOGIN` (a wrong password: upsd checks it at `LOGIN`).
    RefuseLogin,
    /// Never hangs up; refuses `PRIMARY` and `MASTER` (a user without `upsmon primary`).
    RefusePrimary,
    /// Never hangs up; does not know `GET` (a pre-2.0 upsd).
    NoGet,
}

/// A fake upsd for one connection, closed as `hang_up` says; the listener closes with it,
/// so reconnecting is refused. The requests it got are kept in `seen`.
async fn fake_upsd(hang_up: HangUp, seen: Arc<Mutex<Vec<String>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let (sock, _) = listener.accept().await.unwrap();
        drop(listener);
        let (rd, mut wr) = sock.into_split();
        let mut lines = BufReader::new(rd).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let word = line.split_whitespace().next().unwrap_or("").to_owned();
            seen.lock().unwrap().push(line);
            let reply = match (word.as_str(), hang_up) {
                ("STARTTLS", _) => "ERR FEATURE-NOT-CONFIGURED",
                ("USERNAME", HangUp::OnUsername) => return,
                ("LOGIN", HangUp::RefuseLogin) => "ERR ACCESS-DENIED",
                ("PRIMARY" | "MASTER", HangUp::RefusePrimary) => "ERR ACCESS-DENIED",
                ("GET", HangUp::NoGet) => "ERR UNKNOWN-COMMAND",
                ("GET", _) => "VAR ups ups.status \"OL\"",
                _ => "OK",
            };
            wr.write_all(format!("{reply}\n").as_bytes()).await.unwrap();
            if reply.starts_with("VAR") && matches!(hang_up, HangUp::AfterFirstPoll) {
                return;
            }
        }
    });
    port
}

/// Runs upsmon (fast polls) against a fake upsd that hangs up as `hang_up` says until its
/// log, or what the fake upsd got, has a line containing `until`; returns the port and the
/// log.
async fn run(tag: &str, hang_up: HangUp, until: &str) -> (u16, Vec<String>) {
    let (port, log, _) = run_seen(tag, hang_up, until).await;
    (port, log)
}

/// [`run`], also returning the requests the fake upsd got.
async fn run_seen(tag: &str, hang_up: HangUp, until: &str) -> (u16, Vec<String>, Vec<String>) {
    let dir = temp_dir(tag);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let port = fake_upsd(hang_up, seen.clone()).await;
    let text =
        format!("MONITOR ups@127.0.0.1:{port} 1 admin secret primary\nNOTIFYFLAG COMMBAD IGNORE\n");
    let syslog = Syslog::new(&dir);
    let mon = fast_upsmon(&text, &syslog);
    let (tx, rx) = mpsc::channel(4);
    let task = tokio::spawn(mon.run(rx));
    let mut lines = Vec::new();
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        lines.extend(syslog.messages());
        let asked = seen.lock().unwrap().iter().any(|l| l.contains(until));
        if asked || lines.iter().any(|l| l.contains(until)) {
            break;
        }
    }
    tx.send(Control::Stop(15)).await.unwrap();
    let finish = tokio::time::timeout(Duration::from_secs(10), task).await;
    assert_eq!(finish.unwrap().unwrap(), Finish::Stopped);
    lines.extend(syslog.messages());
    let _ = std::fs::remove_dir_all(&dir);
    let seen = seen.lock().unwrap().clone();
    (port, lines, seen)
}

#[tokio::test]
async fn upsd_gone_between_polls_is_a_broken_pipe() {
    let (port, log) = run("poll", HangUp::AfterFirstPoll, "connect failed").await;
    let want = format!("Poll UPS [ups@127.0.0.1:{port}] failed - Write error: Broken pipe");
    assert!(log.contains(&want), "{log:?}");
    let refused = format!(
        "UPS [ups@127.0.0.1:{port}]: connect failed: Connection failure: Connection refused"
    );
    assert!(log.contains(&refused), "{log:?}");
}

#[tokio::test]
async fn upsd_gone_after_reading_the_request_is_server_disconnected() {
    let (port, log) = run("username", HangUp::OnUsername, "connect failed").await;
    let sys = format!("ups@127.0.0.1:{port}");
    // As upsmon 2.8.0: the login's failure, then (the connection was given up during the
    // login) the next poll finds no socket, and only the poll after that reconnects.
    let want = [
        format!("Set username on [{sys}] failed: Server disconnected"),
        format!("Poll UPS [{sys}] failed - Driver not connected"),
        format!("UPS [{sys}]: connect failed: Connection failure: Connection refused"),
    ];
    let seen: Vec<_> = log
        .iter()
        .filter(|l| !l.starts_with("Communications with"))
        .take(3)
        .cloned()
        .collect();
    assert_eq!(seen, want, "{log:?}");
}

/// Checked against NUT 2.8.0's upsmon with a wrong password: it reads the answer to `LOGIN`
/// raw and logs it as it came, keeps the connection and polls it (no new login).
#[tokio::test]
async fn a_refused_login_is_logged_as_upsd_answered_and_polling_goes_on() {
    let (port, log, seen) = run_seen("login", HangUp::RefuseLogin, "GET VAR").await;
    let want = format!("Login on UPS [ups@127.0.0.1:{port}] failed - got [ERR ACCESS-DENIED]");
    assert!(log.contains(&want), "{log:?}");
    let logins = seen.iter().filter(|l| l.starts_with("LOGIN")).count();
    assert_eq!(logins, 1, "{seen:?}");
    let polled = seen
        .iter()
        .position(|l| l.starts_with("GET VAR ups ups.status"));
    let login = seen.iter().position(|l| l.starts_with("LOGIN"));
    assert!(polled > login, "{seen:?}");
    assert!(!seen.iter().any(|l| l.starts_with("PRIMARY")), "{seen:?}");
}

/// upsmon 2.8.0 asks `MASTER` after any refusal of `PRIMARY` and logs the last answer.
#[tokio::test]
async fn a_refused_primary_is_asked_again_as_master_and_its_answer_logged() {
    let (port, log, seen) = run_seen("primary", HangUp::RefusePrimary, "Response:").await;
    let sys = format!("ups@127.0.0.1:{port}");
    let want = [
        format!("Primary managerial privileges unavailable on UPS [{sys}]"),
        "Response: [ERR ACCESS-DENIED]".to_owned(),
    ];
    assert!(log.windows(2).any(|w| w == want), "{log:?}");
    let asked: Vec<_> = seen
        .iter()
        .filter(|l| l.starts_with("PRIMARY") || l.starts_with("MASTER"))
        .collect();
    assert_eq!(asked, ["PRIMARY ups", "MASTER ups"], "{seen:?}");
}

/// upsmon 2.8.0 calls an upsd that does not know `GET` too old, then logs the failed poll.
#[tokio::test]
async fn an_upsd_without_get_is_too_old_to_monitor() {
    let (port, log) = run("old", HangUp::NoGet, "Poll UPS").await;
    let sys = format!("ups@127.0.0.1:{port}");
    let too_old = format!("UPS [{sys}]: Too old to monitor");
    let at = log.iter().position(|l| *l == too_old);
    let next = at.and_then(|i| log.get(i + 1));
    let failed = format!("Poll UPS [{sys}] failed - Unknown command");
    assert_eq!(next, Some(&failed), "{log:?}");
}
