//! upsmon's command-line options (NUT 2.8.0's `+DFBhic:P:f:pu:VK46`), as values; the binary
//! runs getopt and feeds each option to [`UpsmonArgs::set`].

use std::path::PathBuf;

use super::connector::AddressFamily;
use super::pidfile::{self, Signal};

/// The options given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsmonArgs {
    /// `-c fsd|stop|reload`: the signal for the running instance.
    pub cmd: Option<Signal>,
    /// `-P <pid>`: signal (or check) this process instead of the PID file's.
    pub pid: Option<i32>,
    /// Number of `-D`.
    pub debug: u8,
    /// `-F` (true) or `-B` (false).
    pub foreground: Option<bool>,
    /// `-K`.
    pub check_flag: bool,
    /// `-p`: no privilege split.
    pub single: bool,
    /// `-u <user>`.
    pub user: Option<String>,
    /// `-f <file>`: the configuration file instead of `<confpath>/upsmon.conf`.
    pub conf: Option<PathBuf>,
    /// `-4` / `-6`.
    pub family: AddressFamily,
}

/// What ends option parsing early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Early {
    /// Print the usage text and exit 0 (`-h`, a bad option or argument).
    Help,
    /// Exit 0 after the banner (`-V`).
    Version,
}

impl UpsmonArgs {
    /// Applies option `flag` with its argument. `-c` takes any prefix of a command name, as
    /// upsmon's `strncmp` does; `-P` reads like `strtol` and refuses negative numbers.
    pub fn set(&mut self, flag: char, value: Option<String>) -> Result<(), Early> {
        let v = value.unwrap_or_default();
        match flag {
            'c' => {
                let cmd = [
                    ("fsd", Signal::SIGUSR1),
                    ("stop", Signal::SIGTERM),
                    ("reload", Signal::SIGHUP),
                ];
                let mut found = cmd.iter().filter(|(name, _)| name.starts_with(v.as_str()));
                self.cmd = Some(found.next_back().ok_or(Early::Help)?.1);
            }
            'P' => self.pid = Some(pidfile::parse_pid(&v).ok_or(Early::Help)?),
            'D' => self.debug = self.debug.saturating_add(1),
            'F' => self.foreground = Some(true),
            'B' => self.foreground = Some(false),
            'K' => self.check_flag = true,
            'p' => self.single = true,
            'u' => self.user = Some(v),
            'f' => self.conf = Some(v.into()),
            '4' => self.family = AddressFamily::V4,
            '6' => self.family = AddressFamily::V6,
            'i' => {}
            'V' => return Err(Early::Version),
            _ => return Err(Early::Help),
        }
        Ok(())
    }

    /// Foreground unless `-B`; by default only with `-D`.
    pub fn foreground(&self) -> bool {
        self.foreground.unwrap_or(self.debug > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(opts: &[(char, Option<&str>)]) -> Result<UpsmonArgs, Early> {
        let mut a = UpsmonArgs::default();
        for (f, v) in opts {
            a.set(*f, v.map(str::to_owned))?;
        }
        Ok(a)
    }

    #[test]
    fn options_as_upsmon_reads_them() {
        let a = parse(&[
            ('c', Some("rel")),
            ('P', Some("123")),
            ('f', Some("/x.conf")),
        ]);
        let a = a.expect("valid");
        assert_eq!(a.cmd, Some(Signal::SIGHUP));
        assert_eq!(a.pid, Some(123));
        assert_eq!(a.conf, Some(PathBuf::from("/x.conf")));
        assert_eq!(parse(&[('c', Some("bogus"))]), Err(Early::Help));
        assert_eq!(parse(&[('P', Some("-3"))]), Err(Early::Help));
        let fam = parse(&[('4', None), ('6', None)]).expect("valid").family;
        assert_eq!(fam, AddressFamily::V6, "the last one wins");
        assert!(!parse(&[('D', None), ('B', None)])
            .expect("valid")
            .foreground());
        assert!(parse(&[('D', None)]).expect("valid").foreground());
    }
}
