//! Operating-system chores of a driver process: paths from the environment, PID files,
//! signals to a running instance, chroot, privilege drop and socket ownership. All through
//! `nix`'s safe wrappers.

use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::{chown, chroot, Gid, Group, Pid, Uid, User};

use crate::error::DriverError;

/// NUT's built-in configuration directory (Debian layout).
pub const DEFAULT_CONFPATH: &str = "/etc/nut";
/// NUT's built-in state directory (Debian layout), also the default PID-file directory.
pub const DEFAULT_STATEPATH: &str = "/run/nut";
/// The account drivers switch to when started as root without `-u` (Debian's `nut`).
pub const DEFAULT_USER: &str = "nut";

/// Where configuration, sockets and PID files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `NUT_CONFPATH`: `ups.conf` and the files drivers read (`dummy-ups` definitions).
    pub conf: PathBuf,
    /// `NUT_STATEPATH`: driver sockets.
    pub state: PathBuf,
    /// `NUT_ALTPIDPATH`, else `NUT_STATEPATH`: driver PID files.
    pub pid: PathBuf,
}

impl Paths {
    /// Reads `NUT_CONFPATH`, `NUT_STATEPATH` and `NUT_ALTPIDPATH` (empty counts as unset).
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Same as [`from_env`](Self::from_env) with an explicit lookup (for tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |k: &str| get(k).filter(|v| !v.is_empty());
        let state = var("NUT_STATEPATH").unwrap_or_else(|| DEFAULT_STATEPATH.into());
        let pid = var("NUT_ALTPIDPATH").unwrap_or_else(|| state.clone());
        Self {
            conf: var("NUT_CONFPATH")
                .unwrap_or_else(|| DEFAULT_CONFPATH.into())
                .into(),
            state: state.into(),
            pid: pid.into(),
        }
    }

    /// `<statepath>/<driver>-<ups>`.
    pub fn socket(&self, driver: &str, ups: &str) -> PathBuf {
        crate::runloop::socket_path(&self.state, driver, ups)
    }

    /// `<pidpath>/<driver>-<ups>.pid`.
    pub fn pid_file(&self, driver: &str, ups: &str) -> PathBuf {
        self.pid.join(format!("{driver}-{ups}.pid"))
    }
}

/// Writes `<pid>\n`.
pub fn write_pid_file(path: &Path) -> Result<(), DriverError> {
    std::fs::write(path, format!("{}\n", std::process::id()))
        .map_err(|e| DriverError::io(format!("writing {}", path.display()), e))
}

/// The PID a PID file names.
pub fn read_pid_file(path: &Path) -> Result<i32, DriverError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| DriverError::io(format!("can't open {}", path.display()), e))?;
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|p| *p > 1)
        .ok_or_else(|| DriverError::Config(format!("{}: no valid PID inside", path.display())))
}

/// Sends `sig` to the process a PID file names.
pub fn signal_pid_file(path: &Path, sig: Signal) -> Result<i32, DriverError> {
    let pid = read_pid_file(path)?;
    kill(Pid::from_raw(pid), sig).map_err(|e| {
        DriverError::io(
            format!("signalling PID {pid} from {}", path.display()),
            e.into(),
        )
    })?;
    Ok(pid)
}

/// Whether a process with this PID exists (signal 0).
pub fn is_alive(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None).is_ok()
}

/// Stops an instance that still holds the PID file (NUT does this before starting): SIGTERM,
/// then waits up to `patience` for it to go.
pub async fn stop_previous(path: &Path, patience: Duration) -> Result<(), DriverError> {
    let Ok(pid) = signal_pid_file(path, Signal::SIGTERM) else {
        return Ok(()); // no file, garbage, or nobody there: nothing to stop
    };
    super::logx(super::Priority::Warning, &format!("Duplicate driver instance detected (PID file {} exists)! Terminating other driver (PID {pid})", path.display()));
    let deadline = tokio::time::Instant::now() + patience;
    while is_alive(pid) {
        if tokio::time::Instant::now() > deadline {
            return Err(DriverError::Config(format!(
                "previous instance (PID {pid}) does not stop"
            )));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Where a path the driver uses after `chroot(dir)` is seen from outside the chroot (the
/// PID file a background parent waits for, or `-c` signals): `dir` + `path`.
pub fn seen_from_outside(path: &Path, chroot: Option<&str>) -> PathBuf {
    match chroot {
        Some(dir) => Path::new(dir).join(path.strip_prefix("/").unwrap_or(path)),
        None => path.to_path_buf(),
    }
}

/// `chroot(dir)` then `chdir("/")`.
pub fn enter_chroot(dir: &str) -> Result<(), DriverError> {
    chroot(dir).map_err(|e| DriverError::io(format!("chroot to {dir}"), e.into()))?;
    std::env::set_current_dir("/").map_err(|e| DriverError::io("chdir to / in chroot", e))
}

/// The account a root driver switches to, with its supplementary groups: looked up before
/// a chroot hides `/etc/passwd` and `/etc/group`, as NUT does.
#[derive(Debug, Clone)]
pub struct Account {
    user: User,
    groups: Vec<Gid>,
}

/// Looks `user` up when running as root; `None` for an unprivileged process, which keeps
/// its identity.
pub fn lookup_account(user: &str) -> Result<Option<Account>, DriverError> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    let os = |what: String| move |e: nix::Error| DriverError::io(what, e.into());
    let pw = User::from_name(user)
        .map_err(os(format!("getpwnam({user})")))?
        .ok_or_else(|| DriverError::Config(format!("getpwnam({user}): no such user")))?;
    let cname = std::ffi::CString::new(user)
        .map_err(|_| DriverError::Config(format!("bad user name {user:?}")))?;
    let groups =
        nix::unistd::getgrouplist(&cname, pw.gid).map_err(os(format!("getgrouplist({user})")))?;
    Ok(Some(Account { user: pw, groups }))
}

/// Switches to the account (group, supplementary groups, then user), as NUT's
/// `become_user` does.
pub fn drop_privileges(account: &Account) -> Result<(), DriverError> {
    let os = |what: String| move |e: nix::Error| DriverError::io(what, e.into());
    let pw = &account.user;
    nix::unistd::setgid(pw.gid).map_err(os(format!("setgid({})", pw.gid)))?;
    nix::unistd::setgroups(&account.groups).map_err(os(format!("setgroups({})", pw.name)))?;
    nix::unistd::setuid(pw.uid).map_err(os(format!("setuid({})", pw.uid)))
}

/// Gives `group` access to the socket (`chgrp`, mode 0660).
pub fn socket_group(path: &Path, group: &str) -> Result<(), DriverError> {
    let os = |what: String| move |e: nix::Error| DriverError::io(what, e.into());
    let gr = Group::from_name(group)
        .map_err(os(format!("getgrnam({group})")))?
        .ok_or_else(|| DriverError::Config(format!("no such group {group}")))?;
    chown(path, None, Some(Gid::from_raw(gr.gid.as_raw())))
        .map_err(os(format!("chgrp {group} {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_a_chroot_are_found_under_it() {
        let pid = Path::new("/run/nut/dummy-ups-x.pid");
        assert_eq!(seen_from_outside(pid, None), pid);
        assert_eq!(
            seen_from_outside(pid, Some("/srv/jail")),
            Path::new("/srv/jail/run/nut/dummy-ups-x.pid")
        );
        // A relative path is relative to the chroot's `/`, where the driver changes to.
        assert_eq!(
            seen_from_outside(Path::new("x.pid"), Some("/srv/jail")),
            Path::new("/srv/jail/x.pid")
        );
    }
}
