//! `upsc`: lists UPSes, a UPS's variables or its clients — a drop-in for NUT 2.8.0's.
//!
//! Parses the command line like NUT's upsc and runs [`nut_client::tools::upsc::run`].

use std::process::ExitCode;

use nut_bins::getopt::{getopt, Opt};
use nut_bins::{basename, Fatal, UPS_VERSION};
use nut_client::tools::upsc::{usage, Mode, Options};
use nut_client::tools::usage_exit;

fn main() -> ExitCode {
    let (argv0, args) = nut_bins::args();
    match parse(basename(&argv0), &args) {
        Ok(opts) => nut_bins::run(async move { nut_client::tools::upsc::run(&opts).await }),
        Err(fatal) => nut_bins::finish(Err(fatal)),
    }
}

/// Parses the command line; `Err` is an early exit (usage, version, bad option).
fn parse(prog: &str, args: &[String]) -> Result<Options, Fatal> {
    let parsed = getopt(prog, args, "hlLcVj");
    let (mut list, mut verbose, mut clients, mut json) = (false, false, false, false);
    for opt in parsed.opts {
        match opt {
            Opt::Flag('L', _) => (list, verbose) = (true, true),
            Opt::Flag('l', _) => list = true,
            Opt::Flag('c', _) => clients = true,
            Opt::Flag('j', _) => json = true,
            // NUT 2.8.0's upsc names itself "upscmd" here
            Opt::Flag('V', _) => {
                return Err(Fatal::success(format!(
                    "Network UPS Tools upscmd {UPS_VERSION}"
                )))
            }
            Opt::Bad(msg) => {
                eprintln!("{msg}");
                return Err(usage_exit(&usage(prog)));
            }
            Opt::Flag(..) => return Err(usage_exit(&usage(prog))),
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

    fn a(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        let o = parse("upsc", &a(&["-L", "host:1"])).expect("parses");
        assert_eq!(o.mode, Mode::Upses { verbose: true });
        assert_eq!(o.target.as_deref(), Some("host:1"));
        let o = parse("upsc", &a(&["-j", "ups", "ups.status"])).expect("parses");
        assert_eq!((o.mode, o.json), (Mode::Var("ups.status".into()), true));
        let v = parse("upsc", &a(&["-V"])).expect_err("exits");
        assert_eq!(v, Fatal::success("Network UPS Tools upscmd 2.8.0"));
    }
}
