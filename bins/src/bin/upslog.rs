//! `upslog`: logs UPS status at intervals — a drop-in for NUT 2.8.0's.
//!
//! All logic lives in [`nut_bins::tools::upslog`]; this file only collects the command line
//! and turns the outcome into an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    let (argv0, args) = nut_bins::args();
    nut_bins::run(nut_bins::tools::upslog::main(&argv0, &args))
}
