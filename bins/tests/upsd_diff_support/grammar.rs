//! Random request lines for the differential sessions: a small xorshift generator and a
//! grammar of valid and invalid NUT network protocol v1.3 requests.
//!
//! Requests that would change what later requests see differently on the two servers are
//! never generated: `SET VAR` only writes a variable's current value (or a value upsd must
//! refuse), `FSD` only names `ghost` (no driver) or unknown UPSes, and non-numeric values
//! never go to RANGE variables (DEVIATIONS.md: "RANGE checks need the whole value to be an
//! integer", real upsd's `atoi()` would accept them and change the driver).

/// xorshift64* — deterministic per seed, no crates.
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (0 is remapped: xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

/// One step of a session: raw bytes to send (ending in a line terminator); `{TID}` is
/// replaced per server by the last tracking id that server handed out in this session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub line: String,
    /// For a line that may get no reply (an unescaped `#` inside quotes) or that leaves a
    /// quote or escape open: what to send next to finish it; then [`PROBE`] is sent, and
    /// every line up to its reply [`PROBE_REPLY`] is the reply.
    pub closer: Option<&'static str>,
}

/// The request that ends a reply of unknown length (the grammar never asks for `zz.probe`).
pub const PROBE: &str = "GET DESC dummy zz.probe\n";
/// Its reply.
pub const PROBE_REPLY: &str = "DESC dummy zz.probe \"Description unavailable\"";

const UPS: &[&str] = &[
    "dummy", "second", "sim", "ghost", "nosuch", "DUMMY", "Sim", "sim2",
];
const VARS: &[&str] = &[
    "ups.status",
    "device.mfr",
    "device.model",
    "driver.name",
    "outlet.1.desc",
    "battery.charge",
    "battery.type",
    "input.sensitivity",
    "ups.delay.shutdown",
    "ups.delay.start",
    "ups.load",
    "ups.id",
    "server.version",
    "server.info",
    "SERVER.INFO",
    "UPS.STATUS",
    "no.such.var",
    "input.voltage",
    "ups.mfr",
];
const CMDS: &[&str] = &[
    "load.off",
    "load.on",
    "test.battery.start.quick",
    "beeper.enable",
    "Beeper.Disable",
    "no.such.cmd",
    "shutdown.return",
];
/// The users of `upsd.users` with their passwords as sent.
const CREDENTIALS: &[(&str, &str)] = &[
    ("setter", "s3t"),
    ("boss", "\"b o\\\"ss\""),
    ("prim", "pp"),
    ("sec", "ss"),
    ("nobody", "nn"),
];
const USERS: &[&str] = &[
    "setter", "boss", "prim", "sec", "nobody", "stranger", "SETTER",
];
const PASSWORDS: &[&str] = &["s3t", "b o\"ss", "pp", "ss", "nn", "wrong", "S3T", ""];

/// `(ups, var, value)` whose SET cannot change the drivers' data: current values, values
/// upsd refuses (enum/range/length/read-only/unknown), on UPSes that exist or not.
const SETS: &[(&str, &str, &str)] = &[
    ("dummy", "device.model", "DBQ10634/5"),
    ("dummy", "device.mfr", "EATON | Powerware"),
    ("dummy", "outlet.1.desc", "Outlet 1"),
    (
        "dummy",
        "device.model",
        "0123456789012345678901234567890123456789",
    ),
    ("dummy", "no.such.var", "x"),
    ("second", "ups.mfr", "ACME"),
    ("sim", "ups.delay.shutdown", "20"),
    ("sim", "ups.delay.shutdown", "601"),
    ("sim", "ups.delay.shutdown", "-1"),
    ("sim", "ups.delay.start", "30"),
    ("sim", "ups.delay.start", "100"),
    ("sim", "ups.delay.start", "181"),
    ("sim", "battery.type", "PbAc"),
    ("sim", "battery.type", "pbac"),
    ("sim", "battery.type", "Ni"),
    ("sim", "battery.type", ""),
    ("sim", "input.sensitivity", "medium"),
    ("sim", "input.sensitivity", "extreme"),
    ("sim", "ups.load", "23"),
    ("sim", "ups.id", "simid"),
    ("sim", "ups.id", "123456789"),
    ("sim", "driver.name", "dummy-ups"),
    ("sim", "no.such", "1"),
    ("ghost", "ups.id", "x"),
    ("nosuch", "ups.id", "x"),
];

/// Draws random session lines.
pub struct Grammar<'r> {
    rng: &'r mut Rng,
}

impl<'r> Grammar<'r> {
    pub fn new(rng: &'r mut Rng) -> Self {
        Self { rng }
    }

    /// A session's opening: often the right USERNAME and PASSWORD of one of the users (so
    /// that the privileged paths are reached), sometimes with tracking on.
    pub fn preamble(&mut self) -> Vec<Step> {
        let r = &mut *self.rng;
        if !r.chance(45) {
            return Vec::new();
        }
        let (user, pass) = CREDENTIALS[r.below(CREDENTIALS.len())];
        let mut lines = vec![format!("USERNAME {user}\n"), format!("PASSWORD {pass}\n")];
        if r.chance(40) {
            lines.push("SET TRACKING ON\n".into());
        }
        lines
            .into_iter()
            .map(|line| Step { line, closer: None })
            .collect()
    }

    /// One random step.
    pub fn step(&mut self) -> Step {
        let first = self.one();
        if first.closer.is_some() || !self.rng.chance(6) {
            return first;
        }
        // Pipelined: a second request in the same write (upsd answers every line it read,
        // even after a LOGOUT among them).
        let second = self.one();
        Step {
            line: first.line + &second.line,
            closer: Some(second.closer.unwrap_or_default()),
        }
    }

    fn one(&mut self) -> Step {
        let words = self.words();
        let words = self.mutate(words);
        self.join(&words)
    }

    /// The words of one request (before mutation); each word is sent quoted if needed.
    fn words(&mut self) -> Vec<String> {
        let r = &mut *self.rng;
        let ups = r.pick(UPS).to_string();
        let var = r.pick(VARS).to_string();
        let w = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        match r.below(35) {
            0 => w(&["VER"]),
            1 => w(&["NETVER"]),
            2 => w(&["HELP"]),
            3 => w(&["PROTVER"]),
            4 => w(&["STARTTLS"]),
            5 | 6 => w(&["USERNAME", r.pick(USERS)]),
            7 | 8 => w(&["PASSWORD", r.pick(PASSWORDS)]),
            9 => w(&["LOGIN", &ups]),
            10 => w(&[r.pick(&["MASTER", "PRIMARY"]), &ups]),
            11 => w(&["FSD", r.pick(&["ghost", "nosuch", "GHOST"])]),
            12 => w(&["GET", "NUMLOGINS", &ups]),
            13 => w(&["GET", "UPSDESC", &ups]),
            14 | 15 => w(&["GET", "VAR", &ups, &var]),
            16 => w(&["GET", "TYPE", &ups, &var]),
            17 => w(&["GET", "DESC", &ups, &var]),
            18 => w(&["GET", "CMDDESC", &ups, r.pick(CMDS)]),
            19 => w(&[
                "GET",
                "TRACKING",
                r.pick(&["{TID}", "{TID}", "nope", "{TID}x"]),
            ]),
            20 => w(&["GET", "TRACKING"]),
            21 => w(&["LIST", "UPS"]),
            22 => w(&["LIST", r.pick(&["VAR", "RW"]), &ups]),
            23 => w(&["LIST", "CMD", &ups]),
            24 => w(&["LIST", r.pick(&["ENUM", "RANGE"]), &ups, &var]),
            25 => w(&["LIST", r.pick(&["CLIENT", "CLIENTS"]), &ups]),
            26 | 27 => {
                let (u, v, val) = SETS[r.below(SETS.len())];
                w(&["SET", "VAR", u, v, val])
            }
            28 => w(&["SET", "TRACKING", r.pick(&["ON", "OFF", "on", "maybe"])]),
            29 => {
                let mut cmd = w(&["INSTCMD", &ups, r.pick(CMDS)]);
                if r.chance(40) {
                    cmd.push(r.pick(&["1", "with space", "a\"b"]).into());
                }
                cmd
            }
            30 => w(&["LOGOUT"]),
            31 => w(&[r.pick(&["FOO", "GETT", "LIS", "SETVAR", "INSTCMDS", "USER", "get"])]),
            32 => w(&[
                r.pick(&["GET", "LIST", "SET"]),
                r.pick(&["FOO", "VARS", "UPS", ""]),
            ]),
            _ => Vec::new(),
        }
    }

    /// Random case of keywords, missing or extra arguments, very long words.
    fn mutate(&mut self, mut words: Vec<String>) -> Vec<String> {
        let r = &mut *self.rng;
        if r.chance(15) {
            for word in words.iter_mut().take(2) {
                *word = random_case(r, word);
            }
        }
        // A SET VAR's value must stay a safe one: never drop or replace it.
        let set_var =
            words.first().is_some_and(|w| w.eq_ignore_ascii_case("SET")) && words.len() == 5;
        if r.chance(8) && !words.is_empty() && !set_var {
            words.pop();
        }
        if r.chance(8) && !set_var {
            words.push(r.pick(&["extra", "\"two words\"", "ON", "1"]).into());
        }
        if r.chance(3) && !set_var {
            // Past upsd's 32 words per line.
            words.extend((0..30 + r.below(10)).map(|i| format!("w{i}")));
        }
        if r.chance(3) && !words.is_empty() && !set_var {
            // Bytes the splitter drops (control characters, non-ASCII) inside a word.
            let at = r.below(words.len());
            let odd = r.pick(&["\u{1}", "\u{7f}", "\u{e9}", "\u{0}", "\u{b}"]);
            let pos = r.below(words[at].len() + 1);
            if words[at].is_char_boundary(pos) {
                words[at].insert_str(pos, odd);
            }
        }
        if r.chance(3) {
            let at = if set_var {
                words.len()
            } else {
                r.below(words.len() + 1)
            };
            words.insert(at, "W".repeat(300 + r.below(900)));
        }
        words
    }

    /// Joins words with random separators and quoting; adds a line terminator.
    fn join(&mut self, words: &[String]) -> Step {
        let r = &mut *self.rng;
        let mut line = String::new();
        if r.chance(5) {
            line.push_str(r.pick(&[" ", "\t", "  \t "]));
        }
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                line.push_str(if r.chance(10) {
                    r.pick(&["\t", "  ", " \t"])
                } else {
                    " "
                });
            }
            line.push_str(&quote(r, word));
        }
        let (suffix, mut closer) = match r.below(100) {
            0..=3 => (r.pick(&[" ", "\t", " # a comment"]), None),
            4..=5 => (" \"unterminated", Some("\"\n")),
            // A `"` inside a bare word is an ordinary byte: no quote is opened.
            12..=13 => ("x\"y", None),
            6..=7 => (" \"x\\", Some("\"\n")),
            8 => (" \\", Some("\n")),
            // DEVIATIONS.md: after a `#` inside quotes real upsd drops the rest of its 512-byte
            // read buffer, we the rest of the line: only the same on lines within one read.
            9..=11 if line.len() < 480 => (" \"a #b\"", Some("")),
            _ => ("", None),
        };
        line.push_str(suffix);
        line.push_str(if r.chance(5) { "\r\n" } else { "\n" });
        if closer.is_none() && line.contains('#') {
            closer = Some("");
        }
        Step { line, closer }
    }
}

/// Flips the case of each letter with probability 1/2.
fn random_case(r: &mut Rng, word: &str) -> String {
    word.chars()
        .map(|c| {
            if r.chance(50) {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

/// A word as sent: bare when it can be, else quoted with `\` before `"` and `\`; sometimes
/// quoted (or with needless escapes) anyway.
fn quote(r: &mut Rng, word: &str) -> String {
    let needs = word.is_empty() || word.contains([' ', '"', '\\', '\t', '#']);
    if word.contains("{TID}") || (!needs && !r.chance(15)) {
        return word.to_string();
    }
    let mut out = String::from("\"");
    for c in word.chars() {
        if matches!(c, '"' | '\\') || (c.is_ascii_alphabetic() && r.chance(3)) {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}
