//! `upslog`: logs UPSes' status at intervals — a drop-in for NUT 2.8.0's, plus `-d`, `-m
//! ups,file` (repeatable) and `-N` of later versions.
//!
//! Prints the banner, parses the command line like NUT's upslog and runs
//! [`nut_client::tools::upslog::run`].

use std::process::ExitCode;

use nut_bins::getopt::{getopt, Opt};
use nut_bins::{basename, Fatal};
use nut_client::tools::upslog::{banner, help, parse_loops, parse_tuple, Options};
use nut_client::tools::{atol, usage_exit};

fn main() -> ExitCode {
    let (argv0, args) = nut_bins::args();
    let prog = basename(&argv0);
    print!("{}", banner(prog));
    nut_bins::run(async move { nut_client::tools::upslog::run(&parse(prog, &args)?, &args).await })
}

/// Parses the command line (after the banner was printed); `Err` is an early exit.
fn parse<S: AsRef<str>>(prog: &str, args: &[S]) -> Result<Options, Fatal> {
    let parsed = getopt(prog, args, "hs:l:i:f:u:Vp:FBd:m:N");
    let mut o = Options::new(prog);
    for opt in parsed.opts {
        match opt {
            Opt::Flag('h', _) => return Err(usage_exit(&help(prog))),
            Opt::Flag('s', v) => o.monhost = v,
            Opt::Flag('l', v) => o.logfile = v,
            Opt::Flag('i', v) => o.interval = atol(v.as_deref().unwrap_or("")),
            Opt::Flag('f', v) => o.format = v.unwrap_or_default(),
            Opt::Flag('u', v) => o.user = v,
            Opt::Flag('V', _) => return Err(Fatal::quiet(0)),
            Opt::Flag('p', v) => o.pidbase = v.unwrap_or_default(),
            Opt::Flag('F', _) => o.foreground = Some(true),
            Opt::Flag('B', _) => o.foreground = Some(false),
            Opt::Flag('d', v) => o.max_loops = parse_loops(v.as_deref().unwrap_or("")),
            Opt::Flag('m', v) => o.tuples.push(parse_tuple(v.as_deref().unwrap_or(""))?),
            Opt::Flag('N', _) => o.prefix_upshost = true,
            // NUT 2.8.0's option switch has no default case: reported and ignored
            Opt::Bad(msg) => eprintln!("{msg}"),
            Opt::Flag(..) => {}
        }
    }
    apply_operands(prog, &mut o, &parsed.operands)?;
    Ok(o)
}

/// The old calling form: `upslog <ups> <logfile> <interval> [<format words>...]`.
fn apply_operands(prog: &str, o: &mut Options, operands: &[String]) -> Result<(), Fatal> {
    if operands.len() == 1 || operands.len() == 2 {
        return Err(usage_exit(&help(prog)));
    }
    if operands.len() >= 3 {
        o.monhost = Some(operands[0].clone());
        o.logfile = Some(operands[1].clone());
        o.interval = atol(&operands[2]);
    }
    if operands.len() >= 4 {
        o.format = operands[3..].iter().map(|w| format!("{w} ")).collect();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let line = [
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
        ];
        let o = parse("upslog", &line).expect("parses");
        assert_eq!(o.monhost.as_deref(), Some("ups@h:1"));
        assert_eq!(o.logfile.as_deref(), Some("-"));
        assert_eq!((o.interval, o.max_loops, o.foreground), (5, 2, Some(true)));
        assert_eq!(
            (o.format.as_str(), o.pidbase.as_str()),
            ("%VAR a.b%", "upslog")
        );
    }

    #[test]
    fn tuples_and_prefix() {
        let line = ["-m", "a@h,/tmp/a", "-N", "-m", "b@h:2,-"];
        let o = parse("upslog", &line).expect("parses");
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(o.tuples, [pair("a@h", "/tmp/a"), pair("b@h:2", "-")]);
        assert!(o.prefix_upshost);
        let err = parse("upslog", &["-m", "a@h"]).expect_err("one component");
        assert!(err.message.contains("exactly 2 components"), "{err:?}");
    }

    #[test]
    fn old_style_operands() {
        let o = parse("upslog", &["ups", "/tmp/x", "10", "%VAR", "a.b%"]).expect("parses");
        assert_eq!(o.monhost.as_deref(), Some("ups"));
        assert_eq!(o.interval, 10);
        assert_eq!(o.format, "%VAR a.b% ");
    }
}
