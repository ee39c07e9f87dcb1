//! Throughput of the `nut-proto` parsers: whole request and reply lines into typed messages,
//! and the text layer under them (word splitting, line framing).
//!
//! Run with `cargo bench -p nut-benches`; results are in lines per second
//! (`Throughput::Elements`). `BENCHMARKS.md` records measured numbers.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nut_proto::text::{split_line, split_line_with, Limits, LineDecoder, WordSplitter};
use nut_proto::{Request, Response};

/// Request lines as clients send them (upsc, upsmon, upsrw, upscmd).
const REQUESTS: &[&str] = &[
    "GET VAR ups ups.status",
    "LIST VAR ups",
    r#"SET VAR ups input.transfer.high "140""#,
    "INSTCMD ups test.battery.start.quick",
    "GET TYPE ups battery.charge.low",
    "USERNAME monuser",
    r#"PASSWORD "s3cr3t pass""#,
    "LOGIN ups",
];

/// Response lines as upsd sends them.
const RESPONSES: &[&str] = &[
    r#"VAR ups battery.charge "100""#,
    r#"VAR ups ups.status "OL CHRG""#,
    r#"UPS ups "Simulated UPS""#,
    r#"RW ups input.transfer.high "140""#,
    "CMD ups test.battery.start.quick",
    r#"ENUM ups input.transfer.high "130""#,
    r#"RANGE ups battery.charge.low "0" "100""#,
    "BEGIN LIST VAR ups",
    "END LIST VAR ups",
    "ERR VAR-NOT-SUPPORTED",
    "OK",
];

/// All sample lines, requests then responses.
fn all_lines() -> Vec<&'static str> {
    REQUESTS.iter().chain(RESPONSES).copied().collect()
}

/// The sample lines as one LF-terminated byte stream, as read from a socket.
fn stream(lines: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

fn bench_messages(c: &mut Criterion) {
    assert!(
        REQUESTS.iter().all(|l| Request::parse(l).is_ok()),
        "sample requests parse"
    );
    assert!(
        RESPONSES.iter().all(|l| Response::parse(l).is_ok()),
        "sample replies parse"
    );
    let mut group = c.benchmark_group("message");
    group.throughput(Throughput::Elements(REQUESTS.len() as u64));
    group.bench_function("request_parse", |b| {
        b.iter(|| {
            for line in REQUESTS {
                black_box(Request::parse(black_box(line)).ok());
            }
        });
    });
    group.throughput(Throughput::Elements(RESPONSES.len() as u64));
    group.bench_function("response_parse", |b| {
        b.iter(|| {
            for line in RESPONSES {
                black_box(Response::parse(black_box(line)).ok());
            }
        });
    });
    let list: Vec<String> = (0..RESPONSES.len())
        .map(|i| format!(r#"VAR ups battery.item{i} "{i}""#))
        .collect();
    group.bench_function("response_parse_var_list", |b| {
        b.iter(|| {
            for line in &list {
                black_box(Response::parse(black_box(line)).ok());
            }
        });
    });
    group.finish();
}

fn bench_split_line(c: &mut Criterion) {
    let mut group = c.benchmark_group("split_line");
    for (name, lines) in [("requests", REQUESTS), ("responses", RESPONSES)] {
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for line in lines {
                    black_box(split_line(black_box(line)).ok());
                }
            });
        });
    }
    group.throughput(Throughput::Elements(REQUESTS.len() as u64));
    group.bench_function("requests_network_limits", |b| {
        b.iter(|| {
            for line in REQUESTS {
                black_box(split_line_with(black_box(line), Limits::NETWORK).ok());
            }
        });
    });
    group.finish();
}

fn bench_word_splitter(c: &mut Criterion) {
    let lines = all_lines();
    let bytes = stream(&lines);
    let mut group = c.benchmark_group("word_splitter");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("stream_mixed", |b| {
        b.iter(|| {
            let mut splitter = WordSplitter::new(Limits::NETWORK);
            let mut n = 0usize;
            for &byte in black_box(&bytes) {
                if let Some(words) = splitter.feed(byte) {
                    n += words.map_or(0, |w| w.len());
                }
            }
            n
        });
    });
    group.finish();
}

fn bench_line_decoder(c: &mut Criterion) {
    let lines = all_lines();
    let bytes = stream(&lines);
    let mut group = c.benchmark_group("line_decoder");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("one_push_mixed", |b| {
        b.iter(|| {
            let mut decoder = LineDecoder::default();
            decoder.push(black_box(&bytes));
            let mut n = 0usize;
            while let Ok(Some(line)) = decoder.next_line() {
                n += line.len();
            }
            n
        });
    });
    group.bench_function("decode_and_split_mixed", |b| {
        b.iter(|| {
            let mut decoder = LineDecoder::default();
            decoder.push(black_box(&bytes));
            let mut n = 0usize;
            while let Ok(Some(line)) = decoder.next_line() {
                n += split_line_with(&line, Limits::NETWORK).map_or(0, |w| w.len());
            }
            n
        });
    });
    group.finish();
}

/// The receiving paths end to end: upsd framing and parsing requests, a client its replies.
fn bench_decode_and_parse(c: &mut Criterion) {
    let requests = stream(REQUESTS);
    let responses = stream(RESPONSES);
    let mut group = c.benchmark_group("decode_and_parse");
    group.throughput(Throughput::Elements(REQUESTS.len() as u64));
    group.bench_function("requests", |b| {
        b.iter(|| {
            let mut decoder = LineDecoder::default();
            decoder.push(black_box(&requests));
            let mut n = 0usize;
            while let Ok(Some(line)) = decoder.next_line() {
                n += usize::from(Request::parse(&line).is_ok());
            }
            n
        });
    });
    // nut-server's connection reads this way: streaming splitter, then `from_words`.
    group.bench_function("requests_streaming", |b| {
        b.iter(|| {
            let mut splitter = WordSplitter::new(Limits::NETWORK);
            let mut n = 0usize;
            for &byte in black_box(&requests) {
                if let Some(Ok(words)) = splitter.feed(byte) {
                    n += usize::from(Request::from_words(&words).is_ok());
                }
            }
            n
        });
    });
    group.throughput(Throughput::Elements(RESPONSES.len() as u64));
    group.bench_function("responses", |b| {
        b.iter(|| {
            let mut decoder = LineDecoder::default();
            decoder.push(black_box(&responses));
            let mut n = 0usize;
            while let Ok(Some(line)) = decoder.next_line() {
                n += usize::from(Response::parse(&line).is_ok());
            }
            n
        });
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_messages,
    bench_split_line,
    bench_word_splitter,
    bench_line_decoder,
    bench_decode_and_parse
);
criterion_main!(benches);
