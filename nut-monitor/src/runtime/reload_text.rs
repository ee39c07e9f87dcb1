//! What upsmon 2.8.0 logs when it re-reads `upsmon.conf` (SIGHUP, `upsmon -c reload`), besides
//! the warnings: a `UPS: …` line for each system the file newly mentions, `UPS [x]: redefined
//! …` for each changed setting of a known system, and a warning for each setting only a
//! restart can change in the privilege-split mode.

use nut_proto::config::upsmon_conf::{Monitor, UpsmonConf, UpsmonRole};
use nut_proto::SplitName;

use super::log::{Level, Line};

/// The line for a newly mentioned system (also what upsmon logs at start).
pub fn monitor_line(m: &Monitor) -> String {
    if m.power_value == 0 {
        return format!("UPS: {} (monitoring only)", m.system);
    }
    let role = match m.role {
        UpsmonRole::Primary => "primary",
        _ => "secondary",
    };
    format!("UPS: {} ({role}) (power value {})", m.system, m.power_value)
}

/// What upsmon 2.8.0 says when it adds a system, at start or on reload: [`monitor_line`],
/// then, for a name that libupsclient cannot split, libupsclient's own stderr line and
/// `Error: unable to split UPS name [x]`, and `Warning: UPS [x]: no upsname set!` when no UPS
/// name came out of it.
///
/// ```
/// use nut_monitor::runtime::{log::{Level, Line}, reload_text::added_lines};
/// use nut_proto::config::UpsmonConf;
/// let conf = UpsmonConf::parse("MONITOR ups@nas:0 1 u p primary\n", "f").unwrap().config;
/// assert_eq!(
///     added_lines(&conf.monitors[0]),
///     [
///         Line::Log(Level::Info, "UPS: ups@nas:0 (primary) (power value 1)".into()),
///         Line::Stderr("upscli_splitaddr: no port specified after ':' separator".into()),
///         Line::Log(Level::Err, "Error: unable to split UPS name [ups@nas:0]".into()),
///     ]
/// );
/// ```
pub fn added_lines(m: &Monitor) -> Vec<Line> {
    let mut out = vec![Line::Log(Level::Info, monitor_line(m))];
    let split = SplitName::split(&m.system);
    if let Some(why) = split.error {
        out.push(Line::Stderr(why.to_owned()));
        let text = format!("Error: unable to split UPS name [{}]", m.system);
        out.push(Line::Log(Level::Err, text));
    }
    if split.ups.is_none() {
        let text = format!("Warning: UPS [{}]: no upsname set!", m.system);
        out.push(Line::Log(Level::Warning, text));
    }
    out
}

/// The info lines of a reload from `old` to `new`, in `new`'s order ([`added_lines`] for a
/// new system).
///
/// ```
/// use nut_monitor::runtime::{log::{Level, Line}, reload_text::reload_lines};
/// use nut_proto::config::UpsmonConf;
/// let parse = |t: &str| UpsmonConf::parse(t, "upsmon.conf").unwrap().config;
/// let old = parse("MONITOR a@h 1 u p secondary\n");
/// let new = parse("MONITOR a@h 2 v p primary\nMONITOR b@h 0 u p primary\n");
/// let info = |t: &str| Line::Log(Level::Info, t.into());
/// let dropping = Line::Debug(2, "Dropping connection to UPS [a@h]".into());
/// assert_eq!(
///     reload_lines(&old, &new, &|_| false),
///     [
///         info("UPS [a@h]: redefined power value to 2"),
///         info("UPS [a@h]: redefined username"),
///         info("UPS [a@h]: retrying connection"),
///         dropping.clone(),
///         info("UPS [a@h]: redefined as a primary"),
///         dropping,
///         info("UPS: b@h (monitoring only)"),
///     ]
/// );
/// ```
///
/// `logged_in` says whether the login on a system's connection went through: a new user
/// name or password of a system that is not logged in is followed by `retrying connection`.
/// upsmon 2.8.0 drops the connection there and when a system becomes a primary (its
/// `Dropping connection` debug line is here; see DEVIATIONS.md for when ours reconnects).
pub fn reload_lines(
    old: &UpsmonConf,
    new: &UpsmonConf,
    logged_in: &dyn Fn(&str) -> bool,
) -> Vec<Line> {
    let mut out = Vec::new();
    for m in &new.monitors {
        match old.monitors.iter().find(|o| o.system == m.system) {
            None => out.extend(added_lines(m)),
            Some(o) => out.extend(redefined(o, m, logged_in(&m.system))),
        }
    }
    out
}

/// The changes of one known system, in upsmon 2.8.0's order (`redefine_ups`).
fn redefined(old: &Monitor, new: &Monitor, logged_in: bool) -> Vec<Line> {
    let sys = &new.system;
    let info = |text: String| Line::Log(Level::Info, text);
    let dropping = || Line::Debug(2, format!("Dropping connection to UPS [{sys}]"));
    let mut out = Vec::new();
    if old.power_value != new.power_value {
        let pv = new.power_value;
        out.push(info(format!("UPS [{sys}]: redefined power value to {pv}")));
    }
    for (what, changed) in [
        ("username", old.username != new.username),
        ("password", old.password != new.password),
    ] {
        if changed {
            out.push(info(format!("UPS [{sys}]: redefined {what}")));
            if !logged_in {
                out.push(info(format!("UPS [{sys}]: retrying connection")));
                out.push(dropping());
            }
        }
    }
    let primary = |m: &Monitor| m.role == UpsmonRole::Primary;
    match (primary(old), primary(new)) {
        (false, true) => {
            out.push(info(format!("UPS [{sys}]: redefined as a primary")));
            out.push(dropping());
        }
        (true, false) => out.push(info(format!("UPS [{sys}]: redefined as a secondary"))),
        _ => {}
    }
    out
}

/// The warnings for settings the privileged parent keeps until a restart (`SHUTDOWNCMD`,
/// `POWERDOWNFLAG`, `RUN_AS_USER`), two lines per changed one.
///
/// ```
/// use nut_monitor::runtime::reload_text::restart_warnings;
/// use nut_proto::config::UpsmonConf;
/// let parse = |t: &str| UpsmonConf::parse(t, "upsmon.conf").unwrap().config;
/// let old = parse("MONITOR a@h 1 u p primary\nSHUTDOWNCMD \"/sbin/halt\"\n");
/// let new = parse("MONITOR a@h 1 u p primary\nSHUTDOWNCMD \"/sbin/poweroff\"\n");
/// assert_eq!(
///     restart_warnings(&old, &new),
///     [
///         "Warning: SHUTDOWNCMD redefined in split-process mode!",
///         "You must restart upsmon for this change to work",
///     ]
/// );
/// ```
pub fn restart_warnings(old: &UpsmonConf, new: &UpsmonConf) -> Vec<String> {
    let settings = [
        ("RUN_AS_USER", &old.run_as_user, &new.run_as_user),
        ("SHUTDOWNCMD", &old.shutdowncmd, &new.shutdowncmd),
        ("POWERDOWNFLAG", &old.powerdownflag, &new.powerdownflag),
    ];
    let mut out = Vec::new();
    for (name, before, after) in settings {
        // upsmon 2.8.0 only looks at a directive the new file sets.
        if after.is_some() && before != after {
            out.push(format!("Warning: {name} redefined in split-process mode!"));
            out.push("You must restart upsmon for this change to work".to_owned());
        }
    }
    out
}
