//! dummy-ups definition files (`.dev`, `.seq`, `upsc` output, `# @...` annotations): parsing
//! never panics, values respect the driver's 127-byte cut, and the file written back parses to
//! the same steps and annotations without skipped lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_drivers::dummy::{DevFile, Step};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let first = DevFile::parse(&text);
    for step in &first.steps {
        if let Step::Set { var, value } = step {
            assert!(value.len() <= 127, "value not cut: {value:?}");
            assert!(!var.is_empty() && !var.contains(':'), "bad name {var:?}");
        }
    }
    let written = first.to_string();
    let second = DevFile::parse(&written);
    assert_eq!(second.steps, first.steps, "written:\n{written}");
    assert_eq!(second.annotations, first.annotations, "written:\n{written}");
    assert!(second.skipped.is_empty(), "written:\n{written}\nskipped {:?}", second.skipped);
});
