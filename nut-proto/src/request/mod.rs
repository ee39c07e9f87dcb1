//! Client → server requests of the NUT network protocol (v1.3).
//!
//! One enum, [`Request`], covers every command. [`Request::parse`] reads one line (or
//! [`Request::from_words`] words already split, as a server does); `Display` writes the exact
//! wire text (without the newline), quoting arguments only where needed.
//! Command words are case-insensitive on input, as real upsd accepts them.

/// Sub-commands of `GET`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Get {
    /// `GET NUMLOGINS <ups>`
    NumLogins {
        /// UPS name.
        ups: String,
    },
    /// `GET UPSDESC <ups>`
    UpsDesc {
        /// UPS name.
        ups: String,
    },
    /// `GET VAR <ups> <var>`
    Var {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `GET TYPE <ups> <var>`
    Type {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `GET DESC <ups> <var>`
    Desc {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `GET CMDDESC <ups> <cmd>`
    CmdDesc {
        /// UPS name.
        ups: String,
        /// Instant command name.
        cmd: String,
    },
    /// `GET TRACKING` (is tracking on for this connection?) or `GET TRACKING <id>`.
    Tracking {
        /// The tracking id to query, if any.
        id: Option<String>,
    },
}

/// Sub-commands of `LIST`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum List {
    /// `LIST UPS`
    Ups,
    /// `LIST VAR <ups>`
    Var {
        /// UPS name.
        ups: String,
    },
    /// `LIST RW <ups>`
    Rw {
        /// UPS name.
        ups: String,
    },
    /// `LIST CMD <ups>`
    Cmd {
        /// UPS name.
        ups: String,
    },
    /// `LIST ENUM <ups> <var>`
    Enum {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `LIST RANGE <ups> <var>`
    Range {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
    },
    /// `LIST CLIENT <ups>`
    Client {
        /// UPS name.
        ups: String,
    },
}

/// Every request of protocol v1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Request {
    /// `GET ...`
    Get(Get),
    /// `LIST ...`
    List(List),
    /// `SET VAR <ups> <var> "<value>"`
    SetVar {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// New value.
        value: String,
    },
    /// `SET TRACKING ON|OFF`
    SetTracking(bool),
    /// `INSTCMD <ups> <cmd> [<param>]`
    InstCmd {
        /// UPS name.
        ups: String,
        /// Command name.
        cmd: String,
        /// Optional parameter.
        param: Option<String>,
    },
    /// `USERNAME <name>`
    Username(String),
    /// `PASSWORD <password>`
    Password(String),
    /// `LOGIN <ups>`
    Login(String),
    /// `LOGOUT`
    Logout,
    /// `PRIMARY <ups>`
    Primary(String),
    /// `MASTER <ups>` (the pre-2.8 name of PRIMARY)
    Master(String),
    /// `FSD <ups>`
    Fsd(String),
    /// `STARTTLS`
    StartTls,
    /// `VER`
    Ver,
    /// `NETVER`
    NetVer,
    /// `PROTVER` (same answer as NETVER)
    ProtVer,
    /// `HELP`
    Help,
}
