//! `SET VAR` and `INSTCMD` (upsd's `netset.c`, `netinstcmd.c`).
//!
//! Check order, SET VAR: UNKNOWN-UPS → DRIVER-NOT-CONNECTED/DATA-STALE → ACCESS-DENIED →
//! VAR-NOT-SUPPORTED → READONLY → (STRING) SET-FAILED for a driver-given length under 1,
//! TOO-LONG → (ENUM) INVALID-VALUE unless an exact, case-sensitive match → (RANGE)
//! INVALID-VALUE unless a whole integer inside one of the ranges.
//! INSTCMD: UNKNOWN-UPS → availability → CMD-NOT-SUPPORTED (case-insensitive) →
//! ACCESS-DENIED. A connection with tracking on draws a tracking id before the checks, as
//! upsd does, and gets `OK TRACKING <id>` when the request goes to the driver.

use std::time::Instant;

use nut_driver_core::{sock::ServerMsg, tree::Var};
use nut_proto::ErrorCode;

use super::{find_ups, Reply, Session};
use crate::state::ServerState;

impl Session {
    pub(super) fn set_var(
        &self,
        ups: &str,
        var: &str,
        value: &str,
        state: &mut ServerState,
        now: Instant,
        out: &mut Reply,
    ) {
        let tracking = self.tracking.then(|| state.new_tracking_id());
        let name = match self.check_set(ups, var, value, state, now) {
            Ok(name) => name,
            Err(code) => return out.err(code),
        };
        out.log.push(format!(
            "Set variable: {} set {var} on {name} to {value} (tracking ID: {})",
            self.who(),
            tracking.as_deref().unwrap_or("disabled")
        ));
        let msg = ServerMsg::Set {
            var: var.to_owned(),
            value: value.to_owned(),
            tracking: tracking.clone(),
        };
        forward(name, msg, tracking, state, now, out);
    }

    /// The checks of `SET VAR`, in upsd's order; the UPS's canonical name when all pass.
    fn check_set(
        &self,
        ups: &str,
        var: &str,
        value: &str,
        state: &ServerState,
        now: Instant,
    ) -> Result<String, ErrorCode> {
        let entry = find_ups(state, ups, now)?;
        if !self.allowed(state, "SET") {
            return Err(ErrorCode::AccessDenied);
        }
        let v = entry.tree.get(var).ok_or(ErrorCode::VarNotSupported)?;
        if !v.flags.rw {
            return Err(ErrorCode::Readonly);
        }
        check_value(v, value)?;
        Ok(entry.name.clone())
    }

    pub(super) fn instcmd(
        &self,
        ups: &str,
        cmd: &str,
        param: Option<String>,
        state: &mut ServerState,
        now: Instant,
        out: &mut Reply,
    ) {
        let tracking = self.tracking.then(|| state.new_tracking_id());
        let name = match self.check_instcmd(ups, cmd, state, now) {
            Ok(name) => name,
            Err(code) => return out.err(code),
        };
        let with = param
            .as_deref()
            .map_or(String::new(), |v| format!(" with value {v}"));
        out.log.push(format!(
            "Instant command: {} did {cmd}{with} on {name} (tracking ID: {})",
            self.who(),
            tracking.as_deref().unwrap_or("disabled")
        ));
        let msg = ServerMsg::InstCmd {
            cmd: cmd.to_owned(),
            param,
            tracking: tracking.clone(),
        };
        forward(name, msg, tracking, state, now, out);
    }

    fn check_instcmd(
        &self,
        ups: &str,
        cmd: &str,
        state: &ServerState,
        now: Instant,
    ) -> Result<String, ErrorCode> {
        let entry = find_ups(state, ups, now)?;
        if !entry.tree.has_cmd(cmd) {
            return Err(ErrorCode::CmdNotSupported);
        }
        let (user, pass) = self.credentials();
        if !state.users().check_instcmd(user, pass, cmd) {
            return Err(ErrorCode::AccessDenied);
        }
        Ok(entry.name.clone())
    }
}

/// Length, enumeration and range checks of a new value.
fn check_value(v: &Var, value: &str) -> Result<(), ErrorCode> {
    if v.flags.string {
        if v.aux < 1 {
            return Err(ErrorCode::SetFailed);
        }
        if i64::try_from(value.len()).map_or(true, |len| len > v.aux) {
            return Err(ErrorCode::TooLong);
        }
    }
    if !v.enums.is_empty() && !v.enums.iter().any(|e| e == value) {
        return Err(ErrorCode::InvalidValue);
    }
    if !v.ranges.is_empty() {
        // Deliberately stricter than upsd's atoi(): the whole value must be an integer.
        let n: i64 = value.parse().map_err(|_| ErrorCode::InvalidValue)?;
        if !v.ranges.iter().any(|&(min, max)| (min..=max).contains(&n)) {
            return Err(ErrorCode::InvalidValue);
        }
    }
    Ok(())
}

/// Queues `msg` for the driver of `ups`, registers the tracking id and answers the client.
fn forward(
    ups: String,
    msg: ServerMsg,
    tracking: Option<String>,
    state: &mut ServerState,
    now: Instant,
    out: &mut Reply,
) {
    out.to_driver.push((ups, msg));
    match tracking {
        Some(id) => {
            state.tracking_add(&id, now);
            out.line(format_args!("OK TRACKING {id}"));
        }
        None => out.line("OK"),
    }
}
