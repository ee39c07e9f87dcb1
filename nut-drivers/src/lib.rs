//! Device drivers of Network UPS Tools in Rust.
//!
//! This crate will hold the device families, each split into a pure codec, a sans-IO exchange
//! and a driver generic over its transport: USB HID power devices, serial Megatec Q* protocols,
//! APC Smart, SNMP, and `dummy-ups` (simulated devices from `.dev`/`.seq` files, and relay mode).
//!
//! It is an empty skeleton for now: nothing here works yet, and nothing pretends to.
#![forbid(unsafe_code)]

pub use nut_proto as proto;
