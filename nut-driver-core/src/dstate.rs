//! Driver state ("dstate"): the variable tree a driver publishes, with the updates it must
//! broadcast, staleness, and the `ups.status` / `ups.alarm` builders NUT drivers use.
//!
//! Sans-IO: every mutation that changes something queues the socket message that announces it;
//! the socket server drains them with [`DriverState::take_updates`] and sends them to every
//! client. [`DriverState::dump`] is the full reply to `DUMPALL`.

use nut_proto::text::leading_int;

use crate::sock::DriverMsg;
use crate::tree::{Flags, VarTree};

/// A driver's published state.
#[derive(Debug, Clone, Default)]
pub struct DriverState {
    tree: VarTree,
    stale: bool,
    updates: Vec<DriverMsg>,
    status: Vec<String>,
    alarms: Vec<String>,
    alarm_active: bool,
}

impl DriverState {
    /// An empty state. Data starts out stale until the driver says [`data_ok`](Self::data_ok).
    pub fn new() -> Self {
        Self {
            stale: true,
            ..Self::default()
        }
    }

    /// The variable tree.
    pub fn tree(&self) -> &VarTree {
        &self.tree
    }

    /// Value of a variable.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.tree.value(var)
    }

    /// Whether the data is currently stale.
    pub fn is_stale(&self) -> bool {
        self.stale
    }

    /// Sets a variable; broadcasts SETINFO when it changed.
    pub fn set_info(&mut self, var: &str, value: impl Into<String>) {
        let value = value.into();
        if self.tree.set(var, &value) {
            self.updates.push(DriverMsg::SetInfo {
                var: var.to_owned(),
                value,
            });
        }
    }

    /// Removes a variable; broadcasts DELINFO when it existed.
    pub fn del_info(&mut self, var: &str) {
        if self.tree.remove(var) {
            self.updates.push(DriverMsg::DelInfo {
                var: var.to_owned(),
            });
        }
    }

    /// Replaces a variable's flags; broadcasts SETFLAGS on change.
    pub fn set_flags(&mut self, var: &str, flags: Flags) {
        if self.tree.set_flags(var, flags) {
            self.updates.push(DriverMsg::SetFlags {
                var: var.to_owned(),
                flags: flags.words(),
            });
        }
    }

    /// Sets a variable's auxiliary value (maximum string length); broadcasts on change.
    pub fn set_aux(&mut self, var: &str, aux: i64) {
        if self.tree.set_aux(var, aux) {
            self.updates.push(DriverMsg::SetAux {
                var: var.to_owned(),
                aux,
            });
        }
    }

    /// Declares a writable string variable of at most `len` bytes.
    pub fn set_rw_string(&mut self, var: &str, len: i64) {
        self.set_flags(
            var,
            Flags {
                rw: true,
                string: true,
                ..Flags::default()
            },
        );
        self.set_aux(var, len);
    }

    /// Adds an allowed value to a variable.
    pub fn add_enum(&mut self, var: &str, value: &str) {
        if self.tree.add_enum(var, value) {
            self.updates.push(DriverMsg::AddEnum {
                var: var.to_owned(),
                value: value.to_owned(),
            });
        }
    }

    /// Removes an allowed value.
    pub fn del_enum(&mut self, var: &str, value: &str) {
        if self.tree.remove_enum(var, value) {
            self.updates.push(DriverMsg::DelEnum {
                var: var.to_owned(),
                value: value.to_owned(),
            });
        }
    }

    /// Adds an allowed range; like NUT, this also marks the variable NUMBER.
    pub fn add_range(&mut self, var: &str, min: i64, max: i64) {
        if self.tree.add_range(var, min, max) {
            self.updates.push(DriverMsg::AddRange {
                var: var.to_owned(),
                min,
                max,
            });
            if let Some(mut flags) = self.tree.get(var).map(|v| v.flags) {
                flags.number = true;
                self.set_flags(var, flags);
            }
        }
    }

    /// Removes an allowed range.
    pub fn del_range(&mut self, var: &str, min: i64, max: i64) {
        if self.tree.remove_range(var, min, max) {
            self.updates.push(DriverMsg::DelRange {
                var: var.to_owned(),
                min,
                max,
            });
        }
    }

    /// Adds an instant command.
    pub fn add_cmd(&mut self, cmd: &str) {
        if self.tree.add_cmd(cmd) {
            self.updates.push(DriverMsg::AddCmd(cmd.to_owned()));
        }
    }

    /// Removes an instant command.
    pub fn del_cmd(&mut self, cmd: &str) {
        if self.tree.remove_cmd(cmd) {
            self.updates.push(DriverMsg::DelCmd(cmd.to_owned()));
        }
    }

    /// The device answers: broadcasts DATAOK if the data was stale.
    pub fn data_ok(&mut self) {
        if self.stale {
            self.stale = false;
            self.updates.push(DriverMsg::DataOk);
        }
    }

    /// The device does not answer: broadcasts DATASTALE if the data was fresh.
    pub fn data_stale(&mut self) {
        if !self.stale {
            self.stale = true;
            self.updates.push(DriverMsg::DataStale);
        }
    }

    /// Applies an `override.<var>` option: the value is set and never changes afterwards.
    pub fn set_override(&mut self, var: &str, value: &str) {
        self.tree.set_immutable(var, false);
        self.set_info(var, value);
        self.tree.set_immutable(var, true);
    }

    /// Applies a `default.<var>` option: the value stands until the driver sets its own.
    pub fn set_default(&mut self, var: &str, value: &str) {
        self.set_info(var, value);
    }

    /// Records a driver option as `driver.parameter.<name>`, or `driver.flag.<name>` =
    /// `enabled` for a flag without a value.
    pub fn set_driver_option(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(v) => self.set_info(&format!("driver.parameter.{name}"), v),
            None => self.set_info(&format!("driver.flag.{name}"), "enabled"),
        }
    }

    /// Starts building `ups.status`.
    pub fn status_init(&mut self) {
        self.status.clear();
    }

    /// Adds a status token (`OL`, `OB`, `LB`, ...). `LB` is dropped when the
    /// `ignorelb` flag is set; the low-battery condition is then computed at commit.
    pub fn status_set(&mut self, token: &str) {
        if token.eq_ignore_ascii_case("LB") && self.ignore_lb() {
            return;
        }
        if !self.status.iter().any(|t| t == token) {
            self.status.push(token.to_owned());
        }
    }

    /// Publishes `ups.status` (prefixed with `ALARM` while alarms are active). With the
    /// `ignorelb` flag, `LB` is added when `battery.charge` < `battery.charge.low` or
    /// `battery.runtime` < `battery.runtime.low`.
    pub fn status_commit(&mut self) {
        if self.ignore_lb()
            && (self.below_low("battery.charge") || self.below_low("battery.runtime"))
        {
            self.status.push("LB".to_owned());
        }
        let mut s = self.status.join(" ");
        if self.alarm_active {
            s = if s.is_empty() {
                "ALARM".to_owned()
            } else {
                format!("ALARM {s}")
            };
        }
        self.set_info("ups.status", s);
    }

    /// Starts building `ups.alarm`.
    pub fn alarm_init(&mut self) {
        self.alarms.clear();
    }

    /// Adds an alarm text.
    pub fn alarm_set(&mut self, text: &str) {
        self.alarms.push(text.to_owned());
    }

    /// Publishes `ups.alarm` (or removes it when there is no alarm); call before
    /// [`status_commit`](Self::status_commit) so the `ALARM` flag follows.
    pub fn alarm_commit(&mut self) {
        if self.alarms.is_empty() {
            self.alarm_active = false;
            self.del_info("ups.alarm");
        } else {
            self.alarm_active = true;
            let text = self.alarms.join(" ");
            self.set_info("ups.alarm", text);
        }
    }

    /// Makes this state equal to `other` (e.g. a driver re-initialised into a fresh state on
    /// reload), queueing only the broadcasts for what differs: DELINFO/DELCMD for what is
    /// gone, SETINFO/SETFLAGS/SETAUX/ADDENUM/... for what is new or changed, and
    /// DATAOK/DATASTALE if the staleness differs.
    pub fn sync_to(&mut self, other: &Self) {
        let gone: Vec<String> = self
            .tree
            .vars()
            .filter(|v| other.tree.get(&v.name).is_none())
            .map(|v| v.name.clone())
            .collect();
        for name in gone {
            self.del_info(&name);
        }
        for v in other.tree.vars() {
            self.sync_var(v);
        }
        let old_cmds: Vec<String> = self.tree.cmds().map(str::to_owned).collect();
        for c in old_cmds.iter().filter(|c| !other.tree.has_cmd(c)) {
            self.del_cmd(c);
        }
        for c in other.tree.cmds() {
            self.add_cmd(c);
        }
        if other.stale {
            self.data_stale();
        } else {
            self.data_ok();
        }
    }

    fn sync_var(&mut self, v: &crate::tree::Var) {
        if v.flags.immutable {
            self.set_override(&v.name, &v.value);
        } else {
            self.tree.set_immutable(&v.name, false);
            self.set_info(&v.name, v.value.clone());
        }
        self.set_flags(&v.name, v.flags);
        self.set_aux(&v.name, v.aux);
        let (enums, ranges) = match self.tree.get(&v.name) {
            Some(cur) => (cur.enums.clone(), cur.ranges.clone()),
            None => (Vec::new(), Vec::new()),
        };
        for e in enums.iter().filter(|e| !v.enums.contains(e)) {
            self.del_enum(&v.name, e);
        }
        for e in &v.enums {
            self.add_enum(&v.name, e);
        }
        for &(min, max) in ranges.iter().filter(|r| !v.ranges.contains(r)) {
            self.del_range(&v.name, min, max);
        }
        for &(min, max) in &v.ranges {
            self.add_range(&v.name, min, max);
        }
    }

    /// Takes the queued broadcasts, oldest first.
    pub fn take_updates(&mut self) -> Vec<DriverMsg> {
        std::mem::take(&mut self.updates)
    }

    /// The complete `DUMPALL` reply: `DATASTALE` first if stale, the tree, then `DATAOK` if
    /// fresh, then `DUMPDONE`.
    pub fn dump(&self) -> Vec<DriverMsg> {
        let mut out = Vec::new();
        if self.stale {
            out.push(DriverMsg::DataStale);
        }
        out.extend(self.tree.dump());
        if !self.stale {
            out.push(DriverMsg::DataOk);
        }
        out.push(DriverMsg::DumpDone);
        out
    }

    fn ignore_lb(&self) -> bool {
        self.tree.get("driver.flag.ignorelb").is_some()
    }

    fn below_low(&self, var: &str) -> bool {
        let num = |v: &str| self.get(v).and_then(leading_int);
        matches!((num(var), num(&format!("{var}.low"))), (Some(v), Some(low)) if v < low)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(v: Vec<DriverMsg>) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn changes_are_broadcast_once() {
        let mut d = DriverState::new();
        d.set_info("ups.status", "OL");
        d.set_info("ups.status", "OL");
        d.set_info("ups.load", "23");
        d.del_info("nothing");
        d.data_ok();
        d.data_ok();
        assert_eq!(
            wire(d.take_updates()),
            [
                "SETINFO ups.status \"OL\"",
                "SETINFO ups.load \"23\"",
                "DATAOK"
            ]
        );
        assert!(d.take_updates().is_empty());
    }

    #[test]
    fn status_and_alarm_builders() {
        let mut d = DriverState::new();
        d.alarm_init();
        d.alarm_set("Replace battery!");
        d.alarm_commit();
        d.status_init();
        d.status_set("OB");
        d.status_set("DISCHRG");
        d.status_commit();
        assert_eq!(d.get("ups.status"), Some("ALARM OB DISCHRG"));
        assert_eq!(d.get("ups.alarm"), Some("Replace battery!"));
        d.alarm_init();
        d.alarm_commit();
        d.status_init();
        d.status_set("OL");
        d.status_commit();
        assert_eq!(d.get("ups.status"), Some("OL"));
        assert_eq!(d.get("ups.alarm"), None);
    }

    #[test]
    fn ignorelb_computes_low_battery_from_thresholds() {
        let mut d = DriverState::new();
        d.set_driver_option("ignorelb", None);
        d.set_info("battery.charge", "15");
        d.set_info("battery.charge.low", "20");
        d.status_init();
        d.status_set("OB");
        d.status_set("LB");
        d.status_commit();
        assert_eq!(d.get("ups.status"), Some("OB LB"));
        d.set_info("battery.charge", "50");
        d.status_init();
        d.status_set("OB");
        d.status_set("LB");
        d.status_commit();
        assert_eq!(
            d.get("ups.status"),
            Some("OB"),
            "device LB ignored, charge above low"
        );
    }

    #[test]
    fn override_is_immutable_default_is_not() {
        let mut d = DriverState::new();
        d.set_override("ups.mfr", "Forced");
        d.set_default("battery.charge.low", "30");
        d.set_info("ups.mfr", "Device");
        d.set_info("battery.charge.low", "10");
        assert_eq!(d.get("ups.mfr"), Some("Forced"));
        assert_eq!(d.get("battery.charge.low"), Some("10"));
    }

    #[test]
    fn sync_broadcasts_only_the_differences() {
        let mut live = DriverState::new();
        live.set_info("battery.charge", "100");
        live.set_info("ups.status", "OL");
        live.set_info("ups.model", "Old");
        live.add_cmd("load.off");
        live.data_ok();
        live.take_updates();
        let mut fresh = DriverState::new();
        fresh.set_info("ups.status", "OL");
        fresh.set_info("ups.model", "New");
        fresh.set_rw_string("ups.model", 32);
        fresh.add_cmd("beeper.toggle");
        fresh.data_ok();
        live.sync_to(&fresh);
        assert_eq!(
            wire(live.take_updates()),
            [
                "DELINFO battery.charge",
                "SETINFO ups.model \"New\"",
                "SETFLAGS ups.model RW STRING",
                "SETAUX ups.model 32",
                "DELCMD load.off",
                "ADDCMD beeper.toggle",
            ]
        );
        assert_eq!(wire(live.dump()), wire(fresh.dump()));
    }

    /// Found by the `driver_state` fuzz target: a re-read that spells a name in another
    /// case is the same variable, kept under its first spelling and not re-sent, as in
    /// NUT's state tree (names compared with `strcasecmp`).
    #[test]
    fn sync_keeps_the_first_spelling_of_a_name() {
        let mut live = DriverState::new();
        live.set_info("stale.leftover", "x");
        live.take_updates();
        let mut fresh = DriverState::new();
        fresh.set_info("stale.lEftover", "x");
        live.sync_to(&fresh);
        assert_eq!(wire(live.take_updates()), Vec::<String>::new());
        assert_eq!(
            wire(live.dump()),
            ["DATASTALE", "SETINFO stale.leftover \"x\"", "DUMPDONE"]
        );
    }

    #[test]
    fn dump_frames_stale_and_fresh() {
        let mut d = DriverState::new();
        d.set_info("ups.status", "OL");
        assert_eq!(
            wire(d.dump()),
            ["DATASTALE", "SETINFO ups.status \"OL\"", "DUMPDONE"]
        );
        d.data_ok();
        assert_eq!(
            wire(d.dump()),
            ["SETINFO ups.status \"OL\"", "DATAOK", "DUMPDONE"]
        );
        d.add_range("ups.status", 1, 2);
        assert!(d.tree().get("ups.status").is_some_and(|v| v.flags.number));
    }
}
