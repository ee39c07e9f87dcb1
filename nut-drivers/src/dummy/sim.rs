//! The simulated device: plays a definition file into the driver state.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use nut_driver_core::sock::TrackingResult;
use nut_driver_core::tree::Flags;
use nut_driver_core::{DriverError, DriverState};
use tokio::time::Instant;

use super::file::{Annotation, DevFile, Step};
use super::table::{lookup, INITIAL, UNKNOWN_LEN};

/// Largest definition file we read (a real dump is a few kB).
const MAX_FILE: u64 = 4 << 20;

/// A definition file being played.
#[derive(Debug)]
pub struct Simulation {
    path: PathBuf,
    looping: bool,
    file: DevFile,
    /// Next step to play; `None` between passes.
    pos: Option<usize>,
    resume_at: Option<Instant>,
    mtime: Option<SystemTime>,
    types: HashMap<String, Annotation>,
    cmds: Vec<String>,
}

impl Simulation {
    /// A simulation of `path`; `looping` replays it forever, otherwise it is read once and
    /// again only when its modification time changes.
    pub fn new(path: PathBuf, looping: bool) -> Self {
        Self {
            path,
            looping,
            file: DevFile::default(),
            pos: None,
            resume_at: None,
            mtime: None,
            types: HashMap::new(),
            cmds: Vec::new(),
        }
    }

    /// Publishes the initial variables and plays the file up to its end or first `TIMER`.
    pub fn start(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        for (var, value) in INITIAL {
            state.set_info(var, *value);
            self.apply_type(state, var);
        }
        self.update(state, Instant::now())
    }

    /// One poll at `now`.
    pub fn update(&mut self, state: &mut DriverState, now: Instant) -> Result<(), DriverError> {
        if let Some(t) = self.resume_at {
            if now < t {
                return Ok(());
            }
            self.resume_at = None;
        }
        if self.pos.is_none() {
            let mtime = std::fs::metadata(&self.path)
                .and_then(|m| m.modified())
                .ok();
            if !self.looping && self.mtime.is_some() && mtime == self.mtime {
                return Ok(());
            }
            self.load()?;
            self.mtime = mtime;
            self.pos = Some(0);
        }
        self.play(state, now);
        Ok(())
    }

    fn load(&mut self) -> Result<(), DriverError> {
        let text = read_bounded(&self.path).map_err(|e| {
            DriverError::io(
                format!(
                    "Can't open dummy-ups definition file {p}: Can't open {p}",
                    p = self.path.display()
                ),
                e,
            )
        })?;
        self.file = DevFile::parse(&text);
        self.types.clear();
        self.cmds.clear();
        for a in &self.file.annotations {
            match (a, a.var()) {
                (Annotation::Cmd(names), _) => self.cmds.extend(names.iter().cloned()),
                (_, Some(var)) => {
                    self.types.insert(var.to_ascii_lowercase(), a.clone());
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn play(&mut self, state: &mut DriverState, now: Instant) {
        for c in &self.cmds {
            state.add_cmd(c);
        }
        let mut i = self.pos.unwrap_or(0);
        while let Some(step) = self.file.steps.get(i).cloned() {
            i += 1;
            match step {
                Step::Timer(secs) => {
                    self.resume_at = Some(now + Duration::from_secs(secs));
                    self.pos = Some(i);
                    return;
                }
                Step::Status(tokens) => set_status(state, &tokens),
                Step::Set { var, value } => {
                    state.set_info(&var, value);
                    self.apply_type(state, &var);
                }
            }
        }
        self.pos = None;
    }

    /// Flags (and enums, ranges, length) of a variable: annotation, else the table, else a
    /// string of 32. Immutable (`override.*`) variables keep theirs, as in NUT.
    fn apply_type(&self, state: &mut DriverState, var: &str) {
        match state.tree().get(var) {
            None => return,
            Some(v) if v.flags.immutable => {
                // NUT's dstate_setflags refuses, with this warning, each time.
                let msg = format!("dstate_setflags: base variable ({var}) is immutable");
                nut_driver_core::cli::logx(nut_driver_core::cli::Priority::Warning, &msg);
                return;
            }
            Some(_) => {}
        }
        let rw = |string| Flags {
            rw: true,
            string,
            ..Flags::default()
        };
        match self.types.get(&var.to_ascii_lowercase()) {
            Some(Annotation::Enum(_, values)) => {
                state.set_flags(var, rw(true));
                let longest = values.iter().map(String::len).max().unwrap_or(1);
                state.set_aux(var, i64::try_from(longest).unwrap_or(UNKNOWN_LEN));
                values.iter().for_each(|v| state.add_enum(var, v));
            }
            Some(Annotation::Range(_, ranges)) => {
                state.set_flags(var, rw(false));
                ranges
                    .iter()
                    .for_each(|(a, b)| state.add_range(var, *a, *b));
            }
            Some(Annotation::String(_, len)) => {
                state.set_flags(var, rw(true));
                state.set_aux(var, *len);
            }
            Some(Annotation::Number(_)) => state.set_flags(var, rw(false)),
            Some(Annotation::ReadOnly(_)) => state.set_flags(var, Flags::default()),
            Some(Annotation::Cmd(_)) | None => match lookup(var) {
                Some(None) => state.set_flags(var, rw(false)),
                Some(Some(len)) => {
                    state.set_flags(var, rw(true));
                    state.set_aux(var, len);
                }
                None => {
                    state.set_flags(var, rw(true));
                    state.set_aux(var, UNKNOWN_LEN);
                }
            },
        }
    }

    /// `SET` from a client: `ups.status*` sets the status as one token, an empty value
    /// removes the variable, anything else is stored (declared ranges, enums and lengths
    /// are enforced).
    pub fn set_var(&mut self, state: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        if !self.allowed(state, var, value) {
            return TrackingResult::Invalid;
        }
        if var.starts_with("ups.status") {
            set_status(state, &[value.to_owned()]);
        } else if value.is_empty() {
            state.del_info(var);
        } else {
            state.set_info(var, value);
            self.apply_type(state, var);
        }
        TrackingResult::Handled
    }

    fn allowed(&self, state: &DriverState, var: &str, value: &str) -> bool {
        let Some(v) = state.tree().get(var) else {
            return true; // real dummy-ups creates it
        };
        if self.types.contains_key(&var.to_ascii_lowercase()) && !v.flags.rw {
            return false;
        }
        let in_enum = v.enums.is_empty() || v.enums.iter().any(|e| e == value);
        let in_range = v.ranges.is_empty()
            || value
                .trim()
                .parse::<i64>()
                .is_ok_and(|n| v.ranges.iter().any(|(a, b)| (*a..=*b).contains(&n)));
        let fits =
            !v.flags.string || v.aux <= 0 || value.len() <= usize::try_from(v.aux).unwrap_or(0);
        in_enum && in_range && fits
    }

    /// An instant command: declared ones succeed; `load.off` and the rest are unknown, and
    /// logged as dummy-ups 2.8.0 logs them (`[(null)]` for no parameter, as C prints it).
    pub fn instcmd(&self, cmd: &str, param: Option<&str>) -> TrackingResult {
        if self.cmds.iter().any(|c| c.eq_ignore_ascii_case(cmd)) {
            return TrackingResult::Handled;
        }
        let extra = param.unwrap_or("(null)");
        let msg = format!("instcmd: unknown command [{cmd}] [{extra}]");
        nut_driver_core::cli::logx(nut_driver_core::cli::Priority::Notice, &msg);
        TrackingResult::Unknown
    }
}

/// `ups.status` from tokens, joined by one space (NUT's `status_set` keeps duplicates);
/// `LB` is dropped with the `ignorelb` flag.
fn set_status(state: &mut DriverState, tokens: &[String]) {
    let ignore_lb = state.get("driver.flag.ignorelb").is_some();
    let kept: Vec<&str> = tokens
        .iter()
        .map(String::as_str)
        .filter(|t| !(ignore_lb && t.eq_ignore_ascii_case("LB")))
        .collect();
    state.set_info("ups.status", kept.join(" "));
}

fn read_bounded(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE)
        .read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}
