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
