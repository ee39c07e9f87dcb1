//! The per-connection session: one request line's words in, the reply out.
//!
//! [`Session::handle`] reproduces upsd 2.8.0 (`upsd.c`, `net*.c`) reply for reply:
//!
//! - an empty line (blank or comment only) is `ERR UNKNOWN-COMMAND`; a line the splitter
//!   refused because of an unescaped `#` inside quotes gets **no reply**;
//! - `LOGIN`, `PRIMARY`, `MASTER`, `FSD`, `SET` and `INSTCMD` first check that `USERNAME` and
//!   then `PASSWORD` were given (`ERR USERNAME-REQUIRED` / `ERR PASSWORD-REQUIRED`), before
//!   even looking at their arguments; then come the argument checks of `nut_proto`'s
//!   [`Request::from_words`], with [`ParseError::error_code`] as the reply;
//! - command, sub-command, UPS and variable names are case-insensitive and echoed as the
//!   client spelled them (`LIST CLIENT` prints the canonical UPS name per client,
//!   `server.info`/`server.version` are echoed lower-case);
//! - data commands check the driver (`DRIVER-NOT-CONNECTED`, then `DATA-STALE`) right after
//!   finding the UPS; `LIST UPS`, `LIST CLIENT`, `GET UPSDESC`, `LOGIN`, `PRIMARY`/`MASTER`,
//!   `FSD` and `GET VAR <any> server.*` do not.
//!
//! Where this session deliberately differs from upsd 2.8.0 (each has a test in
//! `tests/session.rs`):
//!
//! - **Strict numbers**: a `SET VAR` on a variable with ranges needs the whole value to be an
//!   integer (`abc`, `12abc`, `1e9` are `ERR INVALID-VALUE`); upsd uses `atoi()`.
//! - **Random tracking ids** from the generator of [`ServerState`] (seeded by the caller)
//!   instead of upsd's unseeded `rand()`, which repeats the same ids after every start.
//! - **No silent truncation**: replies are never cut at 512 bytes.
//! - **Enumerated values** are compared with the value as the driver sent it; upsd compares
//!   against its escaped copy, so it refuses enumerated values containing `"`, `\` or `#`.
//! - **TLS required for authentication** (an option upsd does not have): with
//!   [`TlsPolicy::require_for_auth`], `USERNAME`, `PASSWORD` and `LOGIN` on a connection that
//!   has not done `STARTTLS` are answered `ERR ACCESS-DENIED` (NUT 2.8 has no error code for
//!   this case; `ACCESS-DENIED` is the one every client already reports clearly).
//!
//! `LOGOUT` answers `OK Goodbye` and sets [`Reply::close`]; upsd keeps the connection open
//! when another request arrived in the same read, which is the network layer's business.

mod get;
mod list;
mod set;
mod user;

use std::fmt::Display;
use std::time::Instant;

use nut_driver_core::sock::ServerMsg;
use nut_proto::{ErrorCode, ParseError, Request};

use crate::state::{ConnId, ServerState, UpsEntry};

/// What the network layer can offer for `STARTTLS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TlsPolicy {
    /// A certificate is configured (`CERTFILE`), so `STARTTLS` can be accepted.
    pub available: bool,
    /// Refuse `USERNAME`, `PASSWORD` and `LOGIN` until TLS is up.
    pub require_for_auth: bool,
}

/// The outcome of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// Zero or more complete reply lines, each ending in `\n` (empty: send nothing).
    pub text: String,
    /// `LOGOUT`: close the connection after writing `text`.
    pub close: bool,
    /// `STARTTLS` accepted: write `text` (`OK STARTTLS`), then do the TLS handshake.
    pub start_tls: bool,
    /// Lines for drivers: `(canonical UPS name, message)`.
    pub to_driver: Vec<(String, ServerMsg)>,
    /// Lines for the server's log, as upsd logs them at info level: logins and logouts,
    /// repeated credentials, instant commands, settings and FSD (the caller drains them).
    pub log: Vec<String>,
}

impl Reply {
    fn line(&mut self, line: impl Display) {
        use std::fmt::Write;
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "{line}");
    }

    fn err(&mut self, code: ErrorCode) {
        self.line(format_args!("ERR {code}"));
    }

    /// One reply line from its pieces, without the formatting machinery (the hot path).
    fn line_of(&mut self, parts: &[&str]) {
        for part in parts {
            self.text.push_str(part);
        }
        self.text.push('\n');
    }
}

/// A parsed request that changes the served state, returned by [`Session::handle_shared`]
/// for [`Session::finish`].
#[derive(Debug)]
pub struct NeedsExclusive(Request);

/// Commands that need `USERNAME` and `PASSWORD` first (upsd's `FLAG_USER`).
const NEEDS_USER: [&str; 6] = ["LOGIN", "PRIMARY", "MASTER", "FSD", "SET", "INSTCMD"];

/// Commands refused in plaintext when [`TlsPolicy::require_for_auth`] is set.
const AUTH_COMMANDS: [&str; 3] = ["USERNAME", "PASSWORD", "LOGIN"];

/// The fixed `HELP` text of upsd 2.8.0.
const HELP: &str =
    "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS";

/// Protocol version answered to `NETVER` / `PROTVER`.
const NETVER: &str = "1.3";

/// One client connection's protocol state.
#[derive(Debug, Clone)]
pub struct Session {
    id: ConnId,
    peer_addr: String,
    tls: TlsPolicy,
    tls_active: bool,
    username: Option<String>,
    password: Option<String>,
    login: Option<String>,
    tracking: bool,
}

impl Session {
    /// A new connection `id` from `peer_addr` (as `LIST CLIENT` prints it).
    pub fn new(id: ConnId, peer_addr: String, tls: TlsPolicy) -> Self {
        Self {
            id,
            peer_addr,
            tls,
            tls_active: false,
            username: None,
            password: None,
            login: None,
            tracking: false,
        }
    }

    /// One request line's words (or the splitting error) in, the reply out.
    pub fn handle(
        &mut self,
        words: Result<Vec<String>, ParseError>,
        state: &mut ServerState,
        now: Instant,
    ) -> Reply {
        let mut out = Reply::default();
        match words {
            Ok(words) => self.handle_words(&words, state, now, &mut out),
            Err(e) => Self::handle_split_error(&e, &mut out),
        }
        out
    }

    /// [`Session::handle`] for a line split without error, with borrowed or owned words,
    /// appending to `out` instead of returning a new reply: the network layer reuses one
    /// [`Reply`] (and its text buffer) for every request of a connection. Reply lines are
    /// appended to `out.text` and driver messages to `out.to_driver`; `out.close` and
    /// `out.start_tls` are only ever set, so the caller clears them between requests.
    pub fn handle_words<S: AsRef<str>>(
        &mut self,
        words: &[S],
        state: &mut ServerState,
        now: Instant,
        out: &mut Reply,
    ) {
        if let Err(pending) = self.handle_shared(words, state, now, out) {
            self.finish(pending, state, now, out);
        }
    }

    /// [`Session::handle_words`] with shared access to the state, so that many connections
    /// can answer at once (the network layer holds a read lock): every request that only
    /// reads the served state (`GET`, `LIST`, `VER`, `HELP`, `STARTTLS`, `SET TRACKING`, and
    /// every refusal) is answered here. A request that changes it (`LOGIN`, `LOGOUT`, `FSD`,
    /// `SET VAR`, `INSTCMD`, credentials, `PRIMARY`) comes back as [`NeedsExclusive`],
    /// not yet acted upon, for [`Session::finish`] under exclusive access.
    pub fn handle_shared<S: AsRef<str>>(
        &mut self,
        words: &[S],
        state: &ServerState,
        now: Instant,
        out: &mut Reply,
    ) -> Result<(), NeedsExclusive> {
        if let Some(code) = self.precheck(words) {
            out.err(code);
            return Ok(());
        }
        match Request::from_words(words) {
            Ok(request) => self.dispatch_shared(request, state, now, out),
            Err(e) => {
                out.err(e.error_code());
                Ok(())
            }
        }
    }

    /// Carries out a request [`Session::handle_shared`] handed back.
    pub fn finish(
        &mut self,
        pending: NeedsExclusive,
        state: &mut ServerState,
        now: Instant,
        out: &mut Reply,
    ) {
        match pending.0 {
            Request::SetVar { ups, var, value } => {
                self.set_var(&ups, &var, &value, state, now, out)
            }
            Request::InstCmd { ups, cmd, param } => {
                self.instcmd(&ups, &cmd, param, state, now, out)
            }
            other => self.user_command(other, state, out),
        }
    }

    /// [`Session::handle`] for a line the splitter refused: its `ERR` reply appended to
    /// `out`, or nothing for an unescaped `#` inside quotes (as upsd).
    pub fn handle_split_error(error: &ParseError, out: &mut Reply) {
        if !matches!(error, ParseError::HashInQuotes) {
            out.err(error.error_code());
        }
    }

    /// The TLS handshake after `STARTTLS` succeeded.
    pub fn tls_started(&mut self) {
        self.tls_active = true;
    }

    /// The connection is gone: its login no longer counts.
    pub fn closed(&mut self, state: &mut ServerState) {
        state.logout(self.id);
        self.login = None;
    }

    /// The connection id.
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// `user@address`, as upsd names a client in its log.
    pub(super) fn who(&self) -> String {
        let user = self.username.as_deref().unwrap_or("(null)");
        format!("{user}@{}", self.peer_addr)
    }

    /// upsd's mark on log lines of a TLS connection.
    pub(super) fn ssl_mark(&self) -> &'static str {
        if self.tls_active {
            " (SSL)"
        } else {
            ""
        }
    }

    /// The peer address given at creation.
    pub fn peer_addr(&self) -> &str {
        &self.peer_addr
    }

    /// The `USERNAME` given, if any.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The UPS this connection logged in to (canonical name), if any.
    pub fn logged_in_ups(&self) -> Option<&str> {
        self.login.as_deref()
    }

    /// Whether `SET TRACKING ON` is in force.
    pub fn tracking(&self) -> bool {
        self.tracking
    }

    /// Whether TLS is up on this connection.
    pub fn tls_active(&self) -> bool {
        self.tls_active
    }

    /// Checks made on the command word alone, before the arguments: empty line, upsd's
    /// `FLAG_USER` (username, then password), and our TLS requirement.
    fn precheck<S: AsRef<str>>(&self, words: &[S]) -> Option<ErrorCode> {
        let Some(first) = words.first() else {
            return Some(ErrorCode::UnknownCommand);
        };
        let first = first.as_ref();
        let is_one_of = |set: &[&str]| set.iter().any(|c| c.eq_ignore_ascii_case(first));
        if is_one_of(&NEEDS_USER) {
            if self.username.is_none() {
                return Some(ErrorCode::UsernameRequired);
            }
            if self.password.is_none() {
                return Some(ErrorCode::PasswordRequired);
            }
        }
        let plaintext = self.tls.require_for_auth && !self.tls_active;
        (plaintext && is_one_of(&AUTH_COMMANDS)).then_some(ErrorCode::AccessDenied)
    }

    /// Answers the requests that only read the state; hands back the others.
    fn dispatch_shared(
        &mut self,
        req: Request,
        state: &ServerState,
        now: Instant,
        out: &mut Reply,
    ) -> Result<(), NeedsExclusive> {
        match req {
            Request::Ver => out.line(format_args!(
                "Network UPS Tools upsd {} - http://www.networkupstools.org/",
                state.config().version
            )),
            Request::NetVer | Request::ProtVer => out.line(NETVER),
            Request::Help => out.line(HELP),
            Request::StartTls => self.starttls(out),
            Request::Get(get) => self.get(get, state, now, out),
            Request::List(list) => list::list(list, state, now, out),
            Request::SetTracking(on) => {
                self.tracking = on;
                out.line("OK");
            }
            other => return Err(NeedsExclusive(other)),
        }
        Ok(())
    }

    fn starttls(&mut self, out: &mut Reply) {
        if self.tls_active {
            out.err(ErrorCode::AlreadySslMode);
        } else if !self.tls.available {
            out.err(ErrorCode::FeatureNotConfigured);
        } else {
            out.line("OK STARTTLS");
            out.start_tls = true;
        }
    }
}

/// Finds a UPS by name, ignoring case (`ERR UNKNOWN-UPS`).
fn lookup<'a>(state: &'a ServerState, name: &str) -> Result<&'a UpsEntry, ErrorCode> {
    state.ups(name).ok_or(ErrorCode::UnknownUps)
}

/// Finds a UPS and makes sure its driver is connected and its data fresh at `now`
/// (`ERR DRIVER-NOT-CONNECTED` / `ERR DATA-STALE`): upsd's `get_ups_ptr` + `ups_available`.
fn find_ups<'a>(
    state: &'a ServerState,
    name: &str,
    now: Instant,
) -> Result<&'a UpsEntry, ErrorCode> {
    let ups = lookup(state, name)?;
    ups.available(now, state.config().maxage)?;
    Ok(ups)
}
