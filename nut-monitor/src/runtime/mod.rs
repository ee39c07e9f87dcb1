//! The tokio layer around the sans-IO machines: polling upsd, running notifications, the
//! privileged shutdown, and the upssched client and timer daemon.
//!
//! Nothing here decides anything: [`crate::upsmon::Monitor`] and
//! [`crate::upssched::TimerDaemon`] do. These modules move bytes, spawn processes and sleep
//! until the machines' next deadline. Signals and command-line parsing stay in the binaries,
//! which feed them in as [`upsmon::Control`] messages.
//!
//! # Layout
//! - [`cli`]: upsmon's command-line options.
//! - [`connector`]: how a `MONITOR` target is reached ([`connector::Connector`]; TCP with
//!   STARTTLS per `CERTVERIFY`/`FORCESSL`/`CERTHOST` by default).
//! - [`upsmon`]: [`upsmon::Upsmon`], the poll loop executing the monitor's outputs.
//! - [`notify_exec`]: SYSLOG (to `/dev/log`), WALL (`wall`), EXEC (`NOTIFYCMD`).
//! - [`power`]: the POWERDOWNFLAG file and SHUTDOWNCMD.
//! - [`privsep`]: the root parent / unprivileged child split.
//! - [`pidfile`]: PID files and signalling a running instance.
//! - [`upssched`]: upssched's client side and timer daemon.
//! - [`log`]: syslog and stderr logging.
//! - [`log_text`]: upsmon's wording of failed requests.

pub mod cli;
pub mod connector;
pub mod log;
pub mod log_text;
pub mod notify_exec;
pub mod pidfile;
pub mod power;
pub mod privsep;
pub mod reload_text;
pub mod upsmon;
pub mod upsmon_conf;
pub mod upssched;
