//! `upsd.users` parsing: sections, repeatable settings, upsmon roles, and upsd's warnings.
#![allow(clippy::unwrap_used)]

use nut_proto::config::upsd_users::{Action, UpsdUsers, UpsmonRole, User};
use nut_proto::{ConfigError, ConfigErrorKind};

fn parse(text: &str) -> nut_proto::config::Parsed<UpsdUsers> {
    UpsdUsers::parse(text, "upsd.users").expect("upsd.users never fails")
}

fn warn(line: usize, kind: ConfigErrorKind) -> ConfigError {
    ConfigError::new("upsd.users", line, kind)
}

fn bad_args(line: usize, directive: &str, reason: &str) -> ConfigError {
    let kind = ConfigErrorKind::BadArguments {
        directive: directive.into(),
        reason: reason.into(),
    };
    warn(line, kind)
}

#[test]
fn fixture_reads_every_form() {
    let parsed = parse(include_str!("data/config/upsd.users"));
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let users = &parsed.config;
    let names: Vec<&str> = users.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        ["admin", "testuser", "monprimary", "monsecondary", "legacy"]
    );

    let admin = users.user("admin").unwrap();
    assert_eq!(admin.password.as_deref(), Some("mypass"));
    assert_eq!(admin.actions, [Action::Set, Action::Fsd]);
    assert!(admin.allows_instcmd("load.off") && admin.allows_instcmd("anything"));
    assert_eq!(admin.upsmon, None);

    let tester = users.user("testuser").unwrap();
    assert_eq!(tester.instcmds, ["test.battery.start", "test.battery.stop"]);
    assert!(tester.allows_instcmd("TEST.BATTERY.STOP") && !tester.allows_instcmd("load.off"));
    assert!(!tester.has_action(&Action::Set));

    let primary = users.user("monprimary").unwrap();
    assert_eq!(primary.password.as_deref(), Some("pass with spaces"));
    assert_eq!(primary.upsmon, Some(UpsmonRole::Primary));
    assert_eq!(
        users.user("monsecondary").unwrap().upsmon,
        Some(UpsmonRole::Secondary)
    );

    let legacy = users.user("legacy").unwrap();
    assert_eq!(legacy.password.as_deref(), Some("old"));
    assert_eq!(legacy.upsmon, Some(UpsmonRole::Primary));
    assert_eq!(legacy.instcmds, ["beeper.on", "beeper.off", "load.off"]);

    assert_eq!(parse(&users.to_string()).config, *users);
}

#[test]
fn roles_and_actions_merge() {
    let text = "[u]\nupsmon slave\nupsmon MASTER\nupsmon secondary\nactions = set login\n\
                actions = SET Fsd\ninstcmds = a A b\n";
    let parsed = parse(text);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    let mut expected = User::new("u");
    expected.upsmon = Some(UpsmonRole::Primary);
    expected.actions = vec![Action::Set, Action::Other("login".into()), Action::Fsd];
    expected.instcmds = vec!["a".into(), "b".into()];
    assert_eq!(parsed.config.users, [expected]);
}

#[test]
fn quoted_compressed_form_is_split_like_upsd() {
    let parsed = parse("[u]\n\"password=x y\" \n\"instcmds=a\" b c\n");
    let u = &parsed.config.users[0];
    assert_eq!(u.password.as_deref(), Some("x y"));
    assert_eq!(u.instcmds, ["a", "b", "c"]);
}

#[test]
fn warnings_name_file_and_line() {
    let cases: &[(&str, ConfigError)] = &[
        (
            "password = x\n",
            warn(1, ConfigErrorKind::OutsideSection("password".into())),
        ),
        ("[u]\nupsmon boss\n", warn(2, bad_value("upsmon", "boss"))),
        (
            "[u]\npassword = a\npassword = b\n",
            bad_args(3, "password", "repeated; the first password is kept"),
        ),
        (
            "[u]\n\nallowfrom = localhost\n",
            bad_args(3, "allowfrom", "no longer used"),
        ),
        (
            "[u]\ncolour = blue\n",
            warn(2, ConfigErrorKind::UnknownDirective("colour".into())),
        ),
        (
            "[u]\npassword pw\n",
            bad_args(2, "password", "expected `name = value`"),
        ),
        (
            "[u]\npassword =\n",
            bad_args(2, "password", "expected `name = value`"),
        ),
        (
            "[u]\n[u]\n",
            warn(2, ConfigErrorKind::DuplicateSection("u".into())),
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
fn repeated_section_is_ignored_with_its_settings() {
    let parsed =
        parse("[a]\npassword = 1\n[b]\npassword = 2\n[a]\nactions = FSD\nupsmon primary\n");
    let a = parsed.config.user("a").unwrap();
    assert!(a.actions.is_empty() && a.upsmon.is_none());
    assert_eq!(
        parsed.config.user("b").unwrap().password.as_deref(),
        Some("2")
    );
    assert_eq!(parsed.warnings.len(), 1);
}

#[test]
fn old_user_lines_are_ignored_silently() {
    let parsed = parse("USER x\n[u]\npassword = p\n");
    assert!(parsed.warnings.is_empty());
    assert_eq!(parsed.config.users.len(), 1);
}

#[test]
fn writes_what_it_reads() {
    let mut u = User::new("we ird#");
    u.password = Some("\"=\\".into());
    u.actions = vec![Action::Other(String::new()), Action::Fsd];
    u.instcmds = vec!["x y".into()];
    u.upsmon = Some(UpsmonRole::Secondary);
    let users = UpsdUsers {
        users: vec![u, User::new("")],
    };
    let text = users.to_string();
    assert_eq!(parse(&text).config, users, "{text}");
}
