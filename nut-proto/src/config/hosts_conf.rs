//! `hosts.conf`: the UPSes the CGI programs (upsstats, upsset, upsimage) may talk to.
//!
//! Each `MONITOR ups@host[:port] "description"` line allows one system. The CGI programs
//! skip every other line silently and never fail; we do the same but report the skipped
//! lines as warnings.
//!
//! ```
//! use nut_proto::config::HostsConf;
//!
//! let conf = HostsConf::parse("MONITOR snoopy@doghouse:7877 \"Joe Cool\"\n", "hosts.conf")?.config;
//! assert_eq!(conf.hosts[0].system, "snoopy@doghouse:7877");
//! assert_eq!(conf.description("snoopy@doghouse:7877"), Some("Joe Cool"));
//! # Ok::<(), nut_proto::ConfigError>(())
//! ```

use std::fmt;

use super::common::{bad_args, write_line, Reader};
use super::Parsed;
use crate::error::{ConfigError, ConfigErrorKind};

/// A whole `hosts.conf`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostsConf {
    /// The `MONITOR` lines, in order.
    pub hosts: Vec<HostEntry>,
}

/// One `MONITOR system "description"` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntry {
    /// `upsname[@hostname[:port]]`, as written (the CGI programs compare it as text).
    pub system: String,
    /// Human-readable description.
    pub description: String,
}

impl HostsConf {
    /// Parses the text of a `hosts.conf`; `file` names it in warnings.
    pub fn parse(text: &str, file: &str) -> Result<Parsed<Self>, ConfigError> {
        let mut r = Reader::new(file);
        let mut conf = Self::default();
        for (line, words) in r.lines(text) {
            match words.as_slice() {
                [m, system, description, rest @ ..] if m == "MONITOR" => {
                    if !rest.is_empty() {
                        r.warn(line, bad_args(m, "words after the description ignored"));
                    }
                    conf.hosts.push(HostEntry {
                        system: system.clone(),
                        description: description.clone(),
                    });
                }
                [m, ..] if m == "MONITOR" => {
                    r.warn(line, bad_args(m, "needs a system and a description"));
                }
                [other, ..] => r.warn(line, ConfigErrorKind::UnknownDirective(other.clone())),
                [] => {}
            }
        }
        Ok(r.finish(conf))
    }

    /// The description of `system`, if it is allowed (the first matching line wins).
    pub fn description(&self, system: &str) -> Option<&str> {
        let entry = self.hosts.iter().find(|h| h.system == system)?;
        Some(&entry.description)
    }
}

impl fmt::Display for HostsConf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for h in &self.hosts {
            write_line(f, &["MONITOR", &h.system, &h.description])?;
        }
        Ok(())
    }
}
