//! `upsrw` against a real upsd 2.8.0: ours and NUT's print the same bytes and exit codes.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "cli_compare.rs"]
mod compare;

use common::{DevSource, RealNut};
use compare::same;

const OURS: &str = env!("CARGO_BIN_EXE_upsrw");

fn sandbox() -> RealNut {
    let dev =
        "ups.status: OL\nups.load: 23\nups.mfr: Acme\nups.delay.shutdown: 20\ncustom.thing: x\n";
    RealNut::start(&[
        ("dummy", DevSource::Inline(dev.into())),
        ("evo", DevSource::Shared("evolution500.seq")),
    ])
}

#[test]
fn lists_writable_variables_identically() {
    let nut = sandbox();
    let list = same("upsrw", OURS, &[&nut.addr("dummy")], "");
    assert!(list
        .stdout
        .contains("[ups.load]\nLoad on UPS (percent of full)\nType: NUMBER\nValue: 23\n\n"));
    assert!(list.stdout.contains("Type: STRING\nMaximum length: 32\n"));
    same("upsrw", OURS, &[&nut.addr("evo")], "");
    let unknown = same("upsrw", OURS, &[&nut.addr("nope")], "");
    assert_eq!(unknown.stderr, "Error: Unknown UPS\n");
}

#[test]
fn sets_variables_identically() {
    let nut = sandbox();
    let ups = nut.addr("dummy");
    let ok = same(
        "upsrw",
        OURS,
        &["-s", "ups.load=42", "-u", "admin", "-p", "secret", &ups],
        "",
    );
    assert_eq!(ok.stderr, "OK\n");
    let waited = same(
        "upsrw",
        OURS,
        &[
            "-w",
            "-s",
            "ups.load=43",
            "-u",
            "admin",
            "-p",
            "secret",
            &ups,
        ],
        "",
    );
    assert_eq!(waited.stderr, "SUCCESS\n");
    let denied = same(
        "upsrw",
        OURS,
        &["-s", "ups.load=1", "-u", "admin", "-p", "bad", &ups],
        "",
    );
    assert_eq!(denied.code, Some(1));
    same(
        "upsrw",
        OURS,
        &["-s", "ups.nope=1", "-u", "admin", "-p", "secret", &ups],
        "",
    );
    same(
        "upsrw",
        OURS,
        &["-s", "load=1", "-u", "admin", "-p", "secret", &ups],
        "",
    );
    // value, then user name and password prompted
    let prompted = same(
        "upsrw",
        OURS,
        &["-s", "ups.load", &ups],
        "admin\nsecret\n44\n",
    );
    assert!(
        prompted.stdout.starts_with("Username ("),
        "{}",
        prompted.stdout
    );
    // Without -w the SET is not waited for, and real dummy-ups applies it within its
    // 1-second cycle: wait (bounded) until the server shows it, then compare both tools.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !compare::run(std::path::Path::new(OURS), "upsrw", &[&ups], "", &[])
        .stdout
        .contains("Value: 44\n")
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let after = same("upsrw", OURS, &[&ups], "");
    assert!(after.stdout.contains("Value: 44\n"), "{}", after.stdout);
}

#[test]
fn options_usage_and_version_match() {
    same("upsrw", OURS, &[], "");
    same("upsrw", OURS, &["-h"], "");
    same("upsrw", OURS, &["-V"], "");
    same("upsrw", OURS, &["-s", "x", "-l", "ups@127.0.0.1:1"], "");
}

/// `-s` corner cases against real dummy-ups. Only failing or idempotent SETs, so the
/// second program sees the same server state as the first.
#[test]
fn set_corner_cases_match() {
    let nut = sandbox();
    let ups = nut.addr("dummy");
    let cred = ["-u", "admin", "-p", "secret"];
    let long = format!("ups.mfr={}", "x".repeat(40));
    let cases: Vec<Vec<&str>> = vec![
        vec!["-s", "=5"],
        vec!["-s", &long],
        vec!["-s", "ups.nope="],
        vec!["-s", "ups.load=5", "-s", "ups.load=5"],
        vec!["-s", "ups.mfr=a \"q\" b\\c"],
        vec!["-w", "-t", "0", "-s", "ups.load=5"],
        vec!["-t", "x", "-s", "ups.load=5"],
    ];
    for case in &cases {
        let args: Vec<&str> = case
            .iter()
            .chain(&cred)
            .copied()
            .chain([ups.as_str()])
            .collect();
        same("upsrw", OURS, &args, "");
    }
    let too_long = same(
        "upsrw",
        OURS,
        &["-s", &long, "-u", "admin", "-p", "secret", &ups],
        "",
    );
    assert_eq!(
        too_long.stderr,
        "Unexpected response from upsd: ERR TOO-LONG\n"
    );
    let extra = [
        "-s",
        "ups.load=5",
        "-u",
        "admin",
        "-p",
        "secret",
        &ups,
        "extra",
    ];
    same("upsrw", OURS, &extra, "");
    same(
        "upsrw",
        OURS,
        &["-s", "ups.load=5", &nut.addr("nope")],
        "admin\nsecret\n",
    );
    same("upsrw", OURS, &["dummy@::1"], "");
    same("upsrw", OURS, &["dummy@nosuchhost.invalid"], "");
    same("upsrw", OURS, &[&ups, "extra"], "");
    same("upsrw", OURS, &["-s"], "");
    same("upsrw", OURS, &["-x"], "");
}
