//! Text handling shared by every NUT text format: the network protocol, the driver socket and
//! the configuration files.
//!
//! - [`words`]: NUT's word splitting rules (quotes, escapes, comments, `=`), streaming and
//!   whole-line, and the inverse quoting for writing.
//! - [`number`]: integers read the way NUT's C code reads them (`atoi`, `strtol`).
//! - [`strerror`]: OS errors worded as C's `strerror()`.
//! - [`line`](mod@line): framing of byte streams into bounded lines.
//! - [`split_plain_line`]: zero-copy splitting of a complete line that uses none of the
//!   quoting rules (the fast path of a server's input; other lines go to a `WordSplitter`).

pub mod line;
pub mod number;
mod oserror;
mod plain;
mod stamp;
pub mod words;

pub use line::{LineDecoder, DEFAULT_MAX_LINE};
pub use number::{atoi, leading_int};
pub use oserror::strerror;
pub use plain::split_plain_line;
pub use stamp::debug_stamp;
pub use words::{
    escape, quote, quoted, split_config, split_line, split_line_with, ConfLine, ConfigLines,
    Limits, WordSplitter,
};
