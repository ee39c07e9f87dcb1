//! Load generator for NUT data servers: C concurrent connections for a fixed time.
//!
//! ```text
//! cargo run --release -p nut-benches --bin loadgen -- \
//!     --target ours=127.0.0.1:3493 --target real=127.0.0.1:3494 --ups dummy --var ups.status \
//!     --mode get --clients 100 --secs 5
//! ```
//!
//! Modes: `get` (GET VAR), `list` (LIST VAR), `churn` (connect, VER, LOGOUT, close),
//! `burst` (N simultaneous connects, connect-time percentiles), `idle` (hold N idle clients,
//! report the server's RSS from /proc/PID), `slowreader` (`get` while one client floods
//! LIST VAR and never reads). Each target is measured in turn; the first is compared with
//! the others as ratios.
//!
//! `--pipeline K` (modes `get`, `list`): each client writes K requests at once and then reads
//! the K answers (as a client asking for several variables does), instead of one at a time.
//! `--connect-first`: connect the clients one by one (each answered a `VER`) before starting
//! the clock, so the rate is the steady state, free of connect stalls (a short accept queue),
//! which the default mode includes.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Clone)]
struct Opts {
    targets: Vec<(String, SocketAddr, Option<u32>)>,
    ups: String,
    var: String,
    mode: String,
    clients: usize,
    secs: u64,
    pipeline: usize,
    connect_first: bool,
}

fn parse() -> Opts {
    let mut o = Opts {
        targets: Vec::new(),
        ups: "dummy".into(),
        var: "ups.status".into(),
        mode: "get".into(),
        clients: 100,
        secs: 5,
        pipeline: 1,
        connect_first: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut v = || it.next().cloned().unwrap_or_default();
        match a.as_str() {
            // --target name=addr[@pid]
            "--target" => {
                let v = v();
                let (name, rest) = v.split_once('=').unwrap_or(("target", &v));
                let (addr, pid) = rest
                    .split_once('@')
                    .map_or((rest, None), |(a, p)| (a, p.parse().ok()));
                o.targets
                    .push((name.into(), addr.parse().expect("address host:port"), pid));
            }
            "--ups" => o.ups = v(),
            "--var" => o.var = v(),
            "--mode" => o.mode = v(),
            "--clients" | "-c" => o.clients = v().parse().expect("number"),
            "--secs" | "-d" => o.secs = v().parse().expect("seconds"),
            "--pipeline" => o.pipeline = v().parse::<usize>().expect("number").max(1),
            "--connect-first" => o.connect_first = true,
            _ => panic!("unknown option {a} (see the file's docs)"),
        }
    }
    assert!(
        !o.targets.is_empty(),
        "give at least one --target name=host:port[@pid]"
    );
    o
}

#[derive(Default)]
struct Stats {
    lat_us: Vec<u32>,
    errors: u64,
    elapsed: Duration,
    note: String,
}

impl Stats {
    fn pct(&mut self, p: f64) -> f64 {
        if self.lat_us.is_empty() {
            return f64::NAN;
        }
        self.lat_us.sort_unstable();
        let i = ((self.lat_us.len() - 1) as f64 * p).round() as usize;
        f64::from(self.lat_us[i]) / 1000.0
    }

    fn rate(&self) -> f64 {
        self.lat_us.len() as f64 / self.elapsed.as_secs_f64()
    }
}

async fn read_reply(rd: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, list: bool) -> bool {
    let mut line = String::new();
    loop {
        line.clear();
        match rd.read_line(&mut line).await {
            Ok(0) | Err(_) => return false,
            Ok(_) => {}
        }
        if !list || line.starts_with("END LIST") || line.starts_with("ERR") {
            return !line.starts_with("ERR");
        }
    }
}

/// One connection asking `req` (`depth` requests in one write) in a loop until `stop`; each
/// answered request counts once, with its batch's round-trip time.
async fn asker(
    conn: Result<TcpStream, SocketAddr>,
    req: String,
    depth: usize,
    list: bool,
    stop: Arc<AtomicBool>,
) -> Stats {
    let mut st = Stats::default();
    let s = match conn {
        Ok(s) => s,
        Err(addr) => match TcpStream::connect(addr).await {
            Ok(s) => s,
            Err(_) => {
                st.errors += 1;
                return st;
            }
        },
    };
    let _ = s.set_nodelay(true);
    let (rd, mut wr) = s.into_split();
    let mut rd = BufReader::new(rd);
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        if wr.write_all(req.as_bytes()).await.is_err() {
            st.errors += 1;
            break;
        }
        for _ in 0..depth {
            if !read_reply(&mut rd, list).await {
                st.errors += 1;
                return st;
            }
        }
        let us = t.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        st.lat_us.extend(std::iter::repeat_n(us, depth));
    }
    st
}

/// Connect, VER, LOGOUT, close, in a loop.
async fn churner(addr: SocketAddr, stop: Arc<AtomicBool>) -> Stats {
    let mut st = Stats::default();
    while !stop.load(Ordering::Relaxed) {
        let t = Instant::now();
        let ok = async {
            let s = TcpStream::connect(addr).await.ok()?;
            let (rd, mut wr) = s.into_split();
            let mut rd = BufReader::new(rd);
            wr.write_all(b"VER\n").await.ok()?;
            read_reply(&mut rd, false).await.then_some(())?;
            wr.write_all(b"LOGOUT\n").await.ok()?;
            read_reply(&mut rd, false).await.then_some(())
        }
        .await;
        match ok {
            Some(()) => st.lat_us.push(t.elapsed().as_micros() as u32),
            None => st.errors += 1,
        }
    }
    st
}

async fn timed(o: &Opts, addr: SocketAddr, list: bool) -> Stats {
    let stop = Arc::new(AtomicBool::new(false));
    let one = if list {
        format!("LIST VAR {}\n", o.ups)
    } else {
        format!("GET VAR {} {}\n", o.ups, o.var)
    };
    let req = one.repeat(o.pipeline);
    let mut conns: Vec<Result<TcpStream, SocketAddr>> = Vec::with_capacity(o.clients);
    let mut note = String::new();
    if o.connect_first && o.mode != "churn" {
        let t = Instant::now();
        let (streams, failed) = connect_all(addr, o.clients).await;
        note = format!(
            "connected {} in {:.0} ms ({failed} failed) before the clock; ",
            streams.len(),
            t.elapsed().as_secs_f64() * 1000.0
        );
        conns.extend(streams.into_iter().map(Ok));
    } else {
        conns.extend((0..o.clients).map(|_| Err(addr)));
    }
    let start = Instant::now();
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|c| match o.mode.as_str() {
            "churn" => tokio::spawn(churner(addr, stop.clone())),
            _ => tokio::spawn(asker(c, req.clone(), o.pipeline, list, stop.clone())),
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(o.secs)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Stats {
        note,
        ..Stats::default()
    };
    for t in tasks {
        let s = t.await.unwrap();
        all.lat_us.extend(s.lat_us);
        all.errors += s.errors;
    }
    all.elapsed = start.elapsed();
    all
}

/// Opens `n` connections one after another, each proven accepted by a `VER` round trip
/// (given 10 s), so that a short accept queue cannot leave any of them stalled when the clock
/// starts: the streams, and how many failed.
async fn connect_all(addr: SocketAddr, n: usize) -> (Vec<TcpStream>, usize) {
    let mut streams = Vec::with_capacity(n);
    for _ in 0..n {
        let one = async {
            let mut s = TcpStream::connect(addr).await.ok()?;
            s.write_all(b"VER\n").await.ok()?;
            let mut rd = BufReader::new(&mut s);
            let mut line = String::new();
            rd.read_line(&mut line).await.ok()?;
            (!line.is_empty()).then_some(s)
        };
        if let Ok(Some(s)) = tokio::time::timeout(Duration::from_secs(10), one).await {
            streams.push(s);
        }
    }
    let failed = n - streams.len();
    (streams, failed)
}

/// `clients` simultaneous connects; latency = time to connect and get a VER reply.
async fn burst(o: &Opts, addr: SocketAddr) -> Stats {
    let start = Instant::now();
    let tasks: Vec<_> = (0..o.clients)
        .map(|_| {
            tokio::spawn(async move {
                let t = Instant::now();
                let s = TcpStream::connect(addr).await.ok()?;
                let (rd, mut wr) = s.into_split();
                wr.write_all(b"VER\n").await.ok()?;
                let ok = read_reply(&mut BufReader::new(rd), false).await;
                ok.then(|| t.elapsed().as_micros() as u32)
            })
        })
        .collect();
    let mut st = Stats::default();
    for t in tasks {
        match t.await.unwrap() {
            Some(us) => st.lat_us.push(us),
            None => st.errors += 1,
        }
    }
    st.elapsed = start.elapsed();
    st
}

/// Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux).
const TICKS: f64 = 100.0;

/// User and system CPU seconds used so far by process `pid` (all its threads).
fn cpu_secs(pid: Option<u32>) -> Option<(f64, f64)> {
    let text = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = &text[text.rfind(')')? + 2..];
    let mut f = rest.split_whitespace().skip(11);
    let user: f64 = f.next()?.parse().ok()?;
    let sys: f64 = f.next()?.parse().ok()?;
    Some((user / TICKS, sys / TICKS))
}

/// CPU seconds (user, system) used so far by this load generator.
fn own_cpu_secs() -> Option<(f64, f64)> {
    cpu_secs(Some(std::process::id()))
}

fn rss_kib(pid: Option<u32>) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Holds `clients` idle connections and reports the server's RSS growth.
async fn idle(o: &Opts, addr: SocketAddr, pid: Option<u32>) -> Stats {
    let before = rss_kib(pid);
    let mut conns = Vec::with_capacity(o.clients);
    let mut st = Stats::default();
    let start = Instant::now();
    // Connect in waves of 500 so a server with a short accept queue is not hit by all at once.
    for wave in (0..o.clients).collect::<Vec<_>>().chunks(500) {
        let tasks: Vec<_> = wave
            .iter()
            .map(|_| {
                tokio::spawn(tokio::time::timeout(
                    Duration::from_secs(5),
                    TcpStream::connect(addr),
                ))
            })
            .collect();
        for t in tasks {
            match t.await.unwrap() {
                Ok(Ok(c)) => conns.push(c),
                _ => st.errors += 1,
            }
        }
    }
    tokio::time::sleep(Duration::from_secs(o.secs)).await;
    let after = rss_kib(pid);
    // A short GET VAR run proves the server still answers with all of them connected.
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        s2.store(true, Ordering::Relaxed);
    });
    let req = format!("GET VAR {} {}\n", o.ups, o.var);
    let probe = asker(Err(addr), req, 1, false, stop).await;
    st.lat_us = probe.lat_us;
    st.elapsed = start.elapsed();
    st.note = format!(
        "held {} idle; server RSS {} -> {} MiB",
        conns.len(),
        before.map_or_else(|| "?".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
        after.map_or_else(|| "?".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
    );
    drop(conns);
    st
}

/// `get` while one client floods LIST VAR and never reads its replies.
async fn slowreader(o: &Opts, addr: SocketAddr) -> Stats {
    let mut hog = TcpStream::connect(addr).await.unwrap();
    let flood = format!("LIST VAR {}\n", o.ups).repeat(200_000);
    let hog_task = tokio::spawn(async move {
        let _ =
            tokio::time::timeout(Duration::from_secs(60), hog.write_all(flood.as_bytes())).await;
        hog
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut st = timed(o, addr, false).await;
    st.note = "while one client floods LIST VAR without reading".into();
    hog_task.abort();
    st
}

/// Server CPU per request (user + kernel) and busy share, and the load generator's own busy
/// share: a server well below 100 % busy was limited by something else (the load generator,
/// latency).
type Cpu = (Option<(f64, f64)>, Option<(f64, f64)>);

fn cpu_note(st: &Stats, before: Cpu, after: Cpu) -> String {
    let wall = st.elapsed.as_secs_f64();
    let mut note = String::new();
    if let (Some(a), Some(b)) = (before.0, after.0) {
        let reqs = st.lat_us.len().max(1) as f64;
        let (user, sys) = (b.0 - a.0, b.1 - a.1);
        note.push_str(&format!(
            "server {:.1} us CPU/req ({:.1} user + {:.1} kernel), {:.0}% busy; ",
            (user + sys) * 1e6 / reqs,
            user * 1e6 / reqs,
            sys * 1e6 / reqs,
            (user + sys) * 100.0 / wall
        ));
    }
    if let (Some(a), Some(b)) = (before.1, after.1) {
        let used = (b.0 - a.0) + (b.1 - a.1);
        note.push_str(&format!("loadgen {:.0}% busy", used * 100.0 / wall));
    }
    note
}

fn main() {
    let o = parse();
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!(
        "mode={} clients={} secs={} ups={} var={} pipeline={}{}",
        o.mode,
        o.clients,
        o.secs,
        o.ups,
        o.var,
        o.pipeline,
        if o.connect_first {
            " (connected before the clock)"
        } else {
            ""
        }
    );
    println!(
        "{:<8} {:>12} {:>10} {:>10} {:>10} {:>8}  note",
        "target", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    let mut rates = Vec::new();
    for (name, addr, pid) in &o.targets {
        let cpu0 = (cpu_secs(*pid), own_cpu_secs());
        let mut st = rt.block_on(async {
            match o.mode.as_str() {
                "get" | "churn" => timed(&o, *addr, false).await,
                "list" => timed(&o, *addr, true).await,
                "burst" => burst(&o, *addr).await,
                "idle" => idle(&o, *addr, *pid).await,
                "slowreader" => slowreader(&o, *addr).await,
                m => panic!("unknown mode {m}"),
            }
        });
        if matches!(o.mode.as_str(), "get" | "list" | "churn") {
            st.note
                .push_str(&cpu_note(&st, cpu0, (cpu_secs(*pid), own_cpu_secs())));
        }
        let (p50, p99, max) = (st.pct(0.5), st.pct(0.99), st.pct(1.0));
        println!(
            "{name:<8} {:>12.0} {p50:>10.3} {p99:>10.3} {max:>10.3} {:>8}  {}",
            st.rate(),
            st.errors,
            st.note
        );
        rates.push((name.clone(), st.rate(), p50));
    }
    if o.mode == "idle" {
        return;
    }
    if let Some((first, r0, l0)) = rates.first().cloned() {
        for (name, r, l) in rates.iter().skip(1) {
            println!(
                "{first} vs {name}: throughput x{:.2}, p50 latency {name}/{first} x{:.2}",
                r0 / r,
                l / l0
            );
        }
    }
}
