//! upslog's start: announce and connect each target, open the logs, background, drop root.

use super::format::compile;
use super::logger::{Logger, Target};
use super::sink::Sinks;
use super::{effective_format, targets, user, wildcard, Options};
use crate::error::strerror;
use crate::tools::upscli::Conn;
use crate::tools::{split_name, CliResult, Fatal};

/// Environment marker of the re-spawned background process.
const BACKGROUND_ENV: &str = "NUT_RS_UPSLOG_BACKGROUND";

/// Runs `upslog` as `o` asks, after the binary printed the banner. `args` is the command
/// line (after `argv[0]`), which the background copy is started with.
pub async fn run(o: &Options, args: &[String]) -> CliResult {
    let format = effective_format(o);
    let mut sinks = Sinks::default();
    let mut logged = Vec::new();
    for (monhost, logfn) in wildcard::expand(targets(o)?).await? {
        println!(
            "logging status of {monhost} to {logfn} ({}s intervals)",
            o.interval as i32
        );
        let (ups, host, port) = split_name(Some(&monhost)).ok_or_else(|| {
            Fatal::new(
                "Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n",
            )
        })?;
        let conn = match Conn::connect(&host, port, true).await {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("Warning: initial connect failed: {e}");
                None
            }
        };
        let sink = sinks.add(&logfn, &format)?;
        logged.push(Target::new(monhost, ups, host, port, conn, sink));
    }
    let run_as = user::lookup(o.user.as_deref().unwrap_or(user::RUN_AS_USER))?;
    let background = std::env::var_os(BACKGROUND_ENV).is_some();
    if !o.foreground.unwrap_or_else(|| sinks.has_stdout()) && !background {
        return spawn_background(args);
    }
    if background {
        let _ = nix::unistd::setsid();
    }
    write_pid(&o.pidbase);
    user::become_user(&run_as)?;
    let mut logger = Logger::new(o, compile(&format), logged, sinks);
    logger.run().await
}

/// NUT forks; we start a detached copy of ourselves and exit.
fn spawn_background(args: &[String]) -> CliResult {
    let exe = std::env::current_exe()
        .map_err(|e| Fatal::new(format!("Unable to enter background: {e}")))?;
    std::process::Command::new(exe)
        .args(args)
        .env(BACKGROUND_ENV, "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| Fatal::new(format!("Unable to enter background: {}", strerror(&e))))?;
    Ok(())
}

/// `<base>` if absolute, else `$NUT_PIDPATH/<base>.pid` (default `/run/nut`).
fn pid_path(base: &str, pidpath: Option<&str>) -> String {
    if base.starts_with('/') {
        base.to_string()
    } else {
        format!(
            "{}/{base}.pid",
            pidpath.filter(|p| !p.is_empty()).unwrap_or("/run/nut")
        )
    }
}

fn write_pid(base: &str) {
    let path = pid_path(base, std::env::var("NUT_PIDPATH").ok().as_deref());
    if let Err(e) = std::fs::write(&path, format!("{}\n", std::process::id())) {
        eprintln!("writepid: fopen {path}: {}", strerror(&e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_paths() {
        assert_eq!(pid_path("/tmp/x.pid", None), "/tmp/x.pid");
        assert_eq!(pid_path("upslog", None), "/run/nut/upslog.pid");
        assert_eq!(pid_path("upslog", Some("/tmp/s")), "/tmp/s/upslog.pid");
    }
}
