//! Setup shared by the upssched tests: a directory with a CMDSCRIPT that appends its
//! argument to `out`, an `upssched.conf` around given `AT` rules, and the invocation
//! upsmon would make.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::unique_dir;

/// A fresh directory with `cmd.sh` and an `upssched.conf` of CMDSCRIPT, PIPEFN and LOCKFN
/// (all in the directory) followed by `rules`, where `{d}` stands for the directory.
pub fn setup(tag: &str, rules: &str) -> PathBuf {
    let dir = unique_dir(tag);
    let script = dir.join("cmd.sh");
    fs::write(
        &script,
        format!("#!/bin/sh\necho \"$1\" >> {}/out\n", dir.display()),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    let d = dir.display().to_string();
    let conf = format!(
        "CMDSCRIPT {d}/cmd.sh\nPIPEFN {d}/upssched.pipe\nLOCKFN {d}/upssched.lock\n{}",
        rules.replace("{d}", &d)
    );
    fs::write(dir.join("upssched.conf"), conf).unwrap();
    dir
}

/// `prog` run as upsmon runs its NOTIFYCMD for a `kind` notification about `ups@host`.
pub fn invocation(prog: &str, dir: &Path, kind: &str) -> Command {
    let mut c = Command::new(prog);
    c.env("NUT_CONFPATH", dir)
        .env("NOTIFYTYPE", kind)
        .env("UPSNAME", "ups@host")
        .arg(format!("message for {kind}"));
    c
}

/// The lines CMDSCRIPT wrote so far.
pub fn out(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("out"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}
