//! The differential sandbox: one set of drivers served by real upsd 2.8.0 and by ours, with
//! the same `ups.conf` and `upsd.users`, and a blocking line client that talks to both.
//!
//! Drivers: two real `/lib/nut/dummy-ups` 2.8.0 (started by [`common::RealNut`]: every
//! variable RW `STRING:32`, command `load.off`) and our `dummy-ups` reading an annotated file
//! (ENUM, RANGE, read-only variables, several commands), which real dummy-ups 2.8.0 cannot
//! declare. `ghost` is in `ups.conf` without a driver. Both servers connect to the very same
//! driver sockets.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod conn;
pub mod grammar;
pub mod session;

use std::fs;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{free_port, DevSource, RealNut};
use crate::upsd_support::OurUpsd;

/// The annotated device of our dummy-ups (UPS `sim`).
pub const SIM_DEV: &str = "\
# @range ups.delay.shutdown 0 600
# @range ups.delay.start 0 60
# @range ups.delay.start 120 180
# @enum battery.type PbAc Li \"Ni Cd\"
# @enum input.sensitivity low medium high
# @readonly ups.load
# @string ups.id 8
# @cmd test.battery.start.quick test.battery.stop beeper.enable beeper.disable load.on
device.mfr: nut-rs
device.model: Simulated 1500
device.type: ups
ups.mfr: nut-rs
ups.status: OL
ups.load: 23
ups.id: simid
ups.delay.shutdown: 20
ups.delay.start: 30
battery.charge: 100
battery.type: PbAc
input.sensitivity: medium
input.voltage: 230.1
";

/// The device of the second real dummy-ups (UPS `second`).
pub const SECOND_DEV: &str = "ups.status: OB LB\nbattery.charge: 12\nups.mfr: ACME\n";

/// `upsd.users` of both servers.
pub const USERS: &str = "\
[setter]
\tpassword = s3t
\tactions = SET
\tinstcmds = load.off test.battery.start.quick

[boss]
\tpassword = \"b o\\\"ss\"
\tactions = SET FSD
\tinstcmds = ALL

[prim]
\tpassword = pp
\tupsmon primary

[sec]
\tpassword = ss
\tupsmon secondary

[nobody]
\tpassword = nn
";

/// UPS sections served (ghost has no driver).
pub const UPSES: &[&str] = &["dummy", "second", "sim", "ghost"];

/// Both servers on the same drivers.
pub struct Pair {
    real_drivers: RealNut,
    sim_driver: Child,
    real_upsd: Child,
    pub real_port: u16,
    pub ours: OurUpsd,
    dir: PathBuf,
}

impl Pair {
    /// Starts the drivers, real upsd and ours; waits until both serve every live UPS.
    pub fn start() -> Self {
        let real_drivers = RealNut::builder()
            .device("dummy", DevSource::Shared("epdu-managed.dev"))
            .device("second", DevSource::Inline(SECOND_DEV.into()))
            .start();
        let state = real_drivers.state_dir();
        let dir = state.join("diff-etc");
        fs::create_dir_all(&dir).unwrap();
        write_conf(&dir);
        let sim_driver = spawn_sim(&dir, &state);
        let real_port = free_port().unwrap();
        fs::write(
            dir.join("upsd.conf"),
            format!("LISTEN 127.0.0.1 {real_port}\n"),
        )
        .unwrap();
        let real_upsd = Command::new("/lib/nut/upsd")
            .args(["-F", "-u", "root"])
            .env("NUT_CONFPATH", &dir)
            .env("NUT_STATEPATH", &state)
            .env("NUT_ALTPIDPATH", &dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(fs::File::create(dir.join("upsd.log")).unwrap())
            .spawn()
            .unwrap();
        let live = ["dummy", "second", "sim"];
        wait_serving(real_port, &live, &dir);
        let ours = OurUpsd::start(&dir, &state, &live, "");
        Self {
            real_drivers,
            sim_driver,
            real_upsd,
            real_port,
            ours,
            dir,
        }
    }

    /// Real upsd's log so far (for failure messages).
    pub fn real_log(&self) -> String {
        fs::read_to_string(self.dir.join("upsd.log")).unwrap_or_default()
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for child in [&mut self.real_upsd, &mut self.sim_driver] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn write_conf(dir: &Path) {
    fs::write(dir.join("sim.dev"), SIM_DEV).unwrap();
    let ups_conf = "[dummy]\n\tdriver = dummy-ups\n\tport = dummy.dev\n\tdesc = \"Main PDU\"\n\
        [second]\n\tdriver = dummy-ups\n\tport = second.dev\n\
        [sim]\n\tdriver = dummy-ups\n\tport = sim.dev\n\tdesc = \"Sim \\\"quoted\\\" UPS\"\n\
        [ghost]\n\tdriver = dummy-ups\n\tport = ghost.dev\n\tdesc = \"No driver\"\n";
    fs::write(dir.join("ups.conf"), ups_conf).unwrap();
    fs::write(dir.join("upsd.users"), USERS).unwrap();
}

fn spawn_sim(dir: &Path, state: &Path) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_dummy-ups"))
        .args(["-a", "sim", "-u", "root", "-F"])
        .env("NUT_CONFPATH", dir)
        .env("NUT_STATEPATH", state)
        .env("NUT_ALTPIDPATH", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sock = state.join("dummy-ups-sim");
    let deadline = Instant::now() + Duration::from_secs(15);
    while !sock.exists() {
        assert!(
            Instant::now() < deadline,
            "our dummy-ups never made {sock:?}"
        );
        thread::sleep(Duration::from_millis(20));
    }
    child
}

/// Polls until `GET VAR <ups> ups.status`-style data is served for every UPS of `upses`.
fn wait_serving(port: u16, upses: &[&str], dir: &Path) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if serves(port, upses) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "real upsd never served {upses:?}: {}",
            fs::read_to_string(dir.join("upsd.log")).unwrap_or_default()
        );
        thread::sleep(Duration::from_millis(50));
    }
}

fn serves(port: u16, upses: &[&str]) -> bool {
    let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let Ok(mut c) = conn::Conn::new(stream) else {
        return false;
    };
    upses.iter().all(|u| {
        c.request(&format!("GET VAR {u} driver.name"))
            .is_ok_and(|r| r.first().is_some_and(|l| l.starts_with("VAR ")))
    })
}
