//! `upsd`: the NUT data server. Options as NUT 2.8.0's (`-F`/`-FF`/`-B`/`-D`/`-c`/`-P`/`-u`/
//! `-r`/`-4`/`-6`/`-h`/`-V`); files from NUT_CONFPATH, sockets in NUT_STATEPATH, the PID file
//! in NUT_ALTPIDPATH (else NUT_STATEPATH). `LISTEN 127.0.0.1 0` binds a free port and logs it.
use std::path::PathBuf;
use std::process::ExitCode;

use nut_bins::getopt::{getopt, Opt};
use nut_bins::{args, basename, UPS_VERSION};
use nut_server::net::daemon::{Family, NutPaths, UPSD_USAGE};
use nut_server::net::os::{self, Signal};
use nut_server::net::upsd::{self, UpsdRun};

#[derive(Default)]
struct Cli {
    debug: u8,
    fg: Option<u8>,
    signal: Option<Signal>,
    pid: Option<i32>,
    user: Option<String>,
    root: Option<PathBuf>,
    family: Family,
}

fn parse(prog: &str, argv: &[String]) -> Result<Cli, ExitCode> {
    let p = getopt(prog, argv, "+h46p:qr:i:fu:Vc:P:DFB");
    let mut c = Cli::default();
    let is = |v: &str, cmd: &str| !v.is_empty() && cmd.starts_with(v);
    for o in p.opts {
        match o {
            Opt::Flag('c', Some(v)) if is(&v, "reload") => c.signal = Some(Signal::SIGHUP),
            Opt::Flag('c', Some(v)) if is(&v, "stop") => c.signal = Some(Signal::SIGTERM),
            // As upsd: a bad command or PID prints the help and exits 0.
            Opt::Flag('c', _) => return Err(help()),
            Opt::Flag('P', Some(v)) => c.pid = Some(v.parse().map_err(|_| help())?),
            Opt::Flag('D', _) => c.debug += 1,
            Opt::Flag('F', _) => c.fg = Some(if c.fg.is_some() { 2 } else { 1 }),
            Opt::Flag('B', _) => c.fg = Some(0),
            Opt::Flag('u', v) => c.user = v,
            Opt::Flag('r', v) => c.root = v.map(PathBuf::from),
            Opt::Flag('4', _) => c.family = Family::V4,
            Opt::Flag('6', _) => c.family = Family::V6,
            Opt::Flag('q' | 'f', _) => {}
            Opt::Flag('V', _) => return Err(ExitCode::SUCCESS),
            Opt::Flag('h', _) => return Err(help()),
            Opt::Flag('p' | 'i', _) => return Err(fatal("Specifying a listening addresses with '-i <address>' and '-p <port>'\nis deprecated. Use 'LISTEN <address> [<port>]' in 'upsd.conf' instead.")),
            Opt::Bad(m) => return Err(fatal(&m)),
            _ => return Err(usage()),
        }
    }
    p.operands.is_empty().then_some(c).ok_or_else(usage)
}

fn help() -> ExitCode {
    print!("{UPSD_USAGE}");
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    help();
    ExitCode::FAILURE
}

fn fatal(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::FAILURE
}

fn main() -> ExitCode {
    let (argv0, argv) = args();
    let prog = basename(&argv0).to_owned();
    let version = env!("CARGO_PKG_VERSION");
    if !os::is_background_child() {
        println!("Network UPS Tools {prog} {UPS_VERSION} (nut-rs {version})");
    }
    let cli = match parse(&prog, &argv) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let paths = NutPaths::from_env();
    let pidfile = paths.pidfile(&prog);
    if let Some(sig) = cli.signal {
        return os::signal_running(&pidfile, cli.pid, sig)
            .map_or_else(|e| fatal(&e.to_string()), |()| ExitCode::SUCCESS);
    }
    if os::already_running(&pidfile, cli.pid) {
        println!("Fatal error: A previous upsd instance is already running!\nEither stop the previous instance first, or use the 'reload' command.");
        return ExitCode::FAILURE;
    }
    let fg = cli.fg.unwrap_or_else(|| u8::from(cli.debug > 0));
    if fg == 0 && !os::is_background_child() {
        let ready = os::seen_from_outside(&pidfile, cli.root.as_deref());
        return os::respawn_in_background(&argv0, &argv, &ready)
            .map_or_else(|e| fatal(&e.to_string()), ExitCode::from);
    }
    let write_pid = fg == 2 || os::is_background_child();
    let how = UpsdRun {
        debug: cli.debug,
        user: cli.user,
        root: cli.root,
        family: cli.family,
        pidfile: write_pid.then_some(pidfile),
    };
    match upsd::run(&how, &paths) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fatal(&e.to_string()),
    }
}
