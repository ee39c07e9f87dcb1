//! A real upsd 2.8.0 serving one UPS from a scripted driver socket (included with `#[path]`;
//! built alone it is an empty test crate).
//!
//! Real `dummy-ups` 2.8.0 cannot publish ENUM or RANGE lists, values with `"`, or empty
//! values. This harness speaks the driver-socket protocol itself (the dump any 2.8.0 driver
//! sends on `DUMPALL`), so the client tools can be compared on those cases while the server
//! stays NUT's own. A `SET var "value"` from upsd is applied and broadcast back as a
//! `SETINFO`; `SET`/`INSTCMD` with `TRACKING <id>` are answered `TRACKING <id> 0`.
//!
//! Users in `upsd.users`: `admin`/`secret` (`actions = SET`, `instcmds = ALL`).
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The UPS name the scripted driver serves.
pub const UPS: &str = "fake";

/// One variable of the scripted driver, in dump order.
#[derive(Debug, Clone, Default)]
pub struct Var {
    /// Name.
    pub name: String,
    /// Value (unescaped).
    pub value: String,
    /// `SETFLAGS` words (`RW`, `STRING`, `NUMBER`).
    pub flags: Vec<&'static str>,
    /// `SETAUX` (maximum length of a STRING).
    pub aux: Option<u32>,
    /// `ADDENUM` values.
    pub enums: Vec<String>,
    /// `ADDRANGE` pairs.
    pub ranges: Vec<(i32, i32)>,
}

impl Var {
    /// A variable with no flags.
    pub fn new(name: &str, value: &str) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
            ..Self::default()
        }
    }

    /// Adds `SETFLAGS` words.
    pub fn flags(mut self, flags: &[&'static str]) -> Self {
        self.flags.extend_from_slice(flags);
        self
    }

    /// Sets `SETAUX`.
    pub fn aux(mut self, aux: u32) -> Self {
        self.aux = Some(aux);
        self
    }

    /// Adds `ADDENUM` values.
    pub fn enums(mut self, values: &[&str]) -> Self {
        self.enums.extend(values.iter().map(|v| v.to_string()));
        self
    }

    /// Adds an `ADDRANGE`.
    pub fn range(mut self, min: i32, max: i32) -> Self {
        self.ranges.push((min, max));
        self
    }
}

/// `"…"` with `\` and `"` escaped, as the driver protocol wants.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dump(vars: &[Var], cmds: &[&str]) -> String {
    let mut out = String::new();
    for v in vars {
        out += &format!("SETINFO {} {}\n", v.name, quote(&v.value));
        for e in &v.enums {
            out += &format!("ADDENUM {} {}\n", v.name, quote(e));
        }
        for (lo, hi) in &v.ranges {
            out += &format!("ADDRANGE {} {lo} {hi}\n", v.name);
        }
        if let Some(aux) = v.aux {
            out += &format!("SETAUX {} {aux}\n", v.name);
        }
        if !v.flags.is_empty() {
            out += &format!("SETFLAGS {} {}\n", v.name, v.flags.join(" "));
        }
    }
    for c in cmds {
        out += &format!("ADDCMD {c}\n");
    }
    out + "DATAOK\nDUMPDONE\n"
}

/// Splits a driver-socket line into words (`"…"` groups, `\` escapes).
fn words(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut escaped, mut any) =
        (Vec::new(), String::new(), false, false, false);
    for c in line.chars() {
        match c {
            _ if escaped => (cur.push(c), escaped = false).0,
            '\\' => (escaped, any) = (true, true),
            '"' => (quoted, any) = (!quoted, true),
            ' ' | '\t' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            _ => (cur.push(c), any = true).0,
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// What the driver answers to one line from upsd.
fn answer(line: &str, dumped: &str) -> String {
    let w = words(line);
    let tracking = match w.iter().position(|x| x == "TRACKING") {
        Some(i) => w
            .get(i + 1)
            .map(|id| format!("TRACKING {id} 0\n"))
            .unwrap_or_default(),
        None => String::new(),
    };
    match w.first().map(String::as_str) {
        Some("DUMPALL") => dumped.to_string(),
        Some("PING") => "PONG\n".into(),
        Some("SET") if w.len() >= 3 => format!("SETINFO {} {}\n{tracking}", w[1], quote(&w[2])),
        Some("INSTCMD") => tracking,
        _ => String::new(),
    }
}

fn serve(stream: UnixStream, dumped: Arc<Mutex<String>>) {
    let mut writer = stream.try_clone().unwrap();
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        let reply = answer(&line, &dumped.lock().unwrap());
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// A real upsd serving [`UPS`] from the scripted driver.
#[derive(Debug)]
pub struct FakeNut {
    dir: PathBuf,
    port: u16,
    upsd: Child,
}

const USERS: &str = "[admin]\n\tpassword = secret\n\tactions = SET\n\tinstcmds = ALL\n";

impl FakeNut {
    /// Starts the driver socket and upsd; panics with upsd's log if it does not serve data.
    pub fn start(vars: &[Var], cmds: &[&str]) -> Self {
        let stamp = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let dir = std::env::temp_dir().join(format!(
            "nut-rs-fakedrv-{}-{}",
            std::process::id(),
            stamp.as_nanos()
        ));
        let (conf, state) = (dir.join("conf"), dir.join("state"));
        std::fs::create_dir_all(&conf).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        let listener = UnixListener::bind(state.join(format!("fakedrv-{UPS}"))).unwrap();
        let dumped = Arc::new(Mutex::new(dump(vars, cmds)));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let dumped = Arc::clone(&dumped);
                std::thread::spawn(move || serve(stream, dumped));
            }
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let files = [
            (
                "ups.conf",
                format!("[{UPS}]\n\tdriver = fakedrv\n\tport = none\n"),
            ),
            ("upsd.conf", format!("LISTEN 127.0.0.1 {port}\n")),
            ("upsd.users", USERS.to_string()),
            ("nut.conf", "MODE=netserver\n".to_string()),
        ];
        for (name, text) in files {
            std::fs::write(conf.join(name), text).unwrap();
        }
        let log = std::fs::File::create(dir.join("upsd.log")).unwrap();
        let upsd = Command::new("/lib/nut/upsd")
            .args(["-u", "root", "-F"])
            .env("NUT_CONFPATH", &conf)
            .env("NUT_STATEPATH", &state)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("spawning /lib/nut/upsd");
        let nut = Self { dir, port, upsd };
        nut.wait_ready();
        nut
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if self.get("GET VAR fake ups.status").starts_with("VAR ") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(self.dir.join("upsd.log")).unwrap_or_default();
        panic!("upsd did not serve the scripted driver:\n{log}");
    }

    /// One request on a fresh connection and its first reply line (empty on failure).
    pub fn get(&self, request: &str) -> String {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return String::new();
        };
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut reply = String::new();
        if writeln!(s, "{request}").is_ok() {
            let _ = BufReader::new(s).read_line(&mut reply);
        }
        reply
    }

    /// `fake@127.0.0.1:<port>`.
    pub fn addr(&self) -> String {
        format!("{UPS}@127.0.0.1:{}", self.port)
    }

    /// Waits (bounded) until `GET VAR fake <var>` answers `value`.
    pub fn wait_value(&self, var: &str, value: &str) -> bool {
        let want = format!("VAR {UPS} {var} {}\n", quote(value));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.get(&format!("GET VAR {UPS} {var}")) == want {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for FakeNut {
    fn drop(&mut self) {
        let _ = self.upsd.kill();
        let _ = self.upsd.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_lines_are_split_and_answered() {
        assert_eq!(
            words(r#"SET a.b "x \"y\" z" TRACKING 1-2"#),
            ["SET", "a.b", "x \"y\" z", "TRACKING", "1-2"]
        );
        assert_eq!(words(r#"SETINFO a """#), ["SETINFO", "a", ""]);
        assert_eq!(
            answer("SET a.b \"v\" TRACKING id", ""),
            "SETINFO a.b \"v\"\nTRACKING id 0\n"
        );
        assert_eq!(answer("PING", ""), "PONG\n");
        let d = dump(
            &[Var::new("a.b", "q\"")
                .flags(&["RW"])
                .enums(&["1"])
                .range(1, 2)
                .aux(3)],
            &["c"],
        );
        assert_eq!(d, "SETINFO a.b \"q\\\"\"\nADDENUM a.b \"1\"\nADDRANGE a.b 1 2\nSETAUX a.b 3\nSETFLAGS a.b RW\nADDCMD c\nDATAOK\nDUMPDONE\n");
    }
}
