//! nut-client against real upsd 2.8.0 + dummy-ups (see `common/mod.rs`).
#![allow(clippy::unwrap_used)]

mod common;

use common::{parse_upsc_vars, run_capture, DevSource, RealNut};

#[test]
fn harness_serves_epdu_to_real_upsc() {
    let nut = RealNut::start(&[("epdu", DevSource::Shared("epdu-managed.dev"))]);
    let out = run_capture(nut.command("/usr/bin/upsc").arg(nut.addr("epdu")));
    assert_eq!(out.code, Some(0), "upsc failed: {out:?}\n{}", nut.logs());
    let vars = parse_upsc_vars(&out.stdout);
    assert!(
        vars.contains(&("device.serial".into(), "ADO6750531".into())),
        "{vars:?}"
    );
    // An empty value in the .dev file is served as an empty value.
    assert!(
        vars.contains(&("ups.status".into(), String::new())),
        "{vars:?}"
    );
}
