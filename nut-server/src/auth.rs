//! Permission checks from `upsd.users`, as upsd 2.8.0 makes them.
//!
//! A user's rights are a set of *action* names plus a list of instant commands:
//! - `actions = SET FSD ...` grants the named actions (any word; matched ignoring case);
//! - `upsmon primary` (or `master`) grants the actions `LOGIN`, `MASTER` and `FSD`;
//!   `upsmon secondary` (or `slave`) grants `LOGIN` only;
//! - `instcmds = a b ...` (repeatable) allows those commands, `ALL` allows every one.
//!
//! The commands check: `LOGIN` needs `LOGIN`; `PRIMARY` and `MASTER` need `PRIMARY` or
//! `MASTER`; `FSD` needs `FSD`; `SET VAR` needs `SET`; `INSTCMD` needs the command in
//! `instcmds`. So `actions = SET FSD` does not allow `LOGIN` or `PRIMARY`.
//!
//! Every check first finds the user by exact (case-sensitive) name, skipping accounts that
//! have no password (they can never authenticate), then compares the password exactly. Unknown
//! user and wrong password both simply fail: the client sees `ERR ACCESS-DENIED`.

use nut_proto::config::upsd_users::{UpsdUsers, UpsmonRole, User};

/// One account with its rights resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    name: String,
    password: String,
    /// Granted action names, upper-case.
    actions: Vec<String>,
    /// Allowed instant commands as written (compared ignoring case).
    instcmds: Vec<String>,
}

/// The accounts of `upsd.users`, ready for permission checks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Users {
    accounts: Vec<Account>,
}

impl Users {
    /// No accounts: every privileged command is refused.
    pub fn none() -> Self {
        Self::default()
    }

    /// Resolves the rights of every user of a parsed `upsd.users`.
    ///
    /// ```
    /// use nut_proto::config::UpsdUsers;
    /// use nut_server::auth::Users;
    /// let text = "[mon]\n password = pw\n upsmon secondary\n";
    /// let users = Users::from_config(&UpsdUsers::parse(text, "upsd.users")?.config);
    /// assert!(users.check_action("mon", "pw", "LOGIN"));
    /// assert!(!users.check_action("mon", "pw", "FSD"));
    /// assert!(!users.check_action("mon", "wrong", "LOGIN"));
    /// # Ok::<(), nut_proto::ConfigError>(())
    /// ```
    pub fn from_config(users: &UpsdUsers) -> Self {
        let accounts = users.users.iter().filter_map(account).collect();
        Self { accounts }
    }

    /// True when `user` with `password` was granted `action` (`LOGIN`, `MASTER`, `PRIMARY`,
    /// `FSD`, `SET`, or any other name; case-insensitive).
    pub fn check_action(&self, user: &str, password: &str, action: &str) -> bool {
        self.authenticate(user, password)
            .is_some_and(|a| a.actions.iter().any(|x| x.eq_ignore_ascii_case(action)))
    }

    /// True when `user` with `password` may run the instant command `cmd` (case-insensitive;
    /// `ALL` allows every command).
    pub fn check_instcmd(&self, user: &str, password: &str, cmd: &str) -> bool {
        self.authenticate(user, password).is_some_and(|a| {
            a.instcmds
                .iter()
                .any(|c| c.eq_ignore_ascii_case(cmd) || c.eq_ignore_ascii_case("all"))
        })
    }

    /// Number of accounts that can authenticate (those with a password).
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// True when no account can authenticate.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// The first account with this exact name, if the password matches exactly.
    fn authenticate(&self, user: &str, password: &str) -> Option<&Account> {
        let account = self.accounts.iter().find(|a| a.name == user)?;
        (account.password == password).then_some(account)
    }
}

/// An account from a user section; `None` for a user without a password.
fn account(user: &User) -> Option<Account> {
    let password = user.password.clone()?;
    let mut actions: Vec<String> = user
        .actions
        .iter()
        .map(|a| a.name().to_ascii_uppercase())
        .collect();
    let from_role: &[&str] = match user.upsmon {
        Some(UpsmonRole::Primary) => &["LOGIN", "MASTER", "FSD"],
        Some(UpsmonRole::Secondary) => &["LOGIN"],
        None => &[],
    };
    for a in from_role {
        if !actions.iter().any(|x| x == a) {
            actions.push((*a).to_owned());
        }
    }
    Some(Account {
        name: user.name.clone(),
        password,
        actions,
        instcmds: user.instcmds.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn users(text: &str) -> Users {
        Users::from_config(&UpsdUsers::parse(text, "upsd.users").unwrap().config)
    }

    #[test]
    fn upsmon_roles_grant_what_user_c_grants() {
        let u = users(
            "[p]\npassword=1\nupsmon primary\n[m]\npassword=2\nupsmon master\n\
             [s]\npassword=3\nupsmon secondary\n[sl]\npassword=4\nupsmon slave\n",
        );
        for (name, pw) in [("p", "1"), ("m", "2")] {
            for action in ["LOGIN", "MASTER", "FSD", "login"] {
                assert!(u.check_action(name, pw, action), "{name} {action}");
            }
            assert!(
                !u.check_action(name, pw, "PRIMARY"),
                "PRIMARY is not granted by name"
            );
            assert!(!u.check_action(name, pw, "SET"));
        }
        for (name, pw) in [("s", "3"), ("sl", "4")] {
            assert!(u.check_action(name, pw, "LOGIN"));
            assert!(!u.check_action(name, pw, "MASTER"));
            assert!(!u.check_action(name, pw, "FSD"));
        }
    }

    #[test]
    fn actions_are_only_what_is_listed() {
        let u = users("[a]\npassword=pw\nactions = SET FSD\nactions = login\n");
        assert!(u.check_action("a", "pw", "set"));
        assert!(u.check_action("a", "pw", "FSD"));
        assert!(
            u.check_action("a", "pw", "LOGIN"),
            "actions = login grants LOGIN"
        );
        assert!(!u.check_action("a", "pw", "MASTER"));
    }

    #[test]
    fn instcmds_specific_all_and_repeats() {
        let u = users(
            "[a]\npassword=pw\ninstcmds = load.off\ninstcmds = Beeper.Toggle test.battery.start\n\
             [b]\npassword=pw\ninstcmds = all\n[c]\npassword=pw\n",
        );
        assert!(u.check_instcmd("a", "pw", "LOAD.OFF"));
        assert!(u.check_instcmd("a", "pw", "beeper.toggle"));
        assert!(u.check_instcmd("a", "pw", "test.battery.start"));
        assert!(!u.check_instcmd("a", "pw", "load.on"));
        assert!(u.check_instcmd("b", "pw", "anything.at.all"));
        assert!(!u.check_instcmd("c", "pw", "load.off"));
        assert!(
            !u.check_instcmd("b", "PW", "load.off"),
            "password is case-sensitive"
        );
    }

    #[test]
    fn unknown_users_wrong_passwords_and_passwordless_accounts_fail() {
        let u = users("[Admin]\npassword=pw\nactions=SET\n[nopw]\nactions=SET\n");
        assert!(u.check_action("Admin", "pw", "SET"));
        assert!(
            !u.check_action("admin", "pw", "SET"),
            "user names are case-sensitive"
        );
        assert!(!u.check_action("Admin", "pw ", "SET"));
        assert!(!u.check_action("nobody", "pw", "SET"));
        assert!(!u.check_action("nopw", "", "SET"));
        assert_eq!(u.len(), 1);
    }
}
