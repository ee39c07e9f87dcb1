//! `upsd.conf`: settings of the data server.
//!
//! Nothing in this file stops upsd 2.8.0 from starting: it logs lines it cannot use and goes
//! on. So [`UpsdConf::parse`] only fails for input it cannot represent (never, today), and
//! every problem is a warning. Directive names are case-sensitive, except `DEBUG_MIN`.
//! `ACCEPT`, `REJECT` and `ACL` are obsolete; upsd warns and ignores them, and so do we.
//! `CERTREQUEST` takes `0`/`1`/`2` and, as later NUT releases do, `NO`/`REQUEST`/`REQUIRE`.
//!
//! ```
//! use nut_proto::config::upsd_conf::{Listen, UpsdConf};
//!
//! let conf = UpsdConf::parse("LISTEN 0.0.0.0\nLISTEN ::1 3494\nMAXAGE 30\n", "upsd.conf")?.config;
//! assert_eq!(conf.listen, [Listen::new("0.0.0.0", None), Listen::new("::1", Some(3494))]);
//! assert_eq!(conf.maxage(), 30);
//! assert_eq!(conf.trackingdelay(), 3600);
//! # Ok::<(), nut_proto::ConfigError>(())
//! ```

use std::fmt;

use super::common::{bad_args, bad_value, boolean, number, write_line, write_opt, Reader};
use super::Parsed;
use crate::error::{ConfigError, ConfigErrorKind};

/// Default `MAXAGE`: seconds before a driver's data is stale.
pub const DEFAULT_MAXAGE: u32 = 15;
/// Default `TRACKINGDELAY`: seconds a SET/INSTCMD tracking result is kept.
pub const DEFAULT_TRACKINGDELAY: u32 = 3600;
/// Addresses upsd listens on when the file has no `LISTEN`.
pub const DEFAULT_LISTEN: [&str; 2] = ["127.0.0.1", "::1"];

/// A whole `upsd.conf`. `None` fields are unset (see the accessors for the defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UpsdConf {
    /// `LISTEN addr [port]` lines, in order.
    pub listen: Vec<Listen>,
    /// `MAXAGE seconds`.
    pub maxage: Option<u32>,
    /// `MAXCONN connections` (default: the system limit).
    pub maxconn: Option<u32>,
    /// `TRACKINGDELAY seconds`.
    pub trackingdelay: Option<u32>,
    /// `ALLOW_NO_DEVICE bool` (default false).
    pub allow_no_device: Option<bool>,
    /// `STATEPATH dir`: where the driver sockets are.
    pub statepath: Option<String>,
    /// `DATAPATH dir`: where the CGI/HTML data is.
    pub datapath: Option<String>,
    /// `CERTFILE file` (OpenSSL builds): certificate and key in PEM.
    pub certfile: Option<String>,
    /// `CERTPATH dir` (NSS builds): certificate database.
    pub certpath: Option<String>,
    /// `CERTIDENT name password` (NSS builds).
    pub certident: Option<CertIdent>,
    /// `CERTREQUEST level` (NSS builds; default [`CertRequest::No`]).
    pub certrequest: Option<CertRequest>,
    /// `DISABLE_WEAK_SSL bool` (default false).
    pub disable_weak_ssl: Option<bool>,
    /// `DEBUG_MIN level`.
    pub debug_min: Option<u32>,
}

/// One `LISTEN` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    /// Address or host name.
    pub addr: String,
    /// Port, when given (default 3493).
    pub port: Option<u16>,
}

impl Listen {
    /// A `LISTEN addr [port]` line.
    pub fn new(addr: impl Into<String>, port: Option<u16>) -> Self {
        Self {
            addr: addr.into(),
            port,
        }
    }

    /// The port, or NUT's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(crate::model::DEFAULT_PORT)
    }
}

/// `CERTIDENT name password`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertIdent {
    /// Certificate name in the database.
    pub name: String,
    /// Database password.
    pub password: String,
}

/// How upsd asks clients for certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertRequest {
    /// `0` / `NO`: do not ask.
    No,
    /// `1` / `REQUEST`: ask for a certificate.
    Request,
    /// `2` / `REQUIRE`: require a valid certificate.
    Require,
}

impl CertRequest {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "0" | "NO" => Some(Self::No),
            "1" | "REQUEST" => Some(Self::Request),
            "2" | "REQUIRE" => Some(Self::Require),
            _ => None,
        }
    }
}

impl fmt::Display for CertRequest {
    /// Writes the number, the only form NUT 2.8.0 reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = match self {
            Self::No => 0,
            Self::Request => 1,
            Self::Require => 2,
        };
        write!(f, "{n}")
    }
}

impl UpsdConf {
    /// Parses the text of an `upsd.conf`; `file` names it in warnings.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let mut r = Reader::new(file);
        let mut conf = Self::default();
        for (line, words) in r.lines(text) {
            if let Err(kind) = conf.apply(&words) {
                r.warn(line, kind);
            }
        }
        Ok(r.finish(conf))
    }

    /// `MAXAGE`, or its default.
    pub fn maxage(&self) -> u32 {
        self.maxage.unwrap_or(DEFAULT_MAXAGE)
    }

    /// `TRACKINGDELAY`, or its default.
    pub fn trackingdelay(&self) -> u32 {
        self.trackingdelay.unwrap_or(DEFAULT_TRACKINGDELAY)
    }

    /// The addresses to listen on: the `LISTEN` lines, or NUT's defaults when there are none.
    pub fn listen_or_default(&self) -> Vec<Listen> {
        if self.listen.is_empty() {
            DEFAULT_LISTEN
                .iter()
                .map(|a| Listen::new(*a, None))
                .collect()
        } else {
            self.listen.clone()
        }
    }

    /// Applies one line; `Err` is the warning to report.
    fn apply(&mut self, words: &[String]) -> Result<(), ConfigErrorKind> {
        let name = words[0].as_str();
        let args = &words[1..];
        if name.eq_ignore_ascii_case("DEBUG_MIN") {
            return set(&mut self.debug_min, name, args, number);
        }
        match name {
            "LISTEN" => self.listen(args),
            "MAXAGE" => set(&mut self.maxage, name, args, number),
            "MAXCONN" => set(&mut self.maxconn, name, args, number),
            "TRACKINGDELAY" => set(&mut self.trackingdelay, name, args, number),
            "ALLOW_NO_DEVICE" => set(&mut self.allow_no_device, name, args, boolean),
            "DISABLE_WEAK_SSL" => set(&mut self.disable_weak_ssl, name, args, boolean),
            "CERTREQUEST" => set(&mut self.certrequest, name, args, CertRequest::parse),
            "STATEPATH" => set(&mut self.statepath, name, args, text),
            "DATAPATH" => set(&mut self.datapath, name, args, text),
            "CERTFILE" => set(&mut self.certfile, name, args, text),
            "CERTPATH" => set(&mut self.certpath, name, args, text),
            "CERTIDENT" => self.certident(args),
            "ACCEPT" | "REJECT" | "ACL" => Err(bad_args(name, "no longer supported, use LISTEN")),
            _ => Err(ConfigErrorKind::UnknownDirective(name.to_owned())),
        }
    }

    fn listen(&mut self, args: &[String]) -> Result<(), ConfigErrorKind> {
        let (addr, port) = match args {
            [] => return Err(bad_args("LISTEN", "needs an address")),
            [addr] => (addr, None),
            [addr, port, ..] => {
                let port = number(port).ok_or_else(|| bad_value("LISTEN", port))?;
                (addr, Some(port))
            }
        };
        self.listen.push(Listen::new(addr.as_str(), port));
        Ok(())
    }

    fn certident(&mut self, args: &[String]) -> Result<(), ConfigErrorKind> {
        let [name, password, ..] = args else {
            return Err(bad_args("CERTIDENT", "needs a name and a password"));
        };
        self.certident = Some(CertIdent {
            name: name.clone(),
            password: password.clone(),
        });
        Ok(())
    }
}

fn text(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// Sets `slot` from the first argument, converted by `conv`.
fn set<T>(
    slot: &mut Option<T>,
    name: &str,
    args: &[String],
    conv: impl Fn(&str) -> Option<T>,
) -> Result<(), ConfigErrorKind> {
    let value = args
        .first()
        .ok_or_else(|| bad_args(name, "needs a value"))?;
    *slot = Some(conv(value).ok_or_else(|| bad_value(name, value))?);
    Ok(())
}

impl fmt::Display for UpsdConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.listen {
            match l.port {
                Some(p) => write_line(f, &["LISTEN", &l.addr, &p.to_string()])?,
                None => write_line(f, &["LISTEN", &l.addr])?,
            }
        }
        write_opt(f, "MAXAGE", &self.maxage)?;
        write_opt(f, "MAXCONN", &self.maxconn)?;
        write_opt(f, "TRACKINGDELAY", &self.trackingdelay)?;
        write_opt(f, "ALLOW_NO_DEVICE", &self.allow_no_device)?;
        write_opt(f, "STATEPATH", &self.statepath)?;
        write_opt(f, "DATAPATH", &self.datapath)?;
        write_opt(f, "CERTFILE", &self.certfile)?;
        write_opt(f, "CERTPATH", &self.certpath)?;
        if let Some(c) = &self.certident {
            write_line(f, &["CERTIDENT", &c.name, &c.password])?;
        }
        write_opt(f, "CERTREQUEST", &self.certrequest)?;
        write_opt(f, "DISABLE_WEAK_SSL", &self.disable_weak_ssl)?;
        write_opt(f, "DEBUG_MIN", &self.debug_min)
    }
}
