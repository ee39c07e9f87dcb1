//! Reading `upsmon.conf` as upsmon 2.8.0 does: at start (with the lines it logs as it reads,
//! [`startup_lines`]), on SIGHUP ([`reload_control`]), and the MINSUPPLIES check
//! ([`insufficient_power`]).

use nut_proto::config::upsmon_conf::{Applied, Trace};
use nut_proto::config::UpsmonConf;

use super::log::{Level, Line, Logger};
use super::reload_text::added_lines;
use super::upsmon::Control;
use crate::MonitorError;

/// Reads and parses `path` (an `upsmon.conf`, whose power values must reach MINSUPPLIES);
/// warnings are returned for the caller to log.
pub fn load_conf(
    path: &std::path::Path,
) -> Result<nut_proto::config::Parsed<UpsmonConf>, MonitorError> {
    let text = read_conf(path)?;
    Ok(UpsmonConf::parse(&text, &path.display().to_string())?)
}

/// [`load_conf`] without the MINSUPPLIES check, with what each line set
/// ([`UpsmonConf::parse_traced`]).
fn load_conf_traced(path: &std::path::Path) -> Result<Traced, MonitorError> {
    let text = read_conf(path)?;
    Ok(UpsmonConf::parse_traced(
        &text,
        &path.display().to_string(),
    )?)
}

fn read_conf(path: &std::path::Path) -> Result<String, MonitorError> {
    std::fs::read_to_string(path)
        .map_err(|e| MonitorError::io(format!("Can't open {}", path.display()), e))
}

/// What upsmon 2.8.0 prints on stdout (then exits 1) when the `MONITOR` power values of
/// `conf` add up to less than MINSUPPLIES; `None` when they do not.
///
/// ```
/// use nut_monitor::runtime::upsmon::insufficient_power;
/// use nut_proto::config::UpsmonConf;
/// let (parsed, _) = UpsmonConf::parse_traced("MONITOR a@h 0 u p primary\n", "f").unwrap();
/// let text = insufficient_power(&parsed.config).unwrap();
/// assert!(text.starts_with("\nFatal error: insufficient power configured!\n\n"));
/// assert!(text.contains("Sum of power values........: 0\nMinimum value (MINSUPPLIES): 1\n"));
/// ```
pub fn insufficient_power(conf: &UpsmonConf) -> Option<String> {
    let (total, min) = conf.power_shortfall()?;
    Some(format!(
        "\nFatal error: insufficient power configured!\n\n\
         Sum of power values........: {total}\n\
         Minimum value (MINSUPPLIES): {min}\n\
         \nEdit your upsmon.conf and change the values.\n"
    ))
}

/// A parsed `upsmon.conf` and the lines that set its `MONITOR`s and `POWERDOWNFLAG`.
type Traced = (nut_proto::config::Parsed<UpsmonConf>, Trace);

/// [`load_conf`], logging the warnings; errors as text for the binary to print.
pub fn load_conf_logged(path: &std::path::Path, log: &Logger) -> Result<UpsmonConf, String> {
    let parsed = load_conf(path).map_err(|e| e.to_string())?;
    for w in &parsed.warnings {
        log.log(Level::Warning, &w.to_string());
    }
    Ok(parsed.config)
}

/// [`load_conf`] at start, logged as upsmon 2.8.0 reads the file: each `MONITOR` entry and
/// the `POWERDOWNFLAG` ([`startup_lines`]) among the warnings, in file order. (A reload logs
/// the warnings only: [`load_conf_logged`].) The MINSUPPLIES check is left to the caller, as
/// upsmon makes it later: [`insufficient_power`].
pub fn load_conf_announced(path: &std::path::Path, log: &Logger) -> Result<UpsmonConf, String> {
    let (parsed, applied) = load_conf_traced(path).map_err(|e| e.to_string())?;
    for line in startup_lines(&parsed, &applied) {
        log.say(&line);
    }
    Ok(parsed.config)
}

/// What upsmon 2.8.0 says while it reads its configuration at start, in file order:
/// [`added_lines`] per `MONITOR` entry (`UPS: <system> (primary|secondary) (power value
/// <n>)`, or `(monitoring only)` for power value 0, and the complaints about a name that does
/// not split), `Using power down flag file <path>` per `POWERDOWNFLAG`, and the warnings
/// (after the entry of their own line).
pub fn startup_lines(
    parsed: &nut_proto::config::Parsed<UpsmonConf>,
    applied: &[(usize, Applied)],
) -> Vec<Line> {
    let conf = &parsed.config;
    let info = applied.iter().filter_map(|&(line, what)| {
        let lines = match what {
            Applied::Monitor(i) => added_lines(conf.monitors.get(i)?),
            Applied::PowerDownFlag => {
                let path = conf.powerdownflag.as_deref()?;
                let text = format!("Using power down flag file {path}");
                vec![Line::Log(Level::Info, text)]
            }
            _ => return None,
        };
        Some((line, 0, lines))
    });
    let warnings = (parsed.warnings.iter())
        .map(|w| (w.line, 1, vec![Line::Log(Level::Warning, w.to_string())]));
    let mut all: Vec<_> = info.chain(warnings).collect();
    all.sort_by_key(|&(line, rank, _)| (line, rank));
    all.into_iter().flat_map(|(_, _, lines)| lines).collect()
}

/// The message for SIGHUP: the configuration at `path` reloaded, or [`Control::Wake`] (the
/// failure logged) when it cannot be read.
pub fn reload_control(path: &std::path::Path, log: &Logger) -> Control {
    log.log(Level::Info, "Reloading configuration");
    // upsmon 2.8.0's check that the file can be opened, before it reads it.
    if let Err(e) = std::fs::File::open(path) {
        let why = nut_proto::text::strerror(&e);
        let line = format!("Reload failed: can't open {}: {why}", path.display());
        log.log(Level::Err, &line);
        return Control::Wake;
    }
    match load_conf_logged(path, log) {
        Ok(c) => Control::Reload(Box::new(c)),
        Err(e) => {
            log.log(Level::Err, &e);
            Control::Wake
        }
    }
}

#[cfg(test)]
mod startup_tests {
    use super::*;

    #[test]
    fn startup_lines_follow_the_file_with_the_warnings_between() {
        let text = "MONITOR a@h 2 u p master\nBOGUS\nMONITOR b@h 0 u p primary\n\
                    MONITOR c@h 1 u p other\nMONITOR a@h 1 u p primary\n\
                    POWERDOWNFLAG /etc/killpower\n";
        let (parsed, applied) = UpsmonConf::parse_traced(text, "f").expect("parses");
        let lines: Vec<_> = startup_lines(&parsed, &applied)
            .into_iter()
            .map(|line| match line {
                Line::Log(level, text) => (level == Level::Info, text),
                other => panic!("no split failure here: {other:?}"),
            })
            .collect();
        let warn = |i: usize| (false, parsed.warnings[i].to_string());
        assert_eq!(
            lines,
            [
                (true, "UPS: a@h (primary) (power value 2)".to_owned()),
                warn(0),
                (true, "UPS: b@h (monitoring only)".to_owned()),
                (true, "UPS: c@h (secondary) (power value 1)".to_owned()),
                warn(1),
                warn(2),
                (true, "Using power down flag file /etc/killpower".to_owned()),
            ]
        );
    }
}
