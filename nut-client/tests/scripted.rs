//! The client against a scripted fake server over `tokio::io::duplex`: every method sends the
//! exact bytes upsd 2.8.0 expects and turns the reply (captured from real upsd) into the
//! right value or error.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use nut_client::proto::{ErrorCode, List, ListItem, ParseError, Request, Response, VarKind};
use nut_client::{Client, ClientConfig, ClientError, TrackingStatus};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::task::JoinHandle;

/// A fake server that expects each request line in turn and answers with the given bytes.
fn scripted(steps: &[(&str, &str)]) -> (Client<DuplexStream>, JoinHandle<()>) {
    scripted_with(steps, ClientConfig::default())
}

fn scripted_with(
    steps: &[(&str, &str)],
    config: ClientConfig,
) -> (Client<DuplexStream>, JoinHandle<()>) {
    let (client_io, server_io) = tokio::io::duplex(64 * 1024);
    let steps: Vec<(String, String)> = steps
        .iter()
        .map(|(c, s)| (c.to_string(), s.to_string()))
        .collect();
    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_io);
        let mut lines = BufReader::new(read).lines();
        for (expected, reply) in steps {
            let got = lines
                .next_line()
                .await
                .expect("read")
                .expect("client closed early");
            assert_eq!(got, expected, "request line");
            write.write_all(reply.as_bytes()).await.expect("write");
        }
        // Keep the connection open until the client is done.
        if let Ok(Some(extra)) = lines.next_line().await {
            panic!("unexpected request {extra:?}");
        }
    });
    (Client::attach_with(client_io, config), server)
}

#[tokio::test]
async fn version_requests_return_the_text() {
    let (mut c, server) = scripted(&[
        (
            "VER",
            "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/\n",
        ),
        ("NETVER", "1.3\n"),
        (
            "HELP",
            "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS\n",
        ),
    ]);
    let ver = c.ver().await.unwrap();
    assert_eq!(
        ver,
        "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"
    );
    assert_eq!(c.netver().await.unwrap(), "1.3");
    assert!(c.help().await.unwrap().starts_with("Commands: HELP VER"));
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn get_requests() {
    let (mut c, server) = scripted(&[
        ("GET VAR ups ups.status", "VAR ups ups.status \"OL CHRG\"\n"),
        (
            "GET VAR ups \"odd name\"",
            "VAR ups \"odd name\" \"a \\\"q\\\" \\\\ b\"\n",
        ),
        (
            "GET TYPE ups input.transfer.low",
            "TYPE ups input.transfer.low RW ENUM NUMBER\n",
        ),
        ("GET TYPE ups ups.id", "TYPE ups ups.id RW STRING:32\n"),
        (
            "GET DESC ups ups.status",
            "DESC ups ups.status \"UPS status\"\n",
        ),
        (
            "GET CMDDESC ups load.off",
            "CMDDESC ups load.off \"Turn off the load immediately\"\n",
        ),
        ("GET UPSDESC ups", "UPSDESC ups \"Unavailable\"\n"),
        ("GET NUMLOGINS ups", "NUMLOGINS ups 2\n"),
    ]);
    assert_eq!(c.get_var("ups", "ups.status").await.unwrap(), "OL CHRG");
    assert_eq!(c.get_var("ups", "odd name").await.unwrap(), "a \"q\" \\ b");
    let ty = c.get_type("ups", "input.transfer.low").await.unwrap();
    assert!(ty.rw && ty.enumerated && !ty.range);
    let ty = c.get_type("ups", "ups.id").await.unwrap();
    assert_eq!(ty.kind, VarKind::String(32));
    assert_eq!(c.get_desc("ups", "ups.status").await.unwrap(), "UPS status");
    let desc = c.get_cmd_desc("ups", "load.off").await.unwrap();
    assert_eq!(desc, "Turn off the load immediately");
    assert_eq!(c.get_ups_desc("ups").await.unwrap(), "Unavailable");
    assert_eq!(c.num_logins("ups").await.unwrap(), 2);
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn list_requests() {
    let (mut c, server) = scripted(&[
        (
            "LIST UPS",
            "BEGIN LIST UPS\nUPS a \"First\"\nUPS b \"Description unavailable\"\nEND LIST UPS\n",
        ),
        (
            "LIST VAR a",
            "BEGIN LIST VAR a\nVAR a ups.status \"OL\"\nVAR a ups.id \"\"\nEND LIST VAR a\n",
        ),
        (
            "LIST RW a",
            "BEGIN LIST RW a\nRW a ups.id \"x\"\nEND LIST RW a\n",
        ),
        (
            "LIST CMD a",
            "BEGIN LIST CMD a\nCMD a load.off\nCMD a test.battery.start\nEND LIST CMD a\n",
        ),
        (
            "LIST ENUM a v",
            "BEGIN LIST ENUM a v\nENUM a v \"1\"\nENUM a v \"2\"\nEND LIST ENUM a v\n",
        ),
        (
            "LIST RANGE a v",
            "BEGIN LIST RANGE a v\nRANGE a v \"0\" \"600\"\nEND LIST RANGE a v\n",
        ),
        (
            "LIST CLIENT a",
            "BEGIN LIST CLIENT a\nCLIENT a 127.0.0.1\nEND LIST CLIENT a\n",
        ),
        ("LIST CMD a", "BEGIN LIST CMD a\nEND LIST CMD a\n"),
    ]);
    let ups = c.list_ups().await.unwrap();
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        ups,
        [pair("a", "First"), pair("b", "Description unavailable")]
    );
    let vars = c.list_vars("a").await.unwrap();
    assert_eq!(vars, [pair("ups.status", "OL"), pair("ups.id", "")]);
    assert_eq!(c.list_rw("a").await.unwrap(), [pair("ups.id", "x")]);
    assert_eq!(
        c.list_cmds("a").await.unwrap(),
        ["load.off", "test.battery.start"]
    );
    assert_eq!(c.list_enum("a", "v").await.unwrap(), ["1", "2"]);
    assert_eq!(c.list_range("a", "v").await.unwrap(), [pair("0", "600")]);
    assert_eq!(c.list_clients("a").await.unwrap(), ["127.0.0.1"]);
    assert!(c.list_cmds("a").await.unwrap().is_empty());
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn raw_request_and_request_list() {
    let (mut c, server) = scripted(&[
        ("GET VAR u x", "ERR VAR-NOT-SUPPORTED\n"),
        (
            "LIST CMD u",
            "BEGIN LIST CMD u\nCMD u beeper.on\nEND LIST CMD u\n",
        ),
    ]);
    let request = Request::parse("GET VAR u x").unwrap();
    let response = c.request(&request).await.unwrap();
    assert_eq!(response, Response::parse("ERR VAR-NOT-SUPPORTED").unwrap());
    let items = c
        .request_list(&List::Cmd { ups: "u".into() })
        .await
        .unwrap();
    assert_eq!(
        items,
        [ListItem::Cmd {
            ups: "u".into(),
            cmd: "beeper.on".into()
        }]
    );
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn session_requests() {
    let (mut c, server) = scripted(&[
        ("USERNAME admin", "OK\n"),
        ("PASSWORD \"s e\\\"cret\"", "OK\n"),
        ("LOGIN ups", "OK\n"),
        ("PRIMARY ups", "OK PRIMARY-GRANTED\n"),
        ("MASTER ups", "OK MASTER-GRANTED\n"),
        ("FSD ups", "OK FSD-SET\n"),
        ("LOGOUT", "OK Goodbye\n"),
    ]);
    c.username("admin").await.unwrap();
    c.password("s e\"cret").await.unwrap();
    c.login("ups").await.unwrap();
    c.primary("ups").await.unwrap();
    c.master("ups").await.unwrap();
    c.fsd("ups").await.unwrap();
    c.logout().await.unwrap();
    // The server closes after LOGOUT: the client refuses further requests.
    assert_eq!(c.ver().await, Err(ClientError::Closed));
    server.await.unwrap();
}

/// As upsmon 2.8.0: any answer to PRIMARY but OK is followed by MASTER, whose answer
/// decides (an old server does not know PRIMARY; a refusal is asked again the old way).
#[tokio::test]
async fn primary_falls_back_to_master_on_any_refusal() {
    let (mut c, server) = scripted(&[
        ("PRIMARY ups", "ERR UNKNOWN-COMMAND\n"),
        ("MASTER ups", "OK\n"),
        ("PRIMARY ups", "ERR ACCESS-DENIED\n"),
        ("MASTER ups", "ERR ACCESS-DENIED\n"),
        ("PRIMARY ups", "WHAT\n"),
        ("MASTER ups", "OK MASTER-GRANTED\n"),
    ]);
    c.primary("ups").await.unwrap();
    let denied = c.primary("ups").await;
    assert_eq!(denied, Err(ClientError::Server(ErrorCode::AccessDenied)));
    c.primary("ups").await.unwrap();
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn set_instcmd_and_tracking() {
    let (mut c, server) = scripted(&[
        ("SET VAR ups ups.id \"new id\"", "OK\n"),
        ("SET TRACKING ON", "OK\n"),
        ("GET TRACKING", "ON\n"),
        (
            "INSTCMD ups load.off",
            "OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263\n",
        ),
        ("INSTCMD ups load.off.delay 5", "OK\n"),
        (
            "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263",
            "PENDING\n",
        ),
        (
            "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263",
            "SUCCESS\n",
        ),
        ("GET TRACKING nope", "ERR UNKNOWN\n"),
        ("SET TRACKING OFF", "OK\n"),
    ]);
    assert_eq!(c.set_var("ups", "ups.id", "new id").await.unwrap(), None);
    c.set_tracking(true).await.unwrap();
    assert!(c.tracking_mode().await.unwrap());
    let id = c.instcmd("ups", "load.off", None).await.unwrap();
    assert_eq!(id.as_deref(), Some("2DDC5036-F665-4D29-BE4C-0374D091D263"));
    assert_eq!(
        c.instcmd("ups", "load.off.delay", Some("5")).await.unwrap(),
        None
    );
    let id = id.unwrap();
    assert_eq!(
        c.tracking_status(&id).await.unwrap(),
        TrackingStatus::Pending
    );
    assert_eq!(
        c.tracking_status(&id).await.unwrap(),
        TrackingStatus::Success
    );
    let unknown = c.tracking_status("nope").await.unwrap();
    assert_eq!(unknown, TrackingStatus::Failed(ErrorCode::Unknown));
    c.set_tracking(false).await.unwrap();
    drop(c);
    server.await.unwrap();
}

const ID: &str = "0F8B7AB3-6E1C-4D5A-9A7E-3C2D1B0A9F88";

#[tokio::test(start_paused = true)]
async fn instcmd_wait_polls_once_a_second_until_done() {
    let pending = format!("GET TRACKING {ID}");
    let (mut c, server) = scripted(&[
        ("SET TRACKING ON", "OK\n"),
        ("INSTCMD ups beeper.off", &format!("OK TRACKING {ID}\n")),
        (&pending, "PENDING\n"),
        (&pending, "PENDING\n"),
        (&pending, "SUCCESS\n"),
    ]);
    let start = tokio::time::Instant::now();
    let result = c
        .instcmd_wait("ups", "beeper.off", None, Duration::from_secs(10))
        .await;
    assert_eq!(result, Ok(()));
    assert_eq!(start.elapsed().as_secs(), 2, "two one-second pauses");
    drop(c);
    server.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn set_var_wait_reports_driver_failure_and_timeout() {
    let get = format!("GET TRACKING {ID}");
    let mut steps = vec![
        ("SET TRACKING ON".to_string(), "OK\n".to_string()),
        (
            "SET VAR ups ups.id \"x\"".into(),
            format!("OK TRACKING {ID}\n"),
        ),
        (get.clone(), "ERR FAILED\n".into()),
        ("SET TRACKING ON".into(), "OK\n".into()),
        (
            "SET VAR ups ups.id \"y\"".into(),
            format!("OK TRACKING {ID}\n"),
        ),
    ];
    // Like upsrw -w: one poll per second while the elapsed time is below the timeout.
    steps.extend((0..3).map(|_| (get.clone(), "PENDING\n".to_string())));
    let steps: Vec<(&str, &str)> = steps
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (mut c, server) = scripted(&steps);
    let failed = c
        .set_var_wait("ups", "ups.id", "x", Duration::from_secs(3))
        .await;
    assert_eq!(failed, Err(ClientError::Server(ErrorCode::Failed)));
    let late = c
        .set_var_wait("ups", "ups.id", "y", Duration::from_secs(3))
        .await;
    assert_eq!(late, Err(ClientError::TrackingTimeout { id: ID.into() }));
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn err_replies_become_server_errors() {
    let (mut c, server) = scripted(&[
        ("GET VAR nope ups.status", "ERR UNKNOWN-UPS\n"),
        ("LIST VAR nope", "ERR UNKNOWN-UPS\n"),
        ("VER", "ERR ACCESS-DENIED\n"),
        ("LOGIN ups", "ERR ACCESS-DENIED\n"),
        ("SET VAR ups x \"1\"", "ERR SOMETHING-NEW extra words\n"),
        ("GET NUMLOGINS ups", "NUMLOGINS ups 0\n"),
    ]);
    let unknown = Err(ClientError::Server(ErrorCode::UnknownUps));
    assert_eq!(c.get_var("nope", "ups.status").await, unknown);
    assert_eq!(
        c.list_vars("nope").await.map(|_| ()),
        unknown.map(|_: String| ())
    );
    let denied = Err(ClientError::Server(ErrorCode::AccessDenied));
    assert_eq!(c.ver().await, denied);
    assert_eq!(c.login("ups").await, denied.map(|_: String| ()));
    let other = c.set_var("ups", "x", "1").await;
    assert_eq!(
        other,
        Err(ClientError::Server(ErrorCode::Other(
            "SOMETHING-NEW".into()
        )))
    );
    // An ERR answer leaves the connection usable.
    assert_eq!(c.num_logins("ups").await, Ok(0));
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn malformed_and_mismatched_replies() {
    let (mut c, server) = scripted(&[
        (
            "GET VAR ups ups.status",
            "VAR ups ups.status \"unterminated\n",
        ),
        ("GET VAR ups ups.status", "OK\n"),
        ("GET NUMLOGINS ups", "NUMLOGINS ups many\n"),
        ("GET VAR ups ups.status", "VAR ups ups.status \"OL\"\n"),
    ]);
    let parse = c.get_var("ups", "ups.status").await;
    assert!(matches!(parse, Err(ClientError::Parse(_))), "{parse:?}");
    let wrong = c.get_var("ups", "ups.status").await;
    let expected = ClientError::Unexpected {
        expected: "VAR",
        got: "OK".into(),
    };
    assert_eq!(wrong, Err(expected));
    let bad_number = c.num_logins("ups").await;
    assert!(
        matches!(bad_number, Err(ClientError::Parse(_))),
        "{bad_number:?}"
    );
    // A bad single-line reply does not desynchronise the connection.
    assert_eq!(c.get_var("ups", "ups.status").await.unwrap(), "OL");
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn overlong_reply_line_is_refused_without_waiting_for_its_end() {
    let endless = "V".repeat(5000);
    let config = ClientConfig::default().max_line(1024);
    let (mut c, server) = scripted_with(&[("GET VAR ups ups.status", &endless)], config);
    let result = c.get_var("ups", "ups.status").await;
    let too_long = ClientError::Parse(ParseError::LineTooLong { max: 1024 });
    assert_eq!(result, Err(too_long));
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn list_reply_bounded_by_max_items() {
    let mut reply = String::from("BEGIN LIST CMD u\n");
    for i in 0..10 {
        reply += &format!("CMD u c{i}\n");
    }
    let config = ClientConfig::default().max_list_items(5);
    let (mut c, server) = scripted_with(&[("LIST CMD u", &reply)], config);
    assert_eq!(
        c.list_cmds("u").await,
        Err(ClientError::TooManyItems { max: 5 })
    );
    // The rest of the list is still in flight: the connection is not reused.
    assert_eq!(c.ver().await, Err(ClientError::Closed));
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn list_of_another_kind_is_unexpected() {
    let (mut c, server) = scripted(&[("LIST RW u", "BEGIN LIST VAR u\nEND LIST VAR u\n")]);
    let result = c.list_rw("u").await;
    assert!(
        matches!(result, Err(ClientError::Unexpected { .. })),
        "{result:?}"
    );
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn connection_closed_mid_list_is_an_error_not_a_hang() {
    let (client_io, server_io) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_io);
        let mut lines = BufReader::new(read).lines();
        assert_eq!(lines.next_line().await.unwrap().unwrap(), "LIST VAR u");
        write
            .write_all(b"BEGIN LIST VAR u\nVAR u a \"1\"\nVAR u b")
            .await
            .unwrap();
        // Dropping both halves closes the stream.
    });
    let mut c = Client::attach(client_io);
    assert_eq!(c.list_vars("u").await, Err(ClientError::Closed));
    server.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn request_times_out_when_the_server_never_answers() {
    let (client_io, _server_io) = tokio::io::duplex(4096);
    let config = ClientConfig::default().io_timeout(Duration::from_secs(5));
    let mut c = Client::attach_with(client_io, config);
    let start = tokio::time::Instant::now();
    assert_eq!(
        c.get_var("ups", "ups.status").await,
        Err(ClientError::Timeout)
    );
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    // A late answer would belong to the timed-out request: the client stops here.
    assert_eq!(c.ver().await, Err(ClientError::Closed));
}

#[tokio::test(start_paused = true)]
async fn list_times_out_when_the_server_stalls_mid_list() {
    let (client_io, mut server_io) = tokio::io::duplex(4096);
    server_io
        .write_all(b"BEGIN LIST UPS\nUPS a \"x\"\n")
        .await
        .unwrap();
    let config = ClientConfig::default().io_timeout(Duration::from_secs(2));
    let mut c = Client::attach_with(client_io, config);
    assert_eq!(c.list_ups().await, Err(ClientError::Timeout));
}

#[tokio::test]
async fn crlf_replies_and_split_reads() {
    let (client_io, server_io) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_io);
        let mut lines = BufReader::new(read).lines();
        assert_eq!(lines.next_line().await.unwrap().unwrap(), "GET VAR u v");
        for piece in ["VAR u v ", "\"4", "2\"\r", "\n"] {
            write.write_all(piece.as_bytes()).await.unwrap();
            write.flush().await.unwrap();
            tokio::task::yield_now().await;
        }
        let _ = lines.next_line().await;
    });
    let mut c = Client::attach(client_io);
    assert_eq!(c.get_var("u", "v").await.unwrap(), "42");
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn non_ascii_reply_bytes_are_dropped_like_upsc() {
    let (client_io, server_io) = tokio::io::duplex(4096);
    let server = tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(server_io);
        let mut lines = BufReader::new(read).lines();
        assert_eq!(lines.next_line().await.unwrap().unwrap(), "GET VAR u v");
        write.write_all(b"VAR u v \"caf\xe9\"\n").await.unwrap();
        let _ = lines.next_line().await;
    });
    let mut c = Client::attach(client_io);
    // Bytes outside printable ASCII are dropped, as libupsclient's parser does
    // (common/parseconf.c, CVE-2012-2944); never a panic or a hang.
    assert_eq!(c.get_var("u", "v").await.unwrap(), "caf");
    drop(c);
    server.await.unwrap();
}

#[tokio::test]
async fn connect_to_a_closed_port_is_an_io_error() {
    // Bind then drop: nothing listens on this port any more.
    let port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let err = Client::connect("127.0.0.1", port).await.unwrap_err();
    let ClientError::Io(io) = err else {
        panic!("expected an I/O error, got {err:?}");
    };
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}
