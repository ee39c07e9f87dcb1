//! Plumbing shared by daemons that host the server (the `upsd` binary, embedders): NUT's
//! paths from the environment, loading the three configuration files, binding `LISTEN`
//! addresses, finding `cmdvartab`, and PID files. Nothing here runs the protocol.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use nut_proto::config::upsd_conf::{CertRequest, Listen};
use nut_proto::config::{UpsConf, UpsdConf, UpsdUsers};
use tokio::net::{TcpListener, TcpSocket};

use super::error::NetError;
use super::log::Logger;
use super::server::{Server, ServerOptions};
use super::tls::{self, TlsSettings};
use crate::{Descriptions, ServedConfig, ServerError, ServerState};

/// `upsd -h`: NUT 2.8.0's option list.
pub const UPSD_USAGE: &str = "Network server for UPS data.\n\nusage: upsd [OPTIONS]\n\n  -c <command>\tsend <command> via signal to background process\n\t\tcommands:\n\t\t - reload: reread configuration files\n\t\t - stop: stop process and exit\n  -P <pid>\tsend the signal above to specified PID (bypassing PID file)\n  -D\t\traise debugging level (and stay foreground by default)\n  -F\t\tstay foregrounded even if no debugging is enabled\n  -FF\t\tstay foregrounded and still save the PID file\n  -B\t\tstay backgrounded even if debugging is bumped\n  -h\t\tdisplay this help\n  -r <dir>\tchroots to <dir>\n  -q\t\traise log level threshold\n  -u <user>\tswitch to <user> (if started as root)\n  -V\t\tdisplay the version of this software\n  -4\t\tIPv4 only\n  -6\t\tIPv6 only\n";

/// Accept backlog asked of the kernel (clamped to `net.core.somaxconn`); real upsd uses 16,
/// which makes bursts of connects wait a second for a retransmitted SYN.
pub const BACKLOG: u32 = 4096;

/// Where NUT's files are, from `NUT_CONFPATH`, `NUT_STATEPATH`, `NUT_ALTPIDPATH` or the
/// Debian defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NutPaths {
    /// Configuration directory (`/etc/nut`).
    pub confpath: PathBuf,
    /// Driver sockets (`/run/nut`); `STATEPATH` in upsd.conf overrides it.
    pub statepath: PathBuf,
    /// Directory of PID files: `NUT_ALTPIDPATH`, else `NUT_STATEPATH`, else `/run/nut`.
    pub pidpath: PathBuf,
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl NutPaths {
    /// Reads the environment as NUT's `common.c` does.
    pub fn from_env() -> Self {
        let statepath = env_path("NUT_STATEPATH").unwrap_or_else(|| "/run/nut".into());
        Self {
            confpath: env_path("NUT_CONFPATH").unwrap_or_else(|| "/etc/nut".into()),
            pidpath: env_path("NUT_ALTPIDPATH").unwrap_or_else(|| statepath.clone()),
            statepath,
        }
    }

    /// `<pidpath>/<prog>.pid`.
    pub fn pidfile(&self, prog: &str) -> PathBuf {
        self.pidpath.join(format!("{prog}.pid"))
    }
}

/// The parsed configuration of a data server.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// upsd.conf as parsed.
    pub upsd: UpsdConf,
    /// What the served state needs.
    pub served: ServedConfig,
    /// Warnings (`file:line: message`) to log.
    pub warnings: Vec<String>,
}

fn read(path: &Path) -> Result<String, NetError> {
    std::fs::read_to_string(path).map_err(|e| NetError::io(path.display().to_string(), e))
}

/// Loads `upsd.conf`, `upsd.users` and `ups.conf` from `confpath`.
///
/// A missing `upsd.conf` or `ups.conf` is an error (as in upsd); a missing `upsd.users` is
/// a warning: nobody can log in. Parse errors carry `file:line`.
pub fn load(confpath: &Path) -> Result<Loaded, ServerError> {
    let mut warnings = FileWarnings::default();
    let (upsd, served) = load_into(confpath, &mut warnings, false)?;
    Ok(Loaded {
        upsd,
        served,
        warnings: warnings.flat(),
    })
}

/// The warnings of each file.
#[derive(Debug, Default)]
pub(crate) struct FileWarnings {
    pub(crate) upsd: Vec<String>,
    pub(crate) users: Vec<String>,
    pub(crate) ups: Vec<String>,
}

impl FileWarnings {
    /// All of them: upsd.conf's, upsd.users', ups.conf's.
    pub(crate) fn flat(self) -> Vec<String> {
        [self.upsd, self.users, self.ups].concat()
    }
}

/// [`load`] that logs the warnings (already in [`Loaded::warnings`]) also when loading then
/// fails: an ignored bad `ups.conf` section is what explains "at least one UPS must be
/// defined".
pub fn load_logged(confpath: &Path, log: &Logger) -> Result<Loaded, ServerError> {
    let mut warnings = FileWarnings::default();
    let result = load_into(confpath, &mut warnings, false);
    let warnings = warnings.flat();
    warnings.iter().for_each(|w| log.warn(w));
    for file in ["upsd.conf", "upsd.users"] {
        warn_world_readable(&confpath.join(file), log);
    }
    let (upsd, served) = result?;
    Ok(Loaded {
        upsd,
        served,
        warnings,
    })
}

/// Reads the three files; a reload (`reloading`) accepts a `ups.conf` without any UPS, as
/// upsd 2.8.0 does (only its start needs one, or `ALLOW_NO_DEVICE`).
pub(crate) fn load_into(
    confpath: &Path,
    warnings: &mut FileWarnings,
    reloading: bool,
) -> Result<(UpsdConf, ServedConfig), ServerError> {
    let name = |f: &str| confpath.join(f).display().to_string();
    let upsd_text = read(&confpath.join("upsd.conf"))?;
    let upsd = UpsdConf::parse(&upsd_text, &name("upsd.conf"))?;
    (warnings.upsd).extend(upsd.warnings.iter().map(ToString::to_string));
    let users_path = confpath.join("upsd.users");
    let users_text = match std::fs::read_to_string(&users_path) {
        Ok(text) => text,
        Err(e) => {
            (warnings.users).push(format!("Can't open {}: {e}", users_path.display()));
            String::new()
        }
    };
    let users = UpsdUsers::parse(&users_text, &name("upsd.users"))?;
    (warnings.users).extend(users.warnings.iter().map(ToString::to_string));
    let ups_text = read(&confpath.join("ups.conf"))?;
    let ups = UpsConf::parse(&ups_text, &name("ups.conf"))?;
    (warnings.ups).extend(ups.warnings.iter().map(ToString::to_string));
    let mut upsd = upsd.config;
    if let Some(allow) = allow_no_device_env() {
        upsd.allow_no_device = Some(allow);
    }
    if ups.config.sections.is_empty() {
        (warnings.ups).push("Warning: no UPS definitions in ups.conf".to_owned());
    }
    let allow = upsd.allow_no_device;
    if reloading {
        upsd.allow_no_device = Some(true);
    }
    let mut served = ServedConfig::from_configs(&upsd, &users.config, &ups.config)?;
    upsd.allow_no_device = allow;
    served.allow_no_device = allow.unwrap_or(false);
    for skipped in &served.skipped {
        (warnings.ups).push(format!(
            "Warning: ignoring incomplete configuration for UPS [{skipped}]"
        ));
    }
    for name in &served.in_use {
        (warnings.ups).push(format!("UPS name [{name}] is already in use!"));
    }
    Ok((upsd, served))
}

/// `ALLOW_NO_DEVICE` from the environment (it overrides upsd.conf, as in upsd).
fn allow_no_device_env() -> Option<bool> {
    let v = std::env::var("ALLOW_NO_DEVICE").ok()?.to_ascii_lowercase();
    match v.as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// The variable and command descriptions: `cmdvartab` in upsd.conf's `DATAPATH`, else
/// `$NUT_DATAPATH`, else NUT's installed `/usr/share/nut`, else a short built-in table.
pub fn descriptions(upsd: &UpsdConf) -> (Descriptions, Option<PathBuf>) {
    let candidates = [
        upsd.datapath.as_ref().map(PathBuf::from),
        env_path("NUT_DATAPATH"),
        Some(PathBuf::from("/usr/share/nut")),
    ];
    for dir in candidates.into_iter().flatten() {
        let path = dir.join("cmdvartab");
        if let Ok(text) = std::fs::read_to_string(&path) {
            return (Descriptions::parse(&text), Some(path));
        }
    }
    (Descriptions::builtin(), None)
}

/// Which address families to listen on (`-4`, `-6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// Both.
    #[default]
    Any,
    /// IPv4 only.
    V4,
    /// IPv6 only.
    V6,
}

/// Binds each `LISTEN` line as upsd does: its name is resolved (in the `-4`/`-6` family) and
/// the first address that binds is kept, with a deep backlog; port 0 picks a free port. A
/// name that does not resolve in the family is fatal (`getaddrinfo: ...`, as in upsd). A line
/// whose addresses all fail to bind (an overlap with another LISTEN) is logged as `not
/// listening on <addr> port <port>` and skipped; none bound at all is an error. Each bound
/// line is logged as `listening on <addr> port <port>` with the address as configured and
/// the port bound, so a caller that asked for port 0 can read it.
pub fn bind(listen: &[Listen], family: Family, log: &Logger) -> Result<Vec<TcpListener>, NetError> {
    let mut out = Vec::new();
    for l in listen {
        let port = l.port_or_default();
        match resolve(&l.addr, port, family)?
            .into_iter()
            .find_map(|a| bind_one(a).ok())
        {
            Some(listener) => {
                let bound = listener.local_addr().map_or(port, |a| a.port());
                log.info(&format!("listening on {} port {bound}", l.addr));
                out.push(listener);
            }
            None => log.error(&format!("not listening on {} port {port}", l.addr)),
        }
    }
    if out.is_empty() {
        return Err(NetError::NoListener);
    }
    Ok(out)
}

/// The addresses of `addr` in `family`; none is an error worded as upsd's `getaddrinfo`.
fn resolve(addr: &str, port: u16, family: Family) -> Result<Vec<SocketAddr>, NetError> {
    let gai = |reason: String| NetError::io("getaddrinfo", std::io::Error::other(reason));
    let found: Vec<SocketAddr> = (addr, port)
        .to_socket_addrs()
        .map_err(|e| {
            let text = e.to_string();
            let reason = text.strip_prefix("failed to lookup address information: ");
            gai(reason.unwrap_or(&text).to_owned())
        })?
        .filter(|a| wanted(a, family))
        .collect();
    if found.is_empty() {
        return Err(gai("Address family for hostname not supported".to_owned()));
    }
    Ok(found)
}

fn wanted(addr: &SocketAddr, family: Family) -> bool {
    match family {
        Family::Any => true,
        Family::V4 => addr.is_ipv4(),
        Family::V6 => addr.is_ipv6(),
    }
}

fn bind_one(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// The state path in effect: upsd.conf's `STATEPATH`, else the environment's.
pub fn statepath(upsd: &UpsdConf, paths: &NutPaths) -> PathBuf {
    upsd.statepath
        .as_ref()
        .map_or_else(|| paths.statepath.clone(), PathBuf::from)
}

/// Server options from upsd.conf: `MAXCONN` (else `default_maxconn`), the STARTTLS acceptor
/// when `CERTFILE` is set, driver sockets in `statepath`.
pub fn server_options(
    upsd: &UpsdConf,
    statepath: &Path,
    default_maxconn: usize,
    log: Logger,
) -> Result<ServerOptions, NetError> {
    let mut opts = ServerOptions::new(statepath);
    opts.maxconn = upsd
        .maxconn
        .and_then(|m| usize::try_from(m).ok())
        .filter(|&m| m > 0)
        .unwrap_or(default_maxconn);
    if let Some(certfile) = &upsd.certfile {
        let settings = TlsSettings {
            certfile: certfile.into(),
            certpath: upsd.certpath.as_ref().map(PathBuf::from),
            certrequest: upsd.certrequest.unwrap_or(CertRequest::No),
        };
        opts.tls = Some(tls::acceptor(&settings)?);
    }
    opts.log = log;
    Ok(opts)
}

/// The LISTEN lines of a reloaded upsd.conf that differ from the running ones (they need
/// a restart), as text to log; `None` if nothing changed.
pub fn listen_changed(old: &UpsdConf, new: &UpsdConf) -> Option<String> {
    let (a, b) = (old.listen_or_default(), new.listen_or_default());
    (a != b).then(|| "LISTEN directives changed: restart upsd to apply them".to_owned())
}

/// The `LISTEN` lines to bind: upsd.conf's, else upsd's defaults in the `-4`/`-6` family
/// (`127.0.0.1` and `::1`, port 3493).
pub fn listen_for(upsd: &UpsdConf, family: Family) -> Vec<Listen> {
    let mut listen = upsd.listen_or_default();
    if upsd.listen.is_empty() {
        listen.retain(|l| resolve(&l.addr, 0, family).is_ok());
    }
    listen
}

/// Loads the configuration (warnings logged) and binds its `LISTEN` addresses.
pub async fn prepare(
    confpath: &Path,
    family: Family,
    log: &Logger,
) -> Result<(Loaded, Vec<TcpListener>), ServerError> {
    let loaded = load_logged(confpath, log)?;
    let listeners = bind(&listen_for(&loaded.upsd, family), family, log)?;
    Ok((loaded, listeners))
}

/// The server for a loaded configuration: options from upsd.conf, descriptions from
/// `cmdvartab`, TRACKING ids seeded randomly. Warns when no UPS is defined.
pub fn build(
    loaded: &Loaded,
    paths: &NutPaths,
    default_maxconn: usize,
    log: Logger,
) -> Result<Server, ServerError> {
    let statepath = statepath(&loaded.upsd, paths);
    warn_world_readable(&statepath, &log);
    if let Some(certfile) = &loaded.upsd.certfile {
        warn_world_readable(Path::new(certfile), &log);
    }
    let opts = server_options(&loaded.upsd, &statepath, default_maxconn, log.clone())?;
    let (descriptions, source) = descriptions(&loaded.upsd);
    match source {
        Some(path) => log.debug(&format!("descriptions from {}", path.display())),
        None => log.debug("cmdvartab not found: using built-in descriptions"),
    }
    let mut state = ServerState::new(loaded.served.clone(), descriptions);
    state.seed_tracking_ids(random_seed());
    if loaded.served.upses.is_empty() {
        log.warn(
            "Normally at least one UPS must be defined in ups.conf, currently there are none \
             (please configure the file and reload the service)",
        );
    }
    Ok(Server::new(state, opts))
}

/// What upsd logs once set up: its debug level (from `-D`), and in the foreground (not the
/// background copy of [`super::os::respawn_in_background`]) whether it saves a PID file.
pub fn announce(log: &Logger, debug: u8, pidfile: bool) {
    if debug > 0 {
        log.info(&format!("[D1] debug level is '{debug}'"));
    }
    match (!super::os::is_background_child(), pidfile) {
        (true, true) => log.warn("Running as foreground process, but saving a PID file anyway"),
        (true, false) => log.warn("Running as foreground process, not saving a PID file"),
        (false, _) => {}
    }
}

/// Logs `<path> is world readable` when others may read (or search) `path`, as upsd does for
/// its configuration files, state directory and certificate.
pub fn warn_world_readable(path: &Path, log: &Logger) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o005 != 0 {
            log.warn(&format!("{} is world readable", path.display()));
        }
    }
}

/// Writes `<pid>\n` to `path`.
pub fn write_pidfile(path: &Path) -> Result<(), NetError> {
    std::fs::write(path, format!("{}\n", std::process::id()))
        .map_err(|e| NetError::io(path.display().to_string(), e))
}

/// Reads a PID file; `None` if it is missing or does not hold a positive number.
pub fn read_pidfile(path: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(path).ok()?;
    text.trim().parse().ok().filter(|&pid: &i32| pid > 0)
}

/// A seed for TRACKING ids that differs between runs (std's per-process random hash keys
/// mixed with the time and PID).
pub fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pidfile_round_trip_and_garbage() {
        let dir = std::env::temp_dir().join(format!("nut-server-pid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("upsd.pid");
        write_pidfile(&path).expect("write");
        assert_eq!(read_pidfile(&path), i32::try_from(std::process::id()).ok());
        std::fs::write(&path, "garbage\n").expect("write");
        assert_eq!(read_pidfile(&path), None);
        std::fs::write(&path, "-5\n").expect("write");
        assert_eq!(read_pidfile(&path), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn default_listen_follows_the_family() {
        let none = UpsdConf::default();
        let addrs = |f| {
            listen_for(&none, f)
                .into_iter()
                .map(|l| l.addr)
                .collect::<Vec<_>>()
        };
        assert_eq!(addrs(Family::Any), ["127.0.0.1", "::1"]);
        assert_eq!(addrs(Family::V4), ["127.0.0.1"]);
        assert_eq!(addrs(Family::V6), ["::1"]);
        // Explicit LISTEN lines are kept whatever the family (a mismatch is fatal in bind).
        let mut conf = UpsdConf::default();
        conf.listen.push(Listen::new("::1", Some(0)));
        assert_eq!(listen_for(&conf, Family::V4).len(), 1);
    }

    #[tokio::test]
    async fn bind_port_zero_logs_bound_port_and_skips_overlaps() {
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sink = lines.clone();
        let log = Logger::new(move |_, m| sink.lock().expect("lock").push(m.to_owned()));
        let first = bind(&[Listen::new("127.0.0.1", Some(0))], Family::Any, &log).expect("bind");
        let port = first[0].local_addr().expect("addr").port();
        let again = [
            Listen::new("127.0.0.1", Some(port)),
            Listen::new("127.0.0.1", Some(0)),
        ];
        // The listener above still holds `port`: that LISTEN is logged and skipped.
        let second = bind(&again, Family::V4, &log).expect("bind");
        assert_eq!(second.len(), 1);
        let lines = lines.lock().expect("lock");
        assert!(
            lines[0].starts_with("listening on 127.0.0.1 port "),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("not listening on 127.0.0.1")),
            "{lines:?}"
        );
        // An address not in the family is fatal, worded as upsd's getaddrinfo failure.
        assert_eq!(
            bind(&again[..1], Family::V6, &log)
                .err()
                .map(|e| e.to_string()),
            Some("getaddrinfo: Address family for hostname not supported".to_owned())
        );
    }
}
