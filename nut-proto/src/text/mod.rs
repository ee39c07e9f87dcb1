//! Text handling shared by every NUT text format: the network protocol, the driver socket and
//! the configuration files.
//!
//! - [`words`]: NUT's word splitting rules (quotes, escapes, comments, `=`), streaming and
//!   whole-line, and the inverse quoting for writing.
//! - [`line`](mod@line): framing of byte streams into bounded lines.

pub mod line;
pub mod words;

pub use line::{LineDecoder, DEFAULT_MAX_LINE};
pub use words::{
    escape, quote, quoted, split_config, split_line, split_line_with, ConfLine, ConfigLines,
    Limits, WordSplitter,
};
