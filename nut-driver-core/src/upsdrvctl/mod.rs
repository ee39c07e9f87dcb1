//! `upsdrvctl`: starts, stops and shuts down the drivers that `ups.conf` lists.
//!
//! [`Plan::build`] is pure: from the parsed `ups.conf`, the command and the options it
//! decides which drivers to act on, in which order, with which command lines, as NUT 2.8.0's
//! `drivers/upsdrvctl.c` does:
//! - `start`/`stop` go through the sections in file order; `shutdown` by ascending `sdorder`
//!   (0 first; a negative `sdorder` is never shut down).
//! - a driver runs as `<driverpath>/<driver> [-D...] -a <ups> [-r <chroot>] [-u <user>]`,
//!   `-k` after the UPS name for `shutdown`.
//! - `stop` signals the PID in `<pidpath>/<driver>-<ups>.pid`, falling back to
//!   `<driver>-<basename of port>.pid`.
//!
//! [`execute`] carries the plan out: each start is retried `maxretry` times with `retrydelay`
//! seconds between attempts, and waits up to `maxstartdelay` seconds for the driver to go to
//! the background (unless `nowait`). With `-F` the drivers run in the foreground (`-F`, or
//! `-FF` for `-FF`) and upsdrvctl stays until they all exit.
//!
//! `driverpath` defaults to the directory of the running `upsdrvctl` (so our binaries find
//! the drivers installed next to them), then NUT's `/lib/nut`; the `NUT_DRIVERPATH`
//! environment variable and the `driverpath` global of `ups.conf` override it, in that order
//! of increasing priority.

mod exec;

use std::path::{Path, PathBuf};

use nut_proto::config::ups_conf::{
    UpsConf, DEFAULT_MAXRETRY, DEFAULT_MAXSTARTDELAY, DEFAULT_RETRYDELAY,
};

pub use exec::{execute, message, set_message_debug, Report};

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `start`.
    Start,
    /// `stop`.
    Stop,
    /// `shutdown`.
    Shutdown,
}

impl Command {
    /// `start`, `stop` or `shutdown`.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "start" => Some(Self::Start),
            "stop" => Some(Self::Stop),
            "shutdown" => Some(Self::Shutdown),
            _ => None,
        }
    }
}

/// Command-line options of upsdrvctl.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `-t`: print what would be done.
    pub testing: bool,
    /// `-u <user>`, passed to drivers.
    pub user: Option<String>,
    /// `-r <dir>`, passed to drivers.
    pub chroot: Option<String>,
    /// Number of `-D`.
    pub debug: u8,
    /// `-d`: pass the debug level to the drivers.
    pub pass_debug: bool,
    /// Number of `-F`.
    pub foreground: u8,
}

/// One driver action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// The UPS (section) name.
    pub ups: String,
    /// What to do with it.
    pub kind: ActionKind,
}

/// The kinds of [`Action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionKind {
    /// Run this command line (start, or `-k` shutdown).
    Exec(Vec<String>),
    /// Signal the PID in the first PID file that exists.
    Signal(Vec<PathBuf>),
}

/// The timing settings of `ups.conf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Start attempts per driver.
    pub max_retry: u32,
    /// Seconds between attempts.
    pub retry_delay: u32,
    /// Seconds to wait for each driver to start (per-section values in [`Plan::start_delay`]).
    pub max_start_delay: u32,
    /// `nowait`: do not wait for drivers.
    pub no_wait: bool,
}

/// Everything upsdrvctl will do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The command.
    pub command: Command,
    /// Actions in order.
    pub actions: Vec<Action>,
    /// Timing.
    pub timing: Timing,
    /// Per-UPS `maxstartdelay` overrides.
    pub start_delay: Vec<(String, u32)>,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// `ups.conf` has no section.
    NoUps,
    /// The named UPS is not in `ups.conf`.
    UnknownUps(String),
    /// The section has no `driver`.
    NoDriver(String),
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoUps => f.write_str("Error: no UPS definitions found in ups.conf"),
            Self::UnknownUps(u) => write!(f, "UPS {u} not found in ups.conf"),
            Self::NoDriver(u) => write!(f, "UPS {u} has no driver in ups.conf"),
        }
    }
}

impl Plan {
    /// Decides what to do for `command` on `target` (every UPS when `None`).
    pub fn build(
        conf: &UpsConf,
        command: Command,
        target: Option<&str>,
        opts: &Options,
        driver_path: &Path,
        pid_path: &Path,
    ) -> Result<Self, PlanError> {
        if conf.sections.is_empty() {
            return Err(PlanError::NoUps);
        }
        let mut sections: Vec<_> = match target {
            Some(t) => vec![conf
                .section(t)
                .ok_or_else(|| PlanError::UnknownUps(t.into()))?],
            None => conf.sections.iter().collect(),
        };
        if command == Command::Shutdown && target.is_none() {
            sections.retain(|s| s.sdorder.unwrap_or(0) >= 0);
            sections.sort_by_key(|s| s.sdorder.unwrap_or(0)); // stable: file order within one
        }
        let mut actions = Vec::new();
        for s in sections {
            let driver = s
                .driver
                .as_deref()
                .ok_or_else(|| PlanError::NoDriver(s.name.clone()))?;
            let kind = match command {
                Command::Stop => {
                    ActionKind::Signal(pid_files(pid_path, driver, &s.name, s.port.as_deref()))
                }
                _ => ActionKind::Exec(argv(driver_path, driver, &s.name, command, opts)),
            };
            actions.push(Action {
                ups: s.name.clone(),
                kind,
            });
        }
        let g = &conf.globals;
        let start_delay = conf
            .sections
            .iter()
            .filter_map(|s| {
                Some((
                    s.name.clone(),
                    s.value("maxstartdelay")?.trim().parse().ok()?,
                ))
            })
            .collect();
        Ok(Self {
            command,
            actions,
            timing: Timing {
                max_retry: g.maxretry.unwrap_or(DEFAULT_MAXRETRY),
                retry_delay: g.retrydelay.unwrap_or(DEFAULT_RETRYDELAY),
                max_start_delay: g.maxstartdelay.unwrap_or(DEFAULT_MAXSTARTDELAY),
                no_wait: g.nowait,
            },
            start_delay,
        })
    }

    /// `maxstartdelay` for one UPS.
    pub fn start_delay_of(&self, ups: &str) -> u32 {
        self.start_delay
            .iter()
            .find(|(u, _)| u == ups)
            .map_or(self.timing.max_start_delay, |(_, d)| *d)
    }
}

fn argv(dir: &Path, driver: &str, ups: &str, cmd: Command, o: &Options) -> Vec<String> {
    let mut v = vec![dir.join(driver).display().to_string()];
    if cmd == Command::Start && o.pass_debug && o.debug > 0 {
        v.push(format!("-{}", "D".repeat(o.debug.into())));
    }
    v.extend(["-a".to_owned(), ups.to_owned()]);
    if cmd == Command::Shutdown {
        v.push("-k".into());
    }
    if cmd == Command::Start && o.foreground > 0 {
        v.push(format!("-{}", "F".repeat(o.foreground.min(2).into())));
    }
    if let Some(r) = &o.chroot {
        v.extend(["-r".to_owned(), r.clone()]);
    }
    if let Some(u) = &o.user {
        v.extend(["-u".to_owned(), u.clone()]);
    }
    v
}

fn pid_files(dir: &Path, driver: &str, ups: &str, port: Option<&str>) -> Vec<PathBuf> {
    let mut v = vec![dir.join(format!("{driver}-{ups}.pid"))];
    if let Some(port) = port {
        let base = port.rsplit('/').next().unwrap_or(port);
        v.push(dir.join(format!("{driver}-{base}.pid")));
    }
    v
}

/// Where driver programs are: `ups.conf` `driverpath`, else `NUT_DRIVERPATH`, else the
/// directory of this program when it holds drivers, else `/lib/nut`.
pub fn driver_path(conf: &UpsConf, env: Option<String>, own_dir: Option<PathBuf>) -> PathBuf {
    if let Some(p) = &conf.globals.driverpath {
        return p.into();
    }
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        return p.into();
    }
    let has_drivers = |d: &PathBuf| {
        conf.sections
            .iter()
            .filter_map(|s| s.driver.as_deref())
            .any(|drv| d.join(drv).exists())
    };
    own_dir
        .filter(has_drivers)
        .unwrap_or_else(|| "/lib/nut".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "maxretry = 3\n[a]\n driver = dummy-ups\n port = a.dev\n sdorder = 2\n\
        [b]\n driver = usbhid-ups\n port = auto\n sdorder = -1\n\
        [c]\n driver = dummy-ups\n port = /x/c.dev\n sdorder = 1\n\
        [d]\n driver = dummy-ups\n port = d.dev\n";

    fn plan(cmd: Command, target: Option<&str>, o: &Options) -> Result<Plan, PlanError> {
        let conf = UpsConf::parse(CONF, "ups.conf").expect("valid").config;
        Plan::build(&conf, cmd, target, o, Path::new("/drv"), Path::new("/run"))
    }

    fn names(p: &Plan) -> Vec<&str> {
        p.actions.iter().map(|a| a.ups.as_str()).collect()
    }

    #[test]
    fn shutdown_follows_sdorder_and_skips_negative() {
        let p = plan(Command::Shutdown, None, &Options::default()).expect("plan");
        assert_eq!(names(&p), ["d", "c", "a"]);
        assert_eq!(
            p.actions[0].kind,
            ActionKind::Exec(vec![
                "/drv/dummy-ups".into(),
                "-a".into(),
                "d".into(),
                "-k".into()
            ])
        );
        let start = plan(Command::Start, None, &Options::default()).expect("plan");
        assert_eq!(names(&start), ["a", "b", "c", "d"]);
        assert_eq!(start.timing.max_retry, 3);
    }

    #[test]
    fn command_lines_like_nut() {
        let o = Options {
            user: Some("nut".into()),
            chroot: Some("/ch".into()),
            debug: 2,
            pass_debug: true,
            ..Options::default()
        };
        let p = plan(Command::Start, Some("c"), &o).expect("plan");
        assert_eq!(
            p.actions[0].kind,
            ActionKind::Exec(
                ["/drv/dummy-ups", "-DD", "-a", "c", "-r", "/ch", "-u", "nut"]
                    .map(String::from)
                    .to_vec()
            )
        );
        let stop = plan(Command::Stop, Some("c"), &o).expect("plan");
        assert_eq!(
            stop.actions[0].kind,
            ActionKind::Signal(vec![
                "/run/dummy-ups-c.pid".into(),
                "/run/dummy-ups-c.dev.pid".into()
            ])
        );
        assert_eq!(
            plan(Command::Stop, Some("zz"), &o),
            Err(PlanError::UnknownUps("zz".into()))
        );
    }
}
