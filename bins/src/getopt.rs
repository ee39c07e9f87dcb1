//! A POSIX `getopt(3)` work-alike, as NUT's clients use it.
//!
//! NUT's clients call glibc `getopt` with a `+` optstring, so parsing stops at the first
//! operand. Flags cluster (`-lw`), a value is attached (`-uadmin`) or the next argument
//! (`-u admin`), `--` ends the options and a lone `-` is an operand. Unknown options and
//! missing values produce glibc's diagnostics, which the caller prints on stderr.

/// One parsed option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opt {
    /// A known option letter with its value, if it takes one.
    Flag(char, Option<String>),
    /// An unknown option or a missing value; the text is glibc's message (without newline).
    Bad(String),
}

/// Result of parsing a command line: the options in order, then the operands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// Options in command-line order.
    pub opts: Vec<Opt>,
    /// Everything after the options.
    pub operands: Vec<String>,
}

/// Parses `args` (without the program name) against a getopt spec such as `"hlu:p:"`.
///
/// `prog` is the program name used in diagnostics (glibc uses `argv[0]` as given).
///
/// ```
/// use nut_bins::getopt::{getopt, Opt};
/// let p = getopt("upscmd", &["-wuadmin", "-p", "pw", "ups", "-x"], "lhu:p:t:wV");
/// assert_eq!(p.opts[0], Opt::Flag('w', None));
/// assert_eq!(p.opts[1], Opt::Flag('u', Some("admin".into())));
/// assert_eq!(p.operands, ["ups", "-x"]);
/// ```
pub fn getopt<S: AsRef<str>>(prog: &str, args: &[S], spec: &str) -> Parsed {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_ref();
        if arg == "--" {
            i += 1;
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            break;
        }
        i += 1;
        let letters: Vec<char> = arg.chars().skip(1).collect();
        let mut j = 0;
        while j < letters.len() {
            let c = letters[j];
            j += 1;
            match takes_value(spec, c) {
                None => opts.push(Opt::Bad(format!("{prog}: invalid option -- '{c}'"))),
                Some(false) => opts.push(Opt::Flag(c, None)),
                Some(true) => {
                    let rest: String = letters[j..].iter().collect();
                    j = letters.len();
                    if !rest.is_empty() {
                        opts.push(Opt::Flag(c, Some(rest)));
                    } else if let Some(v) = args.get(i) {
                        opts.push(Opt::Flag(c, Some(v.as_ref().to_string())));
                        i += 1;
                    } else {
                        opts.push(Opt::Bad(format!(
                            "{prog}: option requires an argument -- '{c}'"
                        )));
                    }
                }
            }
        }
    }
    let operands = args[i..].iter().map(|s| s.as_ref().to_string()).collect();
    Parsed { opts, operands }
}

/// `Some(true)` if `c` takes a value, `Some(false)` for a flag, `None` if unknown.
fn takes_value(spec: &str, c: char) -> Option<bool> {
    if c == ':' {
        return None;
    }
    let pos = spec.find(c)?;
    Some(spec[pos + c.len_utf8()..].starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(p: &Parsed) -> Vec<Opt> {
        p.opts.clone()
    }

    #[test]
    fn clustered_flags_and_attached_value() {
        let p = getopt("upsc", &["-lL", "host"], "hlLcV");
        assert_eq!(flags(&p), [Opt::Flag('l', None), Opt::Flag('L', None)]);
        assert_eq!(p.operands, ["host"]);
        let p = getopt("x", &["-wt5", "ups"], "t:w");
        assert_eq!(
            flags(&p),
            [Opt::Flag('w', None), Opt::Flag('t', Some("5".into()))]
        );
    }

    #[test]
    fn separate_value_may_look_like_an_option() {
        let p = getopt("x", &["-p", "-secret", "ups"], "p:");
        assert_eq!(flags(&p), [Opt::Flag('p', Some("-secret".into()))]);
        assert_eq!(p.operands, ["ups"]);
    }

    #[test]
    fn stops_at_first_operand_and_double_dash() {
        let p = getopt("x", &["ups", "-l"], "l");
        assert!(p.opts.is_empty());
        assert_eq!(p.operands, ["ups", "-l"]);
        let p = getopt("x", &["-l", "--", "-c"], "lc");
        assert_eq!(flags(&p), [Opt::Flag('l', None)]);
        assert_eq!(p.operands, ["-c"]);
        let p = getopt("x", &["-", "a"], "l");
        assert_eq!(p.operands, ["-", "a"]);
    }

    #[test]
    fn glibc_diagnostics() {
        let p = getopt("upsc", &["-x"], "hlLcV");
        assert_eq!(flags(&p), [Opt::Bad("upsc: invalid option -- 'x'".into())]);
        let p = getopt("upscmd", &["-u"], "lhu:p:t:wV");
        assert_eq!(
            flags(&p),
            [Opt::Bad(
                "upscmd: option requires an argument -- 'u'".into()
            )]
        );
        let p = getopt("x", &["-:"], "a:");
        assert_eq!(flags(&p), [Opt::Bad("x: invalid option -- ':'".into())]);
    }
}
