#![allow(clippy::unwrap_used)]

use super::*;

fn s(x: &str) -> String {
    x.to_owned()
}

/// (value, exact wire text) for every request outside GET and LIST, both directions.
#[test]
fn table() {
    let table = [
        (Request::Ver, "VER"),
        (Request::NetVer, "NETVER"),
        (Request::ProtVer, "PROTVER"),
        (Request::Help, "HELP"),
        (Request::Logout, "LOGOUT"),
        (Request::StartTls, "STARTTLS"),
        (Request::Username(s("admin")), "USERNAME admin"),
        (Request::Password(s("pass word")), r#"PASSWORD "pass word""#),
        (Request::Password(s("a#b")), r#"PASSWORD "a\#b""#),
        (Request::Login(s("ups")), "LOGIN ups"),
        (Request::Primary(s("ups")), "PRIMARY ups"),
        (Request::Master(s("ups")), "MASTER ups"),
        (Request::Fsd(s("ups")), "FSD ups"),
        (Request::SetTracking(true), "SET TRACKING ON"),
        (Request::SetTracking(false), "SET TRACKING OFF"),
        (
            Request::SetVar {
                ups: s("ups"),
                var: s("ups.id"),
                value: s("rack 2"),
            },
            r#"SET VAR ups ups.id "rack 2""#,
        ),
        (
            Request::SetVar {
                ups: s("ups"),
                var: s("x"),
                value: s(r#"a "b" \"#),
            },
            r#"SET VAR ups x "a \"b\" \\""#,
        ),
        (
            Request::SetVar {
                ups: s("ups"),
                var: s("x"),
                value: s("30"),
            },
            r#"SET VAR ups x "30""#,
        ),
        (
            Request::InstCmd {
                ups: s("ups"),
                cmd: s("load.off"),
                param: None,
            },
            "INSTCMD ups load.off",
        ),
        (
            Request::InstCmd {
                ups: s("ups"),
                cmd: s("load.off.delay"),
                param: Some(s("10")),
            },
            "INSTCMD ups load.off.delay 10",
        ),
        (
            Request::InstCmd {
                ups: s("ups"),
                cmd: s("x"),
                param: Some(s("two words")),
            },
            r#"INSTCMD ups x "two words""#,
        ),
    ];
    for (value, text) in table {
        assert_eq!(value.to_string(), text);
        assert_eq!(Request::parse(text), Ok(value), "{text}");
    }
}

#[test]
fn command_words_are_case_insensitive() {
    assert_eq!(Request::parse("ver"), Ok(Request::Ver));
    assert_eq!(
        Request::parse("Set Tracking on"),
        Ok(Request::SetTracking(true))
    );
    assert_eq!(Request::parse("login UPS"), Ok(Request::Login(s("UPS"))));
    assert_eq!(Request::parse("protver\r\n"), Ok(Request::ProtVer));
}

/// upsd 2.8.0 only takes the INSTCMD parameter when it is exactly the third argument:
/// `INSTCMD ups cmd p extra` runs `cmd` without a parameter.
#[test]
fn instcmd_with_extra_words_drops_the_parameter() {
    assert_eq!(
        Request::parse("INSTCMD fake load.off 10 extra"),
        Ok(Request::InstCmd {
            ups: s("fake"),
            cmd: s("load.off"),
            param: None
        })
    );
}

/// Unquoted SET values are accepted (PyNUT sends them) and extra words are ignored.
#[test]
fn set_var_lenient_forms() {
    let want = Request::SetVar {
        ups: s("fake"),
        var: s("ups.id"),
        value: s("unquoted"),
    };
    assert_eq!(
        Request::parse("SET VAR fake ups.id unquoted"),
        Ok(want.clone())
    );
    assert_eq!(
        Request::parse("set var fake ups.id unquoted junk"),
        Ok(want)
    );
}

/// upsd ignores STARTTLS arguments (transcripts/lenient.txt: `STARTTLS please`).
#[test]
fn starttls_ignores_arguments() {
    assert_eq!(Request::parse("STARTTLS please"), Ok(Request::StartTls));
}

/// Every line here was sent to real upsd 2.8.0 after USERNAME/PASSWORD; the code is its
/// answer (tests/data/transcripts/errors.txt has the capture).
#[test]
fn refusals_match_real_upsd() {
    use ErrorCode::{InvalidArgument as Inval, UnknownCommand as Unknown};
    let table = [
        ("", Unknown),
        ("   # only a comment", Unknown),
        ("FOO", Unknown),
        ("GETVAR ups x", Unknown),
        ("GET", Inval),
        ("GET FOO", Inval),
        ("GET FOO a b", Inval),
        ("GET VAR", Inval),
        ("GET VAR dummy", Inval),
        ("GET NUMLOGINS", Inval),
        ("LIST", Inval),
        ("LIST FOO", Inval),
        ("LIST VAR", Inval),
        ("LIST CLIENTS dummy", Inval),
        ("LIST ENUM dummy", Inval),
        ("VER extra", Inval),
        ("NETVER 1", Inval),
        ("HELP me", Inval),
        ("LOGOUT now", Inval),
        ("USERNAME", Inval),
        ("USERNAME a b", Inval),
        ("PASSWORD", Inval),
        ("SET", Inval),
        ("SET VAR dummy ups.status", Inval),
        ("SET FOO bar", Inval),
        ("SET TRACKING", Inval),
        ("SET TRACKING MAYBE", Inval),
        ("INSTCMD dummy", Inval),
        ("LOGIN", Inval),
        ("LOGIN a b", Inval),
        ("PRIMARY", Inval),
        ("MASTER a b", Inval),
        ("FSD", Inval),
    ];
    for (line, code) in table {
        let err = Request::parse(line).expect_err(line);
        assert_eq!(err.error_code(), code, "{line:?} -> {err:?}");
    }
}

#[test]
fn refusals_are_typed() {
    assert_eq!(Request::parse(""), Err(ParseError::Empty));
    assert_eq!(
        Request::parse("foo bar"),
        Err(ParseError::UnknownCommand(s("foo")))
    );
    assert_eq!(
        Request::parse("get foo"),
        Err(ParseError::InvalidArgument {
            command: s("GET FOO"),
            reason: "unknown sub-command"
        })
    );
    // A command word with a space in it is still an unknown command (upsd 2.8.0).
    let err = Request::parse("\"GET foo\" x").unwrap_err();
    assert_eq!(err, ParseError::UnknownCommand(s("GET foo")));
    assert_eq!(err.error_code(), ErrorCode::UnknownCommand);
    assert_eq!(
        Request::parse("set tracking maybe"),
        Err(ParseError::InvalidArgument {
            command: s("SET TRACKING"),
            reason: "needs ON or OFF"
        })
    );
    assert_eq!(
        Request::parse("ver x"),
        Err(ParseError::InvalidArgument {
            command: s("VER"),
            reason: "takes no arguments"
        })
    );
    assert_eq!(
        Request::parse(r#"GET VAR ups "a#b""#),
        Err(ParseError::HashInQuotes)
    );
    assert!(matches!(
        Request::parse("VER\nHELP"),
        Err(ParseError::TrailingData { .. })
    ));
}

/// The same limits as upsd: words after the 32nd are dropped, words are cut at 512 bytes.
#[test]
fn upsd_word_limits_apply() {
    let long = "x".repeat(600);
    let r = Request::parse(&format!("GET VAR ups {long}")).unwrap();
    assert_eq!(
        r,
        Request::Get(Get::Var {
            ups: s("ups"),
            var: "x".repeat(512)
        })
    );
    let many = format!("LOGIN ups{}", " w".repeat(40));
    assert!(
        Request::parse(&many).is_err(),
        "extra words still make LOGIN invalid"
    );
}

#[test]
fn from_words_matches_parse() {
    let words: Vec<String> = ["get", "VAR", "ups", "ups.status"].map(s).to_vec();
    assert_eq!(
        Request::from_words(&words),
        Request::parse("get VAR ups ups.status")
    );
    assert_eq!(Request::from_words::<String>(&[]), Err(ParseError::Empty));
}
