//! Helpers shared by the `cli_*` interop tests (included with `#[path]`; built alone it is an
//! empty test crate): run NUT 2.8.0's real client and ours with the same arguments against
//! the same real upsd, and compare stdout, stderr and exit code.
//!
//! Deliberate difference, removed before comparing: Debian's NSS build of libupsclient
//! prints `Init SSL without certificate database` on stderr whenever a client tries
//! STARTTLS without a certificate database; we have no NSS and print nothing.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The NSS notice real clients print on stderr (see the module docs).
pub const NSS_NOTICE: &str = "Init SSL without certificate database\n";

/// What a finished program printed and returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Standard output.
    pub stdout: String,
    /// Standard error, without [`NSS_NOTICE`] lines.
    pub stderr: String,
    /// Exit code (`None`: killed).
    pub code: Option<i32>,
}

/// Runs `program` (called `argv0`) with `args`, feeding `stdin`, in a new session so it
/// has no controlling terminal (password prompts then use stdin and stderr, as in NUT).
pub fn run(
    program: &Path,
    argv0: &str,
    args: &[&str],
    stdin: &str,
    env: &[(&str, &str)],
) -> Outcome {
    let mut cmd = Command::new("setsid");
    cmd.arg("-w")
        .arg("bash")
        .arg("-c")
        .arg("exec -a \"$0\" \"$@\"")
        .arg(argv0)
        .arg(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawning the program");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("writing stdin");
    drop(input);
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("waiting").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("collecting output");
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).replace(NSS_NOTICE, ""),
        code: out.status.code(),
    }
}

/// The real NUT program `/usr/bin/<name>`.
pub fn real(name: &str) -> std::path::PathBuf {
    Path::new("/usr/bin").join(name)
}

/// Runs the real program and ours with the same arguments and stdin, asserts they behave
/// identically, and returns what they did.
pub fn same(name: &str, ours: &str, args: &[&str], stdin: &str) -> Outcome {
    let theirs = run(&real(name), name, args, stdin, &[]);
    let mine = run(Path::new(ours), name, args, stdin, &[]);
    assert_eq!(
        mine,
        theirs,
        "`{name} {}` differs (left: ours, right: NUT 2.8.0)",
        args.join(" ")
    );
    mine
}
