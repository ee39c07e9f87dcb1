//! `upsname[@host[:port]]` addresses.
//!
//! The grammar is NUT's (`upscli_splitname` / `upscli_splitaddr` in libupsclient): the UPS name
//! ends at the first `@`; the host is a name, an IPv4 address or a bracketed IPv6 literal; the
//! port follows the first `:` (after `]` for a literal) and must be 1..=65535. Where NUT is
//! lenient by accident we refuse: an empty UPS name (`@host`), an empty host (`ups@`), a port
//! that is not all digits (`host:12abc`, which `strtol` reads as 12), an unbracketed IPv6
//! address, and text after `]` that is not `:port`.

use std::{fmt, str::FromStr};

use crate::error::ParseError;

/// The IANA port of the NUT network protocol.
pub const DEFAULT_PORT: u16 = 3493;

/// A UPS address as clients take it on the command line: `upsname[@host[:port]]`.
///
/// `host` may be a name, an IPv4 address or a bracketed IPv6 address (`ups@[::1]:3493`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UpsAddr {
    /// UPS name (`None` only for a bare `host[:port]`, as `upsc -l` takes).
    pub ups: Option<String>,
    /// Host name or address; `localhost` when absent.
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl UpsAddr {
    /// An address with the default host (`localhost`) and port.
    pub fn local(ups: impl Into<String>) -> Self {
        Self {
            ups: Some(ups.into()),
            host: "localhost".into(),
            port: DEFAULT_PORT,
        }
    }

    /// Reads a bare `host[:port]` (no UPS name), as `upsc -l` and `upsc -L` take it.
    ///
    /// ```
    /// use nut_proto::UpsAddr;
    /// let a = UpsAddr::parse_host("[::1]:3494").unwrap();
    /// assert_eq!((a.ups, a.host.as_str(), a.port), (None, "::1", 3494));
    /// assert_eq!(UpsAddr::parse_host("nas").unwrap().port, 3493);
    /// ```
    pub fn parse_host(s: &str) -> Result<Self, ParseError> {
        let (host, port) = split_host_port(s)?;
        Ok(Self {
            ups: None,
            host,
            port,
        })
    }
}

impl FromStr for UpsAddr {
    type Err = ParseError;

    /// Reads `ups[@host[:port]]`.
    ///
    /// ```
    /// use nut_proto::UpsAddr;
    /// let a: UpsAddr = "myups@nas:3494".parse().unwrap();
    /// assert_eq!((a.ups.as_deref(), a.host.as_str(), a.port), (Some("myups"), "nas", 3494));
    /// let b: UpsAddr = "myups".parse().unwrap();
    /// assert_eq!((b.host.as_str(), b.port), ("localhost", 3493));
    /// assert!("myups@".parse::<UpsAddr>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (ups, rest) = match s.split_once('@') {
            Some((ups, rest)) => (ups, Some(rest)),
            None => (s, None),
        };
        if ups.is_empty() || ups.contains(|c: char| c.is_whitespace() || c == ':') {
            return Err(invalid("UPS name", ups));
        }
        let (host, port) = match rest {
            Some(rest) => split_host_port(rest)?,
            None => ("localhost".to_owned(), DEFAULT_PORT),
        };
        Ok(Self {
            ups: Some(ups.to_owned()),
            host,
            port,
        })
    }
}

fn split_host_port(s: &str) -> Result<(String, u16), ParseError> {
    let (host, port) = if let Some(literal) = s.strip_prefix('[') {
        let (host, after) = literal
            .split_once(']')
            .ok_or_else(|| invalid("host (missing closing bracket)", s))?;
        match after {
            "" => (host, None),
            _ => (
                host,
                Some(after.strip_prefix(':').ok_or_else(|| invalid("host", s))?),
            ),
        }
    } else {
        match s.split_once(':') {
            Some((_, port)) if port.contains(':') => {
                return Err(invalid("host (IPv6 addresses need [brackets])", s))
            }
            Some((host, port)) => (host, Some(port)),
            None => (s, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '@') {
        return Err(invalid("host", s));
    }
    let port = match port {
        Some(p) => parse_port(p)?,
        None => DEFAULT_PORT,
    };
    Ok((host.to_owned(), port))
}

fn parse_port(p: &str) -> Result<u16, ParseError> {
    let digits = !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match p.parse::<u16>() {
        Ok(n) if digits && n > 0 => Ok(n),
        _ => Err(invalid("port", p)),
    }
}

fn invalid(what: &'static str, value: &str) -> ParseError {
    ParseError::InvalidValue {
        what,
        value: value.to_owned(),
    }
}

impl fmt::Display for UpsAddr {
    /// `ups@host[:port]` (or `host[:port]` without a UPS name); the port is written only when
    /// it is not [`DEFAULT_PORT`], and an IPv6 host is bracketed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(ups) = &self.ups {
            write!(f, "{ups}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if self.port != DEFAULT_PORT {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(ups: Option<&str>, host: &str, port: u16) -> UpsAddr {
        UpsAddr {
            ups: ups.map(String::from),
            host: host.into(),
            port,
        }
    }

    /// (input, value, canonical text)
    #[test]
    fn table() {
        let table = [
            ("ups", addr(Some("ups"), "localhost", 3493), "ups@localhost"),
            (
                "ups@localhost",
                addr(Some("ups"), "localhost", 3493),
                "ups@localhost",
            ),
            ("ups@nas", addr(Some("ups"), "nas", 3493), "ups@nas"),
            ("ups@nas:3493", addr(Some("ups"), "nas", 3493), "ups@nas"),
            (
                "ups@10.0.0.1:40000",
                addr(Some("ups"), "10.0.0.1", 40000),
                "ups@10.0.0.1:40000",
            ),
            ("ups@[::1]", addr(Some("ups"), "::1", 3493), "ups@[::1]"),
            (
                "ups@[::1]:3494",
                addr(Some("ups"), "::1", 3494),
                "ups@[::1]:3494",
            ),
            (
                "ups@[fe80::1%eth0]:1",
                addr(Some("ups"), "fe80::1%eth0", 1),
                "ups@[fe80::1%eth0]:1",
            ),
        ];
        for (input, value, canonical) in table {
            assert_eq!(input.parse::<UpsAddr>().as_ref(), Ok(&value), "{input}");
            assert_eq!(value.to_string(), canonical);
            assert_eq!(canonical.parse::<UpsAddr>(), Ok(value));
        }
    }

    #[test]
    fn bare_hosts() {
        let table = [
            ("localhost", addr(None, "localhost", 3493), "localhost"),
            ("nas:3495", addr(None, "nas", 3495), "nas:3495"),
            ("[::1]", addr(None, "::1", 3493), "[::1]"),
            (
                "[2001:db8::2]:65535",
                addr(None, "2001:db8::2", 65535),
                "[2001:db8::2]:65535",
            ),
        ];
        for (input, value, canonical) in table {
            assert_eq!(UpsAddr::parse_host(input).as_ref(), Ok(&value), "{input}");
            assert_eq!(value.to_string(), canonical);
            assert_eq!(UpsAddr::parse_host(canonical), Ok(value));
        }
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for bad in [
            "",
            "@nas",
            "ups@",
            "ups@:3493",
            "ups@nas:",
            "ups@nas:0",
            "ups@nas:65536",
            "ups@nas:12abc",
            "ups@nas:-1",
            "ups@::1",
            "ups@[::1",
            "ups@[::1]x",
            "ups@[]:1",
            "ups@a@b",
            "my ups@nas",
        ] {
            assert!(bad.parse::<UpsAddr>().is_err(), "{bad:?} should be refused");
        }
        for bad in ["", ":3493", "nas:", "::1", "[::1"] {
            assert!(
                UpsAddr::parse_host(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn errors_name_the_bad_part() {
        assert_eq!(
            "ups@nas:0".parse::<UpsAddr>(),
            Err(ParseError::InvalidValue {
                what: "port",
                value: "0".into()
            })
        );
        assert_eq!(
            "@nas".parse::<UpsAddr>(),
            Err(ParseError::InvalidValue {
                what: "UPS name",
                value: String::new()
            })
        );
    }
}
