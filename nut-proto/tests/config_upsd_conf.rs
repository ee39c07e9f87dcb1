//! `upsd.conf` parsing: every directive, defaults, and the warnings upsd would log.
#![allow(clippy::unwrap_used)]

use nut_proto::config::upsd_conf::{CertIdent, CertRequest, Listen, UpsdConf};
use nut_proto::{ConfigError, ConfigErrorKind, ParseError};

fn parse(text: &str) -> nut_proto::config::Parsed<UpsdConf> {
    UpsdConf::parse(text, "upsd.conf").expect("upsd.conf never fails")
}

fn warn(line: usize, kind: ConfigErrorKind) -> ConfigError {
    ConfigError::new("upsd.conf", line, kind)
}

fn bad_value(line: usize, key: &str, value: &str) -> ConfigError {
    let kind = ConfigErrorKind::InvalidValue {
        key: key.into(),
        value: value.into(),
    };
    warn(line, kind)
}

fn bad_args(line: usize, directive: &str, reason: &str) -> ConfigError {
    let kind = ConfigErrorKind::BadArguments {
        directive: directive.into(),
        reason: reason.into(),
    };
    warn(line, kind)
}

#[test]
fn fixture_sets_every_directive() {
    let parsed = parse(include_str!("data/config/upsd.conf"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let c = parsed.config;
    assert_eq!(
        c.listen,
        [
            Listen::new("127.0.0.1", Some(3493)),
            Listen::new("::1", Some(3493)),
            Listen::new("myhostname.mydomain", None),
        ]
    );
    assert_eq!(
        (c.maxage, c.maxconn, c.trackingdelay),
        (Some(15), Some(1024), Some(3600))
    );
    assert_eq!(
        (c.allow_no_device, c.disable_weak_ssl),
        (Some(true), Some(true))
    );
    assert_eq!(c.statepath.as_deref(), Some("/var/run/nut"));
    assert_eq!(c.certfile.as_deref(), Some("/usr/local/ups/etc/upsd.pem"));
    assert_eq!(c.certpath.as_deref(), Some("/usr/local/ups/etc/cert/upsd"));
    let ident = CertIdent {
        name: "my nut server".into(),
        password: "MyPasSw0rD".into(),
    };
    assert_eq!(c.certident, Some(ident));
    assert_eq!(c.certrequest, Some(CertRequest::Require));
    assert_eq!(c.debug_min, Some(2));
    assert_eq!(parse(&c.to_string()).config, c);
}

#[test]
fn empty_file_means_defaults() {
    let c = parse("# nothing\n").config;
    assert_eq!(c, UpsdConf::default());
    assert_eq!((c.maxage(), c.trackingdelay()), (15, 3600));
    assert_eq!(
        c.listen_or_default(),
        [Listen::new("127.0.0.1", None), Listen::new("::1", None)]
    );
    assert_eq!(c.listen_or_default()[0].port_or_default(), 3493);
}

#[test]
fn values_in_each_accepted_form() {
    type Check = fn(&UpsdConf) -> bool;
    let cases: &[(&str, Check)] = &[
        ("CERTREQUEST 0", |c| c.certrequest == Some(CertRequest::No)),
        ("CERTREQUEST REQUEST", |c| {
            c.certrequest == Some(CertRequest::Request)
        }),
        ("CERTREQUEST 2", |c| {
            c.certrequest == Some(CertRequest::Require)
        }),
        ("ALLOW_NO_DEVICE Off", |c| c.allow_no_device == Some(false)),
        ("ALLOW_NO_DEVICE 1", |c| c.allow_no_device == Some(true)),
        ("DISABLE_WEAK_SSL no", |c| c.disable_weak_ssl == Some(false)),
        ("debug_min 3", |c| c.debug_min == Some(3)),
        ("DATAPATH \"/srv/nut data\"", |c| {
            c.datapath.as_deref() == Some("/srv/nut data")
        }),
    ];
    for (line, check) in cases {
        let parsed = parse(line);
        assert!(parsed.warnings.is_empty(), "{line}: {:?}", parsed.warnings);
        assert!(check(&parsed.config), "{line}: {:?}", parsed.config);
        assert_eq!(parse(&parsed.config.to_string()).config, parsed.config);
    }
}

#[test]
fn warnings_name_file_and_line() {
    let cases: &[(&str, ConfigError)] = &[
        ("MAXAGE soon", bad_value(1, "MAXAGE", "soon")),
        ("\nMAXCONN -1", bad_value(2, "MAXCONN", "-1")),
        (
            "# c\n\nTRACKINGDELAY",
            bad_args(3, "TRACKINGDELAY", "needs a value"),
        ),
        (
            "ALLOW_NO_DEVICE maybe",
            bad_value(1, "ALLOW_NO_DEVICE", "maybe"),
        ),
        ("CERTREQUEST 3", bad_value(1, "CERTREQUEST", "3")),
        (
            "CERTIDENT onlyname",
            bad_args(1, "CERTIDENT", "needs a name and a password"),
        ),
        ("LISTEN", bad_args(1, "LISTEN", "needs an address")),
        ("LISTEN ::1 nut", bad_value(1, "LISTEN", "nut")),
        ("LISTEN ::1 70000", bad_value(1, "LISTEN", "70000")),
        (
            "ACL all 0.0.0.0/0",
            bad_args(1, "ACL", "no longer supported, use LISTEN"),
        ),
        (
            "maxage 10",
            warn(1, ConfigErrorKind::UnknownDirective("maxage".into())),
        ),
        (
            "STATEPATH \"a#b\"",
            warn(1, ConfigErrorKind::Syntax(ParseError::HashInQuotes)),
        ),
    ];
    for (text, expected) in cases {
        let parsed = parse(text);
        assert_eq!(parsed.warnings, std::slice::from_ref(expected), "{text:?}");
        assert_eq!(parsed.config, UpsdConf::default(), "{text:?}");
    }
}

#[test]
fn later_lines_win_and_good_lines_survive_bad_ones() {
    let parsed = parse("MAXAGE 10\nMAXAGE x\nLISTEN a\nBOGUS\nLISTEN b 1\nMAXAGE 20\n");
    assert_eq!(parsed.config.maxage, Some(20));
    assert_eq!(
        parsed.config.listen,
        [Listen::new("a", None), Listen::new("b", Some(1))]
    );
    let lines: Vec<usize> = parsed.warnings.iter().map(|w| w.line).collect();
    assert_eq!(lines, [2, 4]);
}
