//! Notifications: which event, for which UPS, with which text and what to do with it.

use nut_proto::config::upsmon_conf::{NotifyFlags, UpsmonConf};
use nut_proto::config::NotifyType;

/// One notification upsmon raises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The event (`ONBATT`, `LOWBATT`, ...).
    pub kind: NotifyType,
    /// The UPS it is about (`ups@host`), if any (`SHUTDOWN` has none).
    pub ups: Option<String>,
    /// The text, after `%s` substitution.
    pub message: String,
    /// Where it goes: syslog, wall, NOTIFYCMD, or nowhere.
    pub flags: NotifyFlags,
}

/// upsmon's built-in text for each notification (`%s`: the UPS; a second `%s`: details).
pub fn stock_message(kind: &NotifyType) -> &'static str {
    match kind.name() {
        "ONLINE" => "UPS %s on line power",
        "ONBATT" => "UPS %s on battery",
        "LOWBATT" => "UPS %s battery is low",
        "FSD" => "UPS %s: forced shutdown in progress",
        "COMMOK" => "Communications with UPS %s established",
        "COMMBAD" => "Communications with UPS %s lost",
        "SHUTDOWN" => "Auto logout and shutdown proceeding",
        "SHUTDOWN_HOSTSYNC" => {
            "Shutdown initiated; primary system is waiting for secondaries to log out or time out"
        }
        "REPLBATT" => "UPS %s battery needs to be replaced",
        "NOCOMM" => "UPS %s is unavailable",
        "NOPARENT" => "upsmon parent process died - shutdown impossible",
        "CAL" => "UPS %s: calibration in progress",
        "NOTCAL" => "UPS %s: calibration finished",
        "OFF" => "UPS %s: administratively OFF or asleep",
        "NOTOFF" => "UPS %s: no longer administratively OFF or asleep",
        "BYPASS" => "UPS %s: on bypass (powered, not protecting)",
        "NOTBYPASS" => "UPS %s: no longer on bypass",
        "ECO" => "UPS %s: in ECO mode (as defined by vendor)",
        "NOTECO" => "UPS %s: no longer in ECO mode",
        "ALARM" => "UPS %s: one or more active alarms: [%s]",
        "NOTALARM" => "UPS %s is no longer in an alarm state (no active alarms)",
        "OVER" => "UPS %s: overloaded",
        "NOTOVER" => "UPS %s: no longer overloaded",
        "TRIM" => "UPS %s: trimming incoming voltage",
        "NOTTRIM" => "UPS %s: no longer trimming incoming voltage",
        "BOOST" => "UPS %s: boosting incoming voltage",
        "NOTBOOST" => "UPS %s: no longer boosting incoming voltage",
        "OTHER" => "UPS %s: has at least one unclassified status token: [%s]",
        "NOTOTHER" => "UPS %s has no unclassified status tokens anymore",
        _ => "UPS %s: event",
    }
}

/// The longest notification text in bytes: upsmon 2.8.0 formats it into a 512-byte buffer
/// (`SMALLBUF`, with its terminating NUL), so longer texts are cut.
pub(crate) const MESSAGE_MAX: usize = 511;

/// Cuts `s` to at most `max` bytes, at a character boundary (C cuts at the byte, which can
/// leave half a UTF-8 character).
fn truncate_at_boundary(s: &mut String, max: usize) {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
}

/// Replaces the first `%s` with `ups` and the second with `extra`; `%%` is a literal `%`.
pub fn format_message(template: &str, ups: &str, extra: &str) -> String {
    let mut out = String::with_capacity(template.len() + ups.len());
    let mut args = [ups, extra].into_iter();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('s') => {
                chars.next();
                out.push_str(args.next().unwrap_or(""));
            }
            Some('%') => {
                chars.next();
                out.push('%');
            }
            _ => out.push('%'),
        }
    }
    out
}

/// The notification settings of an `upsmon.conf`: messages and flags per type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NotifyTable {
    messages: Vec<(NotifyType, String)>,
    flags: Vec<(NotifyType, NotifyFlags)>,
}

impl NotifyTable {
    /// From a parsed `upsmon.conf`.
    pub fn from_conf(conf: &UpsmonConf) -> Self {
        Self {
            messages: conf.notifymsg.clone(),
            flags: conf.notifyflag.clone(),
        }
    }

    /// Whether the configuration mentions this type at all.
    pub fn configured(&self, kind: &NotifyType) -> bool {
        self.messages.iter().any(|(k, _)| k == kind) || self.flags.iter().any(|(k, _)| k == kind)
    }

    /// Builds the notification for `kind` about `ups` (with `extra` for types that carry
    /// details, such as ALARM).
    pub fn build(&self, kind: NotifyType, ups: Option<&str>, extra: &str) -> Notification {
        let template = self
            .messages
            .iter()
            .rev()
            .find(|(k, _)| *k == kind)
            .map_or_else(|| stock_message(&kind).to_owned(), |(_, m)| m.clone());
        let flags = self
            .flags
            .iter()
            .rev()
            .find(|(k, _)| *k == kind)
            .map_or_else(|| default_flags(&kind), |(_, f)| *f);
        let mut message = format_message(&template, ups.unwrap_or(""), extra);
        truncate_at_boundary(&mut message, MESSAGE_MAX);
        Notification {
            message,
            ups: ups.map(str::to_owned),
            kind,
            flags,
        }
    }
}

/// upsmon 2.8.0's defaults: SYSLOG and WALL, but only SYSLOG for CAL.
fn default_flags(kind: &NotifyType) -> NotifyFlags {
    NotifyFlags {
        syslog: true,
        wall: *kind != NotifyType::Cal,
        ..NotifyFlags::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution() {
        assert_eq!(
            format_message("UPS %s on battery", "ups@host", ""),
            "UPS ups@host on battery"
        );
        assert_eq!(
            format_message("UPS %s: alarms [%s] 100%%", "u", "Replace"),
            "UPS u: alarms [Replace] 100%"
        );
        assert_eq!(format_message("no args %s %s %s", "a", "b"), "no args a b ");
    }

    #[test]
    fn long_messages_are_cut_to_511_bytes() {
        let text = format!(
            "MONITOR u@h 1 a b primary\nNOTIFYMSG ONBATT \"%s {}\"\n",
            "x".repeat(600)
        );
        let conf = UpsmonConf::parse(&text, "upsmon.conf")
            .expect("valid")
            .config;
        let n = NotifyTable::from_conf(&conf).build(NotifyType::OnBatt, Some("u@h"), "");
        assert_eq!(n.message.len(), 511);
        assert!(n.message.starts_with("u@h xx"));
        let mut s = format!("{}é", "x".repeat(510));
        truncate_at_boundary(&mut s, MESSAGE_MAX);
        assert_eq!(s.len(), 510, "never half a character");
    }

    #[test]
    fn custom_message_and_flags_override_stock() {
        let text = "MONITOR u@h 1 a b primary\nNOTIFYMSG ONBATT \"On battery: %s\"\nNOTIFYFLAG ONBATT EXEC+SYSLOG\n";
        let conf = UpsmonConf::parse(text, "upsmon.conf")
            .expect("valid")
            .config;
        let t = NotifyTable::from_conf(&conf);
        let n = t.build(NotifyType::OnBatt, Some("u@h"), "");
        assert_eq!(n.message, "On battery: u@h");
        assert!(n.flags.exec && n.flags.syslog && !n.flags.wall);
        let n = t.build(NotifyType::Online, Some("u@h"), "");
        assert_eq!(n.message, "UPS u@h on line power");
        assert!(n.flags.wall && n.flags.syslog && !n.flags.exec);
        assert!(!t.build(NotifyType::Cal, Some("u@h"), "").flags.wall);
    }
}
