//! Driver-socket lines, both directions: parsing never panics, and whatever parses survives
//! serialise → parse unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_driver_core::sock::{DriverMsg, ServerMsg};

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(msg) = DriverMsg::parse(line) {
        let again = DriverMsg::parse(&msg.to_string()).expect("serialised driver message parses");
        assert_eq!(again, msg);
    }
    if let Ok(msg) = ServerMsg::parse(line) {
        let again = ServerMsg::parse(&msg.to_string()).expect("serialised server message parses");
        assert_eq!(again, msg);
    }
});
