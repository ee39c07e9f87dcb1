//! `upslog`: write a UPS's status to a file or stdout at intervals (NUT 2.8.0, plus `-d`
//! from later versions).
//!
//! Signals as in NUT: SIGHUP reopens the log file, SIGUSR1 logs a line now, SIGINT /
//! SIGQUIT / SIGTERM log one last line and exit.

pub mod format;
mod run;
pub mod user;

pub use run::main;

use crate::getopt::{getopt, Opt};
use crate::{Fatal, UPS_VERSION};
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

fn help_exit(prog: &str) -> Fatal {
    print!("{}", help(prog));
    Fatal::quiet(0)
}

/// Parses the command line (after the banner was printed); `Err` is an early exit.
pub fn parse(prog: &str, args: &[String]) -> Result<Options, Fatal> {
    let parsed = getopt(prog, args, "hs:l:i:f:u:Vp:FBd:");
    let mut o = Options {
        monhost: None,
        logfile: None,
        interval: 30,
        format: DEFAULT_FORMAT.to_string(),
        pidbase: prog.to_string(),
        foreground: None,
        max_loops: 0,
        user: None,
    };
    for opt in parsed.opts {
        match opt {
            Opt::Flag('h', _) => return Err(help_exit(prog)),
            Opt::Flag('s', v) => o.monhost = v,
            Opt::Flag('l', v) => o.logfile = v,
            Opt::Flag('i', v) => o.interval = super::atol(v.as_deref().unwrap_or("")),
            Opt::Flag('f', v) => o.format = v.unwrap_or_default(),
            Opt::Flag('u', v) => o.user = v,
            Opt::Flag('V', _) => return Err(Fatal::quiet(0)),
            Opt::Flag('p', v) => o.pidbase = v.unwrap_or_default(),
            Opt::Flag('F', _) => o.foreground = Some(true),
            Opt::Flag('B', _) => o.foreground = Some(false),
            Opt::Flag('d', v) => o.max_loops = parse_loops(v.as_deref().unwrap_or("")),
            // NUT's option switch has no default case: a bad option is reported and ignored
            Opt::Bad(msg) => eprintln!("{msg}"),
            Opt::Flag(..) => {}
        }
    }
    apply_operands(prog, &mut o, &parsed.operands)?;
    Ok(o)
}

fn parse_loops(s: &str) -> u64 {
    s.parse().unwrap_or_else(|_| {
        eprintln!("Invalid max loops");
        0
    })
}

/// The old calling form: `upslog <ups> <logfile> <interval> [<format words>...]`.
fn apply_operands(prog: &str, o: &mut Options, operands: &[String]) -> Result<(), Fatal> {
    if operands.len() == 1 || operands.len() == 2 {
        return Err(help_exit(prog));
    }
    if operands.len() >= 3 {
        o.monhost = Some(operands[0].clone());
        o.logfile = Some(operands[1].clone());
        o.interval = super::atol(&operands[2]);
    }
    if operands.len() >= 4 {
        o.format = operands[3..].iter().map(|w| format!("{w} ")).collect();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        let o = parse(
            "upslog",
            &args(&[
                "-s",
                "ups@h:1",
                "-l",
                "-",
                "-i",
                "5",
                "-f",
                "%VAR a.b%",
                "-d",
                "2",
                "-F",
            ]),
        )
        .expect("parses");
        assert_eq!(o.monhost.as_deref(), Some("ups@h:1"));
        assert_eq!(o.logfile.as_deref(), Some("-"));
        assert_eq!((o.interval, o.max_loops, o.foreground), (5, 2, Some(true)));
        assert_eq!(o.format, "%VAR a.b%");
        assert_eq!(o.pidbase, "upslog");
    }

    #[test]
    fn old_style_operands() {
        let o = parse("upslog", &args(&["ups", "/tmp/x", "10", "%VAR", "a.b%"])).expect("parses");
        assert_eq!(o.monhost.as_deref(), Some("ups"));
        assert_eq!(o.interval, 10);
        assert_eq!(o.format, "%VAR a.b% ");
    }

    #[test]
    fn help_mentions_default_format() {
        assert!(help("upslog")
            .contains("format string defaults to:\n%TIME @Y@m@d @H@M@S% %VAR battery.charge%"));
        assert_eq!(banner("upslog"), "Network UPS Tools upslog 2.8.0\n");
    }
}
