//! `upsc` against a real upsd 2.8.0: ours and NUT's print the same bytes and exit codes.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "cli_compare.rs"]
mod compare;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;

use common::{DevSource, RealNut};
use compare::same;

const OURS: &str = env!("CARGO_BIN_EXE_upsc");

fn sandbox() -> RealNut {
    RealNut::builder()
        .device_with_desc("dummy", "Small dummy", DevSource::Inline(DEV.into()))
        .device("evo", DevSource::Shared("evolution500.seq"))
        .start()
}

const DEV: &str =
    "battery.charge: 90\nups.status: OL CHRG\nups.load: 23\nups.mfr: Acme \"Power\"\n";

#[test]
fn lists_upses_and_variables_identically() {
    let nut = sandbox();
    let host = format!("127.0.0.1:{}", nut.port());
    let l = same("upsc", OURS, &["-l", &host], "");
    assert_eq!((l.stdout.as_str(), l.code), ("dummy\nevo\n", Some(0)));
    let big_l = same("upsc", OURS, &["-L", &host], "");
    assert_eq!(
        big_l.stdout,
        "dummy: Small dummy\nevo: Description unavailable\n"
    );
    same("upsc", OURS, &["-lL", &host], "");
    let vars = same("upsc", OURS, &[&nut.addr("dummy")], "");
    assert!(
        vars.stdout.contains("ups.status: OL CHRG\n"),
        "{}",
        vars.stdout
    );
    same("upsc", OURS, &[&nut.addr("evo")], "");
    let one = same("upsc", OURS, &[&nut.addr("dummy"), "ups.status"], "");
    assert_eq!(one.stdout, "OL CHRG\n");
}

#[test]
fn errors_are_worded_and_coded_identically() {
    let nut = sandbox();
    let unknown_var = same("upsc", OURS, &[&nut.addr("dummy"), "ups.nope"], "");
    assert_eq!(unknown_var.stderr, "Error: Variable not supported by UPS\n");
    assert_eq!(unknown_var.code, Some(1));
    let unknown_ups = same("upsc", OURS, &[&nut.addr("nope")], "");
    assert_eq!(unknown_ups.stderr, "Error: Unknown UPS\n");
    same("upsc", OURS, &[&nut.addr("nope"), "ups.status"], "");
    same("upsc", OURS, &[&nut.addr("dummy"), "status"], "");
    let refused = same("upsc", OURS, &["ups@127.0.0.1:1"], "");
    assert_eq!(
        refused.stderr,
        "Error: Connection failure: Connection refused\n"
    );
    same("upsc", OURS, &["ups@127.0.0.1:0"], "");
    same("upsc", OURS, &["-l", "[::1"], "");
    same("upsc", OURS, &[""], "");
    same("upsc", OURS, &[], "");
}

#[test]
fn options_usage_and_version_match() {
    let usage = same("upsc", OURS, &["-h"], "");
    assert!(usage.stdout.starts_with("Network UPS Tools upsc 2.8.0\n"));
    let bad = same("upsc", OURS, &["-x"], "");
    assert_eq!(bad.stderr, "upsc: invalid option -- 'x'\n");
    let version = same("upsc", OURS, &["-V"], "");
    assert_eq!(version.code, Some(0));
}

#[test]
fn lists_clients_identically() {
    let nut = sandbox();
    same("upsc", OURS, &["-c", &nut.addr("dummy")], "");
    // a logged-in client shows up in LIST CLIENT
    let stream = TcpStream::connect(("127.0.0.1", nut.port())).unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut w = stream;
    for cmd in ["USERNAME admin", "PASSWORD secret", "LOGIN dummy"] {
        writeln!(w, "{cmd}").unwrap();
        let mut reply = String::new();
        reader.read_line(&mut reply).unwrap();
        assert!(reply.starts_with("OK"), "{cmd}: {reply}");
    }
    let clients = same("upsc", OURS, &["-c", &nut.addr("dummy")], "");
    assert_eq!(clients.stdout, "127.0.0.1\n");
    same("upsc", OURS, &["-c", &nut.addr("nope")], "");
}

/// Host forms: names, addresses, IPv6 in brackets (2.8.0 needs them: a bare `::1` is refused
/// as a missing port), default port, bad ports, unresolvable names, extra operands.
#[test]
fn host_forms_match() {
    let v6 = common::free_port().unwrap();
    let nut = RealNut::builder()
        .device("dummy", DevSource::Inline(DEV.into()))
        .upsd_conf_line(&format!("LISTEN ::1 {v6}"))
        .start();
    let port = nut.port();
    let via_v6 = same(
        "upsc",
        OURS,
        &[&format!("dummy@[::1]:{v6}"), "ups.status"],
        "",
    );
    assert_eq!(via_v6.stdout, "OL CHRG\n");
    let listed = same("upsc", OURS, &["-l", &format!("[::1]:{v6}")], "");
    assert_eq!(listed.stdout, "dummy\n");
    let bare_v6 = same("upsc", OURS, &["dummy@::1"], "");
    assert_eq!(
        bare_v6.stderr,
        "upscli_splitaddr: no port specified after ':' separator\nError: invalid UPS definition.\nRequired format: upsname[@hostname[:port]]\n"
    );
    let unresolvable = same("upsc", OURS, &["dummy@nosuchhost.invalid"], "");
    assert_eq!(unresolvable.stderr, "Error: No such host\n");
    let hosts = [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "::1".to_string(),
        format!("::1:{v6}"),
        "@".to_string(),
    ];
    for host in &hosts {
        same("upsc", OURS, &["-l", host], "");
        same("upsc", OURS, &["-L", host], "");
    }
    let upses = [
        format!("dummy@localhost:{port}"),
        format!("dummy@[::1]:{v6}"),
        format!("dummy@::1:{port}"),
        format!("dummy@127.0.0.1:{port}:junk"),
        format!("@127.0.0.1:{port}"),
        "dummy@127.0.0.1:99999".to_string(),
        "dummy@127.0.0.1:-1".to_string(),
        "dummy@".to_string(),
    ];
    for ups in &upses {
        same("upsc", OURS, &[ups], "");
        same("upsc", OURS, &[ups, "ups.status"], "");
    }
    let ups = nut.addr("dummy");
    same("upsc", OURS, &[&ups, "ups.status", "extra", "more"], "");
    same(
        "upsc",
        OURS,
        &["-l", &format!("127.0.0.1:{port}"), "extra"],
        "",
    );
    same("upsc", OURS, &["-c"], "");
    same("upsc", OURS, &["-c", &ups, "extra"], "");
    same("upsc", OURS, &["-lc", &format!("127.0.0.1:{port}")], "");
    same("upsc", OURS, &["-cl", &ups], "");
}
