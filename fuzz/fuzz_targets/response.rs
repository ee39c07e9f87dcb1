//! Reply lines: parsing never panics, whatever parses survives serialise → parse unchanged,
//! and a list collector fed the same replies never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::{
    response::{ListCollector, ListKind},
    Response,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut collector = ListCollector::new(ListKind::Var("ups".into()));
    for line in text.split('\n') {
        let Ok(resp) = Response::parse(line) else {
            continue;
        };
        let written = resp.to_string();
        assert!(
            !written.contains('\n'),
            "serialised reply has a newline: {written:?}"
        );
        let again = Response::parse(&written).expect("serialised reply parses");
        assert_eq!(again, resp, "serialised: {written:?}");
        let _ = collector.push(resp);
    }
});
