//! Prompts for a user name, a password or a value, as `upscmd` and `upsrw` ask for them.
//!
//! The user name and value are read from stdin after a prompt on stdout; the password is
//! read like glibc's `getpass()`: on `/dev/tty` with echo off when there is a terminal,
//! otherwise the prompt goes to stderr and the line comes from stdin.

use std::fs::OpenOptions;
use std::io::{self, BufRead, Read, Write};

use nix::sys::termios;

/// NUT reads these lines into 512-byte buffers.
const LINE_MAX: u64 = 511;

/// Prints `prompt` on stdout and reads one line from stdin; `None` at end of input.
pub fn ask_stdin(prompt: &str) -> Option<String> {
    let mut out = io::stdout();
    let _ = out.write_all(prompt.as_bytes());
    let _ = out.flush();
    read_line(&mut io::stdin().lock())
}

/// One line (newline kept, at most 511 bytes) or `None` at end of input.
fn read_line(input: &mut impl BufRead) -> Option<String> {
    let mut buf = Vec::new();
    match input.take(LINE_MAX).read_until(b'\n', &mut buf) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(String::from_utf8_lossy(&buf).into_owned()),
    }
}

/// NUT's "deal with that pesky newline": drops the last character of what `fgets` read.
pub fn chop(line: &str) -> String {
    let mut s = line.to_string();
    s.pop();
    s
}

/// The user name from the answer to `Username (<login>): `: the typed name, or the login
/// name when the answer is empty. `None` when neither exists.
pub fn username_from(answer: Option<&str>, login: Option<&str>) -> Option<String> {
    match answer {
        Some(line) if line.len() > 1 => Some(chop(line)),
        _ => login.map(str::to_string),
    }
}

/// `Username (<login>): ` or `Username: `.
pub fn username_prompt(login: Option<&str>) -> String {
    match login {
        Some(name) => format!("Username ({name}): "),
        None => "Username: ".to_string(),
    }
}

/// The login name of the real user id, from `/etc/passwd`.
pub fn login_name() -> Option<String> {
    let uid = nix::unistd::getuid().as_raw().to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd_lookup(&passwd, &uid)
}

fn passwd_lookup(passwd: &str, uid: &str) -> Option<String> {
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 2 && fields[2] == uid).then(|| fields[0].to_string())
    })
}

/// Reads a password like `getpass(prompt)`; end of input gives an empty password.
pub fn get_pass(prompt: &str) -> String {
    let line = match OpenOptions::new().read(true).write(true).open("/dev/tty") {
        Ok(tty) => read_tty_hidden(tty, prompt),
        Err(_) => {
            let _ = io::stderr().write_all(prompt.as_bytes());
            read_line(&mut io::stdin().lock())
        }
    };
    let line = line.unwrap_or_default();
    line.strip_suffix('\n').unwrap_or(&line).to_string()
}

fn read_tty_hidden(mut tty: std::fs::File, prompt: &str) -> Option<String> {
    let _ = tty.write_all(prompt.as_bytes());
    let saved = termios::tcgetattr(&tty).ok();
    if let Some(orig) = &saved {
        let mut quiet = orig.clone();
        quiet.local_flags.remove(termios::LocalFlags::ECHO);
        let _ = termios::tcsetattr(&tty, termios::SetArg::TCSAFLUSH, &quiet);
    }
    let line = read_line(&mut io::BufReader::new(&tty));
    if let Some(orig) = &saved {
        let _ = termios::tcsetattr(&tty, termios::SetArg::TCSAFLUSH, orig);
        let _ = tty.write_all(b"\n");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_rules() {
        assert_eq!(
            username_from(Some("bob\n"), Some("root")).as_deref(),
            Some("bob")
        );
        assert_eq!(
            username_from(Some("\n"), Some("root")).as_deref(),
            Some("root")
        );
        assert_eq!(username_from(None, Some("root")).as_deref(), Some("root"));
        assert_eq!(username_from(Some("\n"), None), None);
        // without a newline (end of input) NUT still drops the last character
        assert_eq!(username_from(Some("bob"), None).as_deref(), Some("bo"));
    }

    #[test]
    fn prompts() {
        assert_eq!(username_prompt(Some("root")), "Username (root): ");
        assert_eq!(username_prompt(None), "Username: ");
    }

    #[test]
    fn lines_are_bounded() {
        let long = "x".repeat(2000);
        let got = read_line(&mut long.as_bytes()).expect("a line");
        assert_eq!(got.len(), 511);
        assert_eq!(read_line(&mut "".as_bytes()), None);
        assert_eq!(read_line(&mut "a\nb\n".as_bytes()).as_deref(), Some("a\n"));
    }

    #[test]
    fn passwd_lookup_by_uid() {
        let passwd = "root:x:0:0:root:/root:/bin/sh\nnut:x:110:120::/var/lib/nut:/bin/false\n";
        assert_eq!(passwd_lookup(passwd, "110").as_deref(), Some("nut"));
        assert_eq!(passwd_lookup(passwd, "5"), None);
    }
}
