//! `upscmd`: list or run a UPS's instant commands (NUT 2.8.0).
//!
//! The binary parses the command line into [`Options`] and calls [`run`].

use super::upscli::Conn;
use super::{prompt, tracking};

use super::{CliResult, Fatal, UPS_VERSION};

pub use super::tracking::DEFAULT_TIMEOUT;

const WORDING: tracking::Wording = tracking::Wording {
    send: "send instant command",
    failed: "Instant command failed",
    tracking: "command status tracking",
};

/// A parsed `upscmd` command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// `-l`: list the commands.
    pub list: bool,
    /// `-u`, `-p`, `-w`, `-t`.
    pub login: tracking::Login,
    /// `ups[@host[:port]] [command [value]]`.
    pub operands: Vec<String>,
}

/// The usage text printed on stdout.
pub fn usage(prog: &str) -> String {
    format!(
        "Network UPS Tools upscmd {UPS_VERSION}\n\n\
usage: {prog} [-h]\n\
\x20      {prog} [-l <ups>]\n\
\x20      {prog} [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups> <command> [<value>]\n\n\
Administration program to initiate instant commands on UPS hardware.\n\n\
\x20 -h\t\tdisplay this help text\n\
\x20 -l <ups>\tshow available commands on UPS <ups>\n\
\x20 -u <username>\tset username for command authentication\n\
\x20 -p <password>\tset password for command authentication\n\
\x20 -w            wait for the completion of command by the driver\n\
\x20               and return its actual result from the device\n\
\x20 -t <timeout>\tset a timeout when using -w (in seconds, default: {DEFAULT_TIMEOUT})\n\n\
\x20 <ups>\t\tUPS identifier - <upsname>[@<hostname>[:<port>]]\n\
\x20 <command>\tValid instant command - test.panel.start, etc.\n\
\x20 [<value>]\tAdditional data for command - number of seconds, etc.\n"
    )
}

/// `-V`: the version line on stderr, exit 0 (NUT 2.8.0's `upsc -V` prints this too).
pub fn version() -> Fatal {
    Fatal::success(format!("Network UPS Tools upscmd {UPS_VERSION}"))
}

/// Runs `upscmd` as `o` asks; `prog` names the program in the usage text.
pub async fn run(prog: &str, o: &Options) -> CliResult {
    let (ups, host, port) =
        super::split_name(o.operands.first().map(String::as_str)).ok_or_else(|| {
            Fatal::new("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]")
        })?;
    let mut conn = Conn::connect(&host, port, false)
        .await
        .map_err(|e| super::error(&e))?;
    let result = if o.list {
        list_commands(&mut conn, &ups).await
    } else {
        run_command(&mut conn, prog, &ups, o).await
    };
    conn.disconnect().await;
    result
}

async fn list_commands(conn: &mut Conn, ups: &str) -> CliResult {
    let names = super::list_names(conn, &["CMD", ups], 3).await?;
    println!("Instant commands supported on UPS [{ups}]:\n");
    for name in names {
        let desc = conn
            .get(&["CMDDESC", ups, &name])
            .await
            .ok()
            .and_then(|w| w.get(3).cloned());
        println!("{}", command_line(&name, desc.as_deref()));
    }
    Ok(())
}

/// One line of `upscmd -l`: `name - description`, or the bare name.
pub fn command_line(name: &str, desc: Option<&str>) -> String {
    match desc {
        Some(d) => format!("{name} - {d}"),
        None => name.to_string(),
    }
}

async fn run_command(conn: &mut Conn, prog: &str, ups: &str, o: &Options) -> CliResult {
    let Some(cmd) = o.operands.get(1) else {
        return Err(super::usage_exit(&usage(prog)));
    };
    if !cmd.contains('.') {
        return Err(Fatal::new("Error: old command names are not supported"));
    }
    let user = match &o.login.user {
        Some(u) => u.clone(),
        None => ask_user()?,
    };
    let pass = o.login.password();
    let unknown =
        "Set username failed due to an unknown command.\nYou probably need to upgrade upsd.";
    tracking::authenticate(conn, &user, &pass, unknown).await?;
    let line = instcmd_line(ups, cmd, o.operands.get(2).map(String::as_str));
    tracking::submit(conn, &line, &o.login, WORDING).await
}

fn ask_user() -> Result<String, Fatal> {
    let login = prompt::login_name();
    let answer = prompt::ask_stdin(&prompt::username_prompt(login.as_deref()))
        .ok_or_else(|| Fatal::new("Error reading from stdin!"))?;
    prompt::username_from(Some(&answer), login.as_deref())
        .ok_or_else(|| Fatal::new("No username available - even tried getpwuid"))
}

/// `INSTCMD <ups> <cmd> [<value>]`, unquoted as NUT 2.8.0's upscmd writes it.
pub fn instcmd_line(ups: &str, cmd: &str, value: Option<&str>) -> String {
    match value {
        Some(v) => format!("INSTCMD {ups} {cmd} {v}\n"),
        None => format!("INSTCMD {ups} {cmd}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(instcmd_line("u", "load.off", None), "INSTCMD u load.off\n");
        assert_eq!(
            instcmd_line("u", "test.start", Some("10")),
            "INSTCMD u test.start 10\n"
        );
        assert_eq!(
            command_line("load.off", Some("Turn off")),
            "load.off - Turn off"
        );
        assert_eq!(command_line("x.y", None), "x.y");
    }

    #[test]
    fn usage_text() {
        let u = usage("upscmd");
        assert!(u.contains("  -l <ups>\tshow available commands on UPS <ups>\n"));
        assert!(u.contains("default: 10)\n"));
    }
}
