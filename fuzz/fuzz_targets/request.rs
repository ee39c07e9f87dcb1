//! Request lines: parsing never panics, and whatever parses survives
//! serialise → parse unchanged. The error code mapping never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::Request;

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    match Request::parse(line) {
        Ok(req) => {
            let text = req.to_string();
            assert!(
                !text.contains('\n'),
                "serialised request has a newline: {text:?}"
            );
            let again = Request::parse(&text).expect("serialised request parses");
            assert_eq!(again, req, "serialised: {text:?}");
        }
        Err(e) => {
            let _ = e.error_code().as_str();
        }
    }
});
