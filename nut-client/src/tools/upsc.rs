//! `upsc`: list UPSes, variables or clients of a UPS (NUT 2.8.0, plus `-j` from 2.8.5).
//!
//! The binary parses `-l`/`-L`/`-c`/`-j` into [`Options`] and calls [`run`].

use super::json;
use super::upscli::Conn;

use super::{CliResult, Fatal, UPS_VERSION};
/// What to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// `-l` (names) or `-L` (`verbose`: names and descriptions) of `host[:port]`.
    Upses {
        /// `-L`.
        verbose: bool,
    },
    /// `-c`: clients of a UPS.
    Clients,
    /// All variables of a UPS.
    Vars,
    /// One variable.
    Var(String),
}

/// A parsed `upsc` command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// What to show.
    pub mode: Mode,
    /// `-j`: JSON output.
    pub json: bool,
    /// The first operand (`ups[@host[:port]]` or `host[:port]`), if any.
    pub target: Option<String>,
}

/// The usage text `upsc -h` prints on stdout.
pub fn usage(prog: &str) -> String {
    format!(
        "Network UPS Tools upsc {UPS_VERSION}\n\n\
usage: {prog} -l | -L [<hostname>[:port]]\n\
\x20      {prog} <ups> [<variable>]\n\
\x20      {prog} -c <ups>\n\
\nDemo program to display UPS variables.\n\n\
First form (lists UPSes):\n\
\x20 -l         - lists each UPS on <hostname>, one per line.\n\
\x20 -L         - lists each UPS followed by its description (from ups.conf).\n\
\x20              Default hostname: localhost\n\
\nSecond form (lists variables and values):\n\
\x20 <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form\n\
\x20 <variable> - optional, display this variable only.\n\
\x20              Default: list all variables for <host>\n\
\nThird form (lists clients connected to a device):\n\
\x20 -c         - lists each client connected on <ups>, one per line.\n\
\x20 <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form\n"
    )
}

/// Runs `upsc` as the command line `opts` asks.
pub async fn run(opts: &Options) -> CliResult {
    let json = opts.json;
    let (ups, host, port) = resolve_target(opts).map_err(|m| fail_simple(json, &m))?;
    let mut conn = Conn::connect(&host, port, true)
        .await
        .map_err(|e| fail_simple(json, &e.to_string()))?;
    let result = query(&mut conn, &opts.mode, &ups, json).await;
    conn.disconnect().await;
    result
}

fn resolve_target(opts: &Options) -> Result<(String, String, u16), String> {
    if let Mode::Upses { .. } = opts.mode {
        let addr = opts.target.as_deref().unwrap_or("localhost");
        let (host, port) = super::split_addr(addr)
            .ok_or("invalid hostname.\nRequired format: [hostname[:port]]")?;
        return Ok((String::new(), host, port));
    }
    super::split_name(opts.target.as_deref())
        .ok_or_else(|| "invalid UPS definition.\nRequired format: upsname[@hostname[:port]]".into())
}

async fn query(conn: &mut Conn, mode: &Mode, ups: &str, json: bool) -> CliResult {
    match mode {
        Mode::Upses { verbose } => {
            let items = pairs(list(conn, &["UPS"], json).await?, 1);
            print!("{}", render_upses(&items, *verbose, json));
        }
        Mode::Clients => {
            let items = pairs(list(conn, &["CLIENT", ups], json).await?, 2);
            let names: Vec<String> = items.into_iter().map(|(addr, _)| addr).collect();
            print!("{}", render_clients(&names, json));
        }
        Mode::Vars => {
            if json {
                println!("{{");
            }
            let items = match list_items(conn, &["VAR", ups]).await {
                Ok(items) => pairs(items, 2),
                Err(msg) if json => {
                    print!("  \"error\": {}\n}}\n", json::string(&msg));
                    return Err(Fatal::new(format!("Error: {msg}")));
                }
                Err(msg) => return Err(Fatal::new(format!("Error: {msg}"))),
            };
            print!("{}", render_vars(&items, json));
        }
        Mode::Var(var) => {
            let value = get_var(conn, ups, var)
                .await
                .map_err(|m| fail_simple(json, &m))?;
            print!("{}", render_value(&value, json));
        }
    }
    Ok(())
}

async fn list(conn: &mut Conn, q: &[&str], json: bool) -> Result<Vec<Vec<String>>, Fatal> {
    list_items(conn, q).await.map_err(|m| fail_simple(json, &m))
}

/// Lists items; an error after `BEGIN LIST` just ends the list, as in NUT.
async fn list_items(conn: &mut Conn, q: &[&str]) -> Result<Vec<Vec<String>>, String> {
    conn.list_all(q, 0).await.map_err(|e| e.text(true))
}

async fn get_var(conn: &mut Conn, ups: &str, var: &str) -> Result<String, String> {
    if !var.contains('.') {
        return Err("old-style variable names are not supported".into());
    }
    match conn.get(&["VAR", ups, var]).await {
        Ok(mut words) if words.len() >= 4 => Ok(words.swap_remove(3)),
        Ok(words) => Err(format!(
            "insufficient data (got {} args, need at least 3)",
            words.len()
        )),
        Err(e) if e.is_unknown_command() => Err("variable unknown (old upsd detected)".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// `(words[at], words[at + 1])` of each item (the second may be empty).
fn pairs(items: Vec<Vec<String>>, at: usize) -> Vec<(String, String)> {
    items
        .into_iter()
        .map(|mut w| {
            w.resize(at + 2, String::new());
            (std::mem::take(&mut w[at]), std::mem::take(&mut w[at + 1]))
        })
        .collect()
}

/// Prints `{"error": "..."}` under `-j`, and returns the `Error: ...` exit.
fn fail_simple(json: bool, msg: &str) -> Fatal {
    if json {
        println!("{{\"error\": {}}}", json::string(msg));
    }
    Fatal::new(format!("Error: {msg}"))
}

/// `upsc -l` / `-L` output for `(name, description)` pairs.
pub fn render_upses(items: &[(String, String)], verbose: bool, json: bool) -> String {
    match (json, verbose) {
        (false, false) => items.iter().map(|(n, _)| format!("{n}\n")).collect(),
        (false, true) => items.iter().map(|(n, d)| format!("{n}: {d}\n")).collect(),
        (true, false) => {
            let v: Vec<String> = items.iter().map(|(n, _)| json::string(n)).collect();
            json::block("[", &v, "]")
        }
        (true, true) => json::block("{", &members(items), "}"),
    }
}

/// `upsc ups` output for `(variable, value)` pairs; under `-j` without the opening `{`
/// line, which NUT prints before asking the server.
pub fn render_vars(items: &[(String, String)], json: bool) -> String {
    if !json {
        return items.iter().map(|(n, v)| format!("{n}: {v}\n")).collect();
    }
    let block = json::block("{", &members(items), "}");
    block["{\n".len()..].to_string()
}

/// `upsc -c ups` output.
pub fn render_clients(addrs: &[String], json: bool) -> String {
    if !json {
        return addrs.iter().map(|a| format!("{a}\n")).collect();
    }
    let v: Vec<String> = addrs.iter().map(|a| json::string(a)).collect();
    json::block("[", &v, "]")
}

/// `upsc ups var` output.
pub fn render_value(value: &str, json: bool) -> String {
    if json {
        format!("{}\n", json::string(value))
    } else {
        format!("{value}\n")
    }
}

fn members(items: &[(String, String)]) -> Vec<String> {
    items
        .iter()
        .map(|(k, v)| format!("{}: {}", json::string(k), json::string(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn text_output() {
        let upses = kv(&[("dummy", "Small dummy"), ("evo", "Description unavailable")]);
        assert_eq!(render_upses(&upses, false, false), "dummy\nevo\n");
        assert_eq!(
            render_upses(&upses, true, false),
            "dummy: Small dummy\nevo: Description unavailable\n"
        );
        let vars = kv(&[("battery.charge", "90"), ("ups.status", "OL")]);
        assert_eq!(
            render_vars(&vars, false),
            "battery.charge: 90\nups.status: OL\n"
        );
        assert_eq!(render_value("OL CHRG", false), "OL CHRG\n");
    }

    #[test]
    fn json_output_matches_nut_2_8_5() {
        let upses = kv(&[("dummy", "Small \"dummy\""), ("evo", "x")]);
        assert_eq!(
            render_upses(&upses, false, true),
            "[\n  \"dummy\",\n  \"evo\"\n]\n"
        );
        assert_eq!(
            render_upses(&upses, true, true),
            "{\n  \"dummy\": \"Small \\\"dummy\\\"\",\n  \"evo\": \"x\"\n}\n"
        );
        let vars = kv(&[("a.b", "1"), ("c.d", "2")]);
        assert_eq!(
            render_vars(&vars, true),
            "  \"a.b\": \"1\",\n  \"c.d\": \"2\"\n}\n"
        );
        assert_eq!(render_vars(&[], true), "\n}\n");
        assert_eq!(render_clients(&[], true), "[\n\n]\n");
        assert_eq!(render_value("OL", true), "\"OL\"\n");
    }

    #[test]
    fn usage_names_the_program() {
        assert!(usage("upsc").starts_with("Network UPS Tools upsc 2.8.0\n\nusage: upsc -l"));
        assert!(usage("x").ends_with("<upsname>[@<hostname>[:<port>]] form\n"));
    }
}
