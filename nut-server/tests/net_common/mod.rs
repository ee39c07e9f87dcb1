//! Shared helpers for the network-layer tests: a server on 127.0.0.1:0 serving a simulated
//! UPS hosted in process, and a line client.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use nut_driver_core::sock::TrackingResult;
use nut_driver_core::{Driver, DriverError, DriverInfo, DriverState};
use nut_proto::config::UpsdUsers;
use nut_server::auth::Users;
use nut_server::net::{Level, Logger};
use nut_server::{
    Descriptions, InProcess, ServedConfig, Server, ServerHandle, ServerOptions, ServerState, UpsDef,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A simulated UPS: a few variables, one writable, two commands.
pub struct SimUps;

#[async_trait]
impl Driver for SimUps {
    fn info(&self) -> DriverInfo {
        DriverInfo {
            name: "sim",
            version: "1.0",
            description: "test UPS",
        }
    }

    async fn init(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.set_info("device.mfr", "ACME");
        st.set_info("ups.status", "OL");
        st.set_info("battery.charge", "100");
        st.set_info("ups.id", "lab");
        st.set_rw_string("ups.id", 16);
        st.add_cmd("test.battery.start");
        st.add_cmd("beeper.off");
        st.data_ok();
        Ok(())
    }

    async fn update(&mut self, st: &mut DriverState) -> Result<(), DriverError> {
        st.data_ok();
        Ok(())
    }

    async fn set_var(&mut self, st: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        if var.eq_ignore_ascii_case("ups.id") {
            st.set_info("ups.id", value);
            TrackingResult::Handled
        } else {
            TrackingResult::Unknown
        }
    }

    async fn instcmd(&mut self, _: &mut DriverState, _: &str, _: Option<&str>) -> TrackingResult {
        TrackingResult::Handled
    }
}

pub const USERS: &str =
    "[admin]\n password = secret\n actions = SET FSD\n instcmds = ALL\n upsmon primary\n";

pub fn users() -> Users {
    Users::from_config(&UpsdUsers::parse(USERS, "upsd.users").unwrap().config)
}

pub fn config(names: &[&str]) -> ServedConfig {
    let upses = names
        .iter()
        .map(|n| UpsDef::new(*n, "sim", "none"))
        .collect();
    ServedConfig::new(upses, users())
}

/// Log lines captured from the server.
#[derive(Clone, Default)]
pub struct Captured(pub Arc<Mutex<Vec<String>>>);

impl Captured {
    pub fn logger(&self) -> Logger {
        let lines = self.0.clone();
        Logger::new(move |level: Level, msg: &str| {
            lines.lock().unwrap().push(format!("{level}: {msg}"));
        })
    }

    pub fn contains(&self, needle: &str) -> bool {
        self.0.lock().unwrap().iter().any(|l| l.contains(needle))
    }

    #[allow(dead_code)] // not every test file uses it
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A running server on 127.0.0.1:0.
pub struct TestServer {
    pub addr: SocketAddr,
    pub handle: ServerHandle,
    pub log: Captured,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `names` (each a [`SimUps`]) with options changed by `tweak`.
    pub async fn start(names: &[&str], tweak: impl FnOnce(&mut ServerOptions)) -> Self {
        let backend = InProcess::new().with_poll_interval(Duration::from_millis(200));
        for n in names {
            backend.add(n, SimUps);
        }
        let mut opts = ServerOptions::with_backend(backend);
        let log = Captured::default();
        opts.log = log.logger();
        tweak(&mut opts);
        Self::start_with(
            ServerState::new(config(names), Descriptions::builtin()),
            opts,
            log,
        )
        .await
    }

    pub async fn start_with(state: ServerState, opts: ServerOptions, log: Captured) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = Server::new(state, opts);
        let handle = server.handle();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .serve(vec![listener], async {
                    let _ = rx.await;
                })
                .await
                .unwrap();
        });
        Self {
            addr,
            handle,
            log,
            stop: Some(tx),
            task: Some(task),
        }
    }

    pub async fn client(&self) -> LineClient {
        LineClient::connect(self.addr).await
    }

    /// Waits until `ups` answers GET VAR with data (the backend finished its dump).
    pub async fn wait_ready(&self, ups: &str) {
        let mut c = self.client().await;
        for _ in 0..200 {
            let r = c.ask(&format!("GET VAR {ups} ups.status")).await;
            if r.starts_with("VAR ") && !r.contains("WAIT") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("UPS {ups} never became ready");
    }

    /// Stops the server and waits for `serve` to return.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("serve returned after shutdown")
                .unwrap();
        }
    }
}

/// A client that reads replies line by line (bounded).
pub struct LineClient {
    pub rd: BufReader<OwnedReadHalf>,
    pub wr: OwnedWriteHalf,
}

impl LineClient {
    pub async fn connect(addr: SocketAddr) -> Self {
        let (rd, wr) = TcpStream::connect(addr).await.unwrap().into_split();
        Self {
            rd: BufReader::new(rd),
            wr,
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.wr.write_all(bytes).await.unwrap();
    }

    /// One reply line (without newline); "" on EOF. Fails after 5 s.
    pub async fn line(&mut self) -> String {
        let mut s = String::new();
        let read = async {
            let mut bounded = (&mut self.rd).take(1 << 20);
            bounded.read_line(&mut s).await
        };
        tokio::time::timeout(Duration::from_secs(5), read)
            .await
            .expect("reply within 5 s")
            .unwrap();
        s.trim_end_matches('\n').to_string()
    }

    pub async fn ask(&mut self, line: &str) -> String {
        self.send(format!("{line}\n").as_bytes()).await;
        self.line().await
    }

    /// A LIST reply, BEGIN to END inclusive.
    pub async fn list(&mut self, line: &str) -> Vec<String> {
        let mut out = vec![self.ask(line).await];
        while out[0].starts_with("BEGIN") && !out.last().unwrap().starts_with("END") {
            out.push(self.line().await);
        }
        out
    }

    /// True if the server closes the connection within `within`.
    pub async fn closed_within(&mut self, within: Duration) -> bool {
        let mut buf = [0u8; 256];
        let read = async {
            loop {
                match self.rd.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(within, read).await.is_ok()
    }
}
