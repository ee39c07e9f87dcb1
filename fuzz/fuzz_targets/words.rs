//! Word splitting: never panics on any bytes, the streaming splitter agrees with
//! `split_line`, and quoting every word then splitting again gives the same words.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::text::{quote, quoted, split_line_with, Limits, WordSplitter};

fuzz_target!(|data: &[u8]| {
    // The streaming splitter takes any bytes, line after line, without panicking.
    let mut splitter = WordSplitter::new(Limits::NETWORK);
    for &b in data {
        let _ = splitter.feed(b);
    }
    let _ = splitter.finish();

    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(words) = split_line_with(text, Limits::CONFIG) else {
        return;
    };
    // Words only ever hold printable ASCII, so quoting must bring them back unchanged.
    let requoted: Vec<String> = words.iter().map(|w| quote(w).into_owned()).collect();
    let again = split_line_with(&requoted.join(" "), Limits::CONFIG).expect("quoted words split");
    assert_eq!(again, words, "requoted: {requoted:?}");
    for w in &words {
        let one = split_line_with(&quoted(w), Limits::CONFIG).expect("quoted word splits");
        assert_eq!(one, [w.clone()]);
    }
});
