//! Server → client responses of the NUT network protocol (v1.3).
//!
//! [`Response::parse`] reads one reply line; `Display` writes the exact wire text (without the
//! newline), with values quoted and escaped as upsd writes them. Replies whose meaning depends
//! on the request (the free text after `VER`, `NETVER`, `HELP`) are [`Response::Text`].

pub use crate::model::VarType;

/// An `ERR` code from the server; unknown codes are kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `ACCESS-DENIED`
    AccessDenied,
    /// `UNKNOWN-UPS`
    UnknownUps,
    /// `VAR-NOT-SUPPORTED`
    VarNotSupported,
    /// `CMD-NOT-SUPPORTED`
    CmdNotSupported,
    /// `INVALID-ARGUMENT`
    InvalidArgument,
    /// `INSTCMD-FAILED`
    InstCmdFailed,
    /// `SET-FAILED`
    SetFailed,
    /// `READONLY`
    Readonly,
    /// `TOO-LONG`
    TooLong,
    /// `FEATURE-NOT-SUPPORTED`
    FeatureNotSupported,
    /// `FEATURE-NOT-CONFIGURED`
    FeatureNotConfigured,
    /// `ALREADY-SSL-MODE`
    AlreadySslMode,
    /// `DRIVER-NOT-CONNECTED`
    DriverNotConnected,
    /// `DATA-STALE`
    DataStale,
    /// `ALREADY-LOGGED-IN`
    AlreadyLoggedIn,
    /// `INVALID-PASSWORD`
    InvalidPassword,
    /// `ALREADY-SET-PASSWORD`
    AlreadySetPassword,
    /// `INVALID-USERNAME`
    InvalidUsername,
    /// `ALREADY-SET-USERNAME`
    AlreadySetUsername,
    /// `USERNAME-REQUIRED`
    UsernameRequired,
    /// `PASSWORD-REQUIRED`
    PasswordRequired,
    /// `UNKNOWN-COMMAND`
    UnknownCommand,
    /// `INVALID-VALUE`
    InvalidValue,
    /// `UNKNOWN` (GET TRACKING: unknown id, or the driver did not know the command)
    Unknown,
    /// `FAILED` (GET TRACKING: the driver failed the command)
    Failed,
    /// Any other code, as written.
    Other(String),
}

/// Which list a `BEGIN LIST` / `END LIST` pair frames, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListKind {
    /// `UPS`
    Ups,
    /// `VAR <ups>`
    Var(String),
    /// `RW <ups>`
    Rw(String),
    /// `CMD <ups>`
    Cmd(String),
    /// `ENUM <ups> <var>`
    Enum(String, String),
    /// `RANGE <ups> <var>`
    Range(String, String),
    /// `CLIENT <ups>`
    Client(String),
}

/// One item of a list reply.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListItem {
    /// `UPS <name> "<description>"`
    Ups {
        /// UPS name.
        name: String,
        /// Description.
        desc: String,
    },
    /// `VAR <ups> <var> "<value>"`
    Var {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// `RW <ups> <var> "<value>"`
    Rw {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// `CMD <ups> <cmd>`
    Cmd {
        /// UPS name.
        ups: String,
        /// Command name.
        cmd: String,
    },
    /// `ENUM <ups> <var> "<value>"`
    Enum {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// One allowed value.
        value: String,
    },
    /// `RANGE <ups> <var> "<min>" "<max>"`
    Range {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Lower bound, as sent.
        min: String,
        /// Upper bound, as sent.
        max: String,
    },
    /// `CLIENT <ups> <address>`
    Client {
        /// UPS name.
        ups: String,
        /// Client address as the server prints it.
        addr: String,
    },
}

/// Every reply line of protocol v1.3.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Response {
    /// `OK`
    Ok,
    /// `OK TRACKING <id>`
    OkTracking(String),
    /// `OK Goodbye`
    OkGoodbye,
    /// `OK FSD-SET`
    OkFsdSet,
    /// `OK PRIMARY-GRANTED`
    OkPrimaryGranted,
    /// `OK MASTER-GRANTED`
    OkMasterGranted,
    /// `OK STARTTLS`
    OkStartTls,
    /// `ERR <code> [<extra>...]`
    Err {
        /// The error code.
        code: ErrorCode,
        /// Extra words after the code, if any (joined by single spaces).
        extra: Option<String>,
    },
    /// `VAR <ups> <var> "<value>"` (reply to GET VAR)
    Var {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Value.
        value: String,
    },
    /// `TYPE <ups> <var> <type words>`
    Type {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// The type.
        ty: VarType,
    },
    /// `DESC <ups> <var> "<text>"`
    Desc {
        /// UPS name.
        ups: String,
        /// Variable name.
        var: String,
        /// Description.
        desc: String,
    },
    /// `CMDDESC <ups> <cmd> "<text>"`
    CmdDesc {
        /// UPS name.
        ups: String,
        /// Command name.
        cmd: String,
        /// Description.
        desc: String,
    },
    /// `UPSDESC <ups> "<text>"`
    UpsDesc {
        /// UPS name.
        ups: String,
        /// Description.
        desc: String,
    },
    /// `NUMLOGINS <ups> <n>`
    NumLogins {
        /// UPS name.
        ups: String,
        /// Number of clients logged in to it.
        count: u32,
    },
    /// `ON` / `OFF`: reply to `GET TRACKING` without an id.
    TrackingMode(bool),
    /// `PENDING`: reply to `GET TRACKING <id>`.
    Pending,
    /// `SUCCESS`: reply to `GET TRACKING <id>`.
    Success,
    /// `BEGIN LIST <kind>`
    BeginList(ListKind),
    /// One item inside a list.
    Item(ListItem),
    /// `END LIST <kind>`
    EndList(ListKind),
    /// Free text (VER, NETVER/PROTVER and HELP replies).
    Text(String),
}
