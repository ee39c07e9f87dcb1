//! `USERNAME`, `PASSWORD`, `LOGIN`, `LOGOUT`, `PRIMARY`/`MASTER` and `FSD` (upsd's
//! `netuser.c` and `net_fsd`).
//!
//! `USERNAME` and `PASSWORD` are accepted once each and verified only by the privileged
//! commands. `LOGIN`: ALREADY-LOGGED-IN → UNKNOWN-UPS → ACCESS-DENIED (needs the `LOGIN`
//! action); `PRIMARY`/`MASTER`: UNKNOWN-UPS → ACCESS-DENIED (needs `PRIMARY` or `MASTER`);
//! `FSD`: UNKNOWN-UPS → ACCESS-DENIED (needs `FSD`), then sets the UPS's FSD latch. None of
//! them looks at the driver.

use nut_proto::{ErrorCode, Request};

use super::{lookup, Reply, Session};
use crate::state::ServerState;

impl Session {
    pub(super) fn user_command(&mut self, req: Request, state: &mut ServerState, out: &mut Reply) {
        let result = match req {
            Request::Username(name) => set_once(&mut self.username, name).map_err(|()| {
                let who = self.who();
                out.log
                    .push(format!("Client {who} tried to set a username twice"));
                ErrorCode::AlreadySetUsername
            }),
            Request::Password(pw) => set_once(&mut self.password, pw).map_err(|()| {
                out.log.push(match self.username {
                    Some(_) => format!("Client {} tried to set a password twice", self.who()),
                    None => format!("Client on {} tried to set a password twice", self.peer_addr),
                });
                ErrorCode::AlreadySetPassword
            }),
            Request::Login(ups) => self.login(&ups, state, out),
            Request::Logout => {
                if let Some(ups) = &self.login {
                    let (who, ssl) = (self.who(), self.ssl_mark());
                    out.log
                        .push(format!("User {who} logged out from UPS [{ups}]{ssl}"));
                }
                out.close = true;
                Ok("OK Goodbye")
            }
            Request::Primary(ups) => self.primary(&ups, state).map(|()| "OK PRIMARY-GRANTED"),
            Request::Master(ups) => self.primary(&ups, state).map(|()| "OK MASTER-GRANTED"),
            Request::Fsd(ups) => self.fsd(&ups, state, out),
            _ => Err(ErrorCode::UnknownCommand),
        };
        match result {
            Ok(line) => out.line(line),
            Err(code) => out.err(code),
        }
    }

    /// The username and password given (empty when missing; the callers run after upsd's
    /// `FLAG_USER` check, so both are set).
    pub(super) fn credentials(&self) -> (&str, &str) {
        (
            self.username.as_deref().unwrap_or_default(),
            self.password.as_deref().unwrap_or_default(),
        )
    }

    /// Whether this connection's user was granted `action`.
    pub(super) fn allowed(&self, state: &ServerState, action: &str) -> bool {
        let (user, pass) = self.credentials();
        state.users().check_action(user, pass, action)
    }

    fn login(
        &mut self,
        ups: &str,
        state: &mut ServerState,
        out: &mut Reply,
    ) -> Result<&'static str, ErrorCode> {
        if self.login.is_some() {
            out.log
                .push(format!("Client {} tried to login twice", self.who()));
            return Err(ErrorCode::AlreadyLoggedIn);
        }
        let name = lookup(state, ups)?.name.clone();
        if !self.allowed(state, "LOGIN") {
            return Err(ErrorCode::AccessDenied);
        }
        state.login(self.id, &name, &self.peer_addr);
        let (who, ssl) = (self.who(), self.ssl_mark());
        out.log
            .push(format!("User {who} logged into UPS [{name}]{ssl}"));
        self.login = Some(name);
        Ok("OK")
    }

    fn primary(&self, ups: &str, state: &ServerState) -> Result<(), ErrorCode> {
        lookup(state, ups)?;
        if self.allowed(state, "PRIMARY") || self.allowed(state, "MASTER") {
            Ok(())
        } else {
            Err(ErrorCode::AccessDenied)
        }
    }

    fn fsd(
        &self,
        ups: &str,
        state: &mut ServerState,
        out: &mut Reply,
    ) -> Result<&'static str, ErrorCode> {
        lookup(state, ups)?;
        if !self.allowed(state, "FSD") {
            return Err(ErrorCode::AccessDenied);
        }
        if let Some(entry) = state.ups_mut(ups) {
            let who = self.who();
            out.log
                .push(format!("Client {who} set FSD on UPS [{}]", entry.name));
            entry.fsd = true;
        }
        Ok("OK FSD-SET")
    }
}

/// Sets a value that may be given only once.
fn set_once(slot: &mut Option<String>, value: String) -> Result<&'static str, ()> {
    if slot.is_some() {
        return Err(());
    }
    *slot = Some(value);
    Ok("OK")
}
