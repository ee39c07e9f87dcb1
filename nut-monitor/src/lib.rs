//! `upsmon` and `upssched` logic for Network UPS Tools in Rust.
//!
//! This crate will hold upsmon's decisions as a sans-IO state machine (poll results and the
//! clock in; notifications, FSD and the shutdown command out) and upssched's timers.
//!
//! It is an empty skeleton for now: nothing here works yet, and nothing pretends to.
#![forbid(unsafe_code)]

pub use nut_proto as proto;
