//! `LIST` sub-commands (upsd's `netlist.c`). A list goes out whole, in one [`Reply`].
//!
//! Orders: `VAR`/`RW` by case-insensitive name, `CMD` sorted case-insensitively, `UPS` in
//! `ups.conf` order, `ENUM`/`RANGE` in the driver's order, `CLIENT` newest connection first.

use std::time::Instant;

use nut_proto::{text::escape, ErrorCode, List};

use super::{find_ups, lookup, Reply};
use crate::state::{ServerState, UpsEntry};

pub(super) fn list(list: List, state: &ServerState, now: Instant, out: &mut Reply) {
    let result = match &list {
        List::Ups => {
            list_ups(state, out);
            Ok(())
        }
        List::Var { ups } => find_ups(state, ups, now).map(|e| list_var(ups, e, out)),
        List::Rw { ups } => find_ups(state, ups, now).map(|e| list_rw(ups, e, out)),
        List::Cmd { ups } => find_ups(state, ups, now).map(|e| list_cmd(ups, e, out)),
        List::Enum { ups, var } => {
            find_ups(state, ups, now).and_then(|e| list_enum(ups, var, e, out))
        }
        List::Range { ups, var } => {
            find_ups(state, ups, now).and_then(|e| list_range(ups, var, e, out))
        }
        List::Client { ups } => lookup(state, ups).map(|e| list_client(ups, e, state, out)),
        _ => Err(ErrorCode::InvalidArgument),
    };
    if let Err(code) = result {
        out.err(code);
    }
}

fn list_ups(state: &ServerState, out: &mut Reply) {
    out.line("BEGIN LIST UPS");
    for u in state.upses() {
        let desc = u
            .desc
            .as_deref()
            .map_or_else(|| "Description unavailable".into(), escape);
        out.line(format_args!("UPS {} \"{desc}\"", u.name));
    }
    out.line("END LIST UPS");
}

fn list_var(ups: &str, entry: &UpsEntry, out: &mut Reply) {
    out.line(format_args!("BEGIN LIST VAR {ups}"));
    for v in entry.tree.vars() {
        let value = entry.served_value(&v.name).unwrap_or_default();
        out.line(format_args!("VAR {ups} {} \"{}\"", v.name, escape(&value)));
    }
    out.line(format_args!("END LIST VAR {ups}"));
}

/// Writable variables, with their plain values (no `FSD` prefix, as in upsd).
fn list_rw(ups: &str, entry: &UpsEntry, out: &mut Reply) {
    out.line(format_args!("BEGIN LIST RW {ups}"));
    for v in entry.tree.vars().filter(|v| v.flags.rw) {
        out.line(format_args!("RW {ups} {} \"{}\"", v.name, escape(&v.value)));
    }
    out.line(format_args!("END LIST RW {ups}"));
}

fn list_cmd(ups: &str, entry: &UpsEntry, out: &mut Reply) {
    out.line(format_args!("BEGIN LIST CMD {ups}"));
    for c in entry.tree.cmds() {
        out.line(format_args!("CMD {ups} {c}"));
    }
    out.line(format_args!("END LIST CMD {ups}"));
}

fn list_enum(ups: &str, var: &str, entry: &UpsEntry, out: &mut Reply) -> Result<(), ErrorCode> {
    let v = entry.tree.get(var).ok_or(ErrorCode::VarNotSupported)?;
    out.line(format_args!("BEGIN LIST ENUM {ups} {var}"));
    for e in &v.enums {
        out.line(format_args!("ENUM {ups} {var} \"{}\"", escape(e)));
    }
    out.line(format_args!("END LIST ENUM {ups} {var}"));
    Ok(())
}

/// Ranges, bounds quoted as upsd prints them (`"0" "600"`).
fn list_range(ups: &str, var: &str, entry: &UpsEntry, out: &mut Reply) -> Result<(), ErrorCode> {
    let v = entry.tree.get(var).ok_or(ErrorCode::VarNotSupported)?;
    out.line(format_args!("BEGIN LIST RANGE {ups} {var}"));
    for (min, max) in &v.ranges {
        out.line(format_args!("RANGE {ups} {var} \"{min}\" \"{max}\""));
    }
    out.line(format_args!("END LIST RANGE {ups} {var}"));
    Ok(())
}

/// Logged-in clients, newest connection first; each line names the UPS canonically.
fn list_client(ups: &str, entry: &UpsEntry, state: &ServerState, out: &mut Reply) {
    out.line(format_args!("BEGIN LIST CLIENT {ups}"));
    for login in state.clients(&entry.name) {
        out.line(format_args!("CLIENT {} {}", login.ups, login.addr));
    }
    out.line(format_args!("END LIST CLIENT {ups}"));
}
