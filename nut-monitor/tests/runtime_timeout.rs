//! The network timeout with a virtual clock: a server that accepts but never answers costs
//! each poll one NET_TIMEOUT (10 s), then the connection is given up, the next poll notices
//! and the one after reconnects; reload moves polling to the new target.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use nut_client::{Client, ClientConfig, ClientError};
use nut_monitor::runtime::connector::{Connector, NET_TIMEOUT};
use nut_monitor::runtime::log::Logger;
use nut_monitor::runtime::notify_exec::Notifier;
use nut_monitor::runtime::power::DirectPowerOff;
use nut_monitor::runtime::upsmon::{Control, Finish, Upsmon};
use nut_proto::config::UpsmonConf;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// Hands out in-memory connections; hosts named `mute` never answer, others answer
/// USERNAME/PASSWORD/LOGIN with OK and GET VAR with `OL`.
#[derive(Default, Clone)]
struct Memory {
    connects: Arc<Mutex<Vec<String>>>,
    requests: Arc<AtomicUsize>,
}

#[async_trait]
impl Connector for Memory {
    type Stream = DuplexStream;

    async fn connect(&self, host: &str, _port: u16) -> Result<Client<DuplexStream>, ClientError> {
        self.connects.lock().unwrap().push(host.to_owned());
        let (ours, theirs) = tokio::io::duplex(4096);
        let (mute, requests) = (host == "mute", self.requests.clone());
        tokio::spawn(async move {
            let (rd, mut wr) = tokio::io::split(theirs);
            let mut lines = BufReader::new(rd).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                requests.fetch_add(1, Ordering::Relaxed);
                if mute {
                    continue;
                }
                let reply = if line.starts_with("GET VAR") {
                    "VAR ups ups.status \"OL\""
                } else {
                    "OK"
                };
                let _ = wr.write_all(format!("{reply}\n").as_bytes()).await;
            }
        });
        let config = ClientConfig::default().io_timeout(NET_TIMEOUT);
        Ok(Client::attach_with(ours, config))
    }
}

fn conf(host: &str) -> UpsmonConf {
    let text =
        format!("MONITOR ups@{host} 1 mon pass secondary\nPOLLFREQ 5\nNOTIFYFLAG COMMBAD IGNORE\n");
    UpsmonConf::parse(&text, "upsmon.conf").unwrap().config
}

#[tokio::test(start_paused = true)]
async fn a_mute_server_times_out_each_poll_and_is_reconnected() {
    let c = conf("mute");
    let log = Logger::stderr_only("upsmon-test");
    let notifier = Notifier::new(None, None, log.clone());
    let power = DirectPowerOff::prepare(&c, &log);
    let memory = Memory::default();
    let mon = Upsmon::new(&c, memory.clone(), notifier, Box::new(power), log);
    let (tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(mon.run(rx));
    // t=0 connect, USERNAME times out at t=10 (connection given up); as upsmon 2.8.0, the
    // poll at t=15 finds no socket ("Driver not connected") and the one at t=20 reconnects.
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert_eq!(memory.connects.lock().unwrap().len(), 1);
    assert_eq!(
        memory.requests.load(Ordering::Relaxed),
        1,
        "stuck on USERNAME"
    );
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert_eq!(
        memory.connects.lock().unwrap().len(),
        1,
        "t=15 only noticed"
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(
        memory.connects.lock().unwrap().len(),
        2,
        "reconnected after the timeout"
    );

    tx.send(Control::Reload(Box::new(conf("good"))))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(30)).await;
    let connects = memory.connects.lock().unwrap().clone();
    assert_eq!(
        connects.last().map(String::as_str),
        Some("good"),
        "{connects:?}"
    );
    let to_good = connects.iter().filter(|h| *h == "good").count();
    assert_eq!(to_good, 1, "a working connection is kept: {connects:?}");
    tx.send(Control::Stop(15)).await.unwrap();
    assert_eq!(run.await.unwrap(), Finish::Stopped);
}
