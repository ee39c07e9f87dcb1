//! Plumbing shared by the command-line programs of Network UPS Tools in Rust.
//!
//! The binaries in `src/bin/` parse their command line with [`getopt`], call one library
//! entry point (`nut_client::tools::upsc::run`, `nut_server`, `nut_monitor`, ...) and hand
//! the outcome to [`run`]/[`finish`], which print a [`Fatal`] message on stderr and turn it
//! into the exit status. Nothing here speaks the protocol or decides what a program prints.
//!
//! # Layout
//! - [`getopt`]: a `getopt(3)` work-alike with glibc's diagnostics.
//! - [`args`], [`basename`], [`run`], [`finish`]: the command line and the exit.
//!
//! # Example
//! ```
//! use nut_bins::getopt::{getopt, Opt};
//! let p = getopt("upsc", &["-l", "localhost"], "hlLcVj");
//! assert_eq!(p.opts, [Opt::Flag('l', None)]);
//! assert_eq!(nut_bins::basename("/usr/bin/upsc"), "upsc");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

pub mod getopt;

pub use nut_client::tools::{CliResult, Fatal, UPS_VERSION};

/// The program name as NUT derives it: the last path component of `argv[0]`.
pub fn basename(argv0: &str) -> &str {
    argv0.rsplit('/').next().unwrap_or(argv0)
}

/// The command line as strings, with `argv[0]` split off (lossy for non-UTF-8 arguments).
pub fn args() -> (String, Vec<String>) {
    let mut all = std::env::args_os().map(|a| a.to_string_lossy().into_owned());
    let argv0 = all.next().unwrap_or_default();
    (argv0, all.collect())
}

/// Runs an async entry point on a single-threaded runtime, then prints its [`Fatal`]
/// message (if any) on stderr and turns it into the exit code.
pub fn run<F: Future<Output = CliResult>>(main: F) -> ExitCode {
    let result = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(main),
        Err(e) => Err(Fatal::new(format!("Error: cannot start runtime: {e}"))),
    };
    finish(result)
}

/// Flushes stdout, prints a [`Fatal`] message on stderr and returns the exit code.
pub fn finish(result: CliResult) -> ExitCode {
    let _ = std::io::stdout().flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(fatal) => {
            if !fatal.message.is_empty() {
                eprintln!("{}", fatal.message);
            }
            ExitCode::from(fatal.status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basename_strips_directories() {
        assert_eq!(basename("/usr/bin/upsc"), "upsc");
        assert_eq!(basename("upsc"), "upsc");
    }
}
