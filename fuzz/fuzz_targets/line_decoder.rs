//! Line framing: any bytes in any chunking, never more than the limit buffered, no panic,
//! and the same lines whatever the chunk sizes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nut_proto::text::LineDecoder;

const MAX: usize = 64;

fn drain(d: &mut LineDecoder, out: &mut Vec<Result<String, nut_proto::ParseError>>) {
    loop {
        match d.next_line() {
            Ok(Some(line)) => {
                assert!(
                    line.len() <= MAX * 3,
                    "line longer than the limit: {}",
                    line.len()
                );
                out.push(Ok(line));
            }
            Ok(None) => return,
            Err(e) => out.push(Err(e)),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk % 17) + 1;

    let mut whole = LineDecoder::new(MAX);
    whole.push(stream);
    let mut want = Vec::new();
    drain(&mut whole, &mut want);

    let mut d = LineDecoder::new(MAX);
    let mut got = Vec::new();
    for piece in stream.chunks(chunk) {
        d.push(piece);
        // An incomplete line is held only up to the limit (plus a final `\r`).
        assert!(d.pending() <= MAX + 1, "{} bytes pending", d.pending());
        drain(&mut d, &mut got);
    }
    assert_eq!(got, want);
});
