//! Replays conversations captured from real upsd 2.8.0 (`tests/data/transcripts/*.txt`, made by
//! `capture.py` there with scripted drivers) through `ServerState` + `Session`, with the same
//! configuration and driver data, and checks every reply byte for byte. Tracking ids are the
//! one expected difference (upsd's come from an unseeded `rand()`): ours are matched by shape,
//! and the captured ids are mapped to ours wherever they appear later.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nut_proto::config::{UpsConf, UpsdConf, UpsdUsers};
use nut_proto::text::{split_line_with, Limits};
use nut_server::driver_core::sock::DriverMsg;
use nut_server::{ConnId, Descriptions, ServedConfig, ServerState, Session, TlsPolicy};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/transcripts")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(data_dir().join(name)).expect(name)
}

/// NUT's installed cmdvartab, which the capturing upsd read.
fn cmdvartab() -> Descriptions {
    let candidates = [
        PathBuf::from("/usr/share/nut/cmdvartab"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/nut/cmdvartab"),
    ];
    let text = candidates
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .expect("NUT's cmdvartab (install nut-server or provide ../shared/data/nut/cmdvartab)");
    Descriptions::parse(&text)
}

fn is_uuid_v4_upper(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    lens == [8, 4, 4, 4, 12]
        && id
            .bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        && groups[2].starts_with('4')
        && matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'A' | b'B')
}

struct Replay {
    state: ServerState,
    base: Instant,
    tick: u64,
    next_conn: ConnId,
    ids: Vec<(String, String)>,
}

impl Replay {
    fn new() -> Self {
        let ups = UpsConf::parse(&read("ups.conf"), "ups.conf")
            .unwrap()
            .config;
        let users = UpsdUsers::parse(&read("upsd.users"), "upsd.users")
            .unwrap()
            .config;
        let upsd = UpsdConf::parse("", "upsd.conf").unwrap().config;
        let cfg = ServedConfig::from_configs(&upsd, &users, &ups).unwrap();
        let mut r = Self {
            state: ServerState::new(cfg, cmdvartab()),
            base: Instant::now(),
            tick: 0,
            next_conn: 1,
            ids: Vec::new(),
        };
        r.state.seed_tracking_ids(0x5eed);
        r.start_drivers();
        r
    }

    fn now(&mut self) -> Instant {
        self.tick += 1;
        self.base + Duration::from_millis(self.tick)
    }

    fn start_drivers(&mut self) {
        let mut connected: Vec<String> = Vec::new();
        for line in read("drivers.txt").lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (ups, rest) = line.split_once(' ').unwrap();
            if !connected.iter().any(|u| u == ups) {
                self.state.driver_connected(ups, self.base);
                connected.push(ups.to_owned());
            }
            if rest != "silent" {
                let msg = DriverMsg::parse(rest).unwrap();
                self.state.driver_msg(ups, &msg, self.base);
            }
        }
    }

    /// Replaces captured tracking ids by ours (in either letter case).
    fn map_ids(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (real, ours) in &self.ids {
            out = out.replace(real.as_str(), ours);
            out = out.replace(&real.to_lowercase(), &ours.to_lowercase());
        }
        out
    }

    fn run_file(&mut self, name: &str, text: &str) -> usize {
        let mut sessions: HashMap<String, Session> = HashMap::new();
        let lines: Vec<&str> = text.lines().collect();
        let mut checked = 0;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            let (tag, rest) = line.split_once(':').unwrap_or((line, ""));
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            match tag {
                "D" => {
                    let (ups, msg) = rest.split_once(' ').unwrap();
                    let now = self.now();
                    // upsd ignores a line it cannot use (e.g. SETFLAGS without flags).
                    if let Ok(msg) = DriverMsg::parse(&self.map_ids(msg)) {
                        self.state.driver_msg(ups, &msg, now);
                    }
                }
                "X2" => {
                    let mut s = sessions.remove("2").expect("X2 without connection 2");
                    s.closed(&mut self.state);
                }
                "C" | "C2" => {
                    let conn = tag[1..].to_owned();
                    let expected: Vec<&str> = lines[i..]
                        .iter()
                        .take_while(|l| l.starts_with(&format!("S{conn}: ")))
                        .map(|l| &l[3 + conn.len()..])
                        .collect();
                    i += expected.len();
                    let got = self.request(&mut sessions, &conn, rest);
                    self.compare(name, rest, &expected, &got);
                    checked += 1;
                }
                _ => {}
            }
        }
        for (_, mut s) in sessions {
            s.closed(&mut self.state);
        }
        checked
    }

    fn request(
        &mut self,
        sessions: &mut HashMap<String, Session>,
        conn: &str,
        raw: &str,
    ) -> Vec<String> {
        let id = self.next_conn;
        let session = sessions
            .entry(conn.to_owned())
            .or_insert_with(|| Session::new(id, "127.0.0.1".into(), TlsPolicy::default()));
        if session.id() == id {
            self.next_conn += 1;
        }
        let words = split_line_with(&self.map_ids(raw), Limits::NETWORK);
        let now = self.now();
        let reply = session.handle(words, &mut self.state, now);
        assert!(reply.text.is_empty() || reply.text.ends_with('\n'));
        reply.text.lines().map(str::to_owned).collect()
    }

    fn compare(&mut self, file: &str, request: &str, expected: &[&str], got: &[String]) {
        let context = format!("{file}: {request:?}\nexpected {expected:#?}\ngot {got:#?}");
        assert_eq!(expected.len(), got.len(), "{context}");
        for (want, have) in expected.iter().zip(got) {
            if let (Some(real), Some(ours)) = (
                want.strip_prefix("OK TRACKING "),
                have.strip_prefix("OK TRACKING "),
            ) {
                assert!(is_uuid_v4_upper(ours), "{context}");
                assert!(
                    !self.ids.iter().any(|(_, o)| o == ours),
                    "id repeated: {ours}"
                );
                self.ids.push((real.to_owned(), ours.to_owned()));
                continue;
            }
            assert_eq!(*want, have, "{context}");
        }
    }
}

#[test]
fn every_captured_conversation_replays_byte_for_byte() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "txt") && p.file_name().unwrap() != "drivers.txt"
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "transcripts missing: {files:?}");
    let mut replay = Replay::new();
    let mut total = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let n = replay.run_file(&name, &text);
        assert!(n > 0, "{name} has no requests");
        total += n;
    }
    assert!(total > 250, "only {total} requests replayed");
    assert!(replay.ids.len() >= 6, "tracking ids seen: {:?}", replay.ids);
}
