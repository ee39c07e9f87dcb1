//! Sending a SET/INSTCMD line and reporting its result as `upscmd` and `upsrw` do, with
//! `-w` polling `GET TRACKING <id>` once a second until it is no longer `PENDING`.

use std::time::{Duration, Instant};

use super::upscli::Conn;
use super::{parse_timeout, prompt, CliResult, Fatal};

/// NUT's `DEFAULT_TRACKING_TIMEOUT`, seconds.
pub const DEFAULT_TIMEOUT: u32 = 10;

/// The options `upscmd` and `upsrw` share: whom to log in as, and whether to wait for the
/// driver's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// `-u`.
    pub user: Option<String>,
    /// `-p`.
    pub pass: Option<String>,
    /// `-w`: wait for the tracking result.
    pub wait: bool,
    /// `-t` (seconds).
    pub timeout: u32,
}

impl Default for Login {
    fn default() -> Self {
        Self {
            user: None,
            pass: None,
            wait: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl Login {
    /// Takes `-u`, `-p`, `-t` or `-w` (`flag`) with its `value`; other flags are not
    /// these options and change nothing. A bad `-t` is fatal, as in NUT.
    pub fn option(&mut self, flag: char, value: Option<String>) -> Result<(), Fatal> {
        match flag {
            'u' => self.user = value,
            'p' => self.pass = value,
            't' => self.timeout = parse_timeout(value.as_deref().unwrap_or(""))?,
            'w' => self.wait = true,
            _ => {}
        }
        Ok(())
    }

    /// `-p`, or else the password asked for on the terminal.
    pub fn password(&self) -> String {
        self.pass
            .clone()
            .unwrap_or_else(|| prompt::get_pass("Password: "))
    }
}

/// What the caller calls its operation in the messages (`upscmd` vs `upsrw` wording).
#[derive(Debug, Clone, Copy)]
pub struct Wording {
    /// `Can't <send>: ...` when sending fails ("send instant command", "set variable").
    pub send: &'static str,
    /// `<failed>: ...` when reading the reply fails ("Instant command failed", ...).
    pub failed: &'static str,
    /// `Can't enable <tracking>: ...` and `Enabling <tracking> failed...`.
    pub tracking: &'static str,
}

/// Logs in with `USERNAME`/`PASSWORD` (replies are read but not checked, as in NUT).
pub async fn authenticate(
    conn: &mut Conn,
    user: &str,
    pass: &str,
    unknown_cmd: &str,
) -> Result<(), Fatal> {
    conn.send_line(&format!("USERNAME {user}\n"))
        .await
        .map_err(|e| Fatal::new(format!("Can't set username: {e}")))?;
    conn.read_line().await.map_err(|e| {
        if e.is_unknown_command() {
            Fatal::new(unknown_cmd)
        } else {
            Fatal::new(format!("Set username failed: {e}"))
        }
    })?;
    let line = format!("PASSWORD {pass}\n");
    exchange(conn, &line, "Can't set password", "Set password failed").await?;
    Ok(())
}

/// Sends `line` and reads the reply line; a failure reads `<cant>: <error>` when sending,
/// `<failed>: <error>` when reading.
async fn exchange(conn: &mut Conn, line: &str, cant: &str, failed: &str) -> Result<String, Fatal> {
    conn.send_line(line)
        .await
        .map_err(|e| Fatal::new(format!("{cant}: {e}")))?;
    conn.read_line()
        .await
        .map_err(|e| Fatal::new(format!("{failed}: {e}")))
}

/// `SET TRACKING ON`, which must be answered `OK`.
async fn enable(conn: &mut Conn, w: Wording) -> Result<(), Fatal> {
    let cant = format!("Can't enable {}", w.tracking);
    let failed = format!("Enabling {} failed", w.tracking);
    let reply = exchange(conn, "SET TRACKING ON\n", &cant, &failed).await?;
    if !reply.starts_with("OK") {
        return Err(Fatal::new(format!("{failed}. upsd answered: {reply}")));
    }
    Ok(())
}

/// Sends `line` (after `SET TRACKING ON` under `-w`) and prints the result on stderr: the
/// reply, or under `-w` the final tracking status.
pub async fn submit(conn: &mut Conn, line: &str, login: &Login, w: Wording) -> CliResult {
    if login.wait {
        enable(conn, w).await?;
    }
    let result = execute(conn, line, login.wait.then_some(login.timeout), w).await?;
    eprintln!("{result}");
    Ok(())
}

/// The tracking id in an `OK TRACKING <36-char uuid>` reply.
pub fn tracking_id(reply: &str) -> Option<&str> {
    reply
        .strip_prefix("OK TRACKING ")
        .filter(|id| id.len() == 36)
}

/// Sends `line`, checks the `OK` reply, and returns the text NUT prints on stderr: the
/// reply itself, or with `wait` the final tracking status.
async fn execute(
    conn: &mut Conn,
    line: &str,
    wait: Option<u32>,
    w: Wording,
) -> Result<String, Fatal> {
    let reply = exchange(conn, line, &format!("Can't {}", w.send), w.failed).await?;
    if !reply.starts_with("OK") {
        return Err(Fatal::new(format!(
            "Unexpected response from upsd: {reply}"
        )));
    }
    match (wait, tracking_id(&reply)) {
        (Some(timeout), Some(id)) => poll(conn, id, timeout).await,
        _ => Ok(reply),
    }
}

async fn poll(conn: &mut Conn, id: &str, timeout: u32) -> Result<String, Fatal> {
    let start = Instant::now();
    let limit = Duration::from_secs(u64::from(timeout));
    loop {
        if start.elapsed() >= limit {
            return Err(Fatal::new(
                "Can't receive status tracking information: timeout",
            ));
        }
        conn.send_line(&format!("GET TRACKING {id}\n"))
            .await
            .map_err(|e| Fatal::new(format!("Can't send status tracking request: {e}")))?;
        let reply = conn
            .read_line_timeout(limit)
            .await
            .map_err(|e| Fatal::new(format!("Can't receive status tracking information: {e}")))?;
        if !reply.starts_with("PENDING") {
            return Ok(reply);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_options() {
        let mut l = Login::default();
        assert_eq!(l.timeout, DEFAULT_TIMEOUT);
        l.option('u', Some("admin".into())).expect("-u");
        l.option('t', Some("3".into())).expect("-t");
        l.option('w', None).expect("-w");
        l.option('x', Some("ignored".into())).expect("not ours");
        assert_eq!(
            (l.user.as_deref(), l.timeout, l.wait),
            (Some("admin"), 3, true)
        );
        l.option('p', Some("secret".into())).expect("-p");
        assert_eq!(l.password(), "secret");
        let err = l.option('t', Some("x".into())).expect_err("bad -t");
        assert!(err.message.ends_with("Invalid argument"), "{err:?}");
    }

    #[test]
    fn tracking_ids_need_the_exact_length() {
        let id = "2DDC5036-F665-4D29-BE4C-0374D091D263";
        assert_eq!(tracking_id(&format!("OK TRACKING {id}")), Some(id));
        assert_eq!(tracking_id("OK"), None);
        assert_eq!(tracking_id("OK TRACKING short"), None);
    }
}
