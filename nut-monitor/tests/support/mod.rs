//! Shared by the runtime tests: a temp dir, a stand-in for `/dev/log`, and an upsmon over
//! TCP that polls every 100 ms and logs there.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nut_monitor::runtime::connector::TcpConnector;
use nut_monitor::runtime::log::Logger;
use nut_monitor::runtime::notify_exec::Notifier;
use nut_monitor::runtime::power::DirectPowerOff;
use nut_monitor::runtime::upsmon::Upsmon;
use nut_monitor::upsmon::Settings;
use nut_proto::config::UpsmonConf;

/// A fresh directory for the test `tag` of this test binary.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nut-rs-rt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The `/dev/log` stand-in: a Unix datagram socket in a test's directory.
pub struct Syslog {
    sock: UnixDatagram,
    /// Where upsmon's logger sends its datagrams.
    pub path: PathBuf,
}

impl Syslog {
    /// Binds `log.sock` in `dir`.
    pub fn new(dir: &Path) -> Self {
        let path = dir.join("log.sock");
        let _ = std::fs::remove_file(&path);
        let sock = UnixDatagram::bind(&path).unwrap();
        sock.set_nonblocking(true).unwrap();
        Self { sock, path }
    }

    /// The datagrams received so far, whole (`<pri>upsmon[pid]: message`).
    pub fn datagrams(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = [0u8; 2048];
        while let Ok(n) = self.sock.recv(&mut buf) {
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        out
    }

    /// The messages received so far (what follows `]: `).
    pub fn messages(&self) -> Vec<String> {
        let strip = |d: String| match d.split_once("]: ") {
            Some((_, m)) => m.to_owned(),
            None => d,
        };
        self.datagrams().into_iter().map(strip).collect()
    }
}

/// An upsmon for `text` (an upsmon.conf) over TCP, polling every 100 ms, logging to `syslog`.
pub fn fast_upsmon(text: &str, syslog: &Syslog) -> Upsmon<TcpConnector> {
    let conf = UpsmonConf::parse(text, "upsmon.conf").unwrap().config;
    let log = Logger::new("upsmon", false, 0).with_socket(Some(syslog.path.clone()));
    let notifier = Notifier::new(None, None, log.clone());
    let power = DirectPowerOff::prepare(&conf, &log);
    let mut settings = Settings::from_conf(&conf);
    let fast = Duration::from_millis(100);
    (
        settings.pollfreq,
        settings.pollfreqalert,
        settings.first_pollfreq,
    ) = (fast, fast, fast);
    let connector = TcpConnector::new(&conf);
    Upsmon::new(&conf, connector, notifier, Box::new(power), log).with_settings(settings)
}
