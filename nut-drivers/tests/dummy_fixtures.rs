//! Every device dump of the shared data (`*.dev`, `*.seq`) and every `upsc` capture of the
//! fixtures (`*/*.upsc.txt`) is played by the dummy-ups simulation: each `var: value` line
//! before the first `TIMER` must be published with that value.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use nut_driver_core::DriverState;
use nut_drivers::dummy::Simulation;
use tokio::time::Instant;

fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(shared().join("data/nut"))
        .unwrap()
        .flatten()
    {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "dev" || e == "seq") {
            out.push(p);
        }
    }
    for family in std::fs::read_dir(shared().join("fixtures"))
        .unwrap()
        .flatten()
    {
        if let Ok(dir) = std::fs::read_dir(family.path()) {
            for entry in dir.flatten() {
                if entry.path().to_string_lossy().ends_with(".upsc.txt") {
                    out.push(entry.path());
                }
            }
        }
    }
    out.sort();
    out
}

/// `name: value` lines as upsc prints them, up to the first TIMER; plain values only.
fn expected(text: &str) -> Vec<(String, String)> {
    text.lines()
        .take_while(|l| !l.starts_with("TIMER"))
        .filter(|l| !l.starts_with('#') && !l.starts_with("driver."))
        .filter_map(|l| l.split_once(": "))
        .filter(|(_, v)| !v.contains(['"', '\\', '#']) && v.len() < 127)
        .map(|(n, v)| {
            (
                n.to_owned(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect()
}

#[test]
fn every_dump_and_capture_is_simulated() {
    let files = files();
    assert!(files.len() >= 5, "shared data found: {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut state = DriverState::new();
        let mut sim = Simulation::new(path.clone(), false);
        sim.start(&mut state).unwrap();
        let want = expected(&text);
        assert!(want.len() >= 5, "{}: few variables", path.display());
        let mut last = std::collections::HashMap::new();
        for (n, v) in &want {
            last.insert(n.clone(), v.clone());
        }
        for (name, value) in last {
            assert_eq!(
                state.get(&name),
                Some(value.as_str()),
                "{}: {name}",
                path.display()
            );
        }
        assert!(state.get("ups.status").is_some(), "{}", path.display());
        let rw = state.tree().vars().filter(|v| v.flags.rw).count();
        assert!(rw >= 5, "{}: variables are writable", path.display());
    }
}

#[test]
fn sequence_timers_advance_with_time() {
    let path = shared().join("data/nut/evolution500.seq");
    let mut state = DriverState::new();
    let mut sim = Simulation::new(path, true);
    sim.start(&mut state).unwrap();
    assert_eq!(state.get("ups.status"), Some("OL CHRG"));
    let t0 = Instant::now();
    let mut seen = vec![state.get("ups.status").unwrap().to_owned()];
    // Walk an hour of simulated time in 1 s steps, recording every status change.
    for s in 1..3600 {
        sim.update(&mut state, t0 + Duration::from_secs(s)).unwrap();
        let now = state.get("ups.status").unwrap().to_owned();
        if seen.last() != Some(&now) {
            seen.push(now);
        }
    }
    assert!(
        seen.iter().any(|s| s.contains("OB")),
        "the sequence goes on battery: {seen:?}"
    );
    assert!(seen.len() >= 3, "and back: {seen:?}");
}
