//! `upsd.users`: whatever parses is written back and must parse to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::config::UpsdUsers;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(first) = UpsdUsers::parse(text, "fuzz") {
        let written = first.config.to_string();
        let second = UpsdUsers::parse(&written, "fuzz").expect("written text parses");
        assert_eq!(second.config, first.config, "written:\n{written}");
    }
});
