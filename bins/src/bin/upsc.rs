//! `upsc`: lists UPSes, a UPS's variables or its clients — a drop-in for NUT 2.8.0's.
//!
//! Parses the command line like NUT's upsc and runs [`nut_client::tools::upsc::run`].

use std::process::ExitCode;

use nut_bins::basename;
use nut_bins::getopt::{getopt, Opt};
use nut_client::tools::upsc::{usage, Mode, Options};
use nut_client::tools::{bad_option, upscmd, Fatal};

fn main() -> ExitCode {
    let (argv0, args) = nut_bins::args();
    let prog = basename(&argv0);
    nut_bins::run(async move { nut_client::tools::upsc::run(&parse(prog, &args)?).await })
}

/// Parses the command line; `Err` is an early exit (usage, version, bad option).
fn parse<S: AsRef<str>>(prog: &str, args: &[S]) -> Result<Options, Fatal> {
    let parsed = getopt(prog, args, "hlLcVj");
    let (mut list, mut verbose, mut clients, mut json) = (false, false, false, false);
    for opt in parsed.opts {
        match opt {
            Opt::Flag('L', _) => (list, verbose) = (true, true),
            Opt::Flag('l', _) => list = true,
            Opt::Flag('c', _) => clients = true,
            Opt::Flag('j', _) => json = true,
            // NUT 2.8.0's upsc names itself "upscmd" here
            Opt::Flag('V', _) => return Err(upscmd::version()),
            Opt::Bad(msg) => return Err(bad_option(Some(&msg), &usage(prog))),
            Opt::Flag(..) => return Err(bad_option(None, &usage(prog))),
        }
    }
    let mode = match (list, clients, parsed.operands.get(1)) {
        (true, _, _) => Mode::Upses { verbose },
        (false, true, _) => Mode::Clients,
        (false, false, Some(var)) => Mode::Var(var.clone()),
        (false, false, None) => Mode::Vars,
    };
    Ok(Options {
        mode,
        json,
        target: parsed.operands.first().cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let o = parse("upsc", &["-L", "host:1"]).expect("parses");
        assert_eq!(o.mode, Mode::Upses { verbose: true });
        assert_eq!(o.target.as_deref(), Some("host:1"));
        let o = parse("upsc", &["-j", "ups", "ups.status"]).expect("parses");
        assert_eq!((o.mode, o.json), (Mode::Var("ups.status".into()), true));
        let v = parse("upsc", &["-V"]).expect_err("exits");
        assert_eq!(v, Fatal::success("Network UPS Tools upscmd 2.8.0"));
    }
}
