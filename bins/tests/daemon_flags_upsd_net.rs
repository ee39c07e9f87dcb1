//! upsd.conf's network settings on our `upsd`, compared with real upsd 2.8.0 where it is
//! deterministic: which addresses `LISTEN` lines bind with `-4`/`-6`, an overlapping pair of
//! LISTEN lines (logged, not fatal), a LISTEN change on reload (needs a restart: the old
//! listener stays), MAXCONN reached (ours only: real upsd leaves the client hanging), and
//! STARTTLS with `-r <chroot> -u nut`, where CERTFILE is read inside the chroot after the
//! switch to `nut` (as real upsd's `ssl_init()` does), checked with our upsc.
//!
//! Runs as root, as the rest of the suite. Real and ours run one after the other on a port
//! found free; the addresses bound are probed by connecting.
#![allow(clippy::unwrap_used)]

mod common;
mod daemon_flags_upsd_support;

use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use common::{account, alive, free_port, kill, read_pid, run_capture, wait_exit, wait_until};
use daemon_flags_upsd_support::{
    foreground, log_text, port_from, wait_served, Client, Sandbox, REAL_UPSD, UPSD,
};

const BOTH: [&str; 2] = [REAL_UPSD, UPSD];

fn accepts(addr: &str, port: u16) -> bool {
    let addr: SocketAddr = format!("{addr}:{port}").parse().unwrap();
    TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_ok()
}

/// Starts `upsd -F <flag>` with `conf`: `Ok(which of 127.0.0.1 and ::1 accept, log)` once
/// it serves (then SIGTERM, which must exit 0), or `Err(log)` if it exits with status 1.
fn bound(
    sb: &Sandbox,
    upsd: &str,
    flag: &[&str],
    conf: &str,
    port: u16,
) -> Result<[bool; 2], String> {
    sb.write("upsd.conf", conf);
    let log = sb.dir.join("families.log");
    let mut args = vec!["-F", "-u", "root"];
    args.extend_from_slice(flag);
    let child = std::cell::RefCell::new(foreground(sb, upsd, &args, &log));
    wait_until("upsd set up or gone", || {
        log_text(&log).contains("Running as foreground process")
            || child.borrow_mut().try_wait().unwrap().is_some()
    });
    let mut child = child.into_inner();
    if let Some(status) = child.try_wait().unwrap() {
        assert_eq!(
            status.code(),
            Some(1),
            "{upsd} {flag:?}: {}",
            log_text(&log)
        );
        return Err(log_text(&log));
    }
    let seen = [accepts("127.0.0.1", port), accepts("[::1]", port)];
    kill("-TERM", child.id());
    assert_eq!(wait_exit(&mut child), Some(0), "{upsd}: exit after SIGTERM");
    Ok(seen)
}

#[test]
fn listen_families_and_overlaps_like_real_upsd() {
    let sb = Sandbox::new("fam", &[]);
    let p = free_port().unwrap();
    let both = format!("LISTEN 127.0.0.1 {p}\nLISTEN ::1 {p}\n");
    let overlap = format!("LISTEN ::1 {p}\nLISTEN 127.0.0.1 {p}\nLISTEN 127.0.0.1 {p}\n");
    let cases: [(&[&str], &str); 6] = [
        (&[], &both),
        (&["-4"], &format!("LISTEN 127.0.0.1 {p}\n")),
        (&["-4"], &format!("LISTEN localhost {p}\n")),
        (&["-6"], &format!("LISTEN ::1 {p}\n")),
        (&["-4"], &format!("LISTEN ::1 {p}\n")),
        (&[], &overlap),
    ];
    for (flag, conf) in cases {
        let real = bound(&sb, REAL_UPSD, flag, conf, p);
        let ours = bound(&sb, UPSD, flag, conf, p);
        match (&real, &ours) {
            (Ok(r), Ok(o)) => assert_eq!(o, r, "{flag:?} {conf}"),
            (Err(r), Err(o)) => {
                // A LISTEN address outside the family is fatal in both.
                assert!(r.contains("getaddrinfo: "), "real {flag:?} {conf}: {r}");
                assert!(o.contains("getaddrinfo: "), "ours {flag:?} {conf}: {o}");
            }
            _ => panic!("{flag:?} {conf}: real {real:?} ours {ours:?}"),
        }
    }
    // The overlapping pair: logged, and upsd serves on both families.
    let log = log_text(&sb.dir.join("families.log"));
    assert!(
        log.contains(&format!("not listening on 127.0.0.1 port {p}")),
        "{log}"
    );
}

/// A changed LISTEN on reload: the old listener keeps serving, the new address is not bound
/// until a restart (real upsd ignores it silently; ours logs that a restart is needed).
#[test]
fn listen_change_on_reload_keeps_the_old_listener() {
    let sb = Sandbox::new("relisten", &[]);
    let (old, new) = (free_port().unwrap(), free_port().unwrap());
    for upsd in BOTH {
        sb.write("upsd.conf", &format!("LISTEN 127.0.0.1 {old}\n"));
        let log = sb.dir.join("relisten.log");
        let mut child = foreground(&sb, upsd, &["-F", "-u", "root"], &log);
        wait_until("upsd set up", || {
            log_text(&log).contains("Running as foreground")
        });
        sb.write("upsd.conf", &format!("LISTEN 127.0.0.1 {new}\n"));
        kill("-HUP", child.id());
        wait_until("reloaded", || {
            log_text(&log).contains("SIGHUP: reloading configuration")
        });
        assert!(Client::connect(old).list("LIST UPS").is_empty(), "{upsd}");
        assert!(!accepts("127.0.0.1", new), "{upsd}");
        if upsd == UPSD {
            wait_until("restart needed is logged", || {
                log_text(&log).contains("LISTEN directives changed: restart upsd to apply them")
            });
        }
        kill("-TERM", child.id());
        assert_eq!(wait_exit(&mut child), Some(0), "{upsd}");
    }
}

/// MAXCONN 2: two clients are served; the third is refused at once (the connection closes
/// without a reply, and the log says why); once one leaves, a new client is served.
#[test]
fn maxconn_reached_refuses_the_next_client() {
    let sb = Sandbox::new("maxconn", &[]);
    sb.write("upsd.conf", "LISTEN 127.0.0.1 0\nMAXCONN 2\n");
    let log = sb.dir.join("maxconn.log");
    let mut child = foreground(&sb, UPSD, &["-F", "-u", "root"], &log);
    let port = port_from(&log);
    let mut first = Client::connect(port);
    let mut second = Client::connect(port);
    assert!(first.list("LIST UPS").is_empty());
    assert!(second.list("LIST UPS").is_empty());
    let mut third = TcpStream::connect(("127.0.0.1", port)).unwrap();
    third
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = Vec::new();
    let _ = third.read_to_end(&mut buf);
    assert!(buf.is_empty(), "{}", String::from_utf8_lossy(&buf));
    wait_until("refusal logged", || {
        log_text(&log).contains("MAXCONN (2) reached: refusing connection from 127.0.0.1")
    });
    drop(first);
    wait_until("a slot frees", || {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut c = std::io::BufReader::new(stream);
        std::io::Write::write_all(c.get_mut(), b"VER\n").unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut c, &mut line).is_ok()
            && line.starts_with("Network UPS Tools")
    });
    assert!(second.list("LIST UPS").is_empty());
    kill("-TERM", child.id());
    assert_eq!(wait_exit(&mut child), Some(0));
}

/// `-r <root> -u nut` with CERTFILE: the path is the one inside the chroot and the file need
/// only be readable by `nut` (real upsd's `ssl_init()` runs after chroot and the switch).
/// Our upsc then reads a variable over STARTTLS.
#[test]
fn starttls_in_a_chroot_reads_certfile_inside_as_nut() {
    let (uid, gid) = account("nut");
    let mut sb = Sandbox::new("tls-chroot", &["a"]);
    let root = sb.dir.join("root");
    let inside = |p: &Path| root.join(p.strip_prefix("/").unwrap());
    let cert = sb.dir.join("ssl/upsd.pem");
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::create_dir_all(inside(cert.parent().unwrap())).unwrap();
    let pem = format!("{}{}", ck.cert.pem(), ck.key_pair.serialize_pem());
    std::fs::write(inside(&cert), pem).unwrap();
    std::os::unix::fs::chown(inside(&cert), Some(uid), Some(gid)).unwrap();
    std::fs::set_permissions(
        inside(&cert),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    sb.write(
        "upsd.conf",
        &format!("LISTEN 127.0.0.1 0\nCERTFILE {}\n", cert.display()),
    );
    std::fs::create_dir_all(inside(&sb.etc())).unwrap();
    std::fs::create_dir_all(inside(&sb.run())).unwrap();
    std::os::unix::fs::chown(inside(&sb.run()), Some(uid), Some(gid)).unwrap();
    for f in ["upsd.conf", "upsd.users", "ups.conf", "a.dev"] {
        std::fs::copy(sb.etc().join(f), inside(&sb.etc()).join(f)).unwrap();
    }
    let root_s = root.to_str().unwrap();
    let inside_run = inside(&sb.run());
    sb.track(inside_run.join("dummy-ups-a.pid"));
    sb.track(inside_run.join("upsd.pid"));
    sb.driver("a", &["-u", "nut", "-r", root_s]);
    let log = sb.dir.join("upsd.log");
    assert_eq!(
        sb.upsd(&log, &["-B", "-u", "nut", "-r", root_s]),
        Some(0),
        "{}",
        log_text(&log)
    );
    let pid = read_pid(&inside_run.join("upsd.pid")).unwrap();
    let port = port_from(&log);
    wait_served(port, "a");
    let upsc = env!("CARGO_BIN_EXE_upsc");
    let out = run_capture(&mut sb.cmd(upsc, &[&format!("a@127.0.0.1:{port}"), "ups.id"]));
    assert_eq!(out.code, Some(0), "{out:?}");
    assert_eq!(out.stdout.trim(), "a");
    assert!(
        out.stderr
            .contains("Connected to NUT server 127.0.0.1 in SSL"),
        "{out:?}"
    );
    // Mode 0600: no "world readable" warning for the certificate.
    assert!(!log_text(&log).contains("upsd.pem is world readable"));
    kill("-TERM", pid);
    wait_until("upsd gone", || !alive(pid));
}

/// A CERTFILE that cannot be used fails `-B` itself (exit 1, the path in the message):
/// ours loads it before going to the background. (Real upsd reads it after forking, so its
/// `-B` returns 0 and the daemon dies; see DEVIATIONS.md.)
#[test]
fn unusable_certfile_fails_the_background_start() {
    let sb = Sandbox::new("badcert", &["a"]);
    let missing = sb.dir.join("missing.pem");
    let garbage = sb.dir.join("garbage.pem");
    std::fs::write(&garbage, "not a certificate\n").unwrap();
    for cert in [&missing, &garbage] {
        sb.write(
            "upsd.conf",
            &format!("LISTEN 127.0.0.1 0\nCERTFILE {}\n", cert.display()),
        );
        let log = sb.dir.join("upsd.log");
        assert_eq!(sb.upsd(&log, &["-B", "-u", "root"]), Some(1));
        let text = log_text(&log);
        assert!(text.contains(&cert.display().to_string()), "{text}");
        assert!(!sb.run().join("upsd.pid").exists());
    }
}

/// NUT 2.8.0's own upsc (built with NSS) negotiates STARTTLS with our upsd (rustls, PEM
/// CERTFILE) and reads a variable; our upsd logs the handshake as Debian's upsd does.
#[test]
fn real_upsc_reads_over_starttls() {
    let mut sb = Sandbox::new("tls-real-upsc", &["a"]);
    let cert = sb.dir.join("upsd.pem");
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    std::fs::write(
        &cert,
        format!("{}{}", ck.cert.pem(), ck.key_pair.serialize_pem()),
    )
    .unwrap();
    sb.write(
        "upsd.conf",
        &format!("LISTEN 127.0.0.1 0\nCERTFILE {}\n", cert.display()),
    );
    sb.driver("a", &["-u", "root"]);
    let log = sb.dir.join("upsd.log");
    assert_eq!(
        sb.upsd(&log, &["-B", "-u", "root"]),
        Some(0),
        "{}",
        log_text(&log)
    );
    let pid = read_pid(&sb.run().join("upsd.pid")).unwrap();
    let port = port_from(&log);
    wait_served(port, "a");
    let out =
        run_capture(&mut sb.cmd("/usr/bin/upsc", &[&format!("a@127.0.0.1:{port}"), "ups.id"]));
    assert_eq!((out.code, out.stdout.trim()), (Some(0), "a"), "{out:?}");
    assert!(
        out.stderr
            .contains("SSL handshake done successfully with server 127.0.0.1")
            && out
                .stderr
                .contains("Connected to NUT server 127.0.0.1 in SSL"),
        "{out:?}"
    );
    wait_until("handshake logged", || {
        log_text(&log).contains("SSL handshake done successfully with client 127.0.0.1")
    });
    kill("-TERM", pid);
    wait_until("upsd gone", || !alive(pid));
}
