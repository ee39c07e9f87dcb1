//! `upssched`: timers for upsmon notifications. Run by upsmon as NOTIFYCMD (with
//! `NOTIFYTYPE` and `UPSNAME` set); starts its own timer daemon on demand. The work is in
//! `nut_monitor::runtime::upssched`.
use std::process::ExitCode;

use nut_bins::Fatal;
use nut_monitor::runtime::log::Logger;
use nut_monitor::runtime::pidfile::confpath;
use nut_monitor::runtime::upssched::{
    load_conf, run_daemon, run_steps, spawn_daemon, SchedPaths, DAEMON_ENV,
};
use nut_monitor::upssched::plan;

fn main() -> ExitCode {
    let daemon = std::env::var_os(DAEMON_ENV).is_some();
    let log = Logger::new("upssched", !daemon, 0);
    let path = confpath().join("upssched.conf");
    let (ups, kind) = (std::env::var("UPSNAME"), std::env::var("NOTIFYTYPE"));
    let (Ok(ups), Ok(kind)) = (ups, kind) else {
        println!("Error: UPSNAME and NOTIFYTYPE must be set.");
        println!("This program should only be run from upsmon.");
        return ExitCode::FAILURE;
    };
    nut_bins::run(async move {
        let text = |e: &dyn std::fmt::Display| Fatal::new(e.to_string());
        let conf = load_conf(&path, &log).map_err(|e| text(&e))?;
        let Some(paths) = SchedPaths::of(&conf) else {
            return Ok(());
        };
        if daemon {
            return run_daemon(&paths, &log).await.map_err(|e| text(&e));
        }
        let steps = plan(&conf, &kind, &ups);
        run_steps(&paths, &steps, &spawn_daemon, &log)
            .await
            .map_err(|e| text(&e))
    })
}
