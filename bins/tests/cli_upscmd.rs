//! `upscmd` against a real upsd 2.8.0: ours and NUT's print the same bytes and exit codes.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "cli_compare.rs"]
mod compare;

use common::{DevSource, RealNut};
use compare::same;

const OURS: &str = env!("CARGO_BIN_EXE_upscmd");

fn sandbox() -> RealNut {
    RealNut::start(&[(
        "dummy",
        DevSource::Inline("ups.status: OL\nbattery.charge: 50\n".into()),
    )])
}

#[test]
fn lists_commands_identically() {
    let nut = sandbox();
    let list = same("upscmd", OURS, &["-l", &nut.addr("dummy")], "");
    assert!(list
        .stdout
        .starts_with("Instant commands supported on UPS [dummy]:\n\n"));
    assert!(list.stdout.contains("load.off - "), "{}", list.stdout);
    let unknown = same("upscmd", OURS, &["-l", &nut.addr("nope")], "");
    assert_eq!(unknown.stderr, "Error: Unknown UPS\n");
}

#[test]
fn runs_commands_identically() {
    let nut = sandbox();
    let ups = nut.addr("dummy");
    let ok = same(
        "upscmd",
        OURS,
        &["-u", "admin", "-p", "secret", &ups, "load.off"],
        "",
    );
    assert_eq!((ok.stderr.as_str(), ok.code), ("OK\n", Some(0)));
    let waited = same(
        "upscmd",
        OURS,
        &["-u", "admin", "-p", "secret", "-w", &ups, "load.off"],
        "",
    );
    assert_eq!(waited.code, Some(0));
    let denied = same(
        "upscmd",
        OURS,
        &["-u", "admin", "-p", "bad", &ups, "load.off"],
        "",
    );
    assert_eq!(
        denied.stderr,
        "Unexpected response from upsd: ERR ACCESS-DENIED\n"
    );
    same(
        "upscmd",
        OURS,
        &["-u", "admin", "-p", "secret", &ups, "nope.cmd"],
        "",
    );
    same(
        "upscmd",
        OURS,
        &["-u", "admin", "-p", "secret", &ups, "nocmd"],
        "",
    );
    same("upscmd", OURS, &["-u", "admin", "-p", "secret", &ups], "");
}

#[test]
fn prompts_like_nut() {
    let nut = sandbox();
    let ups = nut.addr("dummy");
    // user name and password from stdin (no terminal): prompts on stdout and stderr
    let prompted = same("upscmd", OURS, &[&ups, "load.off"], "admin\nsecret\n");
    assert_eq!(prompted.stderr, "Password: OK\n");
    same("upscmd", OURS, &[&ups, "load.off"], "");
    same("upscmd", OURS, &["-u", "admin", &ups, "load.off"], "");
}

#[test]
fn options_usage_and_version_match() {
    same("upscmd", OURS, &[], "");
    same("upscmd", OURS, &["-h"], "");
    same("upscmd", OURS, &["-V"], "");
    same("upscmd", OURS, &["-u"], "");
    same("upscmd", OURS, &["-t", "abc", "ups"], "");
    same("upscmd", OURS, &["-l", "ups@127.0.0.1:1"], "");
}

/// Values, extra operands, `-w`/`-t` corner cases and the prompts with stdin closed early.
#[test]
fn edge_cases_match() {
    let nut = sandbox();
    let ups = nut.addr("dummy");
    let cred = ["-u", "admin", "-p", "secret"];
    let with = |extra: &[&str]| -> Vec<String> {
        cred.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let cases: Vec<Vec<String>> = vec![
        with(&[&ups, "load.off", "10"]),
        with(&[&ups, "load.off", "10", "extra"]),
        with(&["-w", &ups, "load.off", "5"]),
        with(&["-w", "-t", "2", &ups, "load.off"]),
        with(&["-w", "-t", "0", &ups, "load.off"]),
        with(&["-w", "-t", "-1", &ups, "load.off"]),
        with(&["-t", "5", &ups, "load.off"]),
        with(&["-w", &ups, "nope"]),
        with(&[&nut.addr("nope"), "load.off"]),
        with(&["dummy@nosuchhost.invalid", "load.off"]),
        with(&["dummy@::1", "load.off"]),
        vec![
            "-u".into(),
            "x".into(),
            "-p".into(),
            "y".into(),
            ups.clone(),
            "load.off".into(),
        ],
        vec!["-l".into(), ups.clone(), "extra".into()],
        vec!["-l".into(), "-u".into(), "admin".into(), ups.clone()],
        vec!["-l".into()],
        vec!["-x".into()],
        vec!["-t".into()],
    ];
    for args in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        same("upscmd", OURS, &args, "");
    }
    let timed_out = same(
        "upscmd",
        OURS,
        &with(&["-w", "-t", "0", &ups, "load.off"])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
        "",
    );
    assert_eq!(
        (timed_out.stderr.as_str(), timed_out.code),
        (
            "Can't receive status tracking information: timeout\n",
            Some(1)
        )
    );
    // stdin ends after the user name, or is empty, or gives only the user for -p
    let half = same("upscmd", OURS, &[&ups, "load.off"], "admin\n");
    assert_eq!(
        (half.stdout.as_str(), half.stderr.as_str()),
        (
            "Username (root): ",
            "Password: Unexpected response from upsd: ERR PASSWORD-REQUIRED\n"
        )
    );
    let closed = same("upscmd", OURS, &[&ups, "load.off"], "");
    assert_eq!(
        (closed.stderr.as_str(), closed.code),
        ("Error reading from stdin!\n", Some(1))
    );
    same("upscmd", OURS, &[&ups, "load.off"], "\n\n");
    same(
        "upscmd",
        OURS,
        &["-p", "secret", &ups, "load.off"],
        "admin\n",
    );
    same("upscmd", OURS, &["-p", "secret", &ups, "load.off"], "");
}
