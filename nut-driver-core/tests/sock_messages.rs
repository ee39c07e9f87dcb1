//! Table tests for driver-socket messages: parse and serialise against exact wire text, plus the
//! lenient parsing real upsd and drivers apply.

use nut_driver_core::sock::{DriverMsg, ServerMsg, TrackingResult, VarFlag};
use nut_proto::ParseError;

fn s(x: &str) -> String {
    x.to_owned()
}

fn driver_table() -> Vec<(DriverMsg, &'static str)> {
    vec![
        (
            DriverMsg::SetInfo {
                var: s("ups.status"),
                value: s("OL CHRG"),
            },
            r#"SETINFO ups.status "OL CHRG""#,
        ),
        (
            DriverMsg::SetInfo {
                var: s("ups.id"),
                value: s(r#"Rack "A" unit"#),
            },
            r#"SETINFO ups.id "Rack \"A\" unit""#,
        ),
        (
            DriverMsg::SetInfo {
                var: s("ups.note"),
                value: s(r"path C:\\nut"),
            },
            r#"SETINFO ups.note "path C:\\\\nut""#,
        ),
        (
            DriverMsg::DelInfo {
                var: s("ups.temperature"),
            },
            "DELINFO ups.temperature",
        ),
        (
            DriverMsg::AddEnum {
                var: s("input.transfer.low"),
                value: s("95"),
            },
            r#"ADDENUM input.transfer.low "95""#,
        ),
        (
            DriverMsg::DelEnum {
                var: s("input.transfer.low"),
                value: s("98"),
            },
            r#"DELENUM input.transfer.low "98""#,
        ),
        (
            DriverMsg::AddRange {
                var: s("input.transfer.low"),
                min: 95,
                max: 100,
            },
            "ADDRANGE input.transfer.low 95 100",
        ),
        (
            DriverMsg::DelRange {
                var: s("input.transfer.low"),
                min: -5,
                max: 100,
            },
            "DELRANGE input.transfer.low -5 100",
        ),
        (
            DriverMsg::SetAux {
                var: s("ups.id"),
                aux: 16,
            },
            "SETAUX ups.id 16",
        ),
        (
            DriverMsg::SetFlags {
                var: s("ups.id"),
                flags: vec![VarFlag::Rw, VarFlag::String],
            },
            "SETFLAGS ups.id RW STRING",
        ),
        (DriverMsg::AddCmd(s("load.off")), "ADDCMD load.off"),
        (DriverMsg::DelCmd(s("load.on")), "DELCMD load.on"),
        (DriverMsg::DumpDone, "DUMPDONE"),
        (DriverMsg::Pong, "PONG"),
        (DriverMsg::DataOk, "DATAOK"),
        (DriverMsg::DataStale, "DATASTALE"),
        (
            DriverMsg::Tracking {
                id: s("t-set-1"),
                result: TrackingResult::Handled,
            },
            "TRACKING t-set-1 0",
        ),
        (
            DriverMsg::Tracking {
                id: s("t-cmd-1"),
                result: TrackingResult::Unknown,
            },
            "TRACKING t-cmd-1 1",
        ),
    ]
}

#[test]
fn driver_messages_round_trip() {
    for (msg, wire) in driver_table() {
        assert_eq!(msg.to_string(), wire);
        assert_eq!(DriverMsg::parse(wire), Ok(msg), "{wire}");
    }
}

#[test]
fn driver_messages_parse_like_upsd() {
    // Command words are case-insensitive and extra words are ignored.
    assert_eq!(DriverMsg::parse("pong extra"), Ok(DriverMsg::Pong));
    assert_eq!(
        DriverMsg::parse(r#"setinfo x "1" junk"#),
        Ok(DriverMsg::SetInfo {
            var: s("x"),
            value: s("1")
        })
    );
    // 2.8.0 drivers do not escape live updates: upsd keeps the first quoted word only.
    assert_eq!(
        DriverMsg::parse(r#"SETINFO ups.test.result "with "quotes" and \ inside""#),
        Ok(DriverMsg::SetInfo {
            var: s("ups.test.result"),
            value: s("with ")
        })
    );
    // Ranges and aux values are read with atoi().
    assert_eq!(
        DriverMsg::parse("ADDRANGE v 12abc x"),
        Ok(DriverMsg::AddRange {
            var: s("v"),
            min: 12,
            max: 0
        })
    );
    assert!(matches!(
        DriverMsg::parse("SETINFO x"),
        Err(ParseError::InvalidArgument { .. })
    ));
    assert!(matches!(
        DriverMsg::parse("FOO bar"),
        Err(ParseError::UnknownCommand(_))
    ));
    assert_eq!(DriverMsg::parse("   "), Err(ParseError::Empty));
}

fn server_table() -> Vec<(ServerMsg, &'static str)> {
    vec![
        (ServerMsg::DumpAll, "DUMPALL"),
        (ServerMsg::Ping, "PING"),
        (
            ServerMsg::Set {
                var: s("ups.id"),
                value: s("Data room"),
                tracking: None,
            },
            r#"SET ups.id "Data room""#,
        ),
        (
            ServerMsg::Set {
                var: s("ups.id"),
                value: s(r#"a "b" \ c"#),
                tracking: Some(s("T1")),
            },
            r#"SET ups.id "a \"b\" \\ c" TRACKING T1"#,
        ),
        (
            ServerMsg::InstCmd {
                cmd: s("load.off"),
                param: None,
                tracking: None,
            },
            "INSTCMD load.off",
        ),
        (
            ServerMsg::InstCmd {
                cmd: s("load.off.delay"),
                param: Some(s("1 2")),
                tracking: Some(s("T2")),
            },
            r#"INSTCMD load.off.delay "1 2" TRACKING T2"#,
        ),
        (ServerMsg::Logout, "LOGOUT"),
        (ServerMsg::GetPid, "GETPID"),
        (
            ServerMsg::DumpValue(s("ups.status")),
            "DUMPVALUE ups.status",
        ),
    ]
}

#[test]
fn server_messages_round_trip() {
    for (msg, wire) in server_table() {
        assert_eq!(msg.to_string(), wire);
        assert_eq!(ServerMsg::parse(wire), Ok(msg), "{wire}");
    }
}

#[test]
fn server_messages_parse_like_nut_drivers() {
    // What real upsd 2.8.0 sends for a parameter with a space: unquoted, so malformed.
    assert!(ServerMsg::parse("INSTCMD load.off.delay 1 2").is_err());
    assert_eq!(
        ServerMsg::parse("INSTCMD load.off 5 TRACKING t-cmd-2"),
        Ok(ServerMsg::InstCmd {
            cmd: s("load.off"),
            param: Some(s("5")),
            tracking: Some(s("t-cmd-2"))
        })
    );
    assert_eq!(
        ServerMsg::parse("instcmd load.off tracking t"),
        Ok(ServerMsg::InstCmd {
            cmd: s("load.off"),
            param: None,
            tracking: Some(s("t"))
        })
    );
    assert!(ServerMsg::parse(r#"SET ups.delay.start "31" FOO bar"#).is_err());
    assert!(ServerMsg::parse(r#"SET ups.delay.start "31" TRACKING"#).is_err());
    assert!(ServerMsg::parse("SET x").is_err());
    assert!(matches!(
        ServerMsg::parse("FOO bar"),
        Err(ParseError::UnknownCommand(_))
    ));
}

/// Every line of the recorded real traffic parses.
#[test]
fn recorded_dumpall_parses() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/transcripts/driver-socket/direct-dummy-ups.txt"
    );
    let text = std::fs::read_to_string(path).expect("shared/ transcripts beside the checkout");
    let mut n = 0;
    for line in text.lines().filter(|l| l.contains(" S: b'")) {
        let payload = line
            .split_once(" S: b'")
            .map(|(_, p)| p.trim_end_matches('\''))
            .unwrap_or("");
        // Undo the Python bytes-literal escaping for backslashes and newlines.
        let raw = payload
            .replace("\\\\", "\u{1}")
            .replace("\\n", "\n")
            .replace('\u{1}', "\\");
        for l in raw.lines() {
            DriverMsg::parse(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            n += 1;
        }
    }
    assert!(n > 50, "only {n} driver lines found");
}
