//! `hosts.conf` parsing.
#![allow(clippy::unwrap_used)]

use nut_proto::config::hosts_conf::{HostEntry, HostsConf};
use nut_proto::{ConfigError, ConfigErrorKind};

fn parse(text: &str) -> nut_proto::config::Parsed<HostsConf> {
    HostsConf::parse(text, "hosts.conf").expect("hosts.conf never fails")
}

#[test]
fn fixture_lists_hosts() {
    let parsed = parse(include_str!("data/config/hosts.conf"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let c = &parsed.config;
    assert_eq!(c.hosts.len(), 3);
    assert_eq!(
        c.hosts[2],
        HostEntry {
            system: "matrix@shs-server.example.edu".into(),
            description: "Sierra High School data room #1".into(),
        }
    );
    assert_eq!(
        c.description("su2200@10.64.1.1"),
        Some("Finance department")
    );
    assert_eq!(c.description("nope@localhost"), None);
    assert_eq!(parse(&c.to_string()).config, *c);
}

#[test]
fn other_lines_are_warnings() {
    let text = "MONITOR a@h\nmonitor b@h x\nMONITOR c@h \"C\" extra\nMONITOR d@h \"bad#\"\n";
    let parsed = parse(text);
    assert_eq!(
        parsed.config.hosts,
        [HostEntry {
            system: "c@h".into(),
            description: "C".into()
        }]
    );
    let bad_args = |line, reason: &str| {
        let kind = ConfigErrorKind::BadArguments {
            directive: "MONITOR".into(),
            reason: reason.into(),
        };
        ConfigError::new("hosts.conf", line, kind)
    };
    assert_eq!(
        parsed.warnings,
        [
            bad_args(1, "needs a system and a description"),
            ConfigError::new(
                "hosts.conf",
                2,
                ConfigErrorKind::UnknownDirective("monitor".into())
            ),
            bad_args(3, "words after the description ignored"),
            ConfigError::new(
                "hosts.conf",
                4,
                ConfigErrorKind::Syntax(nut_proto::ParseError::HashInQuotes)
            ),
        ]
    );
}
