//! `GET` sub-commands (upsd's `netget.c`).

use std::time::Instant;

use nut_proto::{text::escape, ErrorCode, Get};

use super::{find_ups, lookup, Reply, Session};
use crate::state::ServerState;

/// Answer for a description nobody wrote.
const NO_DESC: &str = "Description unavailable";

impl Session {
    pub(super) fn get(&self, get: Get, state: &ServerState, now: Instant, out: &mut Reply) {
        let result = match get {
            Get::Tracking { id } => Ok(self.get_tracking(id.as_deref(), state)),
            Get::NumLogins { ups } => get_numlogins(&ups, state, now),
            Get::UpsDesc { ups } => get_upsdesc(&ups, state),
            Get::Var { ups, var } => match get_var(&ups, &var, state, now, out) {
                Ok(()) => return,
                Err(code) => Err(code),
            },
            Get::Type { ups, var } => get_type(&ups, &var, state, now),
            Get::Desc { ups, var } => find_ups(state, &ups, now).map(|_| {
                let desc = state.descriptions().var(&var).unwrap_or(NO_DESC);
                format!("DESC {ups} {var} \"{desc}\"")
            }),
            Get::CmdDesc { ups, cmd } => find_ups(state, &ups, now).map(|_| {
                let desc = state.descriptions().cmd(&cmd).unwrap_or(NO_DESC);
                format!("CMDDESC {ups} {cmd} \"{desc}\"")
            }),
            _ => Err(ErrorCode::InvalidArgument),
        };
        match result {
            Ok(line) => out.line(line),
            Err(code) => out.err(code),
        }
    }

    /// `GET TRACKING` (this connection's mode) or `GET TRACKING <id>` (a global result; only
    /// for a connection with tracking on).
    fn get_tracking(&self, id: Option<&str>, state: &ServerState) -> String {
        let Some(id) = id else {
            return (if self.tracking { "ON" } else { "OFF" }).to_owned();
        };
        if !self.tracking {
            return format!("ERR {}", ErrorCode::FeatureNotConfigured);
        }
        state
            .tracking()
            .get(id)
            .map_or("ERR UNKNOWN", |s| s.reply())
            .to_owned()
    }
}

fn get_numlogins(ups: &str, state: &ServerState, now: Instant) -> Result<String, ErrorCode> {
    let entry = find_ups(state, ups, now)?;
    Ok(format!("NUMLOGINS {ups} {}", state.numlogins(&entry.name)))
}

fn get_upsdesc(ups: &str, state: &ServerState) -> Result<String, ErrorCode> {
    let entry = lookup(state, ups)?;
    let desc = entry
        .desc
        .as_deref()
        .map_or_else(|| "Unavailable".into(), escape);
    Ok(format!("UPSDESC {ups} \"{desc}\""))
}

/// `VAR <ups> <var> "<value>"`, written straight into `out` (the most frequent request).
fn get_var(
    ups: &str,
    var: &str,
    state: &ServerState,
    now: Instant,
    out: &mut Reply,
) -> Result<(), ErrorCode> {
    if var
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("server."))
    {
        out.line(get_server_var(ups, var, &state.config().version)?);
        return Ok(());
    }
    let entry = find_ups(state, ups, now)?;
    let value = entry.served_value(var).ok_or(ErrorCode::VarNotSupported)?;
    out.line_of(&["VAR ", ups, " ", var, " \"", &escape(&value), "\""]);
    Ok(())
}

/// `server.info` and `server.version`, answered for any UPS name (even unknown ones).
fn get_server_var(ups: &str, var: &str, version: &str) -> Result<String, ErrorCode> {
    if var.eq_ignore_ascii_case("server.info") {
        Ok(format!(
            "VAR {ups} server.info \"Network UPS Tools upsd {} - http://www.networkupstools.org/\"",
            escape(version)
        ))
    } else if var.eq_ignore_ascii_case("server.version") {
        Ok(format!("VAR {ups} server.version \"{}\"", escape(version)))
    } else {
        Err(ErrorCode::VarNotSupported)
    }
}

/// `TYPE <ups> <var> [RW] [ENUM] [RANGE] STRING:<aux>|NUMBER`, in upsd's order; a variable
/// without the STRING flag is a NUMBER whatever it holds.
fn get_type(ups: &str, var: &str, state: &ServerState, now: Instant) -> Result<String, ErrorCode> {
    let entry = find_ups(state, ups, now)?;
    let v = entry.tree.get(var).ok_or(ErrorCode::VarNotSupported)?;
    let mut line = format!("TYPE {ups} {var}");
    for (set, word) in [
        (v.flags.rw, " RW"),
        (!v.enums.is_empty(), " ENUM"),
        (!v.ranges.is_empty(), " RANGE"),
    ] {
        if set {
            line.push_str(word);
        }
    }
    if v.flags.string {
        line.push_str(&format!(" STRING:{}", v.aux));
    } else {
        line.push_str(" NUMBER");
    }
    Ok(line)
}
