//! Command-line programs of Network UPS Tools in Rust: `upsc`, `upscmd`, `upsrw`, `upslog`.
//!
//! Each program is a drop-in for NUT 2.8.0's: same options (parsed like `getopt(3)`), same
//! stdout, same stderr texts, same exit codes. The binaries in `src/bin/` only parse the
//! command line and call one entry point here; the output formats live in pure functions
//! that are tested without a server.
//!
//! Deliberate differences: the tools do not print the NSS notice "Init SSL without
//! certificate database" that Debian's build of libupsclient writes to stderr, and they speak
//! TLS with rustls (after `OK STARTTLS`, any server certificate is accepted, as NUT's clients
//! do without `CERTVERIFY`; there is no certificate configuration yet).
//!
//! # Layout
//! - [`getopt`]: a `getopt(3)` work-alike with glibc's diagnostics.
//! - [`conn`]: a client session with libupsclient's request/reply checks and raw lines.
//! - [`tls`]: the STARTTLS handshake of that session.
//! - [`upserror`]: libupsclient's error texts.
//! - [`tools`]: one module per program (`upsc`, `upscmd`, `upsrw`, `upslog`) plus the
//!   shared prompting and tracking code.
//!
//! # Example
//! ```
//! use nut_bins::tools::upsc::render_upses;
//! let items = vec![("dummy".to_string(), "Small dummy".to_string())];
//! assert_eq!(render_upses(&items, true, false), "dummy: Small dummy\n");
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

pub mod conn;
pub mod getopt;
pub mod tls;
pub mod tools;
pub mod upserror;

/// NUT's version, as the tools print it in banners and usage texts.
pub const UPS_VERSION: &str = "2.8.0";

/// How a program ends when it does not simply succeed: a message for stderr and a status.
///
/// NUT's `fatalx()` prints the message and a newline on stderr; the status is usually 1, but
/// `-V` exits 0 through the same path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    /// Text for stderr, without the final newline (may be empty: print nothing).
    pub message: String,
    /// Exit status.
    pub status: u8,
}

impl Fatal {
    /// A failure (status 1) with `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 1,
        }
    }

    /// An exit with status 0 that still prints `message` on stderr.
    pub fn success(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            status: 0,
        }
    }

    /// A silent exit with `status` (e.g. after printing usage).
    pub fn quiet(status: u8) -> Self {
        Self {
            message: String::new(),
            status,
        }
    }
}

/// What a program's entry point returns.
pub type CliResult = Result<(), Fatal>;

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

    #[test]
    fn fatal_statuses() {
        assert_eq!(Fatal::new("x").status, 1);
        assert_eq!(Fatal::success("x").status, 0);
        assert_eq!(Fatal::quiet(0).message, "");
    }
}
