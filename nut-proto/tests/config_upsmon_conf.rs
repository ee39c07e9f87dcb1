//! `upsmon.conf` parsing: every directive, defaults, notify types and flags, fatal lines.
#![allow(clippy::unwrap_used)]

use nut_proto::config::upsmon_conf::{
    CertHost, CertIdent, Monitor, NotifyFlags, ShutdownExit, UpsmonConf, UpsmonRole,
};
use nut_proto::config::NotifyType;
use nut_proto::{ConfigError, ConfigErrorKind};

const MON: &str = "MONITOR ups@localhost 1 mon pw primary\n";

fn parse(text: &str) -> nut_proto::config::Parsed<UpsmonConf> {
    UpsmonConf::parse(text, "upsmon.conf").expect("parses")
}

fn err(line: usize, kind: ConfigErrorKind) -> ConfigError {
    ConfigError::new("upsmon.conf", line, kind)
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

fn flags(syslog: bool, wall: bool, exec: bool, ignore: bool) -> NotifyFlags {
    NotifyFlags {
        syslog,
        wall,
        exec,
        ignore,
    }
}

#[test]
fn fixture_sets_every_directive() {
    let parsed = parse(include_str!("data/config/upsmon.conf"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let c = &parsed.config;
    assert_eq!(c.monitors.len(), 3);
    assert_eq!(
        c.monitors[2],
        Monitor {
            system: "fenton@bigbox:5678".into(),
            power_value: 0,
            username: "monuser".into(),
            password: "pw with space".into(),
            role: UpsmonRole::Secondary,
        }
    );
    assert_eq!(c.monitors[0].role, UpsmonRole::Primary);
    assert_eq!(c.shutdowncmd.as_deref(), Some("/sbin/shutdown -h +0"));
    assert_eq!(c.notifycmd.as_deref(), Some("/usr/bin/notifyme"));
    assert_eq!(
        c.notify_message(&NotifyType::OnBatt),
        Some("UPS %s on battery")
    );
    assert_eq!(c.notify_message(&NotifyType::Fsd), None);
    assert_eq!(
        c.notify_flags(&NotifyType::OnBatt),
        flags(true, true, true, false)
    );
    assert_eq!(
        c.notify_flags(&NotifyType::ReplBatt),
        flags(false, false, false, true)
    );
    assert_eq!(c.powerdownflag.as_deref(), Some("/etc/killpower"));
    assert_eq!(c.run_as_user.as_deref(), Some("nut"));
    let ident = CertIdent {
        name: "my nut monitor".into(),
        password: "MyPasSw0rD".into(),
    };
    assert_eq!(c.certident, Some(ident));
    let host = CertHost {
        host: "localhost".into(),
        cert_name: "My nut server".into(),
        verify: true,
        force_ssl: true,
    };
    assert_eq!(c.certhosts, [host]);
    assert_eq!(
        (c.certverify, c.forcessl, c.debug_min),
        (Some(true), Some(true), Some(1))
    );
    assert_eq!(c.shutdownexit, Some(ShutdownExit::No));
    assert_eq!(
        (c.offduration, c.overduration, c.oblbduration),
        (Some(30), Some(-1), Some(0))
    );
    assert_eq!(
        (c.pollfail_log_throttle_max, c.alarmcritical),
        (Some(100), Some(false))
    );
    assert_eq!(c.certfile.as_deref(), Some("/etc/nut/upsmon.pem"));
    assert_eq!(parse(&c.to_string()).config, *c);
}

#[test]
fn defaults_when_unset() {
    let c = parse(MON).config;
    let got = [
        c.minsupplies(),
        c.pollfreq(),
        c.pollfreqalert(),
        c.hostsync(),
        c.deadtime(),
    ];
    assert_eq!(got, [1, 5, 5, 15, 15]);
    assert_eq!(
        (c.rbwarntime(), c.nocommwarntime(), c.finaldelay()),
        (43_200, 300, 5)
    );
    assert_eq!(
        c.notify_flags(&NotifyType::Online),
        flags(true, true, false, false)
    );
    assert_eq!(
        c.notify_flags(&NotifyType::Cal),
        flags(true, false, false, false)
    );
}

#[test]
fn notify_types_ignore_case_and_later_lines_replace() {
    let text = format!("{MON}NOTIFYFLAG onbatt WALL\nNOTIFYFLAG ONBATT EXEC\nNOTIFYMSG Nocomm x\n");
    let c = parse(&text).config;
    assert_eq!(
        c.notifyflag,
        [(NotifyType::OnBatt, flags(false, false, true, false))]
    );
    assert_eq!(c.notifymsg, [(NotifyType::NoComm, "x".to_string())]);
}

#[test]
fn shutdownexit_forms() {
    let cases = [
        ("on", ShutdownExit::Yes),
        ("TRUE", ShutdownExit::Yes),
        ("0", ShutdownExit::Yes),
        ("off", ShutdownExit::No),
        ("-1", ShutdownExit::No),
        ("30", ShutdownExit::After(30)),
    ];
    for (word, expected) in cases {
        let c = parse(&format!("{MON}SHUTDOWNEXIT {word}\n")).config;
        assert_eq!(c.shutdownexit, Some(expected), "{word}");
        assert_eq!(parse(&c.to_string()).config, c);
    }
}

#[test]
fn warnings_name_file_and_line() {
    let cases: Vec<(String, ConfigError)> = vec![
        (
            "NOTIFYFLAG SUSPEND_NOW SYSLOG".into(),
            bad_value(2, "NOTIFYFLAG", "SUSPEND_NOW"),
        ),
        (
            "NOTIFYMSG BOGUS \"x\"".into(),
            bad_value(2, "NOTIFYMSG", "BOGUS"),
        ),
        (
            "NOTIFYFLAG ONLINE SYSLOG+LOUD".into(),
            bad_value(2, "NOTIFYFLAG", "LOUD"),
        ),
        (
            "NOTIFYFLAG ONLINE".into(),
            bad_args(2, "NOTIFYFLAG", "needs a type and flags"),
        ),
        ("POLLFREQ -5".into(), bad_value(2, "POLLFREQ", "-5")),
        ("DEADTIME".into(), bad_args(2, "DEADTIME", "needs a value")),
        ("CERTVERIFY yes".into(), bad_value(2, "CERTVERIFY", "yes")),
        (
            "SHUTDOWNEXIT maybe".into(),
            bad_value(2, "SHUTDOWNEXIT", "maybe"),
        ),
        (
            "\nPollFreq 5".into(),
            err(3, ConfigErrorKind::UnknownDirective("PollFreq".into())),
        ),
        (
            MON.trim().into(),
            bad_args(
                2,
                "MONITOR",
                "ups@localhost is already monitored; line ignored",
            ),
        ),
        (
            "MONITOR b@h x mon pw primary".into(),
            bad_value(2, "MONITOR", "x"),
        ),
        (
            "MONITOR b@h 1 mon pw boss".into(),
            bad_value(2, "MONITOR", "boss"),
        ),
        (
            "MONITOR b@h 1".into(),
            bad_args(
                2,
                "MONITOR",
                "needs system, power value, user, password, role",
            ),
        ),
        (
            "CERTHOST h n 1".into(),
            bad_args(
                2,
                "CERTHOST",
                "needs host, certificate name, verify, forcessl",
            ),
        ),
    ];
    for (line, expected) in cases {
        let text = format!("{MON}{line}\n");
        let parsed = parse(&text);
        assert_eq!(parsed.warnings, std::slice::from_ref(&expected), "{text:?}");
    }
}

#[test]
fn unknown_role_is_secondary_like_upsmon() {
    let parsed = parse("MONITOR a@h 1 u p boss\n");
    assert_eq!(parsed.config.monitors[0].role, UpsmonRole::Secondary);
}

#[test]
fn fatal_errors() {
    let cases = [
        (
            format!("{MON}\nMONITOR old@h 1 pw primary\n"),
            bad_args(3, "MONITOR", "old-style line without a user name"),
        ),
        (
            "# nothing monitored\nPOLLFREQ 5\n".to_string(),
            bad_args(
                2,
                "MINSUPPLIES",
                "the MONITOR power values add up to 0, less than 1",
            ),
        ),
        (
            format!("MINSUPPLIES 2\n{MON}MONITOR b@h 0 u p secondary\n"),
            bad_args(
                1,
                "MINSUPPLIES",
                "the MONITOR power values add up to 1, less than 2",
            ),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            UpsmonConf::parse(&text, "upsmon.conf"),
            Err(expected),
            "{text:?}"
        );
    }
    let ok = parse("MINSUPPLIES 0\n");
    assert!(ok.config.monitors.is_empty());
}

#[test]
fn writes_what_it_reads() {
    let text = format!(
        "{MON}MONITOR \"odd \\# name\" 4294967295 \"\" \"p\\\"w\" secondary\n\
         NOTIFYMSG SHUTDOWN \"%s \\\\ done\"\nNOTIFYFLAG CAL \"\"\n"
    );
    let parsed = parse(&text);
    assert_eq!(parsed.config.monitors[1].password, "p\"w");
    let written = parsed.config.to_string();
    assert_eq!(parse(&written).config, parsed.config, "{written}");
}
