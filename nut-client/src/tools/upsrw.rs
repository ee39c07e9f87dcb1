//! `upsrw`: show or set a UPS's writable variables (NUT 2.8.0).
//!
//! The binary parses the command line into [`Options`] and calls [`run`].

mod render;

pub use render::{render_enum, render_range, type_plan, TypePlan, ValueKind};

use super::upscli::Conn;
use super::{prompt, tracking};

use super::{CliResult, Fatal, UPS_VERSION};

const WORDING: tracking::Wording = tracking::Wording {
    send: "set variable",
    failed: "Set variable failed",
    tracking: "set variable status tracking",
};

/// A parsed `upsrw` command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// `-s var[=value]`.
    pub set: Option<String>,
    /// `-u`, `-p`, `-w`, `-t`.
    pub login: tracking::Login,
    /// `ups[@host[:port]]`.
    pub target: String,
}

/// The usage text printed on stdout.
pub fn usage(prog: &str) -> String {
    format!(
        "Network UPS Tools {prog} {UPS_VERSION}\n\n\
usage: {prog} [-h]\n\
\x20      {prog} [-s <variable>] [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups>\n\n\
Demo program to set variables within UPS hardware.\n\n\
\x20 -h            display this help text\n\
\x20 -s <variable>\tspecify variable to be changed\n\
\t\tuse -s VAR=VALUE to avoid prompting for value\n\
\x20 -l            show all possible read/write variables.\n\
\x20 -u <username> set username for command authentication\n\
\x20 -p <password> set password for command authentication\n\
\x20 -w            wait for the completion of setting by the driver\n\
\x20               and return its actual result from the device\n\
\x20 -t <timeout>\tset a timeout when using -w (in seconds, default: {})\n\n\
\x20 <ups>         UPS identifier - <upsname>[@<hostname>[:<port>]]\n\n\
Call without -s to show all possible read/write variables (same as -l).\n",
        tracking::DEFAULT_TIMEOUT
    )
}

/// Runs `upsrw` as `o` asks.
pub async fn run(o: &Options) -> CliResult {
    let (ups, host, port) = super::split_name(Some(&o.target)).ok_or_else(|| {
        Fatal::new("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]")
    })?;
    let mut conn = Conn::connect(&host, port, false)
        .await
        .map_err(|e| super::error(&e))?;
    let result = match &o.set {
        Some(setvar) => set_var(&mut conn, &ups, setvar, o).await,
        None => list_rw(&mut conn, &ups).await,
    };
    conn.disconnect().await;
    result
}

async fn set_var(conn: &mut Conn, ups: &str, setvar: &str, o: &Options) -> CliResult {
    let user = match &o.login.user {
        Some(u) => u.clone(),
        None => {
            let login = prompt::login_name();
            let answer = prompt::ask_stdin(&prompt::username_prompt(login.as_deref()));
            prompt::username_from(answer.as_deref(), login.as_deref())
                .ok_or_else(|| Fatal::new("No username available - even tried getpwuid"))?
        }
    };
    let pass = o.login.password();
    let (var, value) = match setvar.split_once('=') {
        Some((var, value)) => (var.to_string(), value.to_string()),
        None => {
            let answer = prompt::ask_stdin(&format!("Enter new value for {setvar}: "));
            (
                setvar.to_string(),
                answer.map(|a| prompt::chop(&a)).unwrap_or_default(),
            )
        }
    };
    let unknown =
        "Set username failed due to an unknown command. You probably need to upgrade upsd.";
    tracking::authenticate(conn, &user, &pass, unknown).await?;
    if !var.contains('.') {
        return Err(Fatal::new("Error: old variable names are not supported"));
    }
    tracking::submit(conn, &set_line(ups, &var, &value), &o.login, WORDING).await
}

/// `SET VAR <ups> <var> "<escaped value>"`.
pub fn set_line(ups: &str, var: &str, value: &str) -> String {
    format!(
        "SET VAR {ups} {var} \"{}\"\n",
        nut_proto::text::escape(value)
    )
}

async fn list_rw(conn: &mut Conn, ups: &str) -> CliResult {
    let names = super::list_names(conn, &["RW", ups], 4).await?;
    for name in names {
        print_rw(conn, ups, &name).await?;
    }
    Ok(())
}

async fn get_data(conn: &mut Conn, kind: &str, ups: &str, var: &str) -> Option<String> {
    conn.get(&[kind, ups, var])
        .await
        .ok()
        .and_then(|mut w| (w.len() > 3).then(|| w.swap_remove(3)))
}

async fn print_rw(conn: &mut Conn, ups: &str, var: &str) -> CliResult {
    let desc = get_data(conn, "DESC", ups, var).await;
    println!(
        "[{var}]\n{}",
        desc.as_deref().unwrap_or("Description unavailable")
    );
    let words = conn
        .get(&["TYPE", ups, var])
        .await
        .ok()
        .filter(|w| w.len() >= 3);
    let plan = match words {
        Some(w) => type_plan(&w[3..]),
        None => TypePlan::unknown(),
    };
    for word in &plan.unrecognized {
        println!("Type: {word} (unrecognized)");
    }
    match plan.kind {
        None => {}
        Some(ValueKind::Unknown) => println!("Unknown type"),
        Some(ValueKind::String(len)) => {
            let v = value(conn, ups, var, "do_string").await?;
            println!("Type: STRING\nMaximum length: {len}\nValue: {v}");
        }
        Some(ValueKind::Number) => {
            let v = value(conn, ups, var, "do_number").await?;
            println!("Type: NUMBER\nValue: {v}");
        }
        Some(ValueKind::Enum(base)) => {
            let v = value(conn, ups, var, "do_enum").await?;
            let options = list_values(conn, &["ENUM", ups, var], 4).await?;
            let options: Vec<String> = options.into_iter().map(|mut w| w.swap_remove(3)).collect();
            print!("{}", render_enum(base, &options, &v));
        }
        Some(ValueKind::Range) => {
            let v = value(conn, ups, var, "do_range").await?;
            let ranges = list_values(conn, &["RANGE", ups, var], 5).await?;
            let ranges: Vec<(String, String)> = ranges
                .into_iter()
                .map(|w| (w[3].clone(), w[4].clone()))
                .collect();
            print!("{}", render_range(&ranges, &v));
        }
    }
    println!();
    Ok(())
}

async fn value(conn: &mut Conn, ups: &str, var: &str, func: &str) -> Result<String, Fatal> {
    get_data(conn, "VAR", ups, var)
        .await
        .ok_or_else(|| Fatal::new(format!("{func}: can't get current value of {var}")))
}

/// Items of a LIST ENUM/RANGE with at least `min` words; an error after `BEGIN` ends it.
async fn list_values(conn: &mut Conn, q: &[&str], min: usize) -> Result<Vec<Vec<String>>, Fatal> {
    conn.list_all(q, min)
        .await
        .map_err(|e| Fatal::new(format!("Error: {}", e.text(false))))
}
