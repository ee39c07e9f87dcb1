//! upsc and upsrw against a real upsd 2.8.0 fed by a scripted driver (ENUM, RANGE, STRING,
//! NUMBER, values with quotes, backslashes, spaces, empty values): ours and NUT's print the
//! same bytes and exit codes.
#![allow(clippy::unwrap_used)]

#[path = "cli_compare.rs"]
mod compare;
#[path = "cli_fakedriver.rs"]
mod fakedriver;

use compare::same;
use fakedriver::{FakeNut, Var};

const UPSC: &str = env!("CARGO_BIN_EXE_upsc");
const UPSRW: &str = env!("CARGO_BIN_EXE_upsrw");

fn sandbox() -> FakeNut {
    let vars = [
        Var::new("battery.charge", "90"),
        Var::new("device.mfr", "Acme \"Power\" \\ Co  two  spaces"),
        Var::new("input.transfer.high", "140")
            .flags(&["RW", "NUMBER"])
            .range(130, 150)
            .range(160, 170),
        Var::new("input.transfer.low", "100")
            .flags(&["RW"])
            .enums(&["90", "100", "110"]),
        Var::new("outlet.1.desc", "")
            .flags(&["RW", "STRING"])
            .aux(16),
        Var::new("ups.beeper.status", "enabled")
            .flags(&["RW", "STRING"])
            .aux(12)
            .enums(&["enabled", "disabled", "muted"]),
        Var::new("ups.delay.shutdown", "20").flags(&["RW", "NUMBER"]),
        Var::new("ups.id", "a \"quoted\" \\ id")
            .flags(&["RW", "STRING"])
            .aux(40),
        Var::new("ups.empty", ""),
        Var::new("ups.status", "OL CHRG"),
        // current values outside their ENUM / RANGE lists
        Var::new("ups.test.interval", "7")
            .flags(&["RW"])
            .range(10, 20),
        Var::new("ups.test.result", "odd")
            .flags(&["RW"])
            .enums(&["a", "b"]),
    ];
    FakeNut::start(&vars, &["load.off", "test.battery.start"])
}

#[test]
fn upsc_prints_tricky_values_identically() {
    let nut = sandbox();
    let ups = nut.addr();
    let all = same("upsc", UPSC, &[&ups], "");
    assert!(
        all.stdout
            .contains("device.mfr: Acme \"Power\" \\ Co  two  spaces\n"),
        "{}",
        all.stdout
    );
    assert!(all.stdout.contains("ups.empty: \n"), "{}", all.stdout);
    let quoted = same("upsc", UPSC, &[&ups, "ups.id"], "");
    assert_eq!(quoted.stdout, "a \"quoted\" \\ id\n");
    let empty = same("upsc", UPSC, &[&ups, "ups.empty"], "");
    assert_eq!((empty.stdout.as_str(), empty.code), ("\n", Some(0)));
    same("upsc", UPSC, &[&ups, "UPS.ID"], "");
}

#[test]
fn upsrw_lists_every_type_identically() {
    let nut = sandbox();
    let list = same("upsrw", UPSRW, &[&nut.addr()], "");
    for part in [
        "[input.transfer.high]\n",
        "Type: RANGE NUMBER\nOption: \"130-150\" SELECTED\nOption: \"160-170\"\n",
        "Type: ENUM NUMBER\nOption: \"90\"\nOption: \"100\" SELECTED\n",
        "Type: ENUM STRING\nMaximum length: 12\nOption: \"enabled\" SELECTED\n",
        "Type: STRING\nMaximum length: 16\nValue: \n",
        "Type: NUMBER\nValue: 20\n",
        "Value: a \"quoted\" \\ id\n",
    ] {
        assert!(list.stdout.contains(part), "{part:?} in {}", list.stdout);
    }
    assert_eq!(list.code, Some(0));
}

fn set(nut: &FakeNut, assignment: &str, extra: &[&str]) -> compare::Outcome {
    let ups = nut.addr();
    let mut args = vec!["-s", assignment, "-u", "admin", "-p", "secret"];
    args.extend_from_slice(extra);
    args.push(&ups);
    same("upsrw", UPSRW, &args, "")
}

#[test]
fn upsrw_checks_values_identically() {
    let nut = sandbox();
    let ok = set(&nut, "input.transfer.low=110", &[]);
    assert_eq!((ok.stderr.as_str(), ok.code), ("OK\n", Some(0)));
    assert!(nut.wait_value("input.transfer.low", "110"));
    let not_in_enum = set(&nut, "input.transfer.low=95", &[]);
    assert_eq!(
        not_in_enum.stderr,
        "Unexpected response from upsd: ERR INVALID-VALUE\n"
    );
    set(&nut, "ups.beeper.status=Muted", &[]);
    let out_of_range = set(&nut, "input.transfer.high=155", &[]);
    assert_eq!(out_of_range.code, Some(1));
    set(&nut, "input.transfer.high=165", &[]);
    set(&nut, "input.transfer.high=171", &[]);
    let too_long = set(&nut, "outlet.1.desc=seventeen chars!!", &[]);
    assert_eq!(
        too_long.stderr,
        "Unexpected response from upsd: ERR TOO-LONG\n"
    );
    let readonly = set(&nut, "battery.charge=5", &[]);
    assert_eq!(readonly.code, Some(1));
    set(&nut, "ups.nope=5", &[]);
    let waited = set(&nut, "ups.id=new \"id\"", &["-w"]);
    assert_eq!(
        (waited.stderr.as_str(), waited.code),
        ("SUCCESS\n", Some(0))
    );
    assert!(nut.wait_value("ups.id", "new \"id\""));
    let after = same("upsc", UPSC, &[&nut.addr(), "ups.id"], "");
    assert_eq!(after.stdout, "new \"id\"\n");
    set(&nut, "ups.delay.shutdown=30", &["-w", "-t", "3"]);
}

#[test]
fn upsrw_prompts_for_missing_credentials_identically() {
    let nut = sandbox();
    let ups = nut.addr();
    let none = same("upsrw", UPSRW, &["-s", "ups.id=x", &ups], "");
    assert_eq!(none.code, Some(1));
    same("upsrw", UPSRW, &["-s", "ups.id=x", "-u", "admin", &ups], "");
    let prompted = same("upsrw", UPSRW, &["-s", "ups.id=y", &ups], "admin\nsecret\n");
    assert_eq!(prompted.stderr, "Password: OK\n");
}
