//! The variable tree both a driver and upsd keep: variables with flags, auxiliary length,
//! enumerations and ranges, plus the instant command list.
//!
//! Semantics follow NUT's shared state code: names are case-insensitive (the first spelling
//! is kept) and ordered case-insensitively; a value that differs only in letter case is not a
//! change; enumeration values and ranges keep insertion order; an immutable variable (set from
//! an `override.*` option) ignores later changes. Every mutator reports whether anything
//! changed, so callers know when to broadcast.

use std::collections::BTreeMap;

use crate::sock::{DriverMsg, VarFlag};

/// Flags of one variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Flags {
    /// Writable by clients.
    pub rw: bool,
    /// A string value (its maximum length is the variable's aux value).
    pub string: bool,
    /// A numeric value.
    pub number: bool,
    /// Ignores changes (set from `override.*`); never sent on the socket.
    pub immutable: bool,
}

impl Flags {
    /// The socket words for these flags, in NUT's order (RW, STRING, NUMBER).
    pub fn words(&self) -> Vec<VarFlag> {
        let mut v = Vec::new();
        if self.rw {
            v.push(VarFlag::Rw);
        }
        if self.string {
            v.push(VarFlag::String);
        }
        if self.number {
            v.push(VarFlag::Number);
        }
        v
    }

    /// Flags from socket words; unknown words are ignored, as upsd does. Keeps `immutable`.
    pub fn from_words(words: &[VarFlag], immutable: bool) -> Self {
        let mut f = Self {
            immutable,
            ..Self::default()
        };
        for w in words {
            match w {
                VarFlag::Rw => f.rw = true,
                VarFlag::String => f.string = true,
                VarFlag::Number => f.number = true,
                VarFlag::Other(_) => {}
            }
        }
        f
    }

    fn socket_eq(&self, other: &Self) -> bool {
        self.rw == other.rw && self.string == other.string && self.number == other.number
    }
}

/// One variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Var {
    /// The name as first written.
    pub name: String,
    /// The current value (unescaped).
    pub value: String,
    /// Flags.
    pub flags: Flags,
    /// Auxiliary value: the maximum length of a string variable; 0 when unset.
    pub aux: i64,
    /// Allowed values, in insertion order.
    pub enums: Vec<String>,
    /// Allowed ranges `(min, max)`, in insertion order.
    pub ranges: Vec<(i64, i64)>,
}

impl Var {
    fn new(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: value.to_owned(),
            flags: Flags::default(),
            aux: 0,
            enums: Vec::new(),
            ranges: Vec::new(),
        }
    }
}

/// The case-insensitive key NUT orders names by (`strcasecmp`); borrowed when the name is
/// already lower-case, as nearly every lookup's is.
fn key(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

/// Variables and commands, ordered as NUT orders them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VarTree {
    vars: BTreeMap<String, Var>,
    cmds: BTreeMap<String, String>,
}

impl VarTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks a variable up, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.get(key(name).as_ref())
    }

    /// The value of a variable.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.get(name).map(|v| v.value.as_str())
    }

    /// All variables in case-insensitive name order.
    pub fn vars(&self) -> impl Iterator<Item = &Var> {
        self.vars.values()
    }

    /// Number of variables.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// True when there are neither variables nor commands.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty() && self.cmds.is_empty()
    }

    /// All commands in case-insensitive order.
    pub fn cmds(&self) -> impl Iterator<Item = &str> {
        self.cmds.values().map(String::as_str)
    }

    /// Whether a command exists (case-insensitive).
    pub fn has_cmd(&self, name: &str) -> bool {
        self.cmds.contains_key(key(name).as_ref())
    }

    /// Sets a value, creating the variable. True when added or changed (a change of letter
    /// case only is not a change; immutable variables never change).
    pub fn set(&mut self, name: &str, value: &str) -> bool {
        match self.vars.get_mut(key(name).as_ref()) {
            Some(v) if v.value.eq_ignore_ascii_case(value) || v.flags.immutable => false,
            Some(v) => {
                v.value = value.to_owned();
                true
            }
            None => {
                self.vars
                    .insert(key(name).into_owned(), Var::new(name, value));
                true
            }
        }
    }

    /// Removes a variable. True when it existed.
    pub fn remove(&mut self, name: &str) -> bool {
        self.vars.remove(key(name).as_ref()).is_some()
    }

    /// Replaces the socket-visible flags (RW/STRING/NUMBER), keeping `immutable`. True on change.
    pub fn set_flags(&mut self, name: &str, flags: Flags) -> bool {
        match self.vars.get_mut(key(name).as_ref()) {
            Some(v) if !v.flags.socket_eq(&flags) => {
                v.flags = Flags {
                    immutable: v.flags.immutable,
                    ..flags
                };
                true
            }
            _ => false,
        }
    }

    /// Marks a variable immutable (or not). True on change.
    pub fn set_immutable(&mut self, name: &str, immutable: bool) -> bool {
        match self.vars.get_mut(key(name).as_ref()) {
            Some(v) if v.flags.immutable != immutable => {
                v.flags.immutable = immutable;
                true
            }
            _ => false,
        }
    }

    /// Sets the auxiliary value. True on change; false when the variable does not exist.
    pub fn set_aux(&mut self, name: &str, aux: i64) -> bool {
        match self.vars.get_mut(key(name).as_ref()) {
            Some(v) if v.aux != aux => {
                v.aux = aux;
                true
            }
            _ => false,
        }
    }

    /// Adds an allowed value (exact duplicates ignored). True when added.
    pub fn add_enum(&mut self, name: &str, value: &str) -> bool {
        match self.vars.get_mut(key(name).as_ref()) {
            Some(v) if !v.enums.iter().any(|e| e == value) => {
                v.enums.push(value.to_owned());
                true
            }
            _ => false,
        }
    }

    /// Removes an allowed value (compared case-insensitively, as NUT does). True when removed.
    pub fn remove_enum(&mut self, name: &str, value: &str) -> bool {
        let Some(v) = self.vars.get_mut(key(name).as_ref()) else {
            return false;
        };
        let before = v.enums.len();
        if let Some(i) = v.enums.iter().position(|e| e.eq_ignore_ascii_case(value)) {
            v.enums.remove(i);
        }
        v.enums.len() != before
    }

    /// Adds an allowed range. Refused when `min > max` or when a range with the same `min` or
    /// the same `max` exists (NUT's duplicate test). True when added.
    pub fn add_range(&mut self, name: &str, min: i64, max: i64) -> bool {
        match self.vars.get_mut(key(name).as_ref()) {
            Some(v) if min <= max && !v.ranges.iter().any(|&(a, b)| a == min || b == max) => {
                v.ranges.push((min, max));
                true
            }
            _ => false,
        }
    }

    /// Removes an exact range. True when removed.
    pub fn remove_range(&mut self, name: &str, min: i64, max: i64) -> bool {
        let Some(v) = self.vars.get_mut(key(name).as_ref()) else {
            return false;
        };
        let before = v.ranges.len();
        v.ranges.retain(|&r| r != (min, max));
        v.ranges.len() != before
    }

    /// Adds an instant command. True when added.
    pub fn add_cmd(&mut self, name: &str) -> bool {
        let k = key(name);
        if self.cmds.contains_key(k.as_ref()) {
            return false;
        }
        self.cmds.insert(k.into_owned(), name.to_owned());
        true
    }

    /// Removes an instant command. True when it existed.
    pub fn remove_cmd(&mut self, name: &str) -> bool {
        self.cmds.remove(key(name).as_ref()).is_some()
    }

    /// Applies one driver message that describes data (SETINFO, DELINFO, ADDENUM, ...).
    /// Returns whether the tree changed; control messages (PONG, DUMPDONE, DATAOK, ...)
    /// change nothing here.
    pub fn apply(&mut self, msg: &DriverMsg) -> bool {
        match msg {
            DriverMsg::SetInfo { var, value } => self.set(var, value),
            DriverMsg::DelInfo { var } => self.remove(var),
            DriverMsg::AddEnum { var, value } => self.add_enum(var, value),
            DriverMsg::DelEnum { var, value } => self.remove_enum(var, value),
            DriverMsg::AddRange { var, min, max } => self.add_range(var, *min, *max),
            DriverMsg::DelRange { var, min, max } => self.remove_range(var, *min, *max),
            DriverMsg::SetAux { var, aux } => self.set_aux(var, *aux),
            DriverMsg::SetFlags { var, flags } => {
                self.set_flags(var, Flags::from_words(flags, false))
            }
            DriverMsg::AddCmd(c) => self.add_cmd(c),
            DriverMsg::DelCmd(c) => self.remove_cmd(c),
            _ => false,
        }
    }

    /// The tree as the body of a `DUMPALL` reply: per variable in name order SETINFO, its
    /// ADDENUMs, ADDRANGEs, SETAUX (if non-zero) and SETFLAGS (if any), then every ADDCMD.
    pub fn dump(&self) -> Vec<DriverMsg> {
        let mut out = Vec::with_capacity(self.vars.len() * 2 + self.cmds.len());
        for v in self.vars.values() {
            out.push(DriverMsg::SetInfo {
                var: v.name.clone(),
                value: v.value.clone(),
            });
            out.extend(v.enums.iter().map(|e| DriverMsg::AddEnum {
                var: v.name.clone(),
                value: e.clone(),
            }));
            out.extend(v.ranges.iter().map(|&(min, max)| DriverMsg::AddRange {
                var: v.name.clone(),
                min,
                max,
            }));
            if v.aux != 0 {
                out.push(DriverMsg::SetAux {
                    var: v.name.clone(),
                    aux: v.aux,
                });
            }
            let flags = v.flags.words();
            if !flags.is_empty() {
                out.push(DriverMsg::SetFlags {
                    var: v.name.clone(),
                    flags,
                });
            }
        }
        out.extend(self.cmds.values().map(|c| DriverMsg::AddCmd(c.clone())));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_insensitive_and_sorted() {
        let mut t = VarTree::new();
        assert!(t.set("ups.status", "OL"));
        assert!(t.set("Battery.Charge", "100"));
        assert!(
            !t.set("UPS.STATUS", "ol"),
            "a change of case only is no change"
        );
        assert!(t.set("ups.status", "OB"));
        assert_eq!(t.value("ups.STATUS"), Some("OB"));
        let names: Vec<_> = t.vars().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["Battery.Charge", "ups.status"]);
    }

    #[test]
    fn immutable_ignores_changes() {
        let mut t = VarTree::new();
        t.set("ups.mfr", "Forced");
        t.set_immutable("ups.mfr", true);
        assert!(!t.set("ups.mfr", "Driver"));
        assert_eq!(t.value("ups.mfr"), Some("Forced"));
    }

    #[test]
    fn enums_and_ranges_keep_order_and_nut_duplicate_rules() {
        let mut t = VarTree::new();
        assert!(!t.add_enum("x", "1"), "no variable yet");
        t.set("x", "1");
        assert!(t.add_enum("x", "b"));
        assert!(t.add_enum("x", "a"));
        assert!(!t.add_enum("x", "a"));
        assert_eq!(
            t.get("x").map(|v| v.enums.clone()),
            Some(vec!["b".into(), "a".into()])
        );
        assert!(t.remove_enum("x", "B"));
        assert!(t.add_range("x", 0, 10));
        assert!(!t.add_range("x", 0, 20), "same min counts as duplicate");
        assert!(!t.add_range("x", 5, 10), "same max counts as duplicate");
        assert!(!t.add_range("x", 30, 20), "min above max");
        assert!(t.add_range("x", 20, 30));
        assert!(t.remove_range("x", 0, 10));
        assert_eq!(t.get("x").map(|v| v.ranges.clone()), Some(vec![(20, 30)]));
    }

    #[test]
    fn dump_order_matches_nut() {
        let mut t = VarTree::new();
        t.set("ups.id", "A");
        t.set_aux("ups.id", 16);
        t.set_flags(
            "ups.id",
            Flags {
                rw: true,
                string: true,
                ..Flags::default()
            },
        );
        t.set("input.sensitivity", "medium");
        t.add_enum("input.sensitivity", "low");
        t.add_cmd("load.on");
        t.add_cmd("beeper.toggle");
        let wire: Vec<String> = t.dump().iter().map(ToString::to_string).collect();
        assert_eq!(
            wire,
            [
                "SETINFO input.sensitivity \"medium\"",
                "ADDENUM input.sensitivity \"low\"",
                "SETINFO ups.id \"A\"",
                "SETAUX ups.id 16",
                "SETFLAGS ups.id RW STRING",
                "ADDCMD beeper.toggle",
                "ADDCMD load.on",
            ]
        );
        let mut copy = VarTree::new();
        for m in t.dump() {
            copy.apply(&m);
        }
        assert_eq!(copy, t);
    }
}
