//! Our upsmon binary: `-f <config>` (no upsmon.conf in NUT_CONFPATH at all), SIGHUP
//! delivered with `-c reload -P <pid>` (no PID file where the command looks) rereads that file: a new
//! MONITOR target and a new NOTIFYMSG take effect, and the reload is logged as upsmon 2.8.0
//! logs it. Both UPSes stay on battery, so each target's first poll raises ONBATT.
#![allow(clippy::unwrap_used)]

mod monitor_support;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use monitor_support::{unique_dir, wait_until, Sandbox};

fn conf(dir: &Path, port: u16, ups: &str, msg: &str) -> String {
    format!(
        "MONITOR {ups}@127.0.0.1:{port} 1 mon pass secondary\n\
         NOTIFYCMD {d}/notify.sh\nNOTIFYFLAG ONBATT EXEC\nNOTIFYMSG ONBATT \"{msg}\"\n\
         POLLFREQ 1\nPOLLFREQALERT 1\nSHUTDOWNCMD \"touch {d}/shutdown\"\n",
        d = dir.display()
    )
}

fn notifications(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("notify.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn ctl(args: &[&str], empty: &Path) -> Option<i32> {
    Command::new(env!("CARGO_BIN_EXE_upsmon"))
        .args(args)
        .env("NUT_CONFPATH", empty)
        .env("NUT_ALTPIDPATH", empty)
        .env("NUT_STATEPATH", empty)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .code()
}

#[test]
fn reload_by_pid_rereads_the_f_config() {
    let sb = Sandbox::start(
        "sighup",
        &[("a", "ups.status: OB\n"), ("b", "ups.status: OB\n")],
    );
    let dir = unique_dir("sighup-mon");
    let empty = unique_dir("sighup-empty");
    // The monitor writes its PID file here; the commands look elsewhere.
    let nopid = unique_dir("sighup-nopid");
    fs::write(
        dir.join("notify.sh"),
        format!(
            "#!/bin/sh\necho \"$NOTIFYTYPE $UPSNAME $1\" >> {}/notify.log\n",
            dir.display()
        ),
    )
    .unwrap();
    Command::new("chmod")
        .arg("+x")
        .arg(dir.join("notify.sh"))
        .status()
        .unwrap();
    let file = dir.join("custom.conf");
    fs::write(&file, conf(&dir, sb.port, "a", "first %s")).unwrap();
    let stderr = fs::File::create(dir.join("stderr")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_upsmon"))
        .args(["-p", "-F", "-f"])
        .arg(&file)
        .env("NUT_CONFPATH", &empty)
        .env("NUT_ALTPIDPATH", &empty)
        .env("NUT_STATEPATH", &empty)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let a = format!("ONBATT a@127.0.0.1:{0} first a@127.0.0.1:{0}", sb.port);
    let first = wait_until(Duration::from_secs(10), || notifications(&dir).len() == 1);
    assert!(first, "{:?}", notifications(&dir));
    assert_eq!(notifications(&dir), std::slice::from_ref(&a));

    fs::write(&file, conf(&dir, sb.port, "b", "second %s")).unwrap();
    // Without -P there is no PID file to find: the command fails.
    assert_eq!(ctl(&["-c", "reload"], &nopid), Some(1));
    assert_eq!(ctl(&["-c", "reload", "-P", &pid], &nopid), Some(0));
    let b = format!("ONBATT b@127.0.0.1:{0} second b@127.0.0.1:{0}", sb.port);
    let second = wait_until(Duration::from_secs(10), || notifications(&dir).len() == 2);
    assert!(second, "{:?}", notifications(&dir));
    assert_eq!(notifications(&dir), [a, b]);
    // Logged as upsmon 2.8.0 logs a reload: the announcement, then the newly named system.
    let log = fs::read_to_string(dir.join("stderr")).unwrap();
    let reload = log.lines().skip_while(|l| *l != "Reloading configuration");
    let new_ups = format!("UPS: b@127.0.0.1:{} (secondary) (power value 1)", sb.port);
    assert_eq!(
        reload.take(2).collect::<Vec<_>>(),
        ["Reloading configuration", &new_ups],
        "{log}"
    );
    // -P also stands for the PID file in the "already running?" check.
    assert_eq!(
        ctl(&["-F", "-P", &pid, "-f", "/nonexistent"], &nopid),
        Some(1)
    );

    assert_eq!(ctl(&["-c", "stop", "-P", &pid], &nopid), Some(0));
    let gone = wait_until(Duration::from_secs(10), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    if !gone {
        let _ = child.kill();
    }
    let _ = child.wait();
    assert!(gone, "-c stop -P stopped it");
    assert!(!dir.join("shutdown").exists());
    let _ = fs::remove_dir_all(&dir);
    let _ = fs::remove_dir_all(&empty);
    let _ = fs::remove_dir_all(&nopid);
}
