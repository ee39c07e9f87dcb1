//! `upssched.conf` parsing: AT lines, skipped malformed lines, the fatal ordering rule.
#![allow(clippy::unwrap_used)]

use nut_proto::config::upssched_conf::{At, AtAction, UpsMatch, UpsschedConf};
use nut_proto::config::NotifyType;
use nut_proto::{ConfigError, ConfigErrorKind};

const HEAD: &str = "CMDSCRIPT /bin/cmd\nPIPEFN /run/p\nLOCKFN /run/l\n";

fn parse(text: &str) -> nut_proto::config::Parsed<UpsschedConf> {
    UpsschedConf::parse(text, "upssched.conf").expect("parses")
}

fn err(line: usize, kind: ConfigErrorKind) -> ConfigError {
    ConfigError::new("upssched.conf", line, kind)
}

fn bad_args(line: usize, directive: &str, reason: &str) -> ConfigError {
    let reason = reason.into();
    err(
        line,
        ConfigErrorKind::BadArguments {
            directive: directive.into(),
            reason,
        },
    )
}

fn bad_value(line: usize, key: &str, value: &str) -> ConfigError {
    err(
        line,
        ConfigErrorKind::InvalidValue {
            key: key.into(),
            value: value.into(),
        },
    )
}

#[test]
fn fixture_reads_every_command() {
    let parsed = parse(include_str!("data/config/upssched.conf"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let c = &parsed.config;
    assert_eq!(c.cmdscript.as_deref(), Some("/usr/bin/upssched-cmd"));
    assert_eq!(c.pipefn.as_deref(), Some("/run/nut/upssched/upssched.pipe"));
    assert_eq!(c.lockfn.as_deref(), Some("/run/nut/upssched/upssched.lock"));
    let expected = vec![
        At {
            notify: NotifyType::CommBad,
            ups: UpsMatch::Any,
            action: AtAction::StartTimer {
                name: "upsgone".into(),
                seconds: 10,
            },
        },
        At {
            notify: NotifyType::CommOk,
            ups: UpsMatch::Name("myups@localhost".into()),
            action: AtAction::CancelTimer {
                name: "upsgone".into(),
                cmd: None,
            },
        },
        At {
            notify: NotifyType::OnBatt,
            ups: UpsMatch::Any,
            action: AtAction::StartTimer {
                name: "onbattwarn".into(),
                seconds: 30,
            },
        },
        At {
            notify: NotifyType::Online,
            ups: UpsMatch::Any,
            action: AtAction::CancelTimer {
                name: "onbattwarn".into(),
                cmd: Some("ups-back-quickly".into()),
            },
        },
        At {
            notify: NotifyType::Online,
            ups: UpsMatch::Any,
            action: AtAction::Execute("ups-back-on-line".into()),
        },
    ];
    assert_eq!(c.at, expected);
    assert!(c.at[1].ups.matches("myups@localhost") && !c.at[1].ups.matches("other"));
    assert_eq!(parse(&c.to_string()).config, *c);
}

#[test]
fn malformed_lines_are_skipped_with_warnings() {
    let cases = [
        (
            "AT ONBATT * START-TIMER t",
            bad_args(4, "START-TIMER", "needs seconds"),
        ),
        (
            "AT ONBATT * START-TIMER t soon",
            bad_value(4, "START-TIMER", "soon"),
        ),
        ("AT BOGUS * EXECUTE x", bad_value(4, "AT", "BOGUS")),
        ("AT ONBATT * RUN x", bad_value(4, "AT", "RUN")),
        (
            "AT ONBATT * START-TIMER",
            bad_args(4, "AT", "needs a notify type, a UPS and a command"),
        ),
        ("PIPEFN", bad_args(4, "PIPEFN", "needs a value")),
        (
            "TIMER x",
            err(4, ConfigErrorKind::UnknownDirective("TIMER".into())),
        ),
    ];
    for (line, expected) in cases {
        let parsed = parse(&format!("{HEAD}{line}\nAT onbatt * EXECUTE ok\n"));
        assert_eq!(parsed.warnings, std::slice::from_ref(&expected), "{line}");
        assert_eq!(parsed.config.at.len(), 1, "{line}");
        assert_eq!(parsed.config.at[0].notify, NotifyType::OnBatt);
    }
}

#[test]
fn at_before_settings_is_fatal() {
    let cases = [
        ("AT ONBATT * EXECUTE x\n", 1, "CMDSCRIPT"),
        (
            "CMDSCRIPT c\nLOCKFN l\n\nAT ONBATT * EXECUTE x\n",
            4,
            "PIPEFN",
        ),
        (
            "CMDSCRIPT c\nPIPEFN p\nAT ONBATT * EXECUTE x\nLOCKFN l\n",
            3,
            "LOCKFN",
        ),
    ];
    for (text, line, missing) in cases {
        let expected = err(
            line,
            ConfigErrorKind::Missing(format!("{missing} before the first AT")),
        );
        assert_eq!(
            UpsschedConf::parse(text, "upssched.conf"),
            Err(expected.clone())
        );
        assert_eq!(
            expected.to_string(),
            format!("upssched.conf:{line}: missing {missing} before the first AT")
        );
    }
    // A short AT line is only a warning, as in upssched.
    assert_eq!(parse("AT ONBATT *\n").warnings.len(), 1);
}

/// upssched 2.8.0 takes `EXECUTE ""` as it is and complains only when it comes to run it
/// (`Empty EXECUTE command argument`); the line survives a write and a read.
#[test]
fn an_empty_execute_is_kept() {
    let text = format!("{HEAD}AT ONBATT * EXECUTE \"\"\n");
    let parsed = UpsschedConf::parse(&text, "upssched.conf").unwrap();
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.config.at[0].action, AtAction::Execute(String::new()));
    let again = UpsschedConf::parse(&parsed.config.to_string(), "upssched.conf").unwrap();
    assert_eq!(again.config, parsed.config);
}
