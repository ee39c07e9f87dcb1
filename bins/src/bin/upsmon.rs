//! `upsmon`: watches UPSes through upsd and shuts the system down when their power runs out.
//! Options as NUT 2.8.0's; the work is in `nut_monitor::runtime` (privilege split included).
use std::path::PathBuf;
use std::process::ExitCode;

use nut_bins::getopt::{getopt, Opt};
use nut_bins::{args, basename, Fatal, UPS_VERSION};
use nut_monitor::runtime::cli::{Early, UpsmonArgs};
use nut_monitor::runtime::log::{Level, Logger};
use nut_monitor::runtime::pidfile;
use nut_monitor::runtime::power::{self, DirectPowerOff, PowerOff};
use nut_monitor::runtime::privsep::{self, ParentLink};
use nut_monitor::runtime::upsmon::Control;
use nut_monitor::runtime::upsmon::{insufficient_power, load_conf, load_conf_announced};
use nut_monitor::runtime::upsmon::{reload_control, run_process};
use nut_monitor::runtime::upsmon::{ProcessOptions, USAGE};
use tokio::signal::unix::signal;
use tokio::signal::unix::SignalKind as K;
use tokio::sync::mpsc;

fn parse(prog: &str, argv: &[String]) -> Result<UpsmonArgs, ExitCode> {
    let mut c = UpsmonArgs::default();
    for o in getopt(prog, argv, "+DFBhic:P:f:pu:VK46").opts {
        let early = match o {
            Opt::Flag(f, v) => c.set(f, v).err(),
            Opt::Bad(m) => {
                eprintln!("{m}");
                Some(Early::Help)
            }
        };
        match early {
            None => {}
            Some(Early::Version) => return Err(ExitCode::SUCCESS),
            Some(Early::Help) => {
                print!("{USAGE}");
                return Err(ExitCode::SUCCESS);
            }
        }
    }
    Ok(c)
}

fn main() -> ExitCode {
    let (argv0, argv) = args();
    let prog = basename(&argv0).to_owned();
    if !privsep::is_child() && !privsep::is_background() {
        println!("Network UPS Tools {prog} {UPS_VERSION}");
    }
    let cli = match parse(&prog, &argv) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let pidpath = pidfile::pidfile(&prog);
    let fg = cli.foreground();
    // As upsmon: stderr only until it detaches (and always with -F/-D), syslog only after.
    let log = Logger::new(&prog, fg || !privsep::is_background(), cli.debug).daemon();
    if let Some(sig) = cli.cmd {
        return ExitCode::from(u8::from(!pidfile::command(&pidpath, cli.pid, sig, &log)));
    }
    let conf_path = (cli.conf.clone()).unwrap_or_else(|| pidfile::confpath().join("upsmon.conf"));
    let opts = ProcessOptions {
        family: cli.family,
        ..ProcessOptions::default()
    };
    if privsep::is_child() {
        privsep::wait_for_parent();
        let log = log.continue_clock_from_env();
        let link = Box::new(ParentLink::new(log.clone()));
        return monitor(conf_path, link, log, &opts, true);
    }
    // Checked once, by the process the user started.
    if !privsep::is_background() && pidfile::previous_running(&pidpath, cli.pid, &log) {
        println!("Fatal error: A previous upsmon instance is already running!\nEither stop the previous instance first, or use the 'reload' command.");
        return ExitCode::FAILURE;
    }
    // The configuration's warnings are told once, by the process the user started.
    let loaded = if privsep::is_background() {
        load_conf(&conf_path)
            .map(|p| p.config)
            .map_err(|e| e.to_string())
    } else {
        load_conf_announced(&conf_path, &log)
    };
    let conf = match loaded {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let debug_level = format!("debug level is '{}'", cli.debug);
    if !privsep::is_background() {
        log.debug(1, &debug_level);
    }
    let flag = conf.powerdownflag.clone().map(PathBuf::from);
    if cli.check_flag {
        return ExitCode::from(power::check_flag(flag.as_deref(), &log));
    }
    if conf.shutdowncmd.is_none() {
        println!("Warning: no shutdown command defined!");
    }
    if let Some(text) = insufficient_power(&conf) {
        print!("{text}");
        return ExitCode::FAILURE;
    }
    if !fg && !privsep::is_background() {
        return privsep::respawn_in_background(&argv0, &argv)
            .map_or_else(|e| fail(&e.to_string()), |()| ExitCode::SUCCESS);
    }
    // upsmon 2.8.0 says it again once it would have detached.
    log.debug(1, &debug_level);
    let power = DirectPowerOff::prepare(&conf, &log);
    if cli.single {
        let msg = "Warning: running as one big root process by request (upsmon -p)";
        log.log(Level::Info, msg);
        pidfile::save(&pidpath, std::process::id(), &log);
        let code = monitor(conf_path, Box::new(power), log, &opts, false);
        let _ = std::fs::remove_file(&pidpath);
        return code;
    }
    let user = conf
        .run_as_user
        .or(cli.user)
        .unwrap_or_else(|| "nut".into());
    ExitCode::from(privsep::parent_main(
        &argv0, &argv, &user, power, &pidpath, &log,
    ))
}

/// A monitoring process: signals become [`Control`] messages.
fn monitor(
    path: PathBuf,
    power: Box<dyn PowerOff>,
    log: Logger,
    opts: &ProcessOptions,
    watch: bool,
) -> ExitCode {
    let opts = opts.clone();
    nut_bins::run(async move {
        // Read again after the re-exec; its warnings were told before.
        let conf = load_conf(&path)
            .map_err(|e| Fatal::new(e.to_string()))?
            .config;
        let (tx, rx) = mpsc::channel(16);
        for (kind, n) in [
            (K::hangup(), 1),
            (K::user_defined1(), 10),
            (K::terminate(), 15),
            (K::interrupt(), 2),
            (K::quit(), 3),
        ] {
            let mut sig = signal(kind).map_err(|e| Fatal::new(e.to_string()))?;
            let (tx, path, log) = (tx.clone(), path.clone(), log.clone());
            tokio::spawn(async move {
                while sig.recv().await.is_some() {
                    let msg = match n {
                        1 => reload_control(&path, &log),
                        10 => Control::UserFsd,
                        _ => Control::Stop(n),
                    };
                    let _ = tx.send(msg).await;
                }
            });
        }
        run_process(&conf, power, log, &opts, watch, tx, rx).await;
        Ok(())
    })
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("{msg}");
    ExitCode::FAILURE
}
