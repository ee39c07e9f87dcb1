//! The round-trip property of every config format (what the fuzz targets check), run over
//! systematic mutations of the fixtures: delete each byte, or insert a troublesome byte at
//! each position. Whatever parses must be written back to text that parses to the same value.
#![allow(clippy::unwrap_used)]

use std::fmt::Display;

use nut_proto::config::{
    HostsConf, NutConf, Parsed, UpsConf, UpsdConf, UpsdUsers, UpsmonConf, UpsschedConf,
};
use nut_proto::ConfigError;

const INSERTS: &[u8] = b"\"\\#= \n[]'$+*\t\x01";

fn mutations(text: &str) -> impl Iterator<Item = String> + '_ {
    let bytes = text.as_bytes();
    let deletions = (0..bytes.len()).map(move |i| [&bytes[..i], &bytes[i + 1..]].concat());
    let insertions = (0..=bytes.len()).flat_map(move |i| {
        INSERTS
            .iter()
            .map(move |b| [&bytes[..i], &[*b][..], &bytes[i..]].concat())
    });
    deletions
        .chain(insertions)
        .filter_map(|v| String::from_utf8(v).ok())
}

fn check<T: Display + PartialEq + std::fmt::Debug>(
    text: &str,
    parse: fn(&str, &str) -> Result<Parsed<T>, ConfigError>,
) -> usize {
    let mut parsed_ok = 0;
    for input in std::iter::once(text.to_owned()).chain(mutations(text)) {
        let Ok(first) = parse(&input, "in") else {
            continue;
        };
        parsed_ok += 1;
        let written = first.config.to_string();
        let second = parse(&written, "out").unwrap_or_else(|e| {
            panic!("written text fails: {e}\ninput:\n{input}\nwritten:\n{written}")
        });
        assert_eq!(
            second.config, first.config,
            "input:\n{input}\nwritten:\n{written}"
        );
    }
    assert!(parsed_ok > 0);
    parsed_ok
}

#[test]
fn ups_conf() {
    check(include_str!("data/config/ups.conf"), UpsConf::parse);
}

#[test]
fn upsd_conf() {
    check(include_str!("data/config/upsd.conf"), UpsdConf::parse);
}

#[test]
fn upsd_users() {
    check(include_str!("data/config/upsd.users"), UpsdUsers::parse);
}

#[test]
fn upsmon_conf() {
    check(include_str!("data/config/upsmon.conf"), UpsmonConf::parse);
}

#[test]
fn upssched_conf() {
    check(
        include_str!("data/config/upssched.conf"),
        UpsschedConf::parse,
    );
}

#[test]
fn nut_conf() {
    check(include_str!("data/config/nut.conf"), NutConf::parse);
}

#[test]
fn hosts_conf() {
    check(include_str!("data/config/hosts.conf"), HostsConf::parse);
}
