//! `upsdrvctl`: start, stop or shut down the UPS drivers of `ups.conf`.
//!
//! ```text
//! upsdrvctl [-t] [-u user] [-r chroot] [-D]... [-d] [-F|-FF] (start|stop|shutdown) [<ups>]
//! ```
//!
//! Reads `$NUT_CONFPATH/ups.conf`; see `nut_driver_core::upsdrvctl` for the rules (order,
//! retries, where drivers are found).

use std::process::ExitCode;

use nut_bins::UPS_VERSION;
use nut_driver_core::cli::Paths;
use nut_driver_core::upsdrvctl::{
    driver_path, execute, message, set_message_debug, Command, Options, Plan,
};
use nut_proto::config::UpsConf;

const USAGE: &str = "Starts and stops UPS drivers via ups.conf.

usage: upsdrvctl [OPTIONS] (start | stop | shutdown) [<ups>]

  -h                display this help
  -r <path>         drivers will chroot to <path>
  -t                testing mode - prints actions without doing them
  -u <user>         drivers started will switch from root to <user>
  -D                raise debugging level
  -d                pass debugging level from upsdrvctl to driver
  -F                drivers stay in the foreground, and so does upsdrvctl (-FF: with PID files)
  start             start all UPS drivers in ups.conf
  start <ups>       only start driver for UPS <ups>
  stop              stop all UPS drivers in ups.conf
  stop <ups>        only stop driver for UPS <ups>
  shutdown          shutdown all UPS drivers in ups.conf
  shutdown <ups>    only shutdown UPS <ups>
";

fn main() -> ExitCode {
    // As upsd and the drivers: NUT's version, then ours.
    println!(
        "Network UPS Tools - UPS driver controller {UPS_VERSION} (nut-rs {})",
        env!("CARGO_PKG_VERSION")
    );
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(msg) => {
            message(&msg);
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode, String> {
    let mut opts = Options::default();
    let mut it = args.into_iter();
    let mut rest = Vec::new();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-t" => opts.testing = true,
            "-d" => opts.pass_debug = true,
            "-V" => return Ok(ExitCode::SUCCESS),
            "-u" => opts.user = Some(it.next().ok_or("-u needs a user")?),
            "-r" => opts.chroot = Some(it.next().ok_or("-r needs a path")?),
            s if s.starts_with("-D") && s[1..].chars().all(|c| c == 'D') => {
                opts.debug = opts
                    .debug
                    .saturating_add(u8::try_from(s.len() - 1).unwrap_or(u8::MAX));
            }
            s if s.starts_with("-F") && s[1..].chars().all(|c| c == 'F') => {
                opts.foreground = u8::try_from(s.len() - 1).unwrap_or(2);
            }
            s if s.starts_with('-') => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ => {
                rest.push(a);
                rest.extend(it.by_ref());
            }
        }
    }
    let Some(cmd_word) = rest.first() else {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    if opts.testing {
        println!("*** Testing mode: not calling exec/kill");
        opts.debug = opts.debug.max(2); // as NUT: also what -d passes on
    }
    set_message_debug(opts.debug);
    let command = Command::parse(cmd_word)
        .ok_or_else(|| format!("Error: unrecognized command [{cmd_word}]"))?;
    let paths = Paths::from_env();
    let file = paths.conf.join("ups.conf");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("Can't open {}: {e}", file.display()))?;
    let conf = UpsConf::parse(&text, &file.display().to_string())
        .map_err(|e| format!("Error: {e}"))?
        .config;
    let own_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Into::into));
    let drivers = driver_path(&conf, std::env::var("NUT_DRIVERPATH").ok(), own_dir);
    let plan = Plan::build(
        &conf,
        command,
        rest.get(1).map(String::as_str),
        &opts,
        &drivers,
        &paths.pid,
    )
    .map_err(|e| e.to_string())?;
    let report = execute(&plan, &opts);
    Ok(if report.errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
