//! upslog's format strings: compiled once into tokens, rendered once per log line.

use crate::tools::strftime::{strftime, Tm};

/// NUT builds each log line in a 4096-byte buffer.
const LINE_MAX: usize = 4095;

/// NUT 2.8.0's default format.
pub const DEFAULT_FORMAT: &str = "%TIME @Y@m@d @H@M@S% %VAR battery.charge% %VAR input.voltage% \
%VAR ups.load% [%VAR ups.status%] %VAR ups.temperature% %VAR input.frequency%";

/// One piece of a compiled format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Text copied as is (including `INVALID` for malformed escapes).
    Literal(String),
    /// `%HOST%`: the local host name.
    Host,
    /// `%UPSHOST%`: the `-s` argument.
    UpsHost,
    /// `%PID%`.
    Pid,
    /// `%TIME fmt%`: strftime with `@` standing for `%`.
    Time(Option<String>),
    /// `%VAR name%`.
    Var(Option<String>),
    /// `%ETIME%`: seconds since the epoch.
    Etime,
}

/// Escape names, matched case-insensitively as prefixes in this order, as NUT does.
const COMMANDS: &[&str] = &["HOST", "UPSHOST", "PID", "TIME", "VAR", "ETIME"];

/// Compiles a format string the way upslog does, quirks included: `%%` is a `%`, `%t` a
/// tab (NUT 2.8.3 and later, for `-N`),
/// an escape without a closing `%` becomes `INVALID` followed by the rest as text, and an
/// unknown escape becomes `INVALID`.
pub fn compile(format: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < format.len() {
        let rest = &format[i..];
        let Some(after) = rest.strip_prefix('%') else {
            let c = rest.chars().next().unwrap_or_default();
            push_literal(&mut tokens, &c.to_string());
            i += c.len_utf8();
            continue;
        };
        if after.starts_with('%') {
            push_literal(&mut tokens, "%");
            i += 2;
            continue;
        }
        if after.starts_with('t') {
            push_literal(&mut tokens, "\t");
            i += 2;
            continue;
        }
        let Some(end) = after.find('%') else {
            push_literal(&mut tokens, "INVALID");
            i += 1;
            continue;
        };
        let (name, arg) = match after[..end].split_once(' ') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (&after[..end], None),
        };
        tokens.push(command(name, arg));
        i += end + 2;
    }
    tokens
}

fn command(name: &str, arg: Option<String>) -> Token {
    let known = COMMANDS.iter().find(|c| {
        name.len() >= c.len() && name.as_bytes()[..c.len()].eq_ignore_ascii_case(c.as_bytes())
    });
    match known.copied() {
        Some("HOST") => Token::Host,
        Some("UPSHOST") => Token::UpsHost,
        Some("PID") => Token::Pid,
        Some("TIME") => Token::Time(arg),
        Some("VAR") => Token::Var(arg),
        Some("ETIME") => Token::Etime,
        _ => Token::Literal("INVALID".into()),
    }
}

fn push_literal(tokens: &mut Vec<Token>, s: &str) {
    match tokens.last_mut() {
        Some(Token::Literal(text)) => text.push_str(s),
        _ => tokens.push(Token::Literal(s.to_string())),
    }
}

/// The variables a format asks for, in order, that upslog will query (names with a `.`).
pub fn queried_vars(tokens: &[Token]) -> Vec<String> {
    tokens
        .iter()
        .filter_map(|t| match t {
            Token::Var(Some(name)) if name.contains('.') => Some(name.clone()),
            _ => None,
        })
        .collect()
}

/// Everything a line needs besides the format.
#[derive(Debug, Clone)]
pub struct LineContext<'a> {
    /// Local host name.
    pub host: &'a str,
    /// The monitored `ups@host` as given.
    pub upshost: &'a str,
    /// Our process id.
    pub pid: u32,
    /// The time of the line.
    pub now: &'a Tm,
}

/// Renders one log line; `var` gives each queried variable's value (`None`: `NA`).
pub fn render(
    tokens: &[Token],
    ctx: &LineContext<'_>,
    mut var: impl FnMut(&str) -> Option<String>,
) -> String {
    let mut line = String::new();
    for token in tokens {
        match token {
            Token::Literal(text) => line.push_str(text),
            Token::Host => line.push_str(ctx.host),
            Token::UpsHost => line.push_str(ctx.upshost),
            Token::Pid => line.push_str(&ctx.pid.to_string()),
            Token::Etime => line.push_str(&ctx.now.unix.to_string()),
            Token::Time(fmt) => {
                let fmt = fmt.as_deref().unwrap_or_default().replace('@', "%");
                line.push_str(&strftime(&fmt, ctx.now));
            }
            Token::Var(Some(name)) if name.contains('.') => {
                line.push_str(var(name).as_deref().unwrap_or("NA"));
            }
            Token::Var(_) => line.push_str("INVALID"),
        }
    }
    truncate(line)
}

fn truncate(mut line: String) -> String {
    if line.len() > LINE_MAX {
        let mut end = LINE_MAX;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        line.truncate(end);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Token {
        Token::Literal(s.into())
    }

    /// Host `box`, UPS `ups@h`, PID 42, at `now`.
    fn context(now: &Tm) -> LineContext<'_> {
        LineContext {
            host: "box",
            upshost: "ups@h",
            pid: 42,
            now,
        }
    }

    #[test]
    fn compiles_escapes() {
        assert_eq!(
            compile("a %VAR ups.status% [%PID%]"),
            [
                lit("a "),
                Token::Var(Some("ups.status".into())),
                lit(" ["),
                Token::Pid,
                lit("]")
            ]
        );
        assert_eq!(compile("100%% %etime%"), [lit("100% "), Token::Etime]);
        assert_eq!(compile("%TIME @H:@M%"), [Token::Time(Some("@H:@M".into()))]);
        assert_eq!(compile("%UPSHOST%"), [Token::UpsHost]);
        assert_eq!(
            compile("%UPSHOST%%t%PID%"),
            [Token::UpsHost, lit("\t"), Token::Pid]
        );
    }

    #[test]
    fn keeps_nut_quirks() {
        // no closing %: INVALID, then the rest as text
        assert_eq!(compile("x %VAR a.b"), [lit("x INVALIDVAR a.b")]);
        assert_eq!(compile("%"), [lit("INVALID")]);
        // unknown escape
        assert_eq!(compile("%FOO%|"), [lit("INVALID|")]);
        // prefix match: HOSTNAME is HOST, VARX is VAR
        assert_eq!(compile("%HOSTNAME%"), [Token::Host]);
        assert_eq!(compile("%VARX a.b%"), [Token::Var(Some("a.b".into()))]);
        assert_eq!(compile("%VAR%"), [Token::Var(None)]);
    }

    #[test]
    fn renders_lines() {
        let now = Tm::from_unix(0, 0, "UTC");
        let ctx = context(&now);
        let tokens = compile(DEFAULT_FORMAT);
        let line = render(&tokens, &ctx, |v| {
            (v == "ups.status").then(|| "OL".to_string())
        });
        assert_eq!(line, "19700101 000000 NA NA NA [OL] NA NA");
        let tokens = compile("%HOST% %UPSHOST% %PID% %ETIME% %VAR nodot% %VAR%");
        assert_eq!(
            render(&tokens, &ctx, |_| None),
            "box ups@h 42 0 INVALID INVALID"
        );
        assert_eq!(queried_vars(&compile(DEFAULT_FORMAT)).len(), 6);
    }

    #[test]
    fn lines_are_bounded() {
        let now = Tm::from_unix(0, 0, "UTC");
        let ctx = context(&now);
        let tokens = compile("%VAR a.b%");
        assert_eq!(
            render(&tokens, &ctx, |_| Some("x".repeat(10_000))).len(),
            4095
        );
    }
}
