//! One differential session: the same random lines to real upsd and ours, replies compared
//! after masking what legitimately differs.

use std::fmt;
use std::time::Duration;

use super::conn::Conn;
use super::grammar::{Grammar, Rng, Step, PROBE, PROBE_REPLY};

/// A reply that differs.
#[derive(Debug, Clone)]
pub struct Mismatch {
    pub seed: u64,
    pub session: usize,
    /// Every request of the session up to and including the differing one: `(conn, line)`.
    pub transcript: Vec<(usize, String)>,
    pub real: Vec<String>,
    pub ours: Vec<String>,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "seed {} session {}:", self.seed, self.session)?;
        for (conn, line) in &self.transcript {
            writeln!(f, "  c{conn}> {line:?}")?;
        }
        writeln!(f, "  real: {:?}", self.real)?;
        write!(f, "  ours: {:?}", self.ours)
    }
}

/// One connection to each server.
struct Twin {
    real: Conn,
    ours: Conn,
    open: bool,
}

/// Runs session `session` of `seed` with `lines` random lines; the first mismatch, if any.
pub fn run(
    ports: (u16, u16),
    seed: u64,
    session: usize,
    lines: usize,
) -> Result<(), Box<Mismatch>> {
    let mut rng = Rng::new(seed ^ ((session as u64 + 1) << 32));
    let conns = 1 + rng.below(2);
    let mut twins: Vec<Twin> = (0..conns).map(|_| Twin::open(ports)).collect();
    let mut transcript = Vec::new();
    let mut logged_in = false;
    let mut tids = ("none".to_string(), "none".to_string());
    let mut steps: Vec<(usize, Step)> = Vec::new();
    for c in 0..conns {
        steps.extend(
            Grammar::new(&mut rng)
                .preamble()
                .into_iter()
                .map(|s| (c, s)),
        );
    }
    for _ in 0..lines {
        let c = rng.below(conns);
        steps.push((c, Grammar::new(&mut rng).step()));
    }
    for (c, step) in steps {
        if !twins[c].open {
            continue;
        }
        transcript.push((c, step.line.clone() + step.closer.unwrap_or_default()));
        let (real, ours) = twins[c].exchange(&step, &mut tids);
        if cut_by_real(&real, &ours) {
            // DEVIATIONS.md: "Replies are never cut at 512 bytes" (real upsd cuts them and
            // loses the newline, so its connection is out of step from here on).
            twins[c].open = false;
            continue;
        }
        logged_in |= is_login(&step) && real.first().is_some_and(|l| l == "OK");
        if !same(&real, &ours) {
            return Err(Box::new(Mismatch {
                seed,
                session,
                transcript,
                real,
                ours,
            }));
        }
    }
    for (c, twin) in twins.iter_mut().enumerate() {
        if twin.open {
            transcript.push((c, "LOGOUT\n".into()));
            let logout = Step {
                line: "LOGOUT\n".into(),
                closer: None,
            };
            let (real, ours) = twin.exchange(&logout, &mut tids);
            if !same(&real, &ours) {
                return Err(Box::new(Mismatch {
                    seed,
                    session,
                    transcript,
                    real,
                    ours,
                }));
            }
        }
        // After a LOGIN, wait for both to close so that the next session's NUMLOGINS and
        // LIST CLIENT agree (real upsd closes a LOGOUT connection only on its next poll
        // round, or at once when it reads our end of stream).
        if logged_in {
            twin.real.closed_within(Duration::from_secs(5));
            twin.ours.closed_within(Duration::from_secs(5));
        }
    }
    Ok(())
}

impl Twin {
    fn open(ports: (u16, u16)) -> Self {
        Self {
            real: Conn::open(ports.0).expect("connect to real upsd"),
            ours: Conn::open(ports.1).expect("connect to our upsd"),
            open: true,
        }
    }

    /// Sends `step` to both; the masked replies (real, ours). `tids` holds the last tracking
    /// id each server handed out in this session (ids are global: any connection may ask).
    fn exchange(&mut self, step: &Step, tids: &mut (String, String)) -> (Vec<String>, Vec<String>) {
        let t = std::time::Instant::now();
        let real = send(&mut self.real, step, &mut tids.0);
        let t2 = std::time::Instant::now();
        let ours = send(&mut self.ours, step, &mut tids.1);
        if std::env::var_os("NUT_DIFF_VERBOSE").is_some() {
            eprintln!(
                "{:?} real {:?} ours {:?} -> {real:?} {ours:?}",
                step,
                t2 - t,
                t2.elapsed()
            );
        }
        if real
            .iter()
            .chain(&ours)
            .any(|l| l == "OK Goodbye" || l == "<EOF>")
        {
            self.open = false;
        }
        (real, ours)
    }
}

fn is_login(step: &Step) -> bool {
    step.line
        .trim_start()
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case("LOGIN"))
}

fn send(conn: &mut Conn, step: &Step, tid: &mut String) -> Vec<String> {
    let line = step.line.replace("{TID}", tid);
    let reply = match step.closer {
        None => conn.send(&line).and_then(|()| conn.read_reply()),
        Some(closer) => conn.request_until(&line, &format!("{closer}{PROBE}"), PROBE_REPLY),
    };
    let lines = reply.unwrap_or_else(|e| vec![format!("<IO ERROR {:?}>", e.kind())]);
    for line in &lines {
        if let Some(id) = line.strip_prefix("OK TRACKING ") {
            *tid = id.to_string();
        }
    }
    lines.iter().map(|l| mask(l)).collect()
}

/// Real upsd sent no complete reply where ours sent a line of 512 bytes or more.
fn cut_by_real(real: &[String], ours: &[String]) -> bool {
    real.iter().any(|l| l.starts_with("<IO ERROR")) && ours.iter().any(|l| l.len() >= 511)
}

/// Equal after masking; a tracking result `PENDING` on one side matches any result on the
/// other (the driver answers on its own schedule; both servers ask the same driver).
fn same(real: &[String], ours: &[String]) -> bool {
    const RESULTS: [&str; 3] = ["PENDING", "SUCCESS", "ERR FAILED"];
    real == ours
        || (real.len() == 1
            && ours.len() == 1
            && (real[0] == "PENDING" || ours[0] == "PENDING")
            && RESULTS.contains(&real[0].as_str())
            && RESULTS.contains(&ours[0].as_str()))
}

/// Masks what legitimately differs: the version text (VER, server.version, server.info)
/// and tracking ids (DEVIATIONS.md: "Tracking ids come from a seeded generator").
fn mask(line: &str) -> String {
    if line.starts_with("Network UPS Tools upsd ") {
        return "<VER>".into();
    }
    let words: Vec<&str> = line.split(' ').collect();
    if words.len() >= 3
        && words[0] == "VAR"
        && (words[2].eq_ignore_ascii_case("server.version")
            || words[2].eq_ignore_ascii_case("server.info"))
    {
        return format!("VAR {} {} <VERSION>", words[1], words[2]);
    }
    mask_uuids(line)
}

/// Replaces every `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (hex) with `<UUID>`.
fn mask_uuids(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if i + 36 <= b.len() && is_uuid(&b[i..i + 36]) {
            out.push_str("<UUID>");
            i += 36;
        } else {
            let ch = line[i..].chars().next().unwrap_or('?');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

fn is_uuid(b: &[u8]) -> bool {
    b.iter().enumerate().all(|(i, c)| {
        if matches!(i, 8 | 13 | 18 | 23) {
            *c == b'-'
        } else {
            c.is_ascii_hexdigit()
        }
    })
}
