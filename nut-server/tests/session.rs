//! The sans-IO session and state with a fake clock: availability and staleness, WAIT, TRACKING
//! flow and expiry, STARTTLS, LOGOUT, logins, reload, and each place where we deliberately
//! differ from upsd 2.8.0. (Byte-exact behaviour shared with upsd is also replayed from real
//! captures in `transcripts.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use nut_proto::config::{UpsConf, UpsdConf, UpsdUsers};
use nut_proto::text::{split_line_with, Limits};
use nut_proto::ParseError;
use nut_server::driver_core::sock::{DriverMsg, ServerMsg};
use nut_server::{Descriptions, ServedConfig, ServerError, ServerState, Session, TlsPolicy};

const UPS_CONF: &str = "[ups]\n driver = fakedrv\n port = none\n desc = \"Main\"\n\
                        [other]\n driver = fakedrv\n port = none\n";
const USERS: &str = "[admin]\n password = pw\n actions = SET FSD\n instcmds = ALL\n\
                     [mon]\n password = mp\n upsmon primary\n";
const DUMP: &[&str] = &[
    "SETINFO ups.status \"OL\"",
    "SETINFO ups.id \"unit\"",
    "SETAUX ups.id 32",
    "SETFLAGS ups.id RW STRING",
    "SETINFO ups.delay.shutdown \"20\"",
    "ADDRANGE ups.delay.shutdown 0 600",
    "SETFLAGS ups.delay.shutdown RW",
    "ADDCMD load.off",
    "ADDCMD load.off.delay",
    "DATAOK",
    "DUMPDONE",
];

fn config(upsd: &str) -> ServedConfig {
    ServedConfig::from_configs(
        &UpsdConf::parse(upsd, "upsd.conf").unwrap().config,
        &UpsdUsers::parse(USERS, "upsd.users").unwrap().config,
        &UpsConf::parse(UPS_CONF, "ups.conf").unwrap().config,
    )
    .unwrap()
}

struct World {
    state: ServerState,
    t0: Instant,
    now: Instant,
}

impl World {
    /// MAXAGE 15, TRACKINGDELAY 60; `ups` connected and dumped at t0, `other` disconnected.
    fn new() -> Self {
        let mut state = ServerState::new(config("TRACKINGDELAY 60\n"), Descriptions::builtin());
        let t0 = Instant::now();
        state.driver_connected("ups", t0);
        for line in DUMP {
            state.driver_msg("ups", &DriverMsg::parse(line).unwrap(), t0);
        }
        Self { state, t0, now: t0 }
    }

    fn at(&mut self, secs: u64) -> &mut Self {
        self.now = self.t0 + Duration::from_secs(secs);
        self
    }

    fn driver(&mut self, ups: &str, line: &str) {
        let msg = DriverMsg::parse(line).unwrap();
        self.state.driver_msg(ups, &msg, self.now);
    }

    fn send(&mut self, s: &mut Session, line: &str) -> nut_server::Reply {
        let words = split_line_with(line, Limits::NETWORK);
        s.handle(words, &mut self.state, self.now)
    }

    fn ask(&mut self, s: &mut Session, line: &str) -> String {
        self.send(s, line).text
    }
}

fn session(id: u64) -> Session {
    Session::new(id, "127.0.0.1".into(), TlsPolicy::default())
}

fn admin(w: &mut World, id: u64) -> Session {
    let mut s = session(id);
    assert_eq!(w.ask(&mut s, "USERNAME admin"), "OK\n");
    assert_eq!(w.ask(&mut s, "PASSWORD pw"), "OK\n");
    s
}

#[test]
fn maxage_silence_makes_data_stale_and_any_line_from_the_driver_cures_it() {
    let mut w = World::new();
    let mut s = session(1);
    assert!(!w.state.ping_due("ups", w.now));
    w.at(5);
    assert!(
        !w.state.ping_due("ups", w.now),
        "exactly MAXAGE/3 is not yet due"
    );
    w.at(6);
    assert!(w.state.ping_due("ups", w.now));
    w.state.ping_sent("ups", w.now);
    assert!(!w.state.ping_due("ups", w.now), "no second PING right away");
    w.at(15);
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"OL\"\n"
    );
    w.at(16);
    assert_eq!(w.ask(&mut s, "GET VAR ups ups.status"), "ERR DATA-STALE\n");
    assert_eq!(w.ask(&mut s, "LIST VAR ups"), "ERR DATA-STALE\n");
    w.driver("ups", "PONG");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"OL\"\n"
    );
    assert!(!w.state.ping_due("ups", w.now));
}

#[test]
fn driver_states_not_connected_wait_stale_and_commands_that_ignore_them() {
    let mut w = World::new();
    let mut s = admin(&mut w, 1);
    // never connected
    assert_eq!(
        w.ask(&mut s, "GET VAR other ups.status"),
        "ERR DRIVER-NOT-CONNECTED\n"
    );
    // the driver says its data is stale
    w.driver("ups", "DATASTALE");
    for cmd in [
        "GET VAR ups ups.status",
        "GET TYPE ups ups.id",
        "GET DESC ups ups.id",
        "GET CMDDESC ups load.off",
        "GET NUMLOGINS ups",
        "LIST VAR ups",
        "LIST RW ups",
        "LIST CMD ups",
        "LIST ENUM ups ups.id",
        "LIST RANGE ups ups.delay.shutdown",
        "SET VAR ups ups.id x",
        "INSTCMD ups load.off",
    ] {
        assert_eq!(w.ask(&mut s, cmd), "ERR DATA-STALE\n", "{cmd}");
    }
    // COMPAT 15: these do not look at the driver
    assert!(w.ask(&mut s, "LIST UPS").starts_with("BEGIN LIST UPS\n"));
    assert!(w
        .ask(&mut s, "LIST CLIENT ups")
        .starts_with("BEGIN LIST CLIENT ups\n"));
    assert_eq!(w.ask(&mut s, "GET UPSDESC ups"), "UPSDESC ups \"Main\"\n");
    assert_eq!(
        w.ask(&mut s, "GET VAR other server.version"),
        "VAR other server.version \"2.8.0\"\n"
    );
    assert_eq!(w.ask(&mut s, "FSD other"), "OK FSD-SET\n");
    let mut m = session(2);
    w.ask(&mut m, "USERNAME mon");
    w.ask(&mut m, "PASSWORD mp");
    assert_eq!(w.ask(&mut m, "LOGIN other"), "OK\n");
    assert_eq!(w.ask(&mut m, "PRIMARY other"), "OK PRIMARY-GRANTED\n");
    // reconnect: only ups.status "WAIT" until DUMPDONE; DATAOK/DATASTALE only count after it
    w.state.driver_lost("ups");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "ERR DRIVER-NOT-CONNECTED\n"
    );
    w.at(1);
    w.state.driver_connected("ups", w.now);
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"WAIT\"\n"
    );
    assert_eq!(
        w.ask(&mut s, "LIST VAR ups"),
        "BEGIN LIST VAR ups\nVAR ups ups.status \"WAIT\"\nEND LIST VAR ups\n"
    );
    w.driver("ups", "SETINFO ups.status \"OB\"");
    w.driver("ups", "DUMPDONE");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "ERR DATA-STALE\n",
        "still stale"
    );
    w.driver("ups", "DATAOK");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"OB\"\n"
    );
}

#[test]
fn fsd_latch_shows_in_get_var_and_list_var_but_not_list_rw() {
    let mut w = World::new();
    w.driver("ups", "SETFLAGS ups.status RW STRING");
    let mut s = admin(&mut w, 1);
    assert_eq!(w.ask(&mut s, "FSD UPS"), "OK FSD-SET\n");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups UPS.Status"),
        "VAR ups UPS.Status \"FSD OL\"\n"
    );
    assert!(w
        .ask(&mut s, "LIST VAR ups")
        .contains("VAR ups ups.status \"FSD OL\"\n"));
    assert!(w
        .ask(&mut s, "LIST RW ups")
        .contains("RW ups ups.status \"OL\"\n"));
    w.driver("ups", "SETINFO ups.status \"OB LB\"");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"FSD OB LB\"\n"
    );
    // reload keeps the latch (only a restart clears it)
    w.state.reload(config("TRACKINGDELAY 60\n"));
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"FSD OB LB\"\n"
    );
}

#[test]
fn tracking_flow_from_set_to_driver_result_and_expiry() {
    let mut w = World::new();
    let mut s = admin(&mut w, 1);
    let ids = std::sync::Arc::new(std::sync::atomic::AtomicU8::new(0));
    let counter = ids.clone();
    w.state.set_id_source(Box::new(move || {
        [counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst); 16]
    }));
    assert_eq!(
        w.ask(&mut s, "GET TRACKING 00000000-0000-4000-8000-000000000000"),
        "ERR FEATURE-NOT-CONFIGURED\n"
    );
    // tracking off: plain OK, no TRACKING word to the driver
    let r = w.send(&mut s, "SET VAR ups ups.id \"a b\"");
    assert_eq!(r.text, "OK\n");
    assert_eq!(
        r.to_driver,
        [(
            "ups".to_owned(),
            ServerMsg::Set {
                var: "ups.id".into(),
                value: "a b".into(),
                tracking: None
            }
        )]
    );
    assert_eq!(w.ask(&mut s, "SET TRACKING ON"), "OK\n");
    let r = w.send(&mut s, "SET VAR UPS Ups.Id \"c\"");
    assert_eq!(r.text, "OK TRACKING 00000000-0000-4000-8000-000000000000\n");
    assert_eq!(
        r.to_driver,
        [(
            "ups".to_owned(),
            ServerMsg::Set {
                var: "Ups.Id".into(),
                value: "c".into(),
                tracking: Some("00000000-0000-4000-8000-000000000000".into())
            }
        )]
    );
    assert_eq!(
        r.to_driver[0].1.to_string(),
        "SET Ups.Id \"c\" TRACKING 00000000-0000-4000-8000-000000000000"
    );
    let r = w.send(&mut s, "INSTCMD ups load.off.delay \"1 2\"");
    assert_eq!(r.text, "OK TRACKING 01010101-0101-4101-8101-010101010101\n");
    assert_eq!(
        r.to_driver[0].1,
        ServerMsg::InstCmd {
            cmd: "load.off.delay".into(),
            param: Some("1 2".into()),
            tracking: Some("01010101-0101-4101-8101-010101010101".into())
        }
    );
    // a refused request still draws an id, as upsd does; nothing goes to the driver
    let r = w.send(&mut s, "INSTCMD ups no.such");
    assert_eq!(
        (r.text.as_str(), r.to_driver.len()),
        ("ERR CMD-NOT-SUPPORTED\n", 0)
    );
    assert_eq!(ids.load(std::sync::atomic::Ordering::SeqCst), 3);
    let first = "00000000-0000-4000-8000-000000000000";
    assert_eq!(w.ask(&mut s, &format!("GET TRACKING {first}")), "PENDING\n");
    for (code, reply) in [
        (0, "SUCCESS"),
        (1, "ERR UNKNOWN"),
        (2, "ERR INVALID-ARGUMENT"),
        (3, "ERR FAILED"),
    ] {
        w.driver("ups", &format!("TRACKING {first} {code}"));
        assert_eq!(
            w.ask(&mut s, &format!("GET TRACKING {first}")),
            format!("{reply}\n")
        );
    }
    // ids are global: another connection with tracking on sees them
    let mut other = admin(&mut w, 2);
    w.ask(&mut other, "SET TRACKING ON");
    assert_eq!(
        w.ask(
            &mut other,
            &format!("GET TRACKING {}", first.to_lowercase())
        ),
        "ERR FAILED\n"
    );
    // expiry after TRACKINGDELAY (60 s)
    w.at(60);
    w.state.tracking_expire(w.now);
    assert_eq!(
        w.ask(&mut s, &format!("GET TRACKING {first}")),
        "ERR FAILED\n"
    );
    w.at(61);
    w.state.tracking_expire(w.now);
    assert_eq!(
        w.ask(&mut s, &format!("GET TRACKING {first}")),
        "ERR UNKNOWN\n"
    );
}

#[test]
fn deliberately_better_random_tracking_ids_differ_by_seed() {
    let mut ids = Vec::new();
    for seed in [1, 2] {
        let mut w = World::new();
        w.state.seed_tracking_ids(seed);
        let mut s = admin(&mut w, 1);
        w.ask(&mut s, "SET TRACKING ON");
        let a = w.ask(&mut s, "INSTCMD ups load.off");
        let b = w.ask(&mut s, "INSTCMD ups load.off");
        assert_ne!(a, b);
        ids.push(a);
    }
    assert_ne!(ids[0], ids[1], "different seeds, different ids");
    assert_ne!(
        ids[0], "OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263\n",
        "not upsd's fixed sequence"
    );
}

#[test]
fn deliberately_better_strict_numbers_for_ranges() {
    let mut w = World::new();
    let mut s = admin(&mut w, 1);
    // upsd's atoi() accepts all of these ("abc" is 0, "12abc" is 12, "1e9" is 1)
    for v in ["abc", "12abc", "1e9", " 12", "", "12.5"] {
        let r = w.send(&mut s, &format!("SET VAR ups ups.delay.shutdown \"{v}\""));
        assert_eq!(r.text, "ERR INVALID-VALUE\n", "{v:?}");
        assert!(r.to_driver.is_empty());
    }
    for v in ["0", "600", "+12", "-0"] {
        assert_eq!(
            w.ask(&mut s, &format!("SET VAR ups ups.delay.shutdown {v}")),
            "OK\n",
            "{v}"
        );
    }
}

#[test]
fn deliberately_better_no_silent_truncation_of_long_replies() {
    let mut w = World::new();
    // 510 bytes fit in one driver-socket word; the reply line is longer than upsd's 512.
    let long = "x".repeat(510);
    w.driver("ups", &format!("SETINFO ups.long \"{long}\""));
    let mut s = session(1);
    let reply = w.ask(&mut s, "GET VAR ups ups.long");
    assert_eq!(reply, format!("VAR ups ups.long \"{long}\"\n"));
    assert!(reply.len() > 512);
}

#[test]
fn deliberately_better_enum_values_with_quotes_are_accepted() {
    let mut w = World::new();
    w.driver("ups", "ADDENUM ups.id \"say \\\"hi\\\"\"");
    let mut s = admin(&mut w, 1);
    assert_eq!(w.ask(&mut s, "LIST ENUM ups ups.id"), "BEGIN LIST ENUM ups ups.id\nENUM ups ups.id \"say \\\"hi\\\"\"\nEND LIST ENUM ups ups.id\n");
    assert_eq!(
        w.ask(&mut s, "SET VAR ups ups.id \"say \\\"hi\\\"\""),
        "OK\n"
    );
    assert_eq!(
        w.ask(&mut s, "SET VAR ups ups.id other"),
        "ERR INVALID-VALUE\n"
    );
}

#[test]
fn splitter_errors_hash_in_quotes_gets_no_reply_overlong_is_invalid_argument() {
    let mut w = World::new();
    let mut s = session(1);
    let r = s.handle(Err(ParseError::HashInQuotes), &mut w.state, w.now);
    assert_eq!(r, nut_server::Reply::default());
    let r = s.handle(
        Err(ParseError::LineTooLong { max: 65536 }),
        &mut w.state,
        w.now,
    );
    assert_eq!(r.text, "ERR INVALID-ARGUMENT\n");
    assert_eq!(w.ask(&mut s, "GET VAR ups \"ups#status\""), "");
    assert_eq!(
        w.ask(&mut s, "   # only a comment"),
        "ERR UNKNOWN-COMMAND\n"
    );
}

#[test]
fn starttls_with_and_without_a_certificate() {
    let mut w = World::new();
    let mut s = session(1);
    assert_eq!(w.ask(&mut s, "STARTTLS"), "ERR FEATURE-NOT-CONFIGURED\n");
    let tls = TlsPolicy {
        available: true,
        require_for_auth: false,
    };
    let mut s = Session::new(2, "::1".into(), tls);
    let r = w.send(&mut s, "starttls");
    assert_eq!(
        (r.text.as_str(), r.start_tls, r.close),
        ("OK STARTTLS\n", true, false)
    );
    s.tls_started();
    assert!(s.tls_active());
    let r = w.send(&mut s, "STARTTLS");
    assert_eq!(
        (r.text.as_str(), r.start_tls),
        ("ERR ALREADY-SSL-MODE\n", false)
    );
}

#[test]
fn tls_required_for_auth_refuses_credentials_in_plaintext() {
    let mut w = World::new();
    let tls = TlsPolicy {
        available: true,
        require_for_auth: true,
    };
    let mut s = Session::new(1, "127.0.0.1".into(), tls);
    assert_eq!(w.ask(&mut s, "USERNAME admin"), "ERR ACCESS-DENIED\n");
    assert_eq!(w.ask(&mut s, "PASSWORD pw"), "ERR ACCESS-DENIED\n");
    assert_eq!(w.ask(&mut s, "LOGIN ups"), "ERR USERNAME-REQUIRED\n");
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"OL\"\n"
    );
    assert_eq!(w.ask(&mut s, "STARTTLS"), "OK STARTTLS\n");
    s.tls_started();
    assert_eq!(w.ask(&mut s, "USERNAME admin"), "OK\n");
    assert_eq!(w.ask(&mut s, "PASSWORD pw"), "OK\n");
    assert_eq!(w.ask(&mut s, "FSD ups"), "OK FSD-SET\n");
}

#[test]
fn logout_closes_and_closed_connections_leave_list_client() {
    let mut w = World::new();
    let mut sessions: Vec<Session> = (1..=3)
        .map(|id| Session::new(id, format!("10.0.0.{id}"), TlsPolicy::default()))
        .collect();
    // log in out of connection order: LIST CLIENT still lists newest connection first
    for i in [1, 0, 2] {
        w.ask(&mut sessions[i], "USERNAME mon");
        w.ask(&mut sessions[i], "PASSWORD mp");
        assert_eq!(w.ask(&mut sessions[i], "LOGIN Ups"), "OK\n");
    }
    assert_eq!(
        w.ask(&mut sessions[0], "GET NUMLOGINS UPS"),
        "NUMLOGINS UPS 3\n"
    );
    assert_eq!(
        w.ask(&mut sessions[0], "LIST CLIENT UPS"),
        "BEGIN LIST CLIENT UPS\nCLIENT ups 10.0.0.3\nCLIENT ups 10.0.0.2\nCLIENT ups 10.0.0.1\nEND LIST CLIENT UPS\n"
    );
    let r = w.send(&mut sessions[1], "LOGOUT");
    assert_eq!((r.text.as_str(), r.close), ("OK Goodbye\n", true));
    assert_eq!(
        w.ask(&mut sessions[0], "GET NUMLOGINS ups"),
        "NUMLOGINS ups 3\n",
        "until it closes"
    );
    sessions[1].closed(&mut w.state);
    assert_eq!(
        w.ask(&mut sessions[0], "GET NUMLOGINS ups"),
        "NUMLOGINS ups 2\n"
    );
    assert_eq!(
        w.ask(&mut sessions[0], "LOGIN ups"),
        "ERR ALREADY-LOGGED-IN\n"
    );
}

#[test]
fn reload_keeps_data_of_remaining_upses_and_applies_new_users() {
    let mut w = World::new();
    let mut s = admin(&mut w, 1);
    let ups = UpsConf::parse(
        "[UPS]\n driver = fakedrv\n port = none\n[new]\n driver = x\n port = y\n",
        "ups.conf",
    )
    .unwrap()
    .config;
    let users = UpsdUsers::parse("[admin]\n password = changed\n actions = SET\n", "u")
        .unwrap()
        .config;
    let upsd = UpsdConf::parse("", "upsd.conf").unwrap().config;
    w.state
        .reload(ServedConfig::from_configs(&upsd, &users, &ups).unwrap());
    let names: Vec<String> = w.state.ups_defs().into_iter().map(|d| d.name).collect();
    assert_eq!(names, ["UPS", "new"]);
    assert_eq!(
        w.ask(&mut s, "GET VAR ups ups.status"),
        "VAR ups ups.status \"OL\"\n"
    );
    assert_eq!(
        w.ask(&mut s, "GET UPSDESC ups"),
        "UPSDESC ups \"Unavailable\"\n"
    );
    assert_eq!(
        w.ask(&mut s, "GET VAR other ups.status"),
        "ERR UNKNOWN-UPS\n"
    );
    assert_eq!(
        w.ask(&mut s, "GET VAR new ups.status"),
        "ERR DRIVER-NOT-CONNECTED\n"
    );
    assert_eq!(
        w.ask(&mut s, "SET VAR ups ups.id x"),
        "ERR ACCESS-DENIED\n",
        "old password"
    );
}

#[test]
fn served_config_from_files() {
    let users = UpsdUsers::default();
    let upsd = UpsdConf::parse("", "upsd.conf").unwrap().config;
    let none = UpsConf::parse("[a]\n driver = x\n", "ups.conf")
        .unwrap()
        .config;
    assert_eq!(
        ServedConfig::from_configs(&upsd, &users, &none),
        Err(ServerError::NoDevices)
    );
    let allow = UpsdConf::parse("ALLOW_NO_DEVICE 1\n", "upsd.conf")
        .unwrap()
        .config;
    let cfg = ServedConfig::from_configs(&allow, &users, &none).unwrap();
    assert!(cfg.upses.is_empty());
    assert_eq!(cfg.skipped, ["a"]);
    let dup = UpsConf::parse(
        "[a]\n driver = x\n port = p\n[A]\n driver = x\n port = p\n",
        "ups.conf",
    )
    .unwrap()
    .config;
    // As upsd: the later of two names equal but for case is served, the other reported.
    let cfg = ServedConfig::from_configs(&upsd, &users, &dup).unwrap();
    let names: Vec<_> = cfg.upses.iter().map(|u| u.name.as_str()).collect();
    assert_eq!((names, cfg.in_use), (vec!["A"], vec!["a".to_owned()]));
    let cfg = config("MAXAGE 30\nTRACKINGDELAY 5\n");
    assert_eq!((cfg.maxage.as_secs(), cfg.trackingdelay.as_secs()), (30, 5));
    assert_eq!(cfg.upses[0].socket_name(), "fakedrv-ups");
}

#[test]
fn auth_matrix_unknown_user_wrong_password_and_roles() {
    let mut w = World::new();
    let cases = [
        (
            "nobody",
            "pw",
            [
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
            ],
        ),
        (
            "admin",
            "PW",
            [
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
            ],
        ),
        (
            "admin",
            "pw",
            [
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
                "OK FSD-SET",
                "OK",
                "OK",
            ],
        ),
        (
            "mon",
            "mp",
            [
                "OK",
                "OK MASTER-GRANTED",
                "OK FSD-SET",
                "ERR ACCESS-DENIED",
                "ERR ACCESS-DENIED",
            ],
        ),
    ];
    for (i, (user, pass, expect)) in cases.into_iter().enumerate() {
        let mut s = session(i as u64 + 1);
        w.ask(&mut s, &format!("USERNAME {user}"));
        w.ask(&mut s, &format!("PASSWORD {pass}"));
        let got: Vec<String> = [
            "LOGIN ups",
            "MASTER ups",
            "FSD ups",
            "SET VAR ups ups.id v",
            "INSTCMD ups load.off",
        ]
        .iter()
        .map(|c| w.ask(&mut s, c).trim_end().to_owned())
        .collect();
        assert_eq!(got, expect, "{user}/{pass}");
    }
}

/// Found by `bins/tests/upsd_differential.rs`: a command word with a space in it (quoted) is
/// an unknown command for upsd 2.8.0, not an unknown sub-command.
#[test]
fn diff_quoted_command_word_with_a_space_is_unknown_command() {
    let mut w = World::new();
    let mut s = session(1);
    assert_eq!(w.ask(&mut s, "\"two words\"\n"), "ERR UNKNOWN-COMMAND\n");
    assert_eq!(
        w.ask(&mut s, "\"GET VAR\" ups ups.status\n"),
        "ERR UNKNOWN-COMMAND\n"
    );
    assert_eq!(w.ask(&mut s, "GET \"VAR ups\"\n"), "ERR INVALID-ARGUMENT\n");
    assert_eq!(
        w.ask(&mut s, "LIST CLIENTS ups\n"),
        "ERR INVALID-ARGUMENT\n"
    );
}

#[test]
fn audit_lines_for_the_log_are_upsd_s() {
    let mut w = World::new();
    let mut s = admin(&mut w, 1);
    let log = |w: &mut World, s: &mut Session, line: &str| w.send(s, line).log;
    assert_eq!(
        log(&mut w, &mut s, "USERNAME again"),
        ["Client admin@127.0.0.1 tried to set a username twice"]
    );
    assert_eq!(
        log(&mut w, &mut s, "PASSWORD again"),
        ["Client admin@127.0.0.1 tried to set a password twice"]
    );
    assert_eq!(
        log(&mut w, &mut s, "INSTCMD UPS load.off"),
        ["Instant command: admin@127.0.0.1 did load.off on ups (tracking ID: disabled)"]
    );
    assert_eq!(
        log(&mut w, &mut s, "INSTCMD ups load.off.delay 5"),
        ["Instant command: admin@127.0.0.1 did load.off.delay with value 5 on ups (tracking ID: disabled)"]
    );
    assert!(log(&mut w, &mut s, "SET TRACKING ON").is_empty());
    let set = log(&mut w, &mut s, "SET VAR ups ups.id \"new id\"");
    assert_eq!(set.len(), 1);
    assert!(
        set[0].starts_with(
            "Set variable: admin@127.0.0.1 set ups.id on ups to new id (tracking ID: "
        ),
        "{set:?}"
    );
    assert!(!set[0].ends_with("(tracking ID: disabled)"));
    // Refused requests are not logged.
    assert!(log(
        &mut w,
        &mut s,
        "SET VAR ups ups.id \"far too long for thirty-two bytes\""
    )
    .is_empty());
    assert!(log(&mut w, &mut s, "INSTCMD ups nosuch.cmd").is_empty());
    assert_eq!(
        log(&mut w, &mut s, "FSD Ups"),
        ["Client admin@127.0.0.1 set FSD on UPS [ups]"]
    );
    let mut mon = session(3);
    assert_eq!(w.ask(&mut mon, "USERNAME mon"), "OK\n");
    assert_eq!(w.ask(&mut mon, "PASSWORD mp"), "OK\n");
    assert_eq!(
        log(&mut w, &mut mon, "LOGIN UPS"),
        ["User mon@127.0.0.1 logged into UPS [ups]"]
    );
    assert_eq!(
        log(&mut w, &mut mon, "LOGIN ups"),
        ["Client mon@127.0.0.1 tried to login twice"]
    );
    assert_eq!(
        log(&mut w, &mut mon, "LOGOUT"),
        ["User mon@127.0.0.1 logged out from UPS [ups]"]
    );
    // A password without a username; LOGOUT without LOGIN logs nothing.
    let mut anon = session(2);
    assert_eq!(w.ask(&mut anon, "PASSWORD x"), "OK\n");
    assert_eq!(
        log(&mut w, &mut anon, "PASSWORD y"),
        ["Client on 127.0.0.1 tried to set a password twice"]
    );
    assert!(log(&mut w, &mut anon, "LOGOUT").is_empty());
}

/// The network layer answers under a read lock through `handle_shared` and only takes the
/// write lock for what comes back: every line must get the same reply as through `handle`,
/// reads must never come back, and changes must come back untouched (no reply yet).
#[test]
fn shared_access_answers_reads_and_hands_back_changes_unanswered() {
    let script = [
        ("VER", false),
        ("GET VAR ups ups.status", false),
        ("get var UPS ups.id", false),
        ("GET VAR other ups.status", false),
        ("LIST VAR ups", false),
        ("LIST CLIENT ups", false),
        ("HELP", false),
        ("STARTTLS", false),
        ("SET TRACKING OFF", false),
        ("NOSUCH", false),
        ("LOGIN ups", false), // refused before parsing: no USERNAME yet
        ("USERNAME admin", true),
        ("PASSWORD pw", true),
        ("LOGIN ups", true),
        ("GET NUMLOGINS ups", false),
        ("SET VAR ups ups.id \"x\"", true),
        ("INSTCMD ups load.off", true),
        ("FSD ups", true),
        ("GET VAR ups ups.status", false),
        ("LOGOUT", true),
    ];
    let (mut plain, mut shared) = (World::new(), World::new());
    let (mut a, mut b) = (session(1), session(1));
    for (line, changes) in script {
        let expected = plain.send(&mut a, line);
        let words = split_line_with(line, Limits::NETWORK).unwrap();
        let mut got = nut_server::Reply::default();
        match b.handle_shared(&words, &shared.state, shared.now, &mut got) {
            Ok(()) => assert!(!changes, "{line}: answered under shared access"),
            Err(pending) => {
                assert!(changes, "{line}: handed back, but it only reads");
                assert_eq!(got.text, "", "{line}: replied before it was carried out");
                b.finish(pending, &mut shared.state, shared.now, &mut got);
            }
        }
        assert_eq!(got, expected, "{line}");
    }
}
