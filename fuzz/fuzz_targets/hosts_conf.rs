//! `hosts.conf`: whatever parses is written back and must parse to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::config::HostsConf;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(first) = HostsConf::parse(text, "fuzz") {
        let written = first.config.to_string();
        let second = HostsConf::parse(&written, "fuzz").expect("written text parses");
        assert_eq!(second.config, first.config, "written:\n{written}");
    }
});
