//! Where log lines go: stdout (`-`) or files opened for appending, each opened once even when
//! several UPSes log to it.

use std::fs::{File, OpenOptions};
use std::io::Write;

use crate::error::strerror;
use crate::tools::{CliResult, Fatal};

/// One log target.
enum Sink {
    Stdout,
    File(String, File),
}

impl Sink {
    fn open(name: &str) -> Result<Self, Fatal> {
        if name == "-" {
            return Ok(Self::Stdout);
        }
        let file = OpenOptions::new().append(true).create(true).open(name);
        file.map(|f| Self::File(name.to_string(), f))
            .map_err(|e| Fatal::new(format!("could not open logfile {name}: {}", strerror(&e))))
    }

    fn write_line(&mut self, line: &str) {
        let text = format!("{line}\n");
        let _ = match self {
            Self::Stdout => std::io::stdout()
                .write_all(text.as_bytes())
                .and_then(|()| std::io::stdout().flush()),
            Self::File(_, f) => f.write_all(text.as_bytes()),
        };
    }

    fn reopen(&mut self) -> CliResult {
        match self {
            Self::Stdout => eprintln!("logging to stdout"),
            Self::File(name, _) => {
                let name = name.clone();
                *self = Self::open(&name)
                    .map_err(|_| Fatal::new(format!("could not reopen logfile {name}")))?;
            }
        }
        Ok(())
    }
}

/// The open log targets, by name.
#[derive(Default)]
pub(super) struct Sinks {
    open: Vec<(String, Sink)>,
}

impl Sinks {
    /// The index of `name`, opening it unless already open. `format` decides NUT's notes
    /// about a file shared by several UPSes (printed on stderr).
    pub(super) fn add(&mut self, name: &str, format: &str) -> Result<usize, Fatal> {
        if let Some(i) = self.open.iter().position(|(n, _)| n == name) {
            if !format.contains("%UPSHOST%") {
                if name != "-" {
                    eprintln!("NOTE: File {name} is already receiving other logs");
                }
                eprintln!(
                    "NOTE: Consider adding %UPSHOST% to the log formatting string, e.g. pass -N on CLI"
                );
            }
            return Ok(i);
        }
        self.open.push((name.to_string(), Sink::open(name)?));
        Ok(self.open.len() - 1)
    }

    /// Whether one of the targets is stdout (which keeps upslog in the foreground).
    pub(super) fn has_stdout(&self) -> bool {
        self.open.iter().any(|(n, _)| n == "-")
    }

    /// Appends `line` and a newline to target `index`.
    pub(super) fn write_line(&mut self, index: usize, line: &str) {
        if let Some((_, sink)) = self.open.get_mut(index) {
            sink.write_line(line);
        }
    }

    /// Reopens every file (after SIGHUP), most recently added first as NUT does.
    pub(super) fn reopen(&mut self) -> CliResult {
        for (_, sink) in self.open.iter_mut().rev() {
            sink.reopen()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_files_are_opened_once() {
        let dir = std::env::temp_dir().join(format!("upslog-sinks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let a = dir.join("a.log").display().to_string();
        let b = dir.join("b.log").display().to_string();
        let mut sinks = Sinks::default();
        assert_eq!(sinks.add(&a, "%UPSHOST%").expect("a"), 0);
        assert_eq!(sinks.add(&b, "%UPSHOST%").expect("b"), 1);
        assert_eq!(sinks.add(&a, "%UPSHOST%").expect("a again"), 0);
        assert!(!sinks.has_stdout());
        sinks.write_line(0, "one");
        sinks.write_line(1, "two");
        sinks.write_line(0, "three");
        sinks.reopen().expect("reopens");
        sinks.write_line(0, "four");
        let read = |p: &str| std::fs::read_to_string(p).expect("log");
        assert_eq!(read(&a), "one\nthree\nfour\n");
        assert_eq!(read(&b), "two\n");
        assert_eq!(sinks.add("-", "").expect("stdout"), 2);
        assert!(sinks.has_stdout());
        let missing = dir.join("no/such/dir.log").display().to_string();
        let err = sinks.add(&missing, "").expect_err("cannot open");
        assert!(err.message.starts_with("could not open logfile"), "{err:?}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
