//! `upslog`: write UPSes' status to files or stdout at intervals (NUT 2.8.0, plus `-d`,
//! `-m ups,file` (repeatable) and `-N` from later versions).
//!
//! The binary parses the command line into [`Options`] and calls [`run`]. Several `-m`
//! tuples may name the same log file: it is opened once and shared, as in NUT.
//!
//! Signals as in NUT: SIGHUP reopens the log file, SIGUSR1 logs a line now, SIGINT /
//! SIGQUIT / SIGTERM log one last line and exit.

pub mod format;
mod logger;
mod run;
mod sink;
pub mod user;
mod wildcard;

pub use run::run;

use super::{Fatal, UPS_VERSION};
use format::DEFAULT_FORMAT;

/// A parsed `upslog` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `-s ups[@host[:port]]`.
    pub monhost: Option<String>,
    /// `-l file` (`-` for stdout).
    pub logfile: Option<String>,
    /// `-i seconds` (C `atoi`).
    pub interval: i64,
    /// `-f format`.
    pub format: String,
    /// `-p pidbase`.
    pub pidbase: String,
    /// `-F` (`Some(true)`) / `-B` (`Some(false)`).
    pub foreground: Option<bool>,
    /// `-d count`: exit after this many lines (0: never).
    pub max_loops: u64,
    /// `-u user`: who to run as when started as root (default `nut`).
    pub user: Option<String>,
    /// `-m ups,file` tuples, in order.
    pub tuples: Vec<(String, String)>,
    /// `-N`: prefix each line with the UPS and a tab.
    pub prefix_upshost: bool,
}

impl Options {
    /// The defaults before any option: 30 s interval, NUT's format, PID file named `prog`.
    pub fn new(prog: &str) -> Self {
        Self {
            monhost: None,
            logfile: None,
            interval: 30,
            format: DEFAULT_FORMAT.to_string(),
            pidbase: prog.to_string(),
            foreground: None,
            max_loops: 0,
            user: None,
            tuples: Vec::new(),
            prefix_upshost: false,
        }
    }
}

/// The help text (`-h`), printed on stdout after the banner.
pub fn help(prog: &str) -> String {
    format!(
        "UPS status logger.\n\nusage: {prog} [OPTIONS]\n\n\
\x20 -f <format>\t- Log format.  See below for details.\n\
\t\t- Use -f \"<format>\" so your shell doesn't break it up.\n\
\x20 -i <interval>\t- Time between updates, in seconds\n\
\x20 -l <logfile>\t- Log file name, or - for stdout (foreground by default)\n\
\x20 -F\t\t- stay foregrounded even if logging into a file\n\
\x20 -B\t\t- stay backgrounded even if logging to stdout\n\
\x20 -p <pidbase>  - Base name for PID file (defaults to \"{prog}\")\n\
\x20 -s <ups>\t- Monitor UPS <ups> - <upsname>@<host>[:<port>]\n\
\x20       \t- Example: -s myups@server\n\
\x20 -u <user>\t- Switch to <user> if started as root\n\n\
Some valid format string escapes:\n\
\t%% insert a single %\n\
\t%TIME format% insert the time with strftime formatting\n\
\t%HOST% insert the local hostname\n\
\t%UPSHOST% insert the host of the ups being monitored\n\
\t%PID% insert the pid of upslog\n\
\t%VAR varname% insert the value of ups variable varname\n\n\
format string defaults to:\n{DEFAULT_FORMAT}\n\n\
See the upslog(8) man page for more information.\n"
    )
}

/// The banner upslog prints on stdout before anything else.
pub fn banner(prog: &str) -> String {
    format!("Network UPS Tools {prog} {UPS_VERSION}\n")
}

/// Where each monitored UPS logs to: the `-m ups,file` tuples in order, then `-s`/`-l`.
///
/// As in NUT, `-s` and `-l` must come together; with neither, at least one `-m` is needed.
pub fn targets(o: &Options) -> Result<Vec<(String, String)>, Fatal> {
    let mut all = o.tuples.clone();
    if o.monhost.is_some() || o.logfile.is_some() || all.is_empty() {
        let monhost = o
            .monhost
            .clone()
            .ok_or_else(|| Fatal::new("No UPS defined for monitoring - use -s <system>"))?;
        let logfile = o
            .logfile
            .clone()
            .ok_or_else(|| Fatal::new("No filename defined for logging - use -l <file>"))?;
        all.push((monhost, logfile));
    }
    Ok(all)
}

/// Splits a `-m` argument: exactly `ups,logfile` (NUT refuses one or three components).
pub fn parse_tuple(arg: &str) -> Result<(String, String), Fatal> {
    match arg.split(',').collect::<Vec<_>>()[..] {
        [ups, file] => Ok((ups.to_string(), file.to_string())),
        _ => Err(Fatal::new(
            "Argument '-m upsspec,logfile' requires exactly 2 components in the tuple",
        )),
    }
}

/// The format in effect: `-N` puts `%UPSHOST%%t` (the UPS and a tab) in front.
pub fn effective_format(o: &Options) -> String {
    if o.prefix_upshost {
        format!("%UPSHOST%%t{}", o.format)
    } else {
        o.format.clone()
    }
}

/// C's `strtoul`-style count for `-d`; NUT reports a bad one and keeps going with 0.
pub fn parse_loops(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| {
        eprintln!("Invalid max loops");
        0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn targets_combine_tuples_and_legacy_options() {
        let mut o = Options::new("upslog");
        assert_eq!(
            targets(&o).expect_err("nothing to log").message,
            "No UPS defined for monitoring - use -s <system>"
        );
        o.tuples = vec![pair("a@h", "/tmp/a"), pair("b@h", "-")];
        assert_eq!(targets(&o).expect("tuples"), o.tuples);
        o.monhost = Some("c@h".into());
        assert_eq!(
            targets(&o).expect_err("-s without -l").message,
            "No filename defined for logging - use -l <file>"
        );
        o.logfile = Some("/tmp/c".into());
        assert_eq!(
            targets(&o).expect("both").last(),
            Some(&pair("c@h", "/tmp/c"))
        );
    }

    #[test]
    fn tuples_need_two_components() {
        assert_eq!(parse_tuple("ups@h:1,-").expect("ok"), pair("ups@h:1", "-"));
        assert_eq!(parse_tuple("u,").expect("empty file kept"), pair("u", ""));
        let err = parse_tuple("ups").expect_err("one");
        assert!(err.message.contains("exactly 2 components"));
        assert!(parse_tuple("a,b,c").is_err());
    }

    #[test]
    fn prefix_flag_prepends_upshost_and_tab() {
        let mut o = Options::new("upslog");
        o.format = "%VAR ups.status%".into();
        assert_eq!(effective_format(&o), "%VAR ups.status%");
        o.prefix_upshost = true;
        assert_eq!(effective_format(&o), "%UPSHOST%%t%VAR ups.status%");
    }

    #[test]
    fn help_mentions_default_format() {
        assert!(help("upslog")
            .contains("format string defaults to:\n%TIME @Y@m@d @H@M@S% %VAR battery.charge%"));
        assert_eq!(banner("upslog"), "Network UPS Tools upslog 2.8.0\n");
        assert_eq!(parse_loops("3"), 3);
        assert_eq!(parse_loops("x"), 0);
    }
}
