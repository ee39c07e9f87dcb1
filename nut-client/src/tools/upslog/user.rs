//! Dropping root privileges to the `-u` user (default `nut`), as NUT's `become_user` does.

use std::ffi::CString;

use nix::unistd::{geteuid, getuid, initgroups, setgid, setuid, User};

use crate::tools::Fatal;

/// The run-as user of Debian's NUT build.
pub const RUN_AS_USER: &str = "nut";

/// Looks `name` up in the user database; NUT does this even when not running as root.
pub fn lookup(name: &str) -> Result<User, Fatal> {
    match User::from_name(name) {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(Fatal::new(format!("user {name} not found"))),
        Err(e) => Err(Fatal::new(format!("getpwnam({name}): {}", e.desc()))),
    }
}

/// Switches groups, group and user to `user` if we are root; does nothing otherwise.
pub fn become_user(user: &User) -> Result<(), Fatal> {
    if !geteuid().is_root() && !getuid().is_root() {
        return Ok(());
    }
    let errno = |what: &str, e: nix::Error| Fatal::new(format!("{what}: {}", e.desc()));
    let name = CString::new(user.name.as_bytes())
        .map_err(|_| Fatal::new("initgroups: Invalid argument"))?;
    initgroups(&name, user.gid).map_err(|e| errno("initgroups", e))?;
    setgid(user.gid).map_err(|e| errno("setgid", e))?;
    setuid(user.uid).map_err(|e| errno("setuid", e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_users_are_fatal() {
        let err = lookup("no-such-user-h4").expect_err("unknown");
        assert_eq!(err, Fatal::new("user no-such-user-h4 not found"));
        assert_eq!(lookup("root").expect("root exists").uid.as_raw(), 0);
    }
}
