//! Descriptions of variables and instant commands for `GET DESC` and `GET CMDDESC`.
//!
//! upsd reads them from NUT's `cmdvartab` (`VARDESC <name> "<text>"` and
//! `CMDDESC <name> "<text>"` lines; other lines are ignored; a later entry for the same name,
//! ignoring case, replaces the earlier one). The server binary loads the installed file at run
//! time; [`Descriptions::builtin`] is a short fallback written for this project, used when no
//! file is found. Lookups ignore case. A name without a description is answered with
//! `"Description unavailable"` by the session, never with an error.

use std::collections::HashMap;

use nut_proto::text::split_config;

/// Variable and command descriptions, looked up without regard to case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Descriptions {
    vars: HashMap<String, String>,
    cmds: HashMap<String, String>,
}

/// Our own wording for the most common names (not NUT's text).
const BUILTIN_VARS: &[(&str, &str)] = &[
    ("ups.status", "Current state flags of the UPS"),
    ("ups.alarm", "Active alarms reported by the UPS"),
    ("ups.load", "Output load in percent of capacity"),
    ("ups.model", "Model name of the UPS"),
    ("ups.mfr", "Maker of the UPS"),
    ("ups.serial", "Serial number of the UPS"),
    ("ups.id", "Name the UPS carries for identification"),
    ("ups.temperature", "Internal temperature in degrees Celsius"),
    (
        "ups.delay.shutdown",
        "Seconds between a delayed shutdown command and power-off",
    ),
    (
        "ups.delay.start",
        "Seconds the UPS waits before powering the load back on",
    ),
    (
        "ups.beeper.status",
        "Whether the audible alarm is on, off or muted",
    ),
    ("ups.test.result", "Outcome of the last self-test"),
    ("battery.charge", "Remaining battery capacity in percent"),
    (
        "battery.charge.low",
        "Charge level in percent at which the UPS reports low battery",
    ),
    (
        "battery.runtime",
        "Estimated seconds of runtime left on battery",
    ),
    ("battery.voltage", "Battery voltage in volts"),
    ("input.voltage", "Voltage at the UPS input in volts"),
    ("input.frequency", "Frequency at the UPS input in hertz"),
    (
        "input.transfer.low",
        "Input voltage below which the UPS switches to battery",
    ),
    (
        "input.transfer.high",
        "Input voltage above which the UPS switches to battery",
    ),
    (
        "input.sensitivity",
        "How readily the UPS reacts to input disturbances",
    ),
    ("output.voltage", "Voltage at the UPS output in volts"),
    ("output.frequency", "Frequency at the UPS output in hertz"),
    ("device.model", "Model name of the device"),
    ("device.mfr", "Maker of the device"),
    ("device.serial", "Serial number of the device"),
    ("device.type", "Kind of device (ups, pdu, ...)"),
    ("driver.name", "Program serving this device"),
    (
        "driver.version",
        "Release of the program serving this device",
    ),
];

/// Our own wording for the most common instant commands (not NUT's text).
const BUILTIN_CMDS: &[(&str, &str)] = &[
    ("load.off", "Cut power to the outlets now"),
    ("load.on", "Restore power to the outlets now"),
    ("load.off.delay", "Cut power to the outlets after a delay"),
    (
        "load.on.delay",
        "Restore power to the outlets after a delay",
    ),
    (
        "shutdown.return",
        "Power off, and on again when line power comes back",
    ),
    ("shutdown.stayoff", "Power off and stay off"),
    ("shutdown.stop", "Cancel a pending shutdown"),
    ("shutdown.reboot", "Power-cycle the outlets"),
    ("test.battery.start", "Begin a battery self-test"),
    (
        "test.battery.start.quick",
        "Begin a short battery self-test",
    ),
    ("test.battery.start.deep", "Begin a long battery self-test"),
    ("test.battery.stop", "Abort the running battery self-test"),
    ("calibrate.start", "Begin a runtime calibration"),
    ("calibrate.stop", "Abort the running calibration"),
    ("beeper.enable", "Turn the audible alarm on"),
    ("beeper.disable", "Turn the audible alarm off"),
    ("beeper.mute", "Silence the audible alarm for now"),
    ("beeper.toggle", "Switch the audible alarm on or off"),
];

impl Descriptions {
    /// No descriptions at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Reads the text of a `cmdvartab` file. Malformed lines are skipped, as upsd skips them.
    ///
    /// ```
    /// use nut_server::Descriptions;
    /// let d = Descriptions::parse("# comment\nVARDESC ups.status \"Status\"\nCMDDESC load.off \"Off\"\n");
    /// assert_eq!(d.var("UPS.STATUS"), Some("Status"));
    /// assert_eq!(d.cmd("load.off"), Some("Off"));
    /// assert_eq!(d.var("load.off"), None);
    /// ```
    pub fn parse(cmdvartab_text: &str) -> Self {
        let mut d = Self::default();
        for line in split_config(cmdvartab_text).flatten() {
            let [kind, name, text, ..] = line.words.as_slice() else {
                continue;
            };
            // upsd compares the keyword case-sensitively.
            let map = match kind.as_str() {
                "VARDESC" => &mut d.vars,
                "CMDDESC" => &mut d.cmds,
                _ => continue,
            };
            map.insert(name.to_ascii_lowercase(), text.clone());
        }
        d
    }

    /// A short built-in set, for when no `cmdvartab` is installed.
    pub fn builtin() -> Self {
        let table = |t: &[(&str, &str)]| {
            t.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        Self {
            vars: table(BUILTIN_VARS),
            cmds: table(BUILTIN_CMDS),
        }
    }

    /// The description of a variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The description of an instant command.
    pub fn cmd(&self, name: &str) -> Option<&str> {
        self.cmds
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Number of variable and command descriptions.
    pub fn len(&self) -> usize {
        self.vars.len() + self.cmds.len()
    }

    /// True when there is no description at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_entries_replace_earlier_ones_and_junk_is_skipped() {
        let d = Descriptions::parse(
            "VARDESC a.b \"one\"\nVARDESC A.B \"two\"\nvardesc c \"lower-case keyword\"\n\
             VARDESC short\nCMDDESC y \"why\"\nOTHER z \"zed\"\n",
        );
        assert_eq!(d.var("a.b"), Some("two"));
        assert_eq!(d.var("c"), None);
        assert_eq!(d.var("short"), None);
        assert_eq!(d.cmd("y"), Some("why"));
        assert_eq!(d.var("z"), None);
    }

    #[test]
    fn builtin_covers_the_common_names() {
        let d = Descriptions::builtin();
        assert!(d.var("ups.status").is_some());
        assert!(d.cmd("LOAD.OFF").is_some());
        assert!(d.var("no.such.thing").is_none());
    }
}
