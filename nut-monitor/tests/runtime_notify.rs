//! Notifications through the upsmon runtime, as a user sees them: SYSLOG datagrams (a Unix
//! datagram socket stands in for `/dev/log`) and WALL (a fake `wall` script records its
//! stdin), and the timing of NOCOMM and REPLBATT on a virtual clock against a scripted
//! in-memory upsd.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use nut_client::{Client, ClientConfig, ClientError};
use nut_monitor::runtime::connector::{Connector, NET_TIMEOUT};
use nut_monitor::runtime::log::Logger;
use nut_monitor::runtime::notify_exec::Notifier;
use nut_monitor::runtime::power::DirectPowerOff;
use nut_monitor::runtime::upsmon::{Control, Finish, Upsmon};
use nut_monitor::upsmon::Settings;
use nut_proto::config::UpsmonConf;
use support::{temp_dir, Syslog};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// An in-memory upsd: answers everything with OK and `GET VAR` with `status`; while `down`
/// it refuses connections and hangs up on open ones.
#[derive(Clone)]
struct Scripted {
    status: Arc<Mutex<String>>,
    down: Arc<AtomicBool>,
}

impl Scripted {
    fn new(status: &str) -> Self {
        Self {
            status: Arc::new(Mutex::new(status.into())),
            down: Arc::new(AtomicBool::new(false)),
        }
    }
}

#[async_trait]
impl Connector for Scripted {
    type Stream = DuplexStream;

    async fn connect(&self, _: &str, _: u16) -> Result<Client<DuplexStream>, ClientError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into());
        }
        let (ours, theirs) = tokio::io::duplex(4096);
        let me = self.clone();
        tokio::spawn(async move {
            let (rd, mut wr) = tokio::io::split(theirs);
            let mut lines = BufReader::new(rd).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if me.down.load(Ordering::SeqCst) {
                    return;
                }
                let reply = if line.starts_with("GET VAR") {
                    let st = me.status.lock().unwrap().clone();
                    format!("VAR ups ups.status \"{st}\"")
                } else {
                    "OK".into()
                };
                let _ = wr.write_all(format!("{reply}\n").as_bytes()).await;
            }
        });
        Ok(Client::attach_with(
            ours,
            ClientConfig::default().io_timeout(NET_TIMEOUT),
        ))
    }
}

fn start(
    text: &str,
    server: &Scripted,
    syslog: &Syslog,
    wall: Option<String>,
    tune: impl FnOnce(&mut Settings),
) -> (mpsc::Sender<Control>, tokio::task::JoinHandle<Finish>) {
    let conf = UpsmonConf::parse(text, "upsmon.conf").unwrap().config;
    let log = Logger::new("upsmon", false, 0).with_socket(Some(syslog.path.clone()));
    let notifier = Notifier::new(None, wall, log.clone());
    let power = DirectPowerOff::prepare(&conf, &log);
    let mut settings = Settings::from_conf(&conf);
    tune(&mut settings);
    let mon =
        Upsmon::new(&conf, server.clone(), notifier, Box::new(power), log).with_settings(settings);
    let (tx, rx) = mpsc::channel(4);
    (tx, tokio::spawn(mon.run(rx)))
}

/// `msg` as our syslog datagram carries it (notice, daemon).
fn notice(msg: &str) -> String {
    format!("<29>upsmon[{}]: {msg}", std::process::id())
}

#[tokio::test]
async fn syslog_and_wall_carry_the_exact_messages() {
    let dir = temp_dir("wall");
    let syslog = Syslog::new(&dir);
    let wall = dir.join("wall");
    std::fs::write(
        &wall,
        format!("#!/bin/sh\ncat >> {}/walled\n", dir.display()),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["+x", &wall.display().to_string()])
        .status()
        .unwrap();
    let server = Scripted::new("OL");
    let text = "MONITOR ups@h 1 mon pass secondary\n\
                NOTIFYFLAG ONBATT SYSLOG+WALL\nNOTIFYFLAG ONLINE WALL\n\
                NOTIFYMSG ONLINE \"power back on %s\"\n";
    let fast = |s: &mut Settings| {
        (s.pollfreq, s.pollfreqalert) = (Duration::from_millis(50), Duration::from_millis(50));
    };
    let (tx, run) = start(
        text,
        &server,
        &syslog,
        Some(wall.display().to_string()),
        fast,
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    *server.status.lock().unwrap() = "OB".into();
    tokio::time::sleep(Duration::from_millis(300)).await;
    *server.status.lock().unwrap() = "OL".into();
    tokio::time::sleep(Duration::from_millis(300)).await;
    tx.send(Control::Stop(15)).await.unwrap();
    assert_eq!(run.await.unwrap(), Finish::Stopped);
    let walled = std::fs::read_to_string(dir.join("walled")).unwrap_or_default();
    assert_eq!(walled, "UPS ups@h on battery\npower back on ups@h\n");
    let logged: Vec<String> = syslog
        .datagrams()
        .into_iter()
        .filter(|l| !l.contains("exiting"))
        .collect();
    assert_eq!(logged, vec![notice("UPS ups@h on battery")]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Steps the virtual clock a second at a time for `secs` seconds (sampling half-way
/// between whole seconds, when no poll is due), collecting `(whole seconds since start,
/// message)` for each notice-level datagram (the notifications; errors are level 3).
async fn collect(syslog: &Syslog, t0: Instant, secs: u64, out: &mut Vec<(u64, String)>) {
    if t0.elapsed().is_zero() {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    for _ in 0..secs {
        for line in syslog.datagrams() {
            if let Some(msg) = line.strip_prefix("<29>").and_then(|l| l.split_once("]: ")) {
                out.push((t0.elapsed().as_secs(), msg.1.to_owned()));
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(start_paused = true)]
async fn nocomm_repeats_every_nocommwarntime_after_the_last_good_poll() {
    let dir = temp_dir("nocomm");
    let syslog = Syslog::new(&dir);
    let server = Scripted::new("OL");
    let text = "MONITOR ups@h 1 mon pass secondary\nPOLLFREQ 5\nNOCOMMWARNTIME 30\n\
                NOTIFYFLAG COMMBAD SYSLOG\nNOTIFYFLAG COMMOK SYSLOG\nNOTIFYFLAG NOCOMM SYSLOG\n";
    let t0 = Instant::now();
    let (tx, run) = start(text, &server, &syslog, None, |_| {});
    let mut seen = Vec::new();
    collect(&syslog, t0, 17, &mut seen).await;
    server.down.store(true, Ordering::SeqCst);
    collect(&syslog, t0, 101, &mut seen).await;
    server.down.store(false, Ordering::SeqCst);
    collect(&syslog, t0, 5, &mut seen).await;
    tx.send(Control::Stop(15)).await.unwrap();
    assert_eq!(run.await.unwrap(), Finish::Stopped);
    // Polls every 5 s: the last good one at 15; COMMBAD at the first failure (20); NOCOMM
    // once 30 s have passed since the good poll (45), then whenever more than 30 s have
    // passed since the last warning (80, 115); COMMOK at the next good poll (120).
    let want = [
        (20, "Communications with UPS ups@h lost"),
        (45, "UPS ups@h is unavailable"),
        (80, "UPS ups@h is unavailable"),
        (115, "UPS ups@h is unavailable"),
        (120, "Communications with UPS ups@h established"),
    ];
    let want: Vec<(u64, String)> = want.iter().map(|(t, m)| (*t, (*m).to_owned())).collect();
    assert_eq!(seen, want);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(start_paused = true)]
async fn replbatt_is_repeated_at_most_every_rbwarntime() {
    let dir = temp_dir("replbatt");
    let syslog = Syslog::new(&dir);
    let server = Scripted::new("OL RB");
    let text = "MONITOR ups@h 1 mon pass secondary\nPOLLFREQ 5\nRBWARNTIME 60\n\
                NOTIFYFLAG REPLBATT SYSLOG\n";
    let t0 = Instant::now();
    let (tx, run) = start(text, &server, &syslog, None, |_| {});
    let mut seen = Vec::new();
    collect(&syslog, t0, 140, &mut seen).await;
    *server.status.lock().unwrap() = "OL".into();
    collect(&syslog, t0, 60, &mut seen).await;
    tx.send(Control::Stop(15)).await.unwrap();
    assert_eq!(run.await.unwrap(), Finish::Stopped);
    // First poll at 0; then the first poll more than 60 s after the last warning: 65, 130.
    // RB gone at 140: no more warnings.
    let times: Vec<u64> = seen.iter().map(|(t, _)| *t).collect();
    assert_eq!(times, [0, 65, 130], "{seen:?}");
    assert!(seen
        .iter()
        .all(|(_, m)| m == "UPS ups@h battery needs to be replaced"));
    let _ = std::fs::remove_dir_all(&dir);
}
