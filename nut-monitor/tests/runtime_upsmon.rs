//! The upsmon runtime against a scripted fake upsd on 127.0.0.1:0: the exact requests sent,
//! notifications run through NOTIFYCMD, the shutdown command and the POWERDOWNFLAG file.
//! Timings are shortened through [`Settings`] so a whole shutdown takes well under a second.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nut_monitor::runtime::connector::TcpConnector;
use nut_monitor::runtime::log::Logger;
use nut_monitor::runtime::notify_exec::Notifier;
use nut_monitor::runtime::power::{DirectPowerOff, SDMAGIC};
use nut_monitor::runtime::upsmon::{Control, Finish, Upsmon};
use nut_monitor::upsmon::Settings;
use nut_proto::config::UpsmonConf;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// What the fake server knows and saw.
#[derive(Default)]
struct Fake {
    status: String,
    fsd: bool,
    logins: u32,
    seen: Vec<String>,
}

type Shared = Arc<Mutex<Fake>>;

fn reply(fake: &Shared, line: &str) -> String {
    let mut f = fake.lock().unwrap();
    f.seen.push(line.to_owned());
    let words: Vec<&str> = line.split_whitespace().collect();
    match words.as_slice() {
        ["STARTTLS"] => "ERR FEATURE-NOT-CONFIGURED".into(),
        ["USERNAME" | "PASSWORD", _] => "OK".into(),
        ["LOGIN", _] => {
            f.logins += 1;
            "OK".into()
        }
        ["PRIMARY", _] => "OK PRIMARY-GRANTED".into(),
        ["FSD", _] => {
            f.fsd = true;
            "OK FSD-SET".into()
        }
        ["GET", "VAR", ups, "ups.status"] => {
            let st = if f.fsd {
                format!("FSD {}", f.status)
            } else {
                f.status.clone()
            };
            format!("VAR {ups} ups.status \"{st}\"")
        }
        ["GET", "NUMLOGINS", ups] => format!("NUMLOGINS {ups} {}", f.logins),
        ["LOGOUT"] => "OK Goodbye".into(),
        _ => "ERR UNKNOWN-COMMAND".into(),
    }
}

async fn fake_upsd(status: &str) -> (u16, Shared) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let fake: Shared = Arc::new(Mutex::new(Fake {
        status: status.into(),
        ..Fake::default()
    }));
    let f = fake.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let f = f.clone();
            tokio::spawn(async move {
                let (rd, mut wr) = sock.into_split();
                let mut lines = BufReader::new(rd).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    let r = reply(&f, &line);
                    if wr.write_all(format!("{r}\n").as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, fake)
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("nut-rs-rt-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn conf(port: u16, role: &str, dir: &Path) -> UpsmonConf {
    let text = format!(
        "MONITOR ups@127.0.0.1:{port} 1 admin secret {role}\n\
         NOTIFYCMD \"echo \\\"$NOTIFYTYPE $UPSNAME\\\" >> {d}/notify.log; echo\"\n\
         SHUTDOWNCMD \"echo done > {d}/marker\"\nPOWERDOWNFLAG {d}/killpower\n\
         NOTIFYFLAG ONBATT EXEC\nNOTIFYFLAG LOWBATT EXEC\nNOTIFYFLAG ONLINE EXEC\n\
         NOTIFYFLAG FSD EXEC\nNOTIFYFLAG SHUTDOWN EXEC\nNOTIFYFLAG COMMBAD EXEC\n",
        d = dir.display()
    );
    UpsmonConf::parse(&text, "upsmon.conf").unwrap().config
}

fn fast(conf: &UpsmonConf) -> Settings {
    let mut s = Settings::from_conf(conf);
    let ms = Duration::from_millis;
    (
        s.pollfreq,
        s.pollfreqalert,
        s.hostsync,
        s.deadtime,
        s.finaldelay,
    ) = (ms(50), ms(50), ms(300), ms(500), ms(0));
    s
}

fn monitor(conf: &UpsmonConf) -> Upsmon<TcpConnector> {
    let log = Logger::stderr_only("upsmon-test");
    let notifier = Notifier::new(conf.notifycmd.clone(), None, log.clone());
    let power = DirectPowerOff::prepare(conf, &log);
    Upsmon::new(
        conf,
        TcpConnector::new(conf),
        notifier,
        Box::new(power),
        log,
    )
    .with_settings(fast(conf))
}

async fn read_lines(path: &Path, want: usize) -> Vec<String> {
    for _ in 0..100 {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() >= want {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn primary_on_low_battery_sets_fsd_and_shuts_down() {
    let dir = temp_dir("primary");
    let (port, fake) = fake_upsd("OL").await;
    let c = conf(port, "primary", &dir);
    let (_tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(monitor(&c).run(rx));
    tokio::time::sleep(Duration::from_millis(200)).await;
    fake.lock().unwrap().status = "OB LB".into();
    let finish = tokio::time::timeout(Duration::from_secs(5), run).await;
    assert_eq!(finish.unwrap().unwrap(), Finish::ShutDown);
    let seen = fake.lock().unwrap().seen.clone();
    assert_eq!(
        &seen[..6],
        [
            "STARTTLS",
            "USERNAME admin",
            "PASSWORD secret",
            "LOGIN ups",
            "PRIMARY ups",
            "GET VAR ups ups.status"
        ]
    );
    let tail: Vec<&str> = seen
        .iter()
        .map(String::as_str)
        .skip_while(|l| !l.starts_with("FSD"))
        .collect();
    assert_eq!(
        tail,
        ["FSD ups", "GET NUMLOGINS ups"],
        "after FSD: {seen:?}"
    );
    let sys = format!("ups@127.0.0.1:{port}");
    let notes = read_lines(&dir.join("notify.log"), 3).await;
    assert_eq!(
        notes,
        [
            format!("ONBATT {sys}"),
            format!("LOWBATT {sys}"),
            "SHUTDOWN ".to_owned()
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("marker")).unwrap(),
        "done\n"
    );
    assert_eq!(
        std::fs::read(dir.join("killpower")).unwrap(),
        SDMAGIC.as_bytes()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn secondary_shuts_down_on_fsd_without_touching_the_ups() {
    let dir = temp_dir("secondary");
    let (port, fake) = fake_upsd("OB").await;
    let c = conf(port, "secondary", &dir);
    let (_tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(monitor(&c).run(rx));
    tokio::time::sleep(Duration::from_millis(200)).await;
    fake.lock().unwrap().fsd = true;
    let finish = tokio::time::timeout(Duration::from_secs(5), run).await;
    assert_eq!(finish.unwrap().unwrap(), Finish::ShutDown);
    let seen = fake.lock().unwrap().seen.clone();
    assert!(
        !seen.iter().any(|l| l.starts_with("PRIMARY")
            || l.starts_with("FSD")
            || l.starts_with("GET NUMLOGINS")),
        "{seen:?}"
    );
    let sys = format!("ups@127.0.0.1:{port}");
    let notes = read_lines(&dir.join("notify.log"), 3).await;
    assert_eq!(
        notes,
        [
            format!("ONBATT {sys}"),
            format!("FSD {sys}"),
            "SHUTDOWN ".to_owned()
        ]
    );
    assert!(dir.join("marker").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn stop_logs_out_and_user_fsd_is_honoured() {
    let dir = temp_dir("stop");
    let (port, fake) = fake_upsd("OL").await;
    let c = conf(port, "primary", &dir);
    let (tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(monitor(&c).run(rx));
    tokio::time::sleep(Duration::from_millis(150)).await;
    tx.send(Control::Stop(15)).await.unwrap();
    let finish = tokio::time::timeout(Duration::from_secs(5), run).await;
    assert_eq!(finish.unwrap().unwrap(), Finish::Stopped);
    assert_eq!(
        fake.lock().unwrap().seen.last().map(String::as_str),
        Some("LOGOUT")
    );
    assert!(!dir.join("marker").exists());

    let (tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(monitor(&c).run(rx));
    tokio::time::sleep(Duration::from_millis(150)).await;
    tx.send(Control::UserFsd).await.unwrap();
    let finish = tokio::time::timeout(Duration::from_secs(5), run).await;
    assert_eq!(finish.unwrap().unwrap(), Finish::ShutDown);
    assert!(fake.lock().unwrap().seen.iter().any(|l| l == "FSD ups"));
    assert!(dir.join("marker").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn unreachable_server_is_commbad() {
    let dir = temp_dir("unreachable");
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = conf(port, "primary", &dir);
    let (tx, rx) = mpsc::channel(4);
    let run = tokio::spawn(monitor(&c).run(rx));
    let notes = read_lines(&dir.join("notify.log"), 1).await;
    assert_eq!(notes, [format!("COMMBAD ups@127.0.0.1:{port}")]);
    tx.send(Control::Stop(15)).await.unwrap();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(5), run)
            .await
            .unwrap()
            .unwrap(),
        Finish::Stopped
    );
    let _ = std::fs::remove_dir_all(&dir);
}
