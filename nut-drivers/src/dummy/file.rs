//! Definition files (`.dev`, `.seq`, `upsc` output): `var: value` lines split with NUT's
//! configuration-file rules, `TIMER <seconds>` pauses, and our `# @...` type annotations.

use std::fmt;

use nut_proto::text::{quote, split_config, split_line};

use super::table::MAX_VALUE;

/// One step of a definition file, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `var: value words...` (words joined by one space, cut at 127 bytes).
    Set {
        /// Variable name (the colon removed).
        var: String,
        /// Value.
        value: String,
    },
    /// `ups.status: OL CHRG`: the status tokens.
    Status(Vec<String>),
    /// `TIMER <n>`: stop reading for `n` seconds.
    Timer(u64),
}

/// A type declared with a `# @...` comment line (ignored by real dummy-ups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Annotation {
    /// `# @enum <var> <value>...`: allowed values (writable string).
    Enum(String, Vec<String>),
    /// `# @range <var> <min> <max> [<min> <max>...]`: allowed ranges (writable number).
    Range(String, Vec<(i64, i64)>),
    /// `# @string <var> <maxlen>`: writable string of at most `maxlen` bytes.
    String(String, i64),
    /// `# @number <var>`: writable number.
    Number(String),
    /// `# @readonly <var>`: not writable.
    ReadOnly(String),
    /// `# @cmd <name>...`: instant commands the simulated device accepts.
    Cmd(Vec<String>),
}

impl Annotation {
    /// The variable this annotation types (none for `@cmd`).
    pub fn var(&self) -> Option<&str> {
        match self {
            Self::Enum(v, _)
            | Self::Range(v, _)
            | Self::String(v, _)
            | Self::Number(v)
            | Self::ReadOnly(v) => Some(v),
            Self::Cmd(_) => None,
        }
    }
}

/// A parsed definition file. [`Display`](fmt::Display) writes it back as a definition file
/// (annotations first, then the steps) that parses to the same steps and annotations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevFile {
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The annotations, in order.
    pub annotations: Vec<Annotation>,
    /// Lines that could not be used, as `(line, reason)` (real dummy-ups skips them too).
    pub skipped: Vec<(usize, String)>,
}

impl DevFile {
    /// Parses a definition file. Never fails: bad lines are skipped and reported.
    pub fn parse(text: &str) -> Self {
        let mut f = Self::default();
        for item in split_config(text) {
            match item {
                Ok(l) => f.line(l.line, &l.words),
                Err((line, e)) => f.skipped.push((line, e.to_string())),
            }
        }
        for (i, raw) in text.lines().enumerate() {
            if let Some(rest) = raw.trim_start().strip_prefix('#') {
                if let Some(body) = rest.trim_start().strip_prefix('@') {
                    f.annotation(i + 1, body);
                }
            }
        }
        f
    }

    fn line(&mut self, line: usize, words: &[String]) {
        let Some((first, rest)) = words.split_first() else {
            return;
        };
        if first.starts_with("TIMER") {
            let secs = rest.first().map_or(0, |s| leading_u64(s));
            self.steps.push(Step::Timer(secs));
            return;
        }
        let var = first.split(':').next().unwrap_or_default();
        if var.is_empty() {
            self.skipped.push((line, "no variable name".into()));
        } else if var.starts_with("driver.") {
            // The dump's own driver data: the running driver publishes its own.
        } else if var.starts_with("ups.status") {
            self.steps.push(Step::Status(rest.to_vec()));
        } else {
            let value = truncate(rest.join(" "), MAX_VALUE);
            self.steps.push(Step::Set {
                var: var.to_owned(),
                value,
            });
        }
    }

    fn annotation(&mut self, line: usize, body: &str) {
        let words = match split_line(body) {
            Ok(w) => w,
            Err(e) => return self.skipped.push((line, e.to_string())),
        };
        match parse_annotation(&words) {
            Some(a) => self.annotations.push(a),
            None => self
                .skipped
                .push((line, format!("bad annotation @{}", words.join(" ")))),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Set { var, value } => {
                write!(f, "{} {}", quote(&format!("{var}:")), quote(value))
            }
            Self::Status(tokens) => {
                f.write_str("ups.status:")?;
                tokens.iter().try_for_each(|t| write!(f, " {}", quote(t)))
            }
            Self::Timer(secs) => write!(f, "TIMER {secs}"),
        }
    }
}

impl fmt::Display for Annotation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words = |f: &mut fmt::Formatter<'_>, ws: &[String]| {
            ws.iter().try_for_each(|w| write!(f, " {}", quote(w)))
        };
        match self {
            Self::Enum(var, values) => {
                write!(f, "# @enum {}", quote(var))?;
                words(f, values)
            }
            Self::Range(var, ranges) => {
                write!(f, "# @range {}", quote(var))?;
                ranges.iter().try_for_each(|(a, b)| write!(f, " {a} {b}"))
            }
            Self::String(var, len) => write!(f, "# @string {} {len}", quote(var)),
            Self::Number(var) => write!(f, "# @number {}", quote(var)),
            Self::ReadOnly(var) => write!(f, "# @readonly {}", quote(var)),
            Self::Cmd(names) => {
                f.write_str("# @cmd")?;
                words(f, names)
            }
        }
    }
}

impl fmt::Display for DevFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for a in &self.annotations {
            writeln!(f, "{a}")?;
        }
        for s in &self.steps {
            writeln!(f, "{s}")?;
        }
        Ok(())
    }
}

fn parse_annotation(words: &[String]) -> Option<Annotation> {
    let (kind, rest) = words.split_first()?;
    let var = || rest.first().cloned();
    Some(match (kind.to_ascii_lowercase().as_str(), rest.len()) {
        ("enum", n) if n >= 2 => Annotation::Enum(var()?, rest[1..].to_vec()),
        ("range", n) if n >= 3 && n % 2 == 1 => {
            let nums: Option<Vec<i64>> = rest[1..].iter().map(|s| s.parse().ok()).collect();
            let pairs = nums?.chunks(2).map(|p| (p[0], p[1])).collect();
            Annotation::Range(var()?, pairs)
        }
        ("string", 2) => Annotation::String(var()?, rest[1].parse().ok().filter(|n| *n > 0)?),
        ("number", 1) => Annotation::Number(var()?),
        ("readonly", 1) => Annotation::ReadOnly(var()?),
        ("cmd", n) if n >= 1 => Annotation::Cmd(rest.to_vec()),
        _ => return None,
    })
}

/// `atoi` for TIMER: the leading digits, 0 when none (negative delays are no delay).
fn leading_u64(s: &str) -> u64 {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(var: &str, value: &str) -> Step {
        Step::Set {
            var: var.into(),
            value: value.into(),
        }
    }

    #[test]
    fn dev_lines_follow_parseconf() {
        let f = DevFile::parse(
            "# comment\nups.mfr: \"American Power\"\nbattery.charge:   90 \n\
             ups.status: OL CHRG\ndriver.name: usbhid-ups\nTIMER 5\nups.load:\nx: a=b # c\n",
        );
        assert_eq!(
            f.steps,
            [
                set("ups.mfr", "American Power"),
                set("battery.charge", "90"),
                Step::Status(vec!["OL".into(), "CHRG".into()]),
                Step::Timer(5),
                set("ups.load", ""),
                set("x", "a = b"),
            ]
        );
    }

    #[test]
    fn long_values_are_cut_and_bad_lines_skipped() {
        let long = "v".repeat(300);
        let f = DevFile::parse(&format!("a: {long}\nb: \"open\n: nothing\n"));
        assert_eq!(f.steps, [set("a", &"v".repeat(127))]);
        assert_eq!(f.skipped.len(), 1, "{:?}", f.skipped);
    }

    #[test]
    fn annotations() {
        let f = DevFile::parse(
            "# @enum input.sensitivity low medium high\n# @range ups.delay.shutdown 0 600\n\
             #@string ups.id 8\n# @cmd beeper.enable beeper.disable\n# @readonly ups.load\n\
             # @range x 1\n# plain comment\n",
        );
        assert_eq!(
            f.annotations,
            [
                Annotation::Enum(
                    "input.sensitivity".into(),
                    vec!["low".into(), "medium".into(), "high".into()]
                ),
                Annotation::Range("ups.delay.shutdown".into(), vec![(0, 600)]),
                Annotation::String("ups.id".into(), 8),
                Annotation::Cmd(vec!["beeper.enable".into(), "beeper.disable".into()]),
                Annotation::ReadOnly("ups.load".into()),
            ]
        );
        assert_eq!(f.skipped.len(), 1);
        assert!(f.steps.is_empty());
    }

    #[test]
    fn written_back_it_parses_the_same() {
        let f = DevFile::parse(
            "# @enum x \"a b\" c\n# @range r -5 5 10 20\n# @cmd c.1 \"c#2\"\n\
             \"odd name\": \"v \\\"q\\\" \\# h\"\nups.status: OL \"\"\nTIMER 3\nempty:\n= x\n",
        );
        let text = f.to_string();
        assert!(
            text.starts_with("# @enum x \"a b\" c\n# @range r -5 5 10 20\n"),
            "{text}"
        );
        let again = DevFile::parse(&text);
        assert_eq!(
            (&again.steps, &again.annotations),
            (&f.steps, &f.annotations),
            "{text}"
        );
        assert!(again.skipped.is_empty(), "{:?}", again.skipped);
        assert_eq!(f.steps.len(), 5, "{:?}", f.steps);
    }
}
