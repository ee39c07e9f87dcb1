//! `upsname[@host[:port]]` read the way libupsclient's `upscli_splitname` reads it.
//!
//! [`UpsAddr`](super::UpsAddr) refuses what NUT accepts by accident. upsmon 2.8.0 is different:
//! it keeps a `MONITOR` entry whose name does not split, logs why, and goes on to connect with
//! whatever the split left behind (a name without a host never connects; a port that did not
//! read stays 0). A drop-in upsmon must do the same with the same words, so this module
//! follows the C functions step by step, `strtok_r` quirks included: `@ups@host` names the UPS
//! `ups`, and `@host:3` names the UPS `host:3` on `host`, port 3.

use super::addr::DEFAULT_PORT;
use crate::text::atoi;

/// libupsclient copies the name into a buffer of this size (`SMALLBUF`) before splitting.
const SMALLBUF: usize = 512;

/// What `upscli_splitname` leaves behind for one name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitName {
    /// The UPS name; `None` where the C code would have crashed on a NULL token.
    pub ups: Option<String>,
    /// The host; `None` when the split failed before it was read.
    pub host: Option<String>,
    /// The port; 0 when the split failed before it was read (upsmon's zeroed entry).
    pub port: u16,
    /// libupsclient's message when the split failed (it prints it on stderr), as
    /// `upscli_splitaddr: no port specified after ':' separator`.
    pub error: Option<&'static str>,
}

impl SplitName {
    /// Splits `name` as `upscli_splitname` does.
    ///
    /// ```
    /// use nut_proto::SplitName;
    /// let s = SplitName::split("ups@[::1]:3494");
    /// assert_eq!((s.ups.as_deref(), s.host.as_deref(), s.port), (Some("ups"), Some("::1"), 3494));
    /// let bad = SplitName::split("ups@nas:0");
    /// assert_eq!((bad.host.as_deref(), bad.port), (Some("nas"), 0));
    /// assert_eq!(bad.error, Some("upscli_splitaddr: no port specified after ':' separator"));
    /// ```
    pub fn split(name: &str) -> Self {
        let mut out = Self {
            ups: None,
            host: None,
            port: 0,
            error: None,
        };
        let tmp = truncate(name);
        if tmp.is_empty() {
            out.error = Some("upscli_splitname: can't parse empty string");
            return out;
        }
        let at = tmp.find('@');
        let Some((ups, _)) = strtok(tmp, |c| c == '@') else {
            // strdup(NULL) in the C code: nothing sensible to mimic.
            out.error = Some("upscli_splitname: strdup failed");
            return out;
        };
        out.ups = Some(ups.to_owned());
        match at {
            None => {
                out.host = Some("localhost".to_owned());
                out.port = DEFAULT_PORT;
            }
            Some(at) => out.error = split_addr(&tmp[at + 1..], &mut out).err(),
        }
        out
    }
}

/// `upscli_splitaddr`: fills `host` and `port` of `out` as far as it gets.
fn split_addr(buf: &str, out: &mut SplitName) -> Result<(), &'static str> {
    if buf.is_empty() {
        return Err("upscli_splitaddr: can't parse empty string");
    }
    let port_text = if let Some(literal) = buf.strip_prefix('[') {
        if !literal.contains(']') {
            return Err("upscli_splitaddr: missing closing bracket in [domain literal]");
        }
        let Some((host, rest)) = strtok(literal, |c| c == ']') else {
            return Err("upscli_splitaddr: strdup failed");
        };
        out.host = Some(host.to_owned());
        // strtok_r(NULL, "") hands back the rest after the delimiter it overwrote.
        match rest.strip_prefix(':') {
            Some(port) => port,
            None => {
                out.port = DEFAULT_PORT;
                return Ok(());
            }
        }
    } else {
        let colon = buf.find(':');
        let Some((host, _)) = strtok(buf, |c| c == ':') else {
            return Err("upscli_splitaddr: strdup failed");
        };
        out.host = Some(host.to_owned());
        match colon {
            Some(colon) => &buf[colon + 1..],
            None => {
                out.port = DEFAULT_PORT;
                return Ok(());
            }
        }
    };
    // An empty port reads as 0 and fails the same check.
    out.port = u16::try_from(atoi(port_text))
        .ok()
        .filter(|&p| p >= 1)
        .ok_or(NO_PORT)?;
    Ok(())
}

const NO_PORT: &str = "upscli_splitaddr: no port specified after ':' separator";

/// The first `SMALLBUF - 1` bytes of `s` (at a character boundary), as `snprintf` copies them.
fn truncate(s: &str) -> &str {
    if s.len() < SMALLBUF {
        return s;
    }
    let mut end = SMALLBUF - 1;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One `strtok_r` call on a fresh string: skips leading delimiters, returns the token and what
/// follows the delimiter that ended it (empty at the end of the string); `None` for no token.
fn strtok(s: &str, delim: impl Fn(char) -> bool) -> Option<(&str, &str)> {
    let start = s.find(|c| !delim(c))?;
    let s = &s[start..];
    match s.char_indices().find(|&(_, c)| delim(c)) {
        Some((end, c)) => Some((&s[..end], &s[end + c.len_utf8()..])),
        None => Some((s, "")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parts = (Option<&'static str>, Option<String>, Option<String>, u16);

    fn parts(name: &str) -> Parts {
        let s = SplitName::split(name);
        (s.error, s.ups, s.host, s.port)
    }

    fn ok(ups: &str, host: &str, port: u16) -> Parts {
        (None, Some(ups.into()), Some(host.into()), port)
    }

    #[test]
    fn well_formed_names() {
        assert_eq!(parts("ups"), ok("ups", "localhost", 3493));
        assert_eq!(parts("ups@nas"), ok("ups", "nas", 3493));
        assert_eq!(parts("ups@nas:3494"), ok("ups", "nas", 3494));
        assert_eq!(parts("ups@[::1]"), ok("ups", "::1", 3493));
        assert_eq!(parts("ups@[fe80::1]:99"), ok("ups", "fe80::1", 99));
    }

    #[test]
    fn strtok_quirks_of_the_c_code() {
        // A leading '@' is skipped by strtok, but the address starts after the first '@'.
        assert_eq!(parts("@127.0.0.1:3"), ok("127.0.0.1:3", "127.0.0.1", 3));
        assert_eq!(parts("a@b@c"), ok("a", "b@c", 3493));
        assert_eq!(parts("ups@:80"), ok("ups", "80", 80));
        assert_eq!(parts("ups@nas: 12x"), ok("ups", "nas", 12));
        assert_eq!(parts("ups@[::1]junk"), ok("ups", "::1", 3493));
    }

    #[test]
    fn failures_keep_what_was_read() {
        let no_port = Some(NO_PORT);
        assert_eq!(
            parts("ups@nas:0"),
            (no_port, Some("ups".into()), Some("nas".into()), 0)
        );
        assert_eq!(
            parts("ups@nas:"),
            (no_port, Some("ups".into()), Some("nas".into()), 0)
        );
        assert_eq!(
            parts("ups@nas:65536"),
            (no_port, Some("ups".into()), Some("nas".into()), 0)
        );
        assert_eq!(
            parts("ups@nas:-5"),
            (no_port, Some("ups".into()), Some("nas".into()), 0)
        );
        assert_eq!(
            parts("x@[::1"),
            (
                Some("upscli_splitaddr: missing closing bracket in [domain literal]"),
                Some("x".into()),
                None,
                0
            )
        );
        assert_eq!(
            parts("ups@"),
            (
                Some("upscli_splitaddr: can't parse empty string"),
                Some("ups".into()),
                None,
                0
            )
        );
        assert_eq!(
            parts("").0,
            Some("upscli_splitname: can't parse empty string")
        );
        assert_eq!(parts("@@").1, None);
        assert_eq!(parts("u@:").2, None);
    }

    #[test]
    fn long_names_are_cut_like_snprintf() {
        let long = format!("u@h:{}", "1".repeat(600));
        assert_eq!(parts(&long).0, Some(NO_PORT));
        let host = format!("u@{}é", "h".repeat(509));
        assert_eq!(parts(&host).2.map(|h| h.len()), Some(509));
    }
}
