//! Variable types as reported by `GET TYPE`.

/// The base kind of a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VarKind {
    /// `STRING:<n>`: a string of at most `n` bytes.
    String(usize),
    /// `NUMBER`.
    Number,
}

/// A variable's type: `[RW] [ENUM] [RANGE] STRING:n|NUMBER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VarType {
    /// Writable (`RW`).
    pub rw: bool,
    /// Has an enumeration of allowed values (`ENUM`).
    pub enumerated: bool,
    /// Has allowed ranges (`RANGE`).
    pub range: bool,
    /// String or number.
    pub kind: VarKind,
}
