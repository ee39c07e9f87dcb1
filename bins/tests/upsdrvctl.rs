//! Our upsdrvctl on a ups.conf with several devices and `sdorder`: `-t` prints what real
//! upsdrvctl 2.8.0 prints (modulo timestamps and the banner's version), and start/stop really
//! start and stop our dummy-ups drivers.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::run_capture;

const CONF: &str = "maxretry = 2\nretrydelay = 1\n\
[a]\n\tdriver = dummy-ups\n\tport = a.dev\n\tsdorder = 2\n\
[b]\n\tdriver = usbhid-ups\n\tport = auto\n\tsdorder = -1\n\
[c]\n\tdriver = dummy-ups\n\tport = c.dev\n\tsdorder = 1\n\
[d]\n\tdriver = dummy-ups\n\tport = d.dev\n";

fn sandbox(name: &str, conf: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nut-rs-h6-ctl-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ups.conf"), conf).unwrap();
    for dev in ["a", "c", "d"] {
        std::fs::write(dir.join(format!("{dev}.dev")), format!("ups.id: {dev}\n")).unwrap();
    }
    dir
}

fn ctl(prog: &str, dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(prog);
    c.args(args)
        .env("NUT_CONFPATH", dir)
        .env("NUT_STATEPATH", dir)
        .env("NUT_ALTPIDPATH", dir)
        .env("NUT_DRIVERPATH", "/lib/nut");
    c
}

/// The `[Dn]` lines and the errors, without timestamps or NUT's explanatory banner; plus
/// stdout after the version line, and the exit code.
fn normalised(cmd: &mut Command) -> (Vec<String>, Vec<String>, Option<i32>) {
    let out = run_capture(cmd);
    let err = out
        .stderr
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(_, m)| m.to_owned()))
        .filter(|m| m != "[D2] ")
        .collect();
    let stdout = out.stdout.lines().skip(1).map(str::to_owned).collect();
    (err, stdout, out.code)
}

#[test]
fn testing_mode_matches_real_upsdrvctl() {
    let dir = sandbox("t", CONF);
    for args in [
        &["-t", "start"][..],
        &["-t", "shutdown"],
        &["-t", "stop"],
        &["-t", "-u", "root", "-r", "/x", "start", "a"],
        &["-t", "shutdown", "b"],
        &["-t", "start", "zz"],
        &["-t", "-D", "-d", "start", "c"],
    ] {
        let real = normalised(&mut ctl("/sbin/upsdrvctl", &dir, args));
        let ours = normalised(&mut ctl(env!("CARGO_BIN_EXE_upsdrvctl"), &dir, args));
        assert!(
            !real.0.is_empty(),
            "real upsdrvctl printed nothing for {args:?}"
        );
        assert_eq!(ours, real, "upsdrvctl {args:?}");
    }
    let (err, _, _) = normalised(&mut ctl(
        env!("CARGO_BIN_EXE_upsdrvctl"),
        &dir,
        &["-t", "shutdown"],
    ));
    let order: Vec<&str> = err
        .iter()
        .filter_map(|l| l.strip_prefix("[D1] Shutdown UPS: "))
        .collect();
    assert_eq!(order, ["d", "c", "a"], "sdorder ascending, -1 never");
    let _ = std::fs::remove_dir_all(&dir);
}

fn wait_until(what: &str, ok: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn start_and_stop_our_drivers() {
    let conf = "[one]\n\tdriver = dummy-ups\n\tport = a.dev\n[two]\n\tdriver = dummy-ups\n\tport = c.dev\n";
    let dir = sandbox("run", conf);
    let ours = env!("CARGO_BIN_EXE_upsdrvctl");
    let mut start = ctl(ours, &dir, &["-u", "root", "start"]);
    start.env_remove("NUT_DRIVERPATH"); // found next to upsdrvctl
    let out = run_capture(&mut start);
    assert_eq!(out.code, Some(0), "{out:?}");
    for ups in ["one", "two"] {
        assert!(
            dir.join(format!("dummy-ups-{ups}")).exists(),
            "socket of {ups}"
        );
        assert!(
            dir.join(format!("dummy-ups-{ups}.pid")).exists(),
            "PID file of {ups}"
        );
    }
    let out = run_capture(&mut ctl(ours, &dir, &["stop"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    for ups in ["one", "two"] {
        let sock = dir.join(format!("dummy-ups-{ups}"));
        let pid = dir.join(format!("dummy-ups-{ups}.pid"));
        wait_until("drivers gone", || !sock.exists() && !pid.exists());
    }
    // Nothing left to stop: an error naming both PID files tried.
    let out = run_capture(&mut ctl(ours, &dir, &["stop", "one"]));
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("dummy-ups-one.pid")
            && out.stderr.contains("dummy-ups-a.dev.pid either"),
        "{}",
        out.stderr
    );
    // dummy-ups cannot power anything off: shutdown reports the failure.
    let mut sd = ctl(ours, &dir, &["-u", "root", "shutdown", "one"]);
    sd.env_remove("NUT_DRIVERPATH");
    assert_eq!(run_capture(&mut sd).code, Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A directory of fake drivers: each call appends its arguments to `calls.log`; the UPS
/// named in `fail` makes it exit 1.
fn fake_drivers(dir: &Path, fail: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("drivers");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("calls.log");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> '{}'\ncase \"$*\" in *\"-a {fail} \"*) exit 1;; esac\nexit 0\n",
        log.display()
    );
    for name in ["dummy-ups", "usbhid-ups"] {
        let p = bin.join(name);
        std::fs::write(&p, &script).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn shutdown_calls_each_driver_with_k_in_sdorder_like_real_upsdrvctl() {
    let mut results = Vec::new();
    for prog in ["/sbin/upsdrvctl", env!("CARGO_BIN_EXE_upsdrvctl")] {
        let dir = sandbox("sd", "");
        let bin = fake_drivers(&dir, "c");
        let conf = format!(
            "driverpath = {}\n{}",
            bin.display(),
            &CONF[CONF.find('[').unwrap()..]
        );
        std::fs::write(dir.join("ups.conf"), conf).unwrap();
        let (err, _, code) = normalised(&mut ctl(prog, &dir, &["-D", "shutdown"]));
        let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap_or_default();
        results.push((err, calls, code));
        let _ = std::fs::remove_dir_all(&dir);
    }
    let ours = results.pop().unwrap();
    let real = results.pop().unwrap();
    // c fails, the others still go down in order; b (sdorder -1) is never called.
    assert_eq!(ours.1, "-a d -k\n-a c -k\n-a a -k\n", "driver calls");
    assert_eq!(ours.2, Some(1), "a failed shutdown is a failure");
    assert!(
        ours.0
            .contains(&"Driver failed to start (exit status=1)".to_owned()),
        "{:?}",
        ours.0
    );
    let steps = |v: &Vec<String>| -> Vec<String> {
        v.iter()
            .filter(|l| !l.starts_with("[D2]"))
            .cloned()
            .collect()
    };
    assert_eq!(
        (steps(&ours.0), &ours.1, ours.2),
        (steps(&real.0), &real.1, real.2)
    );
}

#[test]
fn shutdown_of_dummy_ups_is_refused_like_real() {
    let conf = "[one]\n\tdriver = dummy-ups\n\tport = a.dev\n";
    let dir = sandbox("sdref", conf);
    let ours = env!("CARGO_BIN_EXE_upsdrvctl");
    let mut sd = ctl(ours, &dir, &["-u", "root", "shutdown", "one"]);
    sd.env_remove("NUT_DRIVERPATH");
    let out = run_capture(&mut sd);
    assert_eq!(out.code, Some(1), "{out:?}");
    assert!(
        out.stderr.contains("shutdown not supported"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Driver failed to start (exit status=1)"),
        "{}",
        out.stderr
    );
    // The real driver refuses the same way through the real upsdrvctl.
    let real = run_capture(&mut ctl(
        "/sbin/upsdrvctl",
        &dir,
        &["-u", "root", "shutdown", "one"],
    ));
    assert_eq!(real.code, Some(1), "{real:?}");
    assert!(
        real.stderr.contains("shutdown not supported"),
        "{}",
        real.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn foreground_upsdrvctl_lives_as_long_as_its_driver() {
    let conf = "[one]\n\tdriver = dummy-ups\n\tport = a.dev\n";
    let dir = sandbox("fg", conf);
    let ours = env!("CARGO_BIN_EXE_upsdrvctl");
    let mut cmd = ctl(ours, &dir, &["-u", "root", "-FF", "start"]);
    cmd.env_remove("NUT_DRIVERPATH")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut ctl_proc = cmd.spawn().unwrap();
    let pid_file = dir.join("dummy-ups-one.pid");
    let sock = dir.join("dummy-ups-one");
    wait_until("driver serving with -FF PID file", || {
        pid_file.exists() && sock.exists()
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        ctl_proc.try_wait().unwrap().is_none(),
        "upsdrvctl -FF stays while its driver runs"
    );
    let pid = std::fs::read_to_string(&pid_file).unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    let end = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = ctl_proc.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > end {
            let _ = ctl_proc.kill();
            panic!("upsdrvctl -FF did not exit after its driver did");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
    assert!(!sock.exists() && !pid_file.exists(), "driver cleaned up");
    let _ = std::fs::remove_dir_all(&dir);
}
