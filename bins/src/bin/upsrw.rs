//! `upsrw`: shows or sets a UPS's writable variables — a drop-in for NUT 2.8.0's.
//!
//! Parses the command line like NUT's upsrw and runs [`nut_client::tools::upsrw::run`].

use std::process::ExitCode;

use nut_bins::getopt::{getopt, Opt};
use nut_bins::{basename, UPS_VERSION};
use nut_client::tools::upsrw::{usage, Options};
use nut_client::tools::{bad_option, Fatal};

fn main() -> ExitCode {
    let (argv0, args) = nut_bins::args();
    let prog = basename(&argv0);
    nut_bins::run(async move { nut_client::tools::upsrw::run(&parse(prog, &args)?).await })
}

/// Parses the command line; `Err` is an early exit.
fn parse<S: AsRef<str>>(prog: &str, args: &[S]) -> Result<Options, Fatal> {
    let parsed = getopt(prog, args, "hls:p:t:u:wV");
    let mut o = Options::default();
    for opt in parsed.opts {
        match opt {
            Opt::Flag('s', v) => o.set = v,
            Opt::Flag('l', _) => {
                if o.set.take().is_some() {
                    eprintln!("Listing mode requested, overriding setvar specified earlier!");
                }
            }
            Opt::Flag(c @ ('u' | 'p' | 't' | 'w'), v) => o.login.option(c, v)?,
            Opt::Flag('V', _) => {
                println!("Network UPS Tools {prog} {UPS_VERSION}");
                return Err(Fatal::quiet(0));
            }
            Opt::Bad(msg) => return Err(bad_option(Some(&msg), &usage(prog))),
            Opt::Flag(..) => return Err(bad_option(None, &usage(prog))),
        }
    }
    o.target = parsed
        .operands
        .first()
        .cloned()
        .ok_or_else(|| bad_option(None, &usage(prog)))?;
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nut_client::tools::tracking::DEFAULT_TIMEOUT;

    #[test]
    fn options() {
        let line = ["-s", "a.b=1", "-l", "-u", "admin", "-w", "ups@h"];
        let o = parse("upsrw", &line).expect("parses");
        assert_eq!(o.set, None, "-l after -s lists");
        assert_eq!(o.login.user.as_deref(), Some("admin"));
        assert_eq!((o.login.wait, o.login.timeout), (true, DEFAULT_TIMEOUT));
        assert_eq!(o.target, "ups@h");
    }
}
