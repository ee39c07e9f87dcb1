//! NUT's daemon flags on our `upsd`, as processes, compared with real upsd 2.8.0 where the
//! behaviour is observable: `-B` (returns once serving, PID file written; fails when the
//! configuration does), `-c reload` (a new UPS and a changed password apply while a client
//! stays connected), `-c stop`, `-V`, `-h`, refusing to start without devices, and
//! `ALLOW_NO_DEVICE`, bad configuration lines reported with `file:line`, `-u nut`, `-r
//! <chroot>`, and a SIGTERM sent the moment the PID file appears.
//!
//! These tests run as root (the chroot and the switch to `nut` need it), as the rest of the
//! suite does. Each has its own directory; upsd listens on `127.0.0.1 0` and its port is read
//! from its log. Every wait has a deadline; a [`Sandbox`] kills what it started when dropped.
#![allow(clippy::unwrap_used)]

mod common;
mod daemon_flags_upsd_support;

use std::fs::File;
use std::path::Path;
use std::process::Stdio;

use common::{
    account, alive, kill, read_pid, run_capture, sigterm_as_the_pid_file_appears, uid_of,
    wait_exit, wait_until,
};
use daemon_flags_upsd_support::{port_from, wait_served, Client, Sandbox, REAL_UPSD, UPSD};

const NO_DEVICE: &str = "Fatal error: at least one UPS must be defined in ups.conf";

#[test]
fn background_reload_and_stop() {
    let mut sb = Sandbox::new("bg", &["a"]);
    sb.driver("a", &["-u", "root"]);
    let pidfile = sb.run().join("upsd.pid");
    sb.track(pidfile.clone());
    let log = sb.dir.join("upsd.log");
    // -B returns once the daemon is ready: the PID file is already there.
    assert_eq!(sb.upsd(&log, &["-B", "-u", "root"]), Some(0));
    let pid = read_pid(&pidfile).expect("PID file when -B returns");
    assert!(alive(pid));
    let port = port_from(&log);
    wait_served(port, "a");
    let mut kept = Client::connect(port);
    assert_eq!(kept.login("a", "secret"), "OK");
    // A new UPS and a new password, then -c reload.
    sb.ups_conf(&["a", "b"]);
    sb.users("changed");
    sb.driver("b", &["-u", "root"]);
    let out = run_capture(&mut sb.cmd(UPSD, &["-c", "reload"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_served(port, "b");
    // The client connected before the reload is still served, and sees b.
    let upses = kept.list("LIST UPS");
    assert!(upses.iter().any(|l| l.starts_with("UPS b ")), "{upses:?}");
    assert_eq!(kept.ask("GET VAR b ups.id"), "VAR b ups.id \"b\"");
    // The new password works, the old one no longer does.
    assert_eq!(Client::connect(port).login("b", "changed"), "OK");
    assert_eq!(
        Client::connect(port).login("b", "secret"),
        "ERR ACCESS-DENIED"
    );
    // -c stop: exits 0 (the reply), the daemon goes and removes its PID file.
    let out = run_capture(&mut sb.cmd(UPSD, &["-c", "stop"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("upsd gone", || !alive(pid) && !pidfile.exists());
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(log.contains("Signal 15: exiting"), "{log}");
}

#[test]
fn version_and_help_exit_like_real_upsd() {
    let sb = Sandbox::new("vh", &["a"]);
    for flag in ["-V", "-h"] {
        let ours = run_capture(&mut sb.cmd(UPSD, &[flag]));
        let real = run_capture(&mut sb.cmd(REAL_UPSD, &[flag]));
        assert_eq!(ours.code, real.code, "{flag}: {ours:?} vs {real:?}");
        assert_eq!(ours.code, Some(0), "{flag}");
        // First line: "Network UPS Tools upsd 2.8.0", ours adds "(nut-rs x.y.z)".
        let (ours_first, ours_rest) = ours.stdout.split_once('\n').unwrap();
        let (real_first, real_rest) = real.stdout.split_once('\n').unwrap();
        assert!(ours_first.starts_with(real_first), "{ours_first}");
        assert_eq!(ours_rest, real_rest, "{flag}");
    }
}

#[test]
fn no_devices_refused_like_real_upsd_unless_allowed() {
    let sb = Sandbox::new("nodev", &[]);
    for args in [&["-F", "-u", "root"][..], &["-B", "-u", "root"]] {
        let log = sb.dir.join("ours.log");
        let ours = sb.upsd(&log, args);
        let ours_log = std::fs::read_to_string(&log).unwrap();
        let real = run_capture(&mut sb.cmd(REAL_UPSD, args));
        assert_eq!(ours, real.code, "{args:?}: {ours_log} vs {real:?}");
        assert_eq!(ours, Some(1), "{args:?}");
        assert!(real.stderr.contains(NO_DEVICE), "{real:?}");
        assert!(ours_log.contains(NO_DEVICE), "{args:?}: {ours_log}");
        assert!(!sb.run().join("upsd.pid").exists());
    }
    // ALLOW_NO_DEVICE, from the environment or upsd.conf: serves an empty list.
    let mut sb = Sandbox::new("allow", &[]);
    sb.track(sb.run().join("upsd.pid"));
    let log = sb.dir.join("upsd.log");
    let mut cmd = sb.cmd(UPSD, &["-FF", "-u", "root"]);
    let mut child = cmd
        .env("ALLOW_NO_DEVICE", "true")
        .stdout(Stdio::null())
        .stderr(File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let port = port_from(&log);
    assert!(Client::connect(port).list("LIST UPS").is_empty());
    kill("-TERM", child.id());
    assert_eq!(wait_exit(&mut child), Some(0));
    sb.write("upsd.conf", "LISTEN 127.0.0.1 0\nALLOW_NO_DEVICE true\n");
    assert_eq!(sb.upsd(&log, &["-B", "-u", "root"]), Some(0));
    assert!(Client::connect(port_from(&log)).list("LIST UPS").is_empty());
    let out = run_capture(&mut sb.cmd(UPSD, &["-c", "stop"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("upsd gone", || !sb.run().join("upsd.pid").exists());
}

#[test]
fn bad_configuration_lines_are_reported_with_file_and_line() {
    let mut sb = Sandbox::new("badconf", &["a"]);
    // upsd.conf: an unknown directive is a warning (as real upsd), and upsd serves.
    sb.write("upsd.conf", "LISTEN 127.0.0.1 0\nBOGUS directive\n");
    // ups.conf: a section with an unterminated quote is ignored, the others served.
    let good = std::fs::read_to_string(sb.etc().join("ups.conf")).unwrap();
    sb.write(
        "ups.conf",
        &format!("{good}[broken]\n\tdriver = dummy-ups\n\tport = \"x.dev\n"),
    );
    sb.driver("a", &["-u", "root"]);
    sb.track(sb.run().join("upsd.pid"));
    let log = sb.dir.join("upsd.log");
    assert_eq!(sb.upsd(&log, &["-B", "-u", "root"]), Some(0));
    wait_served(port_from(&log), "a");
    let text = std::fs::read_to_string(&log).unwrap();
    let upsd_conf = sb.etc().join("upsd.conf");
    assert!(
        text.contains(&format!("{}:2: ", upsd_conf.display())) && text.contains("BOGUS"),
        "{text}"
    );
    let ups_conf = sb.etc().join("ups.conf");
    assert!(
        text.contains(&format!("{}:6: ", ups_conf.display())),
        "{text}"
    );
    let out = run_capture(&mut sb.cmd(UPSD, &["-c", "stop"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    // Only the broken section: refused, and the log says which line broke it.
    sb.write(
        "ups.conf",
        "[broken]\n\tdriver = dummy-ups\n\tport = \"x.dev\n",
    );
    wait_until("first upsd gone", || !sb.run().join("upsd.pid").exists());
    assert_eq!(sb.upsd(&log, &["-F", "-u", "root"]), Some(1));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains(&format!("{}:3: ", ups_conf.display())) && text.contains(NO_DEVICE),
        "{text}"
    );
}

#[test]
fn as_root_u_nut_serves_as_nut() {
    let (uid, gid) = account("nut");
    let mut sb = Sandbox::new("user", &["a"]);
    // The state directory belongs to nut, as /run/nut does; the driver runs as nut too.
    std::os::unix::fs::chown(sb.run(), Some(uid), Some(gid)).unwrap();
    sb.driver("a", &["-u", "nut"]);
    let pidfile = sb.run().join("upsd.pid");
    sb.track(pidfile.clone());
    let log = sb.dir.join("upsd.log");
    assert_eq!(sb.upsd(&log, &["-B", "-u", "nut"]), Some(0));
    let pid = read_pid(&pidfile).unwrap();
    assert_eq!(uid_of(pid), uid);
    wait_served(port_from(&log), "a");
    let out = run_capture(&mut sb.cmd(UPSD, &["-c", "stop"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    wait_until("upsd gone", || !alive(pid) && !pidfile.exists());
}

/// What upsd reads after `chroot`, at the same absolute paths inside `root`: its three
/// configuration files (NUT_CONFPATH), the driver sockets (NUT_STATEPATH, also where it
/// writes its PID file) and `cmdvartab` (DATAPATH). The driver is chrooted there too.
#[test]
fn chrooted_upsd_reads_everything_inside() {
    let mut sb = Sandbox::new("chroot", &["a"]);
    let root = sb.dir.join("root");
    let inside = |p: &Path| root.join(p.strip_prefix("/").unwrap());
    let data = sb.dir.join("data");
    sb.write(
        "upsd.conf",
        &format!("LISTEN 127.0.0.1 0\nDATAPATH {}\n", data.display()),
    );
    std::fs::create_dir_all(inside(&data)).unwrap();
    std::fs::write(
        inside(&data).join("cmdvartab"),
        "VARDESC ups.id \"Read inside the chroot\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(inside(&sb.etc())).unwrap();
    std::fs::create_dir_all(inside(&sb.run())).unwrap();
    for f in ["upsd.conf", "upsd.users", "ups.conf", "a.dev"] {
        std::fs::copy(sb.etc().join(f), inside(&sb.etc()).join(f)).unwrap();
    }
    // Outside: no upsd.conf, so nothing but the chroot's copy can work.
    std::fs::remove_file(sb.etc().join("upsd.conf")).unwrap();
    let root_s = root.to_str().unwrap();
    let inside_run = inside(&sb.run());
    sb.track(inside_run.join("dummy-ups-a.pid"));
    sb.track(inside_run.join("upsd.pid"));
    sb.driver("a", &["-u", "root", "-r", root_s]);
    let log = sb.dir.join("upsd.log");
    // -B waits for the PID file inside the chroot.
    assert_eq!(sb.upsd(&log, &["-B", "-u", "root", "-r", root_s]), Some(0));
    let pid = read_pid(&inside_run.join("upsd.pid")).expect("PID file inside the chroot");
    assert_eq!(
        std::fs::read_link(format!("/proc/{pid}/root")).unwrap(),
        root
    );
    let port = port_from(&log);
    wait_served(port, "a");
    assert_eq!(
        Client::connect(port).ask("GET DESC a ups.id"),
        "DESC a ups.id \"Read inside the chroot\""
    );
    kill("-TERM", pid);
    wait_until("upsd gone", || {
        !alive(pid) && !inside_run.join("upsd.pid").exists()
    });
}

/// `-FF`: a SIGTERM sent the moment the PID file appears exits 0 and removes it (signal
/// handlers are installed before the file is written). Repeated: a race shows only
/// sometimes (before the fix, nearly always).
#[test]
fn sigterm_right_after_the_pid_file_appears_cleans_up() {
    let sb = Sandbox::new("race", &[]);
    let start = || {
        sb.cmd(UPSD, &["-FF", "-u", "root"])
            .env("ALLOW_NO_DEVICE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    sigterm_as_the_pid_file_appears(&sb.run().join("upsd.pid"), start, |_| {});
}
