//! `upsname[@host[:port]]`: the strict [`UpsAddr`] reading and libupsclient's lenient
//! [`SplitName`] never panic, and where the strict one accepts a name the lenient one reads
//! the same parts without complaint.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::{SplitName, UpsAddr};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let split = SplitName::split(text);
    if let Ok(addr) = text.parse::<UpsAddr>() {
        if text.len() < 512 {
            assert_eq!(split.error, None, "{text:?}");
            assert_eq!(split.ups, addr.ups, "{text:?}");
            assert_eq!(split.host.as_deref(), Some(addr.host.as_str()), "{text:?}");
            assert_eq!(split.port, addr.port, "{text:?}");
        }
    }
});
