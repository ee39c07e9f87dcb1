//! `dummy-ups`: the NUT simulation and repeater driver.
//!
//! ```text
//! dummy-ups -a <ups> [-F] [-D] [-u user] [-x key=value]...
//! dummy-ups -s <ups> -x port=ups.dev -F
//! ```
//!
//! Reads the `[<ups>]` section of `$NUT_CONFPATH/ups.conf`, serves the driver socket
//! `$NUT_STATEPATH/dummy-ups-<ups>` for upsd; see `nut_drivers::dummy` for the file format
//! and `nut_driver_core::cli` for every flag.

use std::process::ExitCode;

use nut_drivers::dummy::DummyUps;

fn main() -> ExitCode {
    nut_driver_core::cli::main(std::env::args().collect(), DummyUps::new)
}
