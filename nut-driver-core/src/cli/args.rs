//! The command line every driver shares, parsed like NUT's `getopt("+a:s:kFBDd:hx:Lqr:u:g:Vi:c:")`.

use crate::error::DriverError;

/// What `-c <command>` asks a running instance to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// `-c reload`: re-read `ups.conf` (SIGHUP).
    Reload,
    /// `-c exit`: stop (SIGTERM).
    Exit,
}

/// How the driver was told to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// `-a <id>`: the `ups.conf` section to use.
    pub section: Option<String>,
    /// `-s <id>`: standalone, options only from `-x`.
    pub standalone: Option<String>,
    /// Number of `-F`: 1 stays in the foreground, 2 also writes the PID file.
    pub foreground: u8,
    /// `-B`: background even when debugging.
    pub background: bool,
    /// Number of `-D`.
    pub debug: u8,
    /// Number of `-q`.
    pub quiet: u8,
    /// `-u <user>`.
    pub user: Option<String>,
    /// `-g <group>`.
    pub group: Option<String>,
    /// `-x key[=value]`, in order.
    pub extra: Vec<(String, Option<String>)>,
    /// `-k`: power the load off and exit.
    pub kill_power: bool,
    /// `-c reload|exit`.
    pub signal: Option<Signal>,
    /// `-h`.
    pub help: bool,
    /// `-V`.
    pub version: bool,
    /// `-L`: list the driver's variables in a parseable form.
    pub list_vars: bool,
    /// `-i <interval>`: poll interval in seconds.
    pub interval: Option<u32>,
    /// `-r <dir>`: chroot.
    pub chroot: Option<String>,
    /// `-d <count>`: dump the data after `count` updates and exit.
    pub dump: Option<u32>,
}

const WITH_VALUE: &str = "asdxrugic";
const FLAGS: &str = "kFBDhLqV";

impl Args {
    /// Parses the arguments after the program name. Option letters may be bundled (`-DDF`)
    /// and values attached (`-aups`); parsing stops at the first non-option word, which is
    /// an error as in NUT.
    pub fn parse<I, S>(args: I) -> Result<Self, DriverError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut out = Self::default();
        let mut it = args.into_iter().map(Into::into);
        while let Some(word) = it.next() {
            if word == "--" {
                break;
            }
            let Some(letters) = word.strip_prefix('-').filter(|l| !l.is_empty()) else {
                return Err(usage("too many non-option arguments"));
            };
            for (i, c) in letters.char_indices() {
                if WITH_VALUE.contains(c) {
                    let rest = &letters[i + c.len_utf8()..];
                    let value = if rest.is_empty() {
                        it.next()
                            .ok_or_else(|| getopt_error("option requires an argument", c))?
                    } else {
                        rest.to_owned()
                    };
                    out.value(c, value)?;
                    break;
                }
                if !FLAGS.contains(c) {
                    return Err(getopt_error("invalid option", c));
                }
                out.flag(c);
            }
        }
        Ok(out)
    }

    fn flag(&mut self, c: char) {
        match c {
            'k' => self.kill_power = true,
            'F' => self.foreground = self.foreground.saturating_add(1),
            'B' => self.background = true,
            'D' => self.debug = self.debug.saturating_add(1),
            'h' => self.help = true,
            'L' => self.list_vars = true,
            'q' => self.quiet = self.quiet.saturating_add(1),
            _ => self.version = true,
        }
    }

    fn value(&mut self, c: char, v: String) -> Result<(), DriverError> {
        match c {
            'a' => self.section = Some(v),
            's' => self.standalone = Some(v),
            'x' => self.extra.push(split_x(&v)),
            'r' => self.chroot = Some(v),
            'u' => self.user = Some(v),
            'g' => self.group = Some(v),
            'i' => self.interval = Some(positive(&v, "command-line: invalid pollinterval")?),
            // NUT's atoi: 0 or garbage means no dump.
            'd' => self.dump = u32::try_from(atoi(&v)).ok().filter(|n| *n > 0),
            _ => {
                self.signal = Some(match v.as_str() {
                    "reload" => Signal::Reload,
                    "exit" => Signal::Exit,
                    _ => return Err(usage(&format!("unknown command for -c: {v}"))),
                })
            }
        }
        Ok(())
    }

    /// The UPS name from `-a` or `-s`.
    pub fn ups_name(&self) -> Option<&str> {
        self.section.as_deref().or(self.standalone.as_deref())
    }

    /// Whether the driver stays attached to the terminal: `-F`, or `-D`/`-d` without `-B`.
    pub fn stays_foreground(&self) -> bool {
        self.foreground > 0 || ((self.debug > 0 || self.dump.is_some()) && !self.background)
    }

    /// Whether this instance writes a PID file: when it backgrounds, or with `-FF`.
    pub fn writes_pid_file(&self) -> bool {
        !self.stays_foreground() || self.foreground >= 2
    }
}

/// `-x foo=bar` → `("foo", Some("bar"))`, `-x flag` → `("flag", None)`.
fn split_x(v: &str) -> (String, Option<String>) {
    match v.split_once('=') {
        Some((k, val)) => (k.to_owned(), Some(val.to_owned())),
        None => (v.to_owned(), None),
    }
}

fn positive(v: &str, what: &str) -> Result<u32, DriverError> {
    above_zero(atoi(v), what)
}

/// A number of seconds the driver needs above zero, or NUT's fatal `<what>: <n>`.
pub(crate) fn above_zero(n: i64, what: &str) -> Result<u32, DriverError> {
    match n {
        n if n > 0 => Ok(u32::try_from(n).unwrap_or(u32::MAX)),
        n => Err(DriverError::Config(format!("{what}: {n}"))),
    }
}

pub(crate) use nut_proto::text::atoi;

/// What getopt(3) prints for a bad option, then NUT's own fatal line (`-?`: getopt's
/// return value, which NUT prints as the option letter).
fn getopt_error(what: &str, c: char) -> DriverError {
    DriverError::Config(format!(
        "{}: {what} -- '{c}'\nError: unknown option -?. Try -h for help.",
        super::progname()
    ))
}

fn usage(msg: &str) -> DriverError {
    DriverError::Config(format!("{msg}. Try -h for help."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_and_attached_options() {
        let a = Args::parse([
            "-DDFF",
            "-aups",
            "-x",
            "port=a.dev",
            "-xnolock",
            "-u",
            "root",
        ])
        .expect("valid");
        assert_eq!((a.debug, a.foreground), (2, 2));
        assert_eq!(a.section.as_deref(), Some("ups"));
        assert_eq!(
            a.extra,
            [
                ("port".to_owned(), Some("a.dev".to_owned())),
                ("nolock".to_owned(), None)
            ]
        );
        assert!(a.writes_pid_file() && a.stays_foreground());
    }

    #[test]
    fn foreground_rules_follow_nut() {
        let bg = Args::parse(["-a", "u"]).expect("valid");
        assert!(!bg.stays_foreground() && bg.writes_pid_file());
        let dbg = Args::parse(["-a", "u", "-D"]).expect("valid");
        assert!(dbg.stays_foreground() && !dbg.writes_pid_file());
        let forced = Args::parse(["-a", "u", "-D", "-B"]).expect("valid");
        assert!(!forced.stays_foreground());
    }

    #[test]
    fn errors_name_the_problem() {
        let e = |args: &[&str]| Args::parse(args.iter().copied()).expect_err("invalid");
        assert!(e(&["-z"]).to_string().contains("invalid option -- 'z'"));
        assert!(e(&["-a"])
            .to_string()
            .contains("option requires an argument -- 'a'"));
        assert!(e(&["-i", "0"])
            .to_string()
            .contains("invalid pollinterval: 0"));
        assert!(e(&["-c", "nope"]).to_string().contains("nope"));
        assert!(e(&["-a", "u", "extra"]).to_string().contains("non-option"));
        let c = Args::parse(["-c", "reload", "-a", "u"]).expect("valid");
        assert_eq!(c.signal, Some(Signal::Reload));
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi(" 12abc"), 12);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("abc"), 0);
    }
}
