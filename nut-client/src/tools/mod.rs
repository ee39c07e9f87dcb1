//! The logic of NUT's client programs `upsc`, `upscmd`, `upsrw` and `upslog`, as drop-ins
//! for NUT 2.8.0's: same stdout, same stderr texts, same exit statuses.
//!
//! The binaries (package `nut-bins`) parse the command line into each module's `Options`
//! and call its `run`; everything a user sees after that is decided here. Unlike the rest
//! of this crate, these functions write the programs' output to stdout and stderr
//! themselves, in the order NUT interleaves them.
//!
//! Deliberate differences: no NSS notice "Init SSL without certificate database" (Debian's
//! build of libupsclient prints it); TLS is rustls (after `OK STARTTLS` any certificate is
//! accepted, as NUT's clients do without `CERTVERIFY`); connecting gives up after
//! [`ClientConfig::connect_timeout`](crate::ClientConfig::connect_timeout).
//!
//! # Layout
//! - [`upscli`]: a session with libupsclient's request/reply checks and raw lines.
//! - [`upsc`], [`upscmd`], [`upsrw`], [`upslog`]: one module per program.
//! - [`prompt`], [`tracking`]: user name/password prompts and `-w` tracking, shared by
//!   `upscmd` and `upsrw`.
//! - [`json`] (`upsc -j`), [`strftime`] and [`localtime`] (`upslog`'s `%TIME%`).
//!
//! # Example
//! ```
//! use nut_client::tools::upsc::render_upses;
//! let items = vec![("dummy".to_string(), "Small dummy".to_string())];
//! assert_eq!(render_upses(&items, true, false), "dummy: Small dummy\n");
//! ```

pub mod json;
pub mod localtime;
pub mod prompt;
pub mod strftime;
pub mod tracking;
pub mod upsc;
pub mod upscli;
pub mod upscmd;
pub mod upslog;
pub mod upsrw;

use upscli::{Conn, UpscliError};

/// NUT's version, as the programs print it in banners and usage texts.
pub const UPS_VERSION: &str = "2.8.0";

/// How a program ends when it does not simply succeed: a message for stderr and a status.
///
/// This is not an error type but the program's last words: NUT's `fatalx()` prints the
/// message and a newline on stderr; the status is usually 1, but `-V` exits 0 through the
/// same path.
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

/// Prints `text` (a usage text) on stdout and gives the silent exit 0 NUT's tools take.
pub fn usage_exit(text: &str) -> Fatal {
    print!("{text}");
    Fatal::quiet(0)
}

/// What `upsc`, `upscmd` and `upsrw` do with an option they do not take: getopt's
/// complaint (if any) on stderr, then [`usage_exit`].
pub fn bad_option(complaint: Option<&str>, usage: &str) -> Fatal {
    if let Some(complaint) = complaint {
        eprintln!("{complaint}");
    }
    usage_exit(usage)
}

/// Splits `ups[@host[:port]]` as libupsclient's `upscli_splitname` does, printing its
/// diagnostics on stderr.
pub fn split_name(arg: Option<&str>) -> Option<(String, String, u16)> {
    let arg = arg?;
    if arg.is_empty() {
        eprintln!("upscli_splitname: can't parse empty string");
        return None;
    }
    match arg.split_once('@') {
        None => Some((arg.to_string(), "localhost".into(), 3493)),
        Some((_, rest)) => {
            // strtok: the first non-empty token is the UPS name, even before a leading '@'
            let ups = arg.split('@').find(|s| !s.is_empty())?;
            let (host, port) = split_addr(rest)?;
            Some((ups.to_string(), host, port))
        }
    }
}

/// Splits `host[:port]` / `[v6addr][:port]` as libupsclient's `upscli_splitaddr` does,
/// printing its diagnostics on stderr.
pub fn split_addr(arg: &str) -> Option<(String, u16)> {
    if arg.is_empty() {
        eprintln!("upscli_splitaddr: can't parse empty string");
        return None;
    }
    let (host, rest) = if let Some(inner) = arg.strip_prefix('[') {
        let Some((host, after)) = inner.split_once(']') else {
            eprintln!("upscli_splitaddr: missing closing bracket in [domain literal]");
            return None;
        };
        (host, after.strip_prefix(':').map(Some).unwrap_or(None))
    } else {
        let host = arg.split(':').find(|s| !s.is_empty()).unwrap_or_default();
        (host, arg.split_once(':').map(|(_, port)| port))
    };
    if host.is_empty() {
        return None;
    }
    let port = match rest {
        None => 3493,
        Some(p) => match parse_port(p) {
            Some(port) => port,
            None => {
                eprintln!("upscli_splitaddr: no port specified after ':' separator");
                return None;
            }
        },
    };
    Some((host.to_string(), port))
}

/// `strtol(s, NULL, 10)` in 1..=65535, as `upscli_splitaddr` accepts ports.
fn parse_port(s: &str) -> Option<u16> {
    let l = atol(s);
    u16::try_from(l).ok().filter(|p| *p >= 1)
}

/// C's `atoi`/`strtol(.., 10)`: leading blanks, a sign, then digits; 0 when none.
pub use nut_proto::text::atoi as atol;

/// `Error: <libupsclient text>`.
pub fn error(e: &UpscliError) -> Fatal {
    Fatal::new(format!("Error: {e}"))
}

/// The names (third words) in the items of `LIST <q>`, each item having at least `min`
/// words, as `upscmd -l` and `upsrw` list them; `ERR UNKNOWN-COMMAND` means an old upsd.
async fn list_names(conn: &mut Conn, q: &[&str], min: usize) -> Result<Vec<String>, Fatal> {
    let items = conn
        .list_all(q, min)
        .await
        .map_err(|e| Fatal::new(format!("Error: {}", e.text(true))))?;
    Ok(items.into_iter().map(|mut w| w.swap_remove(2)).collect())
}

/// Parses `-t` as NUT's `str_to_uint` does (decimal, whole string, fits in 32 bits).
pub fn parse_timeout(s: &str) -> Result<u32, Fatal> {
    let ok = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match s.parse::<u32>() {
        Ok(v) if ok => Ok(v),
        _ => {
            Err(Fatal::new(format!(
            "Could not convert the provided value for timeout ('-t' option) to unsigned int: {}",
            if ok { "Numerical result out of range" } else { "Invalid argument" }
        )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_like_libupsclient() {
        let s = |a| split_name(Some(a));
        assert_eq!(s("ups"), Some(("ups".into(), "localhost".into(), 3493)));
        assert_eq!(s("ups@h:1234"), Some(("ups".into(), "h".into(), 1234)));
        assert_eq!(s("ups@[::1]:99"), Some(("ups".into(), "::1".into(), 99)));
        assert_eq!(s("ups@[::1]"), Some(("ups".into(), "::1".into(), 3493)));
        assert_eq!(s("ups@h:"), None);
        assert_eq!(s("ups@h:0"), None);
        assert_eq!(s("ups@h:70000"), None);
        assert_eq!(s("ups@h:12ab"), Some(("ups".into(), "h".into(), 12)));
        assert_eq!(split_name(None), None);
        assert_eq!(s(""), None);
    }

    #[test]
    fn addresses_split_like_libupsclient() {
        assert_eq!(split_addr("localhost"), Some(("localhost".into(), 3493)));
        assert_eq!(split_addr("h:5"), Some(("h".into(), 5)));
        assert_eq!(split_addr("[::1"), None);
    }

    #[test]
    fn fatal_statuses() {
        assert_eq!(Fatal::new("x").status, 1);
        assert_eq!(Fatal::success("x").status, 0);
        assert_eq!(Fatal::quiet(0).message, "");
    }

    #[test]
    fn atol_is_c_like() {
        assert_eq!(atol("12abc"), 12);
        assert_eq!(atol("  -7"), -7);
        assert_eq!(atol("abc"), 0);
    }

    #[test]
    fn timeouts_parse_like_str_to_uint() {
        assert_eq!(parse_timeout("15"), Ok(15));
        assert!(parse_timeout("abc")
            .expect_err("fails")
            .message
            .ends_with("Invalid argument"));
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("99999999999")
            .expect_err("fails")
            .message
            .ends_with("out of range"));
    }
}
