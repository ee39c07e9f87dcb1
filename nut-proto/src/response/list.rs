//! List replies: `BEGIN LIST <kind>`, the items, `END LIST <kind>`, and [`ListCollector`],
//! which assembles them.

use std::fmt;

use super::{exact, ErrorCode, ListItem, ListKind, Response};
use crate::{
    error::ParseError,
    text::{quote, quoted},
};

/// At most this many items are collected for one list (real lists have at most a few
/// hundred); past it [`ListCollector::push`] fails with [`ListError::TooManyItems`].
pub const MAX_LIST_ITEMS: usize = 100_000;

impl ListKind {
    /// Reads the words after `BEGIN LIST` / `END LIST` (upper-case kind, as upsd writes).
    pub(crate) fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Self, ParseError> {
        let Some((kind, args)) = words.split_first() else {
            return Err(missing("LIST", "missing list kind"));
        };
        let kind = kind.as_ref();
        Ok(match kind {
            "UPS" => {
                exact::<_, 0>("LIST UPS", args)?;
                Self::Ups
            }
            "VAR" | "RW" | "CMD" | "CLIENT" => {
                let [ups] = exact::<_, 1>(kind, args)?;
                match kind {
                    "VAR" => Self::Var(ups),
                    "RW" => Self::Rw(ups),
                    "CMD" => Self::Cmd(ups),
                    _ => Self::Client(ups),
                }
            }
            "ENUM" | "RANGE" => {
                let [ups, var] = exact::<_, 2>(kind, args)?;
                if kind == "ENUM" {
                    Self::Enum(ups, var)
                } else {
                    Self::Range(ups, var)
                }
            }
            _ => {
                return Err(ParseError::InvalidValue {
                    what: "list kind",
                    value: kind.to_owned(),
                })
            }
        })
    }

    /// The keyword of this list and of its items: `UPS`, `VAR`, `RW`, ...
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Ups => "UPS",
            Self::Var(_) => "VAR",
            Self::Rw(_) => "RW",
            Self::Cmd(_) => "CMD",
            Self::Enum(..) => "ENUM",
            Self::Range(..) => "RANGE",
            Self::Client(_) => "CLIENT",
        }
    }

    /// The UPS and variable names, if this kind has them.
    fn names(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Self::Ups => (None, None),
            Self::Var(u) | Self::Rw(u) | Self::Cmd(u) | Self::Client(u) => (Some(u), None),
            Self::Enum(u, v) | Self::Range(u, v) => (Some(u), Some(v)),
        }
    }

    /// Same kind and same names, ignoring case (upsd echoes names as the client wrote them,
    /// and names are case-insensitive).
    pub fn matches(&self, other: &Self) -> bool {
        let eq = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a.is_none() && b.is_none(),
        };
        let ((u1, v1), (u2, v2)) = (self.names(), other.names());
        self.keyword() == other.keyword() && eq(u1, u2) && eq(v1, v2)
    }
}

impl fmt::Display for ListKind {
    /// The words after `BEGIN LIST ` / `END LIST `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())?;
        let (ups, var) = self.names();
        for name in [ups, var].into_iter().flatten() {
            write!(f, " {}", quote(name))?;
        }
        Ok(())
    }
}

impl ListItem {
    /// Reads an item line's arguments after its keyword (`UPS`, `RW`, `CMD`, `ENUM`,
    /// `RANGE`, `CLIENT`; `VAR` lines parse as [`Response::Var`]).
    pub(crate) fn from_words<S: AsRef<str>>(keyword: &str, args: &[S]) -> Result<Self, ParseError> {
        Ok(match keyword {
            "UPS" => {
                let [name, desc] = exact::<_, 2>(keyword, args)?;
                Self::Ups { name, desc }
            }
            "VAR" | "RW" | "ENUM" => {
                let [ups, var, value] = exact::<_, 3>(keyword, args)?;
                match keyword {
                    "VAR" => Self::Var { ups, var, value },
                    "RW" => Self::Rw { ups, var, value },
                    _ => Self::Enum { ups, var, value },
                }
            }
            "CMD" => {
                let [ups, cmd] = exact::<_, 2>(keyword, args)?;
                Self::Cmd { ups, cmd }
            }
            "RANGE" => {
                let [ups, var, min, max] = exact::<_, 4>(keyword, args)?;
                Self::Range { ups, var, min, max }
            }
            _ => {
                let [ups, addr] = exact::<_, 2>(keyword, args)?;
                Self::Client { ups, addr }
            }
        })
    }

    /// The keyword that starts this item's line.
    pub fn keyword(&self) -> &'static str {
        match self {
            Self::Ups { .. } => "UPS",
            Self::Var { .. } => "VAR",
            Self::Rw { .. } => "RW",
            Self::Cmd { .. } => "CMD",
            Self::Enum { .. } => "ENUM",
            Self::Range { .. } => "RANGE",
            Self::Client { .. } => "CLIENT",
        }
    }

    /// The UPS (or, for `UPS` items, the listed UPS) this item is about.
    pub fn ups(&self) -> &str {
        match self {
            Self::Ups { name: ups, .. }
            | Self::Var { ups, .. }
            | Self::Rw { ups, .. }
            | Self::Cmd { ups, .. }
            | Self::Enum { ups, .. }
            | Self::Range { ups, .. }
            | Self::Client { ups, .. } => ups,
        }
    }

    /// Whether this item belongs in a list of `kind`.
    pub fn belongs_to(&self, kind: &ListKind) -> bool {
        let same_ups = match kind.names().0 {
            Some(ups) => ups.eq_ignore_ascii_case(self.ups()),
            None => true,
        };
        self.keyword() == kind.keyword() && same_ups
    }
}

impl fmt::Display for ListItem {
    /// The whole item line, without the newline.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kw = self.keyword();
        match self {
            Self::Ups { name, desc } => write!(f, "UPS {} {}", quote(name), quoted(desc)),
            Self::Var { ups, var, value }
            | Self::Rw { ups, var, value }
            | Self::Enum { ups, var, value } => {
                write!(f, "{kw} {} {} {}", quote(ups), quote(var), quoted(value))
            }
            Self::Cmd { ups, cmd } => write!(f, "CMD {} {}", quote(ups), quote(cmd)),
            Self::Range { ups, var, min, max } => write!(
                f,
                "RANGE {} {} {} {}",
                quote(ups),
                quote(var),
                quoted(min),
                quoted(max)
            ),
            Self::Client { ups, addr } => write!(f, "CLIENT {} {}", quote(ups), quote(addr)),
        }
    }
}

/// Why a list reply could not be assembled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    /// The server answered `ERR <code>` instead of (or inside) the list.
    #[error("server error: {}", .0.message())]
    Server(ErrorCode),
    /// `BEGIN LIST` or `END LIST` for another list than the one requested.
    #[error("expected list {expected}, got {got}")]
    Mismatch {
        /// The list requested.
        expected: ListKind,
        /// The list the server framed.
        got: ListKind,
    },
    /// A line that has no place at this point of a list reply.
    #[error("unexpected line in list reply: {0:?}")]
    Unexpected(String),
    /// More than [`MAX_LIST_ITEMS`] items.
    #[error("list longer than {max} items")]
    TooManyItems {
        /// The limit.
        max: usize,
    },
    /// [`ListCollector::push`] after the list was complete.
    #[error("list already complete")]
    Finished,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    AwaitBegin,
    Items,
    Done,
}

/// Assembles the reply to one `LIST` request from its lines.
///
/// Feed every [`Response`] read after sending the request; [`push`](Self::push) returns the
/// items once the matching `END LIST` arrives. An `ERR` reply, a list of another kind, a line
/// that is not an item of this list, or more than [`MAX_LIST_ITEMS`] items end it with a
/// [`ListError`]. The collector does no I/O.
///
/// ```
/// use nut_proto::response::{ListCollector, ListItem, ListKind, Response};
///
/// let mut c = ListCollector::new(ListKind::Ups);
/// assert_eq!(c.push(Response::parse("BEGIN LIST UPS").unwrap()), Ok(None));
/// assert_eq!(c.push(Response::parse("UPS ups1 \"Rack UPS\"").unwrap()), Ok(None));
/// let items = c.push(Response::parse("END LIST UPS").unwrap()).unwrap().unwrap();
/// assert_eq!(items, [ListItem::Ups { name: "ups1".into(), desc: "Rack UPS".into() }]);
/// ```
#[derive(Debug, Clone)]
pub struct ListCollector {
    expected: ListKind,
    stage: Stage,
    items: Vec<ListItem>,
    max: usize,
}

impl ListCollector {
    /// A collector for the reply to a request whose list is `expected`
    /// (see [`List::kind`](crate::request::List::kind)).
    pub fn new(expected: ListKind) -> Self {
        Self::with_limit(expected, MAX_LIST_ITEMS)
    }

    /// Like [`new`](Self::new) with another bound on the number of items.
    pub fn with_limit(expected: ListKind, max: usize) -> Self {
        Self {
            expected,
            stage: Stage::AwaitBegin,
            items: Vec::new(),
            max,
        }
    }

    /// Feeds the next reply line: `Ok(None)` while the list goes on, `Ok(Some(items))` at its
    /// end.
    pub fn push(&mut self, response: Response) -> Result<Option<Vec<ListItem>>, ListError> {
        match (&self.stage, response) {
            (Stage::Done, _) => Err(ListError::Finished),
            (_, Response::Err { code, .. }) => self.fail(ListError::Server(code)),
            (Stage::AwaitBegin, Response::BeginList(kind)) => {
                self.check_kind(kind)?;
                self.stage = Stage::Items;
                Ok(None)
            }
            (Stage::Items, Response::EndList(kind)) => {
                self.check_kind(kind)?;
                self.stage = Stage::Done;
                Ok(Some(std::mem::take(&mut self.items)))
            }
            (Stage::Items, Response::Item(item)) => self.add(item),
            (Stage::Items, Response::Var { ups, var, value }) => {
                self.add(ListItem::Var { ups, var, value })
            }
            (_, other) => self.fail(ListError::Unexpected(other.to_string())),
        }
    }

    fn add(&mut self, item: ListItem) -> Result<Option<Vec<ListItem>>, ListError> {
        if !item.belongs_to(&self.expected) {
            return self.fail(ListError::Unexpected(item.to_string()));
        }
        if self.items.len() >= self.max {
            return self.fail(ListError::TooManyItems { max: self.max });
        }
        self.items.push(item);
        Ok(None)
    }

    fn check_kind(&mut self, got: ListKind) -> Result<(), ListError> {
        if got.matches(&self.expected) {
            return Ok(());
        }
        let expected = self.expected.clone();
        self.fail(ListError::Mismatch { expected, got })
    }

    fn fail<T>(&mut self, err: ListError) -> Result<T, ListError> {
        self.stage = Stage::Done;
        self.items = Vec::new();
        Err(err)
    }

    /// Whether the list is complete (or failed) and no more lines belong to it.
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }
}

fn missing(command: &str, reason: &'static str) -> ParseError {
    ParseError::InvalidArgument {
        command: command.to_owned(),
        reason,
    }
}
