//! `dummy-ups`: a simulated device read from a definition file, or a relay of a UPS served
//! by another NUT server.
//!
//! Behaviour follows NUT 2.8.0's dummy-ups:
//! - `port = file.dev|file.seq` (relative to `NUT_CONFPATH`, or absolute); `mode` =
//!   `dummy-once` (default for `.dev`: read once, re-read when the file's modification time
//!   changes), `dummy-loop` (default for `.seq` and other names: read over and over),
//!   `dummy` (same as loop), `repeater` (default when the port contains `@`). `relay`, the
//!   name newer NUT gives repeater mode, is accepted too. The mode in force is published as
//!   `driver.parameter.mode`.
//! - Lines are `var: value` as `upsc` prints them, split with NUT's configuration rules
//!   (quotes, backslashes, `#` comments); value words are joined by one space and cut at 127
//!   bytes; `driver.*` lines are skipped; `TIMER <n>` pauses reading for `n` seconds.
//! - Before the file: `ups.mfr` = "Dummy Manufacturer", `ups.model` = "Dummy UPS",
//!   `ups.status` = "OL". Every variable is writable: names of the driver's table get its
//!   type (writable number, or string of the table's length), others a string of 32.
//!   `SET` of an empty value removes the variable. The `load.off` command exists and, as in
//!   the real driver, answers "unknown" (`TRACKING` result 1).
//!
//! Deliberate differences: an empty value in the file (`ups.macaddr: `) gives an empty
//! variable (real 2.8.0 repeats the previous line's value, a stale-buffer bug); no 1-second
//! sleep per cycle; the relay mirrors the upstream types, enums, ranges and commands and
//! forwards SET and INSTCMD with tracking, answering what the upstream driver answered
//! (2.8.0 makes every mirrored variable a local string and forwards nothing).
//!
//! # Annotations (our extension)
//! Comment lines starting with `# @` declare what a real device would: real dummy-ups reads
//! them as comments and ignores them.
//!
//! ```text
//! # @enum   input.sensitivity low medium high   writable, one of these values
//! # @range  ups.delay.shutdown 0 600            writable number within the range(s)
//! # @string ups.id 8                            writable string of at most 8 bytes
//! # @number battery.charge.low                  writable number
//! # @readonly ups.load                          not writable
//! # @cmd    beeper.enable beeper.disable        instant commands, answered SUCCESS
//! ```
//!
//! ```
//! use nut_drivers::dummy::DevFile;
//! let f = DevFile::parse("# @range ups.delay.shutdown 0 600\nups.delay.shutdown: 20\n");
//! assert_eq!(f.steps.len(), 1);
//! assert_eq!(f.annotations.len(), 1);
//! ```

mod file;
mod relay;
mod sim;
mod table;

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use nut_driver_core::cli::Paths;
use nut_driver_core::sock::TrackingResult;
use nut_driver_core::{Driver, DriverError, DriverInfo, DriverOption, DriverOptions, DriverState};

pub use file::{Annotation, DevFile, Step};
pub use relay::Relay;
pub use sim::Simulation;

/// How the driver gets its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Read the file once; again only when it changes.
    Once,
    /// Read the file over and over.
    Loop,
    /// Mirror another NUT server.
    Repeater,
}

impl Mode {
    /// The mode for a `port` and an optional `mode` option, with the name to publish.
    pub fn select(port: &str, mode: Option<&str>) -> Result<(Self, &'static str), DriverError> {
        Ok(match mode {
            Some("repeater" | "relay") => (Self::Repeater, "repeater"),
            Some("dummy-once") => (Self::Once, "dummy-once"),
            Some("dummy-loop") => (Self::Loop, "dummy-loop"),
            Some("dummy") => (Self::Loop, "dummy"),
            Some(other) => {
                return Err(DriverError::Config(format!(
                    "Unsupported mode was specified: {other}"
                )))
            }
            None if port.contains('@') => (Self::Repeater, "repeater"),
            None if port.ends_with(".seq") => (Self::Loop, "dummy-loop"),
            None if port.ends_with(".dev") => (Self::Once, "dummy-once"),
            None => (Self::Loop, "dummy"),
        })
    }
}

/// The dummy-ups driver.
#[derive(Debug)]
pub struct DummyUps {
    options: DriverOptions,
    conf_dir: PathBuf,
    backend: Option<Backend>,
}

// One per driver process: the size difference does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Backend {
    Sim(Simulation),
    Relay(Relay),
}

impl DummyUps {
    /// A driver for these options; `paths.conf` resolves a relative `port`.
    pub fn new(options: DriverOptions, paths: &Paths) -> Self {
        Self {
            options,
            conf_dir: paths.conf.clone(),
            backend: None,
        }
    }

    fn file_path(&self, port: &str) -> PathBuf {
        if Path::new(port).is_absolute() {
            PathBuf::from(port)
        } else {
            self.conf_dir.join(port)
        }
    }
}

#[async_trait]
impl Driver for DummyUps {
    fn info(&self) -> DriverInfo {
        DriverInfo {
            name: "dummy-ups",
            version: "0.15-rs1",
            description: "Device simulation and repeater driver",
        }
    }

    fn options(&self) -> Vec<DriverOption> {
        vec![
            DriverOption {
                name: "mode",
                takes_value: true,
                description: "Specify mode instead of guessing it from port value (dummy = dummy-loop, dummy-once, repeater)",
            },
            DriverOption {
                name: "username",
                takes_value: true,
                description: "Repeater: user name on the upstream server (for SET/INSTCMD)",
            },
            DriverOption {
                name: "password",
                takes_value: true,
                description: "Repeater: password on the upstream server",
            },
        ]
    }

    async fn init(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        let port = self
            .options
            .get("port")
            .ok_or_else(|| DriverError::Config("no port".into()))?
            .to_owned();
        let (mode, name) = Mode::select(&port, self.options.get("mode"))?;
        state.set_info("driver.parameter.mode", name);
        let backend = match mode {
            Mode::Repeater => Backend::Relay(Relay::connect(&port, &self.options, state).await?),
            Mode::Once | Mode::Loop => {
                let mut sim = Simulation::new(self.file_path(&port), mode == Mode::Loop);
                sim.start(state)?;
                Backend::Sim(sim)
            }
        };
        state.add_cmd("load.off");
        self.backend = Some(backend);
        state.data_ok();
        Ok(())
    }

    async fn update(&mut self, state: &mut DriverState) -> Result<(), DriverError> {
        match &mut self.backend {
            Some(Backend::Sim(s)) => s.update(state, tokio::time::Instant::now())?,
            Some(Backend::Relay(r)) => r.update(state).await?,
            None => return Err(DriverError::NoDevice("not initialised".into())),
        }
        state.data_ok();
        Ok(())
    }

    async fn shutdown(&mut self, _state: &mut DriverState) -> Result<(), DriverError> {
        Err(DriverError::Unsupported("shutdown not supported".into()))
    }

    async fn instcmd(
        &mut self,
        state: &mut DriverState,
        cmd: &str,
        param: Option<&str>,
    ) -> TrackingResult {
        match &mut self.backend {
            Some(Backend::Sim(s)) => s.instcmd(cmd, param),
            Some(Backend::Relay(r)) => r.instcmd(state, cmd, param).await,
            None => TrackingResult::Failed,
        }
    }

    async fn set_var(&mut self, state: &mut DriverState, var: &str, value: &str) -> TrackingResult {
        match &mut self.backend {
            Some(Backend::Sim(s)) => s.set_var(state, var, value),
            Some(Backend::Relay(r)) => r.set_var(state, var, value).await,
            None => TrackingResult::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_selection_follows_nut() {
        let m = Mode::select;
        assert_eq!(m("a.dev", None), Ok((Mode::Once, "dummy-once")));
        assert_eq!(m("a.seq", None), Ok((Mode::Loop, "dummy-loop")));
        assert_eq!(m("a.txt", None), Ok((Mode::Loop, "dummy")));
        assert_eq!(m("ups@host:3493", None), Ok((Mode::Repeater, "repeater")));
        assert_eq!(m("a.dev", Some("relay")), Ok((Mode::Repeater, "repeater")));
        assert_eq!(
            m("a.dev", Some("dummy-loop")),
            Ok((Mode::Loop, "dummy-loop"))
        );
        assert!(m("a.dev", Some("bogus")).is_err());
    }
}
