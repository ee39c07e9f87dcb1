#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::VarKind;

fn s(x: &str) -> String {
    x.to_owned()
}

/// (value, exact wire text), both directions. Every line is one real upsd 2.8.0 wrote
/// (tests/data/transcripts/) unless marked otherwise.
#[test]
fn table() {
    let ty = VarType {
        rw: true,
        enumerated: false,
        range: false,
        kind: VarKind::String(32),
    };
    let table = [
        (Response::Ok, "OK"),
        (
            Response::OkTracking(s("2DDC5036-F665-4D29-BE4C-0374D091D263")),
            "OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263",
        ),
        (Response::OkGoodbye, "OK Goodbye"),
        (Response::OkFsdSet, "OK FSD-SET"),
        (Response::OkPrimaryGranted, "OK PRIMARY-GRANTED"),
        (Response::OkMasterGranted, "OK MASTER-GRANTED"),
        // from docs/net-protocol.txt (needs a TLS-enabled upsd)
        (Response::OkStartTls, "OK STARTTLS"),
        (
            Response::Err {
                code: ErrorCode::UnknownUps,
                extra: None,
            },
            "ERR UNKNOWN-UPS",
        ),
        (
            Response::Err {
                code: ErrorCode::FeatureNotConfigured,
                extra: None,
            },
            "ERR FEATURE-NOT-CONFIGURED",
        ),
        // not sent by upsd 2.8.0: a future code with a detail
        (
            Response::Err {
                code: ErrorCode::Other(s("NEW-CODE")),
                extra: Some(s("some \"detail\"")),
            },
            "ERR NEW-CODE some \"detail\"",
        ),
        (
            Response::Var {
                ups: s("dummy"),
                var: s("ups.status"),
                value: s("OL CHRG"),
            },
            r#"VAR dummy ups.status "OL CHRG""#,
        ),
        (
            Response::Var {
                ups: s("fake"),
                var: s("fake.quoted"),
                value: s(r#"a "b" \c"#),
            },
            r#"VAR fake fake.quoted "a \"b\" \\c""#,
        ),
        (
            Response::Type {
                ups: s("dummy"),
                var: s("ups.status"),
                ty,
            },
            "TYPE dummy ups.status RW STRING:32",
        ),
        (
            Response::Desc {
                ups: s("dummy"),
                var: s("ups.status"),
                desc: s("UPS status"),
            },
            r#"DESC dummy ups.status "UPS status""#,
        ),
        (
            Response::CmdDesc {
                ups: s("dummy"),
                cmd: s("load.off"),
                desc: s("Turn off the load immediately"),
            },
            r#"CMDDESC dummy load.off "Turn off the load immediately""#,
        ),
        (
            Response::UpsDesc {
                ups: s("nodriver"),
                desc: s("Unavailable"),
            },
            r#"UPSDESC nodriver "Unavailable""#,
        ),
        (
            Response::NumLogins {
                ups: s("fake"),
                count: 1,
            },
            "NUMLOGINS fake 1",
        ),
        (Response::TrackingMode(true), "ON"),
        (Response::TrackingMode(false), "OFF"),
        (Response::Pending, "PENDING"),
        (Response::Success, "SUCCESS"),
        (Response::BeginList(ListKind::Ups), "BEGIN LIST UPS"),
        (
            Response::EndList(ListKind::Var(s("dummy"))),
            "END LIST VAR dummy",
        ),
        (
            Response::BeginList(ListKind::Enum(s("fake"), s("ups.beeper.status"))),
            "BEGIN LIST ENUM fake ups.beeper.status",
        ),
        (
            Response::Item(ListItem::Ups {
                name: s("dummy"),
                desc: s("Dummy UPS"),
            }),
            r#"UPS dummy "Dummy UPS""#,
        ),
        (
            Response::Item(ListItem::Rw {
                ups: s("fake"),
                var: s("ups.id"),
                value: s("rack 1"),
            }),
            r#"RW fake ups.id "rack 1""#,
        ),
        (
            Response::Item(ListItem::Cmd {
                ups: s("fake"),
                cmd: s("load.off"),
            }),
            "CMD fake load.off",
        ),
        (
            Response::Item(ListItem::Enum {
                ups: s("fake"),
                var: s("ups.beeper.status"),
                value: s("muted"),
            }),
            r#"ENUM fake ups.beeper.status "muted""#,
        ),
        (
            Response::Item(ListItem::Range {
                ups: s("fake"),
                var: s("input.transfer.high"),
                min: s("130"),
                max: s("150"),
            }),
            r#"RANGE fake input.transfer.high "130" "150""#,
        ),
        (
            Response::Item(ListItem::Client {
                ups: s("fake"),
                addr: s("127.0.0.1"),
            }),
            "CLIENT fake 127.0.0.1",
        ),
        (
            Response::Text(s(
                "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/",
            )),
            "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/",
        ),
        (Response::Text(s("1.3")), "1.3"),
        (
            Response::Text(s(
                "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS",
            )),
            "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS",
        ),
    ];
    for (value, text) in table {
        assert_eq!(value.to_string(), text);
        assert_eq!(Response::parse(text), Ok(value), "{text}");
    }
}

#[test]
fn line_endings_are_accepted_once() {
    assert_eq!(Response::parse("OK\n"), Ok(Response::Ok));
    assert_eq!(Response::parse("OK\r\n"), Ok(Response::Ok));
    assert!(matches!(
        Response::parse("OK\nOK"),
        Err(ParseError::TrailingData { .. })
    ));
    assert!(matches!(
        Response::parse("1.3\nOK\n"),
        Err(ParseError::TrailingData { .. })
    ));
}

/// Keywords are upper-case only: upsd never writes them otherwise, and a lower-case first
/// word is free text.
#[test]
fn keywords_are_case_sensitive() {
    assert_eq!(Response::parse("ok"), Ok(Response::Text(s("ok"))));
    assert_eq!(
        Response::parse("Var a b \"c\""),
        Ok(Response::Text(s("Var a b \"c\"")))
    );
}

#[test]
fn malformed_replies_are_refused() {
    let bad = [
        ("", ParseError::Empty),
        ("   ", ParseError::Empty),
        ("ERR", missing("ERR", "missing error code")),
        ("VAR ups x", missing("VAR", "missing arguments")),
        (
            "VAR ups x \"1\" extra",
            ParseError::TrailingData {
                command: s("VAR"),
                rest: s("extra"),
            },
        ),
        (
            "NUMLOGINS ups -1",
            ParseError::InvalidValue {
                what: "login count",
                value: s("-1"),
            },
        ),
        (
            "NUMLOGINS ups 99999999999",
            ParseError::InvalidValue {
                what: "login count",
                value: s("99999999999"),
            },
        ),
        (
            "OK Hello",
            ParseError::InvalidValue {
                what: "OK reply",
                value: s("Hello"),
            },
        ),
        (
            "ON now",
            ParseError::TrailingData {
                command: s("ON"),
                rest: s("now"),
            },
        ),
        ("BEGIN VAR ups", missing("BEGIN", "expected LIST")),
        (
            "BEGIN LIST FOO",
            ParseError::InvalidValue {
                what: "list kind",
                value: s("FOO"),
            },
        ),
        ("END LIST ENUM ups", missing("ENUM", "missing arguments")),
        (
            "TYPE ups var",
            ParseError::InvalidArgument {
                command: s("TYPE"),
                reason: "no STRING:<n> or NUMBER",
            },
        ),
        ("VAR ups x \"#\"", ParseError::HashInQuotes),
        ("VAR ups x \"open", ParseError::UnterminatedQuote),
    ];
    for (line, err) in bad {
        assert_eq!(Response::parse(line), Err(err), "{line:?}");
    }
}

#[test]
fn err_keeps_unknown_codes_and_details() {
    assert_eq!(
        Response::parse("ERR  DATA-STALE  \r\n"),
        Ok(Response::Err {
            code: ErrorCode::DataStale,
            extra: None
        })
    );
    let r = Response::parse("ERR ACCESS-DENIED  see   logs ").unwrap();
    assert_eq!(
        r,
        Response::Err {
            code: ErrorCode::AccessDenied,
            extra: Some(s("see   logs"))
        }
    );
    assert_eq!(r.to_string(), "ERR ACCESS-DENIED see   logs");
}

#[test]
fn from_words_matches_parse() {
    let words = |l: &str| crate::text::split_line(l).unwrap();
    for line in [
        r#"VAR ups x "a b""#,
        "ERR UNKNOWN-UPS",
        "BEGIN LIST RANGE u v",
        "SUCCESS",
        "1.3",
    ] {
        assert_eq!(
            Response::from_words(&words(line)),
            Response::parse(line),
            "{line}"
        );
    }
    assert_eq!(Response::from_words::<String>(&[]), Err(ParseError::Empty));
}

fn feed(c: &mut ListCollector, line: &str) -> Result<Option<Vec<ListItem>>, ListError> {
    c.push(Response::parse(line).unwrap())
}

/// The LIST RANGE reply real upsd wrote (transcripts/list.txt).
#[test]
fn collector_assembles_a_list() {
    let mut c = ListCollector::new(ListKind::Range(s("fake"), s("input.transfer.high")));
    assert_eq!(
        feed(&mut c, "BEGIN LIST RANGE fake input.transfer.high"),
        Ok(None)
    );
    assert_eq!(
        feed(&mut c, r#"RANGE fake input.transfer.high "130" "150""#),
        Ok(None)
    );
    assert_eq!(
        feed(&mut c, r#"RANGE fake input.transfer.high "160" "170""#),
        Ok(None)
    );
    let items = feed(&mut c, "END LIST RANGE fake input.transfer.high")
        .unwrap()
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[1].to_string(),
        r#"RANGE fake input.transfer.high "160" "170""#
    );
    assert!(c.is_done());
    assert_eq!(feed(&mut c, "OK"), Err(ListError::Finished));
}

#[test]
fn collector_takes_var_lines_and_names_in_any_case() {
    let mut c = ListCollector::new(ListKind::Var(s("DUMMY")));
    assert_eq!(feed(&mut c, "BEGIN LIST VAR dummy"), Ok(None));
    assert_eq!(feed(&mut c, r#"VAR dummy ups.status "OL""#), Ok(None));
    let items = feed(&mut c, "END LIST VAR Dummy").unwrap().unwrap();
    assert_eq!(
        items,
        [ListItem::Var {
            ups: s("dummy"),
            var: s("ups.status"),
            value: s("OL")
        }]
    );
}

#[test]
fn collector_empty_list() {
    let mut c = ListCollector::new(ListKind::Client(s("dummy")));
    assert_eq!(feed(&mut c, "BEGIN LIST CLIENT dummy"), Ok(None));
    assert_eq!(feed(&mut c, "END LIST CLIENT dummy"), Ok(Some(Vec::new())));
}

#[test]
fn collector_reports_server_errors() {
    let mut c = ListCollector::new(ListKind::Var(s("nosuchups")));
    assert_eq!(
        feed(&mut c, "ERR UNKNOWN-UPS"),
        Err(ListError::Server(ErrorCode::UnknownUps))
    );
    assert!(c.is_done());
}

#[test]
fn collector_refuses_misplaced_lines() {
    let kind = ListKind::Cmd(s("fake"));
    let cases: [(&[&str], ListError); 5] = [
        (
            &["CMD fake load.off"],
            ListError::Unexpected(s("CMD fake load.off")),
        ),
        (
            &["BEGIN LIST CMD other"],
            ListError::Mismatch {
                expected: kind.clone(),
                got: ListKind::Cmd(s("other")),
            },
        ),
        (
            &["BEGIN LIST CMD fake", "END LIST VAR fake"],
            ListError::Mismatch {
                expected: kind.clone(),
                got: ListKind::Var(s("fake")),
            },
        ),
        (
            &["BEGIN LIST CMD fake", r#"ENUM fake x "y""#],
            ListError::Unexpected(s(r#"ENUM fake x "y""#)),
        ),
        (
            &["BEGIN LIST CMD fake", "CMD other load.off"],
            ListError::Unexpected(s("CMD other load.off")),
        ),
    ];
    for (lines, want) in cases {
        let mut c = ListCollector::new(kind.clone());
        let (last, init) = lines.split_last().unwrap();
        for line in init {
            assert_eq!(feed(&mut c, line), Ok(None));
        }
        assert_eq!(feed(&mut c, last), Err(want));
        assert!(c.is_done());
    }
}

#[test]
fn collector_bounds_the_number_of_items() {
    let mut c = ListCollector::with_limit(ListKind::Cmd(s("u")), 2);
    assert_eq!(feed(&mut c, "BEGIN LIST CMD u"), Ok(None));
    assert_eq!(feed(&mut c, "CMD u a"), Ok(None));
    assert_eq!(feed(&mut c, "CMD u b"), Ok(None));
    assert_eq!(
        feed(&mut c, "CMD u c"),
        Err(ListError::TooManyItems { max: 2 })
    );
}

#[test]
fn collector_default_bound_is_max_list_items() {
    let mut c = ListCollector::new(ListKind::Cmd(s("u")));
    assert_eq!(feed(&mut c, "BEGIN LIST CMD u"), Ok(None));
    let item = ListItem::Cmd {
        ups: s("u"),
        cmd: s("x"),
    };
    for _ in 0..MAX_LIST_ITEMS {
        assert_eq!(c.push(Response::Item(item.clone())), Ok(None));
    }
    assert_eq!(
        c.push(Response::Item(item)),
        Err(ListError::TooManyItems {
            max: MAX_LIST_ITEMS
        })
    );
}
