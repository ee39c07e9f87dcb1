//! The data model shared by every crate: UPS addresses, variable types and `ups.status`.

mod addr;
mod splitname;
mod status;
mod vartype;

pub use addr::{UpsAddr, DEFAULT_PORT};
pub use splitname::SplitName;
pub use status::{StatusFlag, UpsStatus};
pub use vartype::{VarKind, VarType};
