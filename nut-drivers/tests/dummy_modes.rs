//! dummy-ups modes on a definition file that changes: `dummy-once` re-reads the file only when
//! its modification time changes, `dummy-loop` plays it over and over.
#![allow(clippy::unwrap_used)]

use std::fs::{File, FileTimes};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use nut_driver_core::DriverState;
use nut_drivers::dummy::Simulation;
use tokio::time::Instant;

fn file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nut-rs-dummy-modes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Rewrites the file and moves its modification time by `secs` (coarse clocks included).
fn rewrite(path: &Path, text: &str, secs: u64) {
    std::fs::write(path, text).unwrap();
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs);
    let f = File::options().write(true).open(path).unwrap();
    f.set_times(FileTimes::new().set_modified(t)).unwrap();
}

#[test]
fn once_mode_rereads_only_a_changed_file() {
    let path = file("once.dev", "ups.id: one\n");
    rewrite(&path, "ups.id: one\n", 1);
    let mut state = DriverState::new();
    let mut sim = Simulation::new(path.clone(), false);
    sim.start(&mut state).unwrap();
    assert_eq!(state.get("ups.id"), Some("one"));
    // A value changed by a client stays while the file does not change.
    state.set_info("ups.id", "client");
    let t0 = Instant::now();
    sim.update(&mut state, t0).unwrap();
    assert_eq!(state.get("ups.id"), Some("client"));
    // A new modification time: the file is played again.
    rewrite(&path, "ups.id: two\nbattery.charge: 40\n", 2);
    sim.update(&mut state, t0 + Duration::from_secs(1)).unwrap();
    assert_eq!(state.get("ups.id"), Some("two"));
    assert_eq!(state.get("battery.charge"), Some("40"));
    // A file that disappears is an error (the data goes stale), not a panic.
    std::fs::remove_file(&path).unwrap();
    let mut gone = Simulation::new(path, false);
    assert!(gone.start(&mut DriverState::new()).is_err());
}

#[test]
fn loop_mode_replays_the_file() {
    let path = file("loop.seq", "ups.id: first\n");
    let mut state = DriverState::new();
    let mut sim = Simulation::new(path.clone(), true);
    sim.start(&mut state).unwrap();
    state.set_info("ups.id", "client");
    sim.update(&mut state, Instant::now()).unwrap();
    assert_eq!(state.get("ups.id"), Some("first"), "played again");
    // Changes are picked up on the next pass without any modification-time trick.
    std::fs::write(&path, "ups.id: second\n").unwrap();
    sim.update(&mut state, Instant::now()).unwrap();
    assert_eq!(state.get("ups.id"), Some("second"));
}
