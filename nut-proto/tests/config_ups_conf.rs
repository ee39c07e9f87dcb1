//! `ups.conf` parsing: what NUT's own readers take from each markup variant.
#![allow(clippy::unwrap_used)]

use nut_proto::config::ups_conf::{Synchronous, UpsConf, UpsOption, UpsSection};
use nut_proto::{ConfigError, ConfigErrorKind, ParseError};

fn parse(text: &str) -> nut_proto::config::Parsed<UpsConf> {
    UpsConf::parse(text, "ups.conf").expect("parses")
}

fn section(name: &str, driver: &str, port: Option<&str>) -> UpsSection {
    UpsSection {
        driver: Some(driver.into()),
        port: port.map(Into::into),
        ..UpsSection::new(name)
    }
}

fn warn(line: usize, kind: ConfigErrorKind) -> ConfigError {
    ConfigError::new("ups.conf", line, kind)
}

fn bad_args(line: usize, directive: &str, reason: &str) -> ConfigError {
    let kind = ConfigErrorKind::BadArguments {
        directive: directive.into(),
        reason: reason.into(),
    };
    warn(line, kind)
}

/// The file NUT's nut-driver-enumerator test uses, with every markup variant. The expected
/// driver of each section is what `upsdrvctl -t start` of NUT 2.8.0 prints for it.
#[test]
fn enumerator_test_file_reads_like_nut() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/nut/nut-driver-enumerator-test--ups.conf"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{path}: {e} (the shared data dir must sit beside the checkout)")
    });
    let parsed = parse(&text);
    let conf = &parsed.config;

    assert_eq!(conf.globals.maxstartdelay, Some(180));
    assert_eq!(conf.globals.other, [UpsOption::flag("globalflag")]);

    let mut dummy1 = section("dummy1", "dummy-ups", Some("file1.dev"));
    dummy1.desc = Some("This is ups-1".into());
    let mut epdu2 = section("epdu-2", "netxml-ups", Some("http://172.16.1.2"));
    epdu2.options = vec![UpsOption::new("synchronous", "yes")];
    let mut epdu2_snmp = section("epdu-2-snmp", "snmp-ups", Some("172.16.1.2"));
    epdu2_snmp.options = vec![UpsOption::new("synchronous", "no")];
    let mut serial4 = section("serial.4", "serial-ups", Some("/dev/ttyS1"));
    serial4.options = vec![UpsOption::flag("driverflag")];
    let mut with_comment = section("sectionWithComment", "nutdrv_qx", Some("/dev/usb/8"));
    with_comment.desc = Some("value with [brackets]".into());
    let mut with_ws = section(
        "sectionWithCommentWhitespace",
        "nutdrv_qx",
        Some("/dev/usb/8"),
    );
    with_ws.options = vec![UpsOption::flag("commentedDriverFlag")];
    let expected = vec![
        dummy1,
        epdu2,
        epdu2_snmp,
        section("usb_3", "usbhid-ups", Some("auto")),
        serial4,
        section("ragtech-serial", "ragtech", Some("/dev/ttyACM0")),
        // Quotes keep the trailing blanks; upsdrvctl execs "dummy-ups  ".
        section(
            "dummy-proxy",
            "dummy-ups  ",
            Some("remoteUPS@RemoteHost.local"),
        ),
        // Single quotes are not quotes in NUT: the value is `'dummy-ups`.
        section(
            "dummy-proxy-localhost",
            "'dummy-ups",
            Some("localUPS@127.0.0.1"),
        ),
        // `=` is a word of its own: `driver = dummy=ups` sets `dummy`.
        section("valueHasEquals", "dummy", Some("file1.dev")),
        // An unquoted `#` starts a comment.
        section("valueHasHashtag", "dummy-ups", Some("file")),
        // A `#` inside quotes is a parse error: the port line is skipped.
        section("valueHasQuotedHashtag", "dummy-ups", None),
        section("qx-serial", "nutdrv_qx", Some("/dev/ttyb")),
        section("qx-usb1", "nutdrv_qx", Some("auto")),
        section("qx-usb2", "nutdrv_qx", Some("/dev/usb/8")),
        with_comment,
        with_ws,
    ];
    assert_eq!(conf.sections, expected);

    let expected_warnings = vec![
        bad_args(42, "driver", "words after the value ignored"),
        bad_args(46, "driver", "words after the value ignored"),
        warn(
            53,
            ConfigErrorKind::Missing("port in [valueHasQuotedHashtag]".into()),
        ),
        warn(55, ConfigErrorKind::Syntax(ParseError::HashInQuotes)),
        warn(
            71,
            ConfigErrorKind::BadSection("[brackets with spaces are not sections]".into()),
        ),
    ];
    assert_eq!(parsed.warnings, expected_warnings);

    assert_eq!(
        UpsConf::parse(&conf.to_string(), "x").unwrap().config,
        *conf
    );
}

#[test]
fn globals_are_typed_and_unknown_ones_kept() {
    let text = "chroot = /var/empty\ndriverpath = /lib/nut\nuser = nut\ngroup = nut\n\
                maxstartdelay = 60\nmaxretry = 3\nretrydelay = 7\npollinterval = 4\n\
                synchronous = auto\ndebug_min = 2\nnowait\nfuture_knob = on\nlegacy\n";
    let parsed = parse(text);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let g = &parsed.config.globals;
    assert_eq!(g.chroot.as_deref(), Some("/var/empty"));
    assert_eq!(g.driverpath.as_deref(), Some("/lib/nut"));
    assert_eq!(
        (g.user.as_deref(), g.group.as_deref()),
        (Some("nut"), Some("nut"))
    );
    assert_eq!(
        (g.maxstartdelay, g.maxretry, g.retrydelay),
        (Some(60), Some(3), Some(7))
    );
    assert_eq!((g.pollinterval, g.debug_min), (Some(4), Some(2)));
    assert_eq!(g.synchronous, Some(Synchronous::Auto));
    assert!(g.nowait);
    assert_eq!(
        g.other,
        [
            UpsOption::new("future_knob", "on"),
            UpsOption::flag("legacy")
        ]
    );
}

#[test]
fn section_options_keep_order_and_flags() {
    let text = "[ups]\n driver = usbhid-ups\n port = auto\n vendorid = 0463\n nolock\n\
                sdorder = -1\n pollinterval = 10\n vendorid = 051d\n";
    let conf = parse(text).config;
    let ups = conf.section("ups").unwrap();
    assert_eq!(ups.sdorder, Some(-1));
    assert_eq!(
        ups.options,
        [
            UpsOption::new("vendorid", "0463"),
            UpsOption::flag("nolock"),
            UpsOption::new("pollinterval", "10"),
            UpsOption::new("vendorid", "051d"),
        ]
    );
    assert_eq!(ups.value("vendorid"), Some("051d"));
    assert!(ups.has_flag("nolock") && !ups.has_flag("vendorid"));
}

#[test]
fn repeated_section_adds_to_the_first() {
    let parsed = parse("[a]\ndriver = x\n[b]\ndriver = y\nport = p\n[a]\nport = q\n");
    assert_eq!(parsed.config.sections.len(), 2);
    assert_eq!(parsed.config.sections[0].port.as_deref(), Some("q"));
    assert_eq!(
        parsed.warnings,
        [warn(6, ConfigErrorKind::DuplicateSection("a".into()))]
    );
}

#[test]
fn warnings_with_lines() {
    let cases: &[(&str, ConfigError)] = &[
        ("maxretry = many\n", warn(1, bad_value("maxretry", "many"))),
        ("\n\nmaxretry\n", bad_args(3, "maxretry", "needs a value")),
        (
            "key value\n",
            bad_args(1, "key", "expected `key = value` or a flag"),
        ),
        (
            "[u]\ndriver = d\nport = p\n sdorder = x\n",
            warn(4, bad_value("sdorder", "x")),
        ),
        (
            "[u]\ndriver = d\ndriver\nport = p\n",
            bad_args(3, "driver", "needs a value"),
        ),
        (
            "[u]\nport = p\n",
            warn(1, ConfigErrorKind::Missing("driver in [u]".into())),
        ),
        (
            "a = \"open\n",
            warn(1, ConfigErrorKind::Syntax(ParseError::UnterminatedQuote)),
        ),
    ];
    for (text, expected) in cases {
        let parsed = parse(text);
        assert_eq!(parsed.warnings, std::slice::from_ref(expected), "{text:?}");
    }
}

fn bad_value(key: &str, value: &str) -> ConfigErrorKind {
    ConfigErrorKind::InvalidValue {
        key: key.into(),
        value: value.into(),
    }
}

#[test]
fn pollinterval_is_read_like_atoi_and_left_to_the_drivers() {
    let conf = parse("pollinterval = soon\n[u]\ndriver = d\nport = p\n pollinterval = -5\n").config;
    assert_eq!(conf.globals.pollinterval, Some(0));
    let u = conf.section("u").unwrap();
    assert_eq!(u.value("pollinterval"), Some("-5"));
    assert_eq!(
        parse("pollinterval = 7s\n").config.globals.pollinterval,
        Some(7)
    );
}

#[test]
fn writes_what_it_reads() {
    let mut ups = section("odd name]", "dummy-ups", Some("a \"quoted\" #path"));
    ups.desc = Some(String::new());
    ups.sdorder = Some(2);
    ups.options = vec![UpsOption::flag("="), UpsOption::new("k=v", "x\\y")];
    let mut conf = UpsConf::default();
    conf.globals.synchronous = Some(Synchronous::Yes);
    conf.globals.other = vec![UpsOption::new("odd key", "")];
    conf.sections = vec![ups, UpsSection::new("")];
    let text = conf.to_string();
    assert_eq!(parse(&text).config, conf, "{text}");
}

#[test]
fn sample_style_file_has_no_warnings() {
    let text = include_str!("data/config/ups.conf");
    let parsed = parse(text);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert!(parsed.config.sections.len() >= 3);
    assert_eq!(parse(&parsed.config.to_string()).config, parsed.config);
}
