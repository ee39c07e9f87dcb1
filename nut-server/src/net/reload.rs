//! SIGHUP in upsd: re-reading the three files and applying them to the running server, with
//! what upsd 2.8.0 logs in the order it logs it.
//!
//! upsd reads `ups.conf` first (its warnings; `Redefined UPS [x]` for a changed driver), then
//! `upsd.conf` (its warnings; `upsd.conf is world readable`), then drops the UPSes that are
//! gone (`Deleting UPS [x]`, `Kicking client <addr> (was on UPS [x])` for each client logged
//! in to one, which is disconnected; `Warning: no UPSes currently defined!` if none is left),
//! and reads `upsd.users` last.

use std::path::Path;

use nut_proto::config::UpsdConf;

use super::daemon::{listen_changed, load_into, warn_world_readable, FileWarnings};
use super::log::Logger;
use super::server::ServerHandle;

/// Re-reads the configuration and applies it to a running server (SIGHUP, `upsd -c reload`);
/// a failed reload is logged and changes nothing. `current` is the upsd.conf in effect. A
/// `ups.conf` without any UPS is accepted (only upsd's start needs one).
pub fn reload(handle: &ServerHandle, confpath: &Path, current: &mut UpsdConf, log: &Logger) {
    log.info("SIGHUP: reloading configuration");
    let mut warnings = FileWarnings::default();
    let upsd_conf = confpath.join("upsd.conf");
    let users = confpath.join("upsd.users");
    let (upsd, served) = match load_into(confpath, &mut warnings, true) {
        Ok(loaded) => loaded,
        Err(e) => {
            warnings.flat().iter().for_each(|w| log.warn(w));
            log.error(&format!("Reload failed: {e}"));
            return;
        }
    };
    warnings.ups.iter().for_each(|w| log.warn(w));
    let report = handle.reload(served);
    for name in &report.redefined {
        log.info(&format!("Redefined UPS [{name}]"));
    }
    warnings.upsd.iter().for_each(|w| log.warn(w));
    warn_world_readable(&upsd_conf, log);
    if let Some(msg) = listen_changed(current, &upsd) {
        log.warn(&msg);
    }
    for (name, logins) in &report.deleted {
        log.info(&format!("Deleting UPS [{name}]"));
        for l in logins {
            // upsd's message ends in a newline of its own.
            log.info(&format!(
                "Kicking client {} (was on UPS [{name}])\n",
                l.addr
            ));
        }
    }
    if report.remaining == 0 {
        log.warn("Warning: no UPSes currently defined!");
    }
    warn_world_readable(&users, log);
    warnings.users.iter().for_each(|w| log.warn(w));
    *current = upsd;
}
