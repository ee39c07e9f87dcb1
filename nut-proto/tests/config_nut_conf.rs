//! `nut.conf` parsing: the shell assignment subset, MODE values, errors with lines.
#![allow(clippy::unwrap_used)]

use nut_proto::config::nut_conf::{Mode, NutConf};
use nut_proto::{ConfigError, ConfigErrorKind};

fn parse(text: &str) -> nut_proto::config::Parsed<NutConf> {
    NutConf::parse(text, "nut.conf").expect("parses")
}

#[test]
fn fixture_reads_like_a_shell() {
    let parsed = parse(include_str!("data/config/nut.conf"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let c = &parsed.config;
    assert_eq!(c.mode, Some(Mode::Standalone));
    assert_eq!(c.get("MODE"), Some("standalone"));
    let vars: Vec<(&str, &str)> = c
        .vars
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        vars,
        [
            ("UPSD_OPTIONS", ""),
            ("UPSMON_OPTIONS", "-D"),
            ("POWEROFF_WAIT", "15m"),
            ("ALLOW_NO_DEVICE", "true"),
            ("NUT_DEBUG_LEVEL", "2"),
        ]
    );
    assert_eq!(parse(&c.to_string()).config, *c);
}

#[test]
fn shell_quoting_forms() {
    let cases = [
        (r#"X="a b""#, "a b"),
        (r"X='a \ b'", r"a \ b"),
        (r"X=a\ b", "a b"),
        (r#"X="q\"\\\$\n""#, r#"q"\$\n"#),
        (r#"X=pre'mid'"post""#, "premidpost"),
        ("X=a#b # comment", "a#b"),
        ("  X=1", "1"),
        ("X=", ""),
    ];
    for (line, value) in cases {
        let c = parse(line).config;
        assert_eq!(c.get("X"), Some(value), "{line}");
        assert_eq!(parse(&c.to_string()).config, c, "{line}");
    }
}

#[test]
fn modes() {
    for name in [
        "none",
        "standalone",
        "netserver",
        "netclient",
        "controlled",
        "manual",
    ] {
        let c = parse(&format!("MODE={name}\n")).config;
        assert_eq!(c.mode.as_ref().unwrap().name(), name);
        assert!(!matches!(c.mode, Some(Mode::Other(_))));
    }
    let parsed = parse("# x\nMODE=Standalone\n");
    assert_eq!(parsed.config.mode, Some(Mode::Other("Standalone".into())));
    let kind = ConfigErrorKind::InvalidValue {
        key: "MODE".into(),
        value: "Standalone".into(),
    };
    assert_eq!(parsed.warnings, [ConfigError::new("nut.conf", 2, kind)]);
}

#[test]
fn repeated_keys_take_the_last_value_in_place() {
    let c = parse("A=1\nB=2\nA=3\nMODE=none\nMODE=netclient\n").config;
    assert_eq!(c.vars, [("A".into(), "3".into()), ("B".into(), "2".into())]);
    assert_eq!(c.mode, Some(Mode::Netclient));
}

#[test]
fn non_assignments_are_errors_with_lines() {
    let cases = [
        (
            "MODE = none",
            "MODE",
            "expected KEY=value without blanks around =",
        ),
        (
            "MODE =none",
            "MODE",
            "expected KEY=value without blanks around =",
        ),
        ("echo hello", "echo", "expected KEY=value"),
        ("X=a b", "X", "text after the value (blanks must be quoted)"),
        ("X=$HOME", "X", "expansions are not supported"),
        ("X=\"`id`\"", "X", "expansions are not supported"),
        ("X='open", "X", "unterminated single quote"),
        ("X=\"open", "X", "unterminated double quote"),
        ("X=1; rm -rf /", "X", "only an assignment is allowed"),
        (
            "export X=1",
            "export",
            "expected KEY=value without blanks around =",
        ),
    ];
    for (line, directive, reason) in cases {
        let text = format!("# head\n\n{line}\n");
        let kind = ConfigErrorKind::BadArguments {
            directive: directive.into(),
            reason: reason.into(),
        };
        assert_eq!(
            NutConf::parse(&text, "nut.conf"),
            Err(ConfigError::new("nut.conf", 3, kind)),
            "{line}"
        );
    }
}

#[test]
fn writes_values_a_shell_reads_back() {
    let mut c = NutConf {
        mode: Some(Mode::Other("it's".into())),
        ..NutConf::default()
    };
    c.set("OPTS", "-u nut 'x' \"y\" $z `w` \\");
    c.set("EMPTY", "");
    let text = c.to_string();
    assert_eq!(parse(&text).config, c, "{text}");
}
