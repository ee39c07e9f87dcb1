//! `upscmd`: lists or runs a UPS's instant commands — a drop-in for NUT 2.8.0's.
//!
//! Parses the command line like NUT's upscmd and runs [`nut_client::tools::upscmd::run`].

use std::process::ExitCode;

use nut_bins::basename;
use nut_bins::getopt::{getopt, Opt};
use nut_client::tools::upscmd::{usage, version, Options};
use nut_client::tools::{bad_option, Fatal};

fn main() -> ExitCode {
    let (argv0, args) = nut_bins::args();
    let prog = basename(&argv0);
    nut_bins::run(async move { nut_client::tools::upscmd::run(prog, &parse(prog, &args)?).await })
}

/// Parses the command line; `Err` is an early exit (usage, version, bad option or `-t`).
fn parse<S: AsRef<str>>(prog: &str, args: &[S]) -> Result<Options, Fatal> {
    let parsed = getopt(prog, args, "lhu:p:t:wV");
    let mut o = Options::default();
    for opt in parsed.opts {
        match opt {
            Opt::Flag('l', _) => o.list = true,
            Opt::Flag(c @ ('u' | 'p' | 't' | 'w'), v) => o.login.option(c, v)?,
            Opt::Flag('V', _) => return Err(version()),
            Opt::Bad(msg) => return Err(bad_option(Some(&msg), &usage(prog))),
            Opt::Flag(..) => return Err(bad_option(None, &usage(prog))),
        }
    }
    if parsed.operands.is_empty() {
        return Err(bad_option(None, &usage(prog)));
    }
    o.operands = parsed.operands;
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let line = [
            "-u", "admin", "-psecret", "-w", "-t", "3", "ups", "load.off",
        ];
        let o = parse("upscmd", &line).expect("parses");
        assert_eq!(o.login.user.as_deref(), Some("admin"));
        assert_eq!(o.login.pass.as_deref(), Some("secret"));
        assert!(o.login.wait);
        assert_eq!(o.login.timeout, 3);
        assert_eq!(o.operands, ["ups", "load.off"]);
        let e = parse("upscmd", &["-t", "x", "ups"]).expect_err("bad timeout");
        assert!(e.message.starts_with("Could not convert"));
        assert_eq!(
            parse("upscmd", &["-V"]).expect_err("version"),
            Fatal::success("Network UPS Tools upscmd 2.8.0")
        );
    }
}
