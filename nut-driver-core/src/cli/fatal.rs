//! The text of the error that ends a driver program, worded as NUT 2.8.0's drivers word it
//! (`fatalx`): no category prefix, `Error: ` where NUT has it, and OS errors as `strerror`.

use crate::error::DriverError;
use nut_proto::text::strerror;

/// The lines printed on stderr when `e` ends the program.
pub fn fatal_text(e: &DriverError) -> String {
    match e {
        DriverError::Config(m) if is_complete(m) => m.clone(),
        DriverError::Config(m) => format!("Error: {m}"),
        DriverError::Unsupported(m) => m.clone(),
        DriverError::Io { context, source } => format!("{context}: {}", strerror(source)),
        other => format!("Error: {other}"),
    }
}

/// Messages that already are NUT's whole text: several lines, or one that names its kind.
fn is_complete(m: &str) -> bool {
    m.contains('\n') || m.starts_with("Error: ") || m.starts_with("Fatal error: ")
}

/// The fatal text for a driver option the driver does not declare.
pub(crate) fn not_valid(key: &str, what: &str) -> DriverError {
    DriverError::Config(format!(
        "\nFatal error: '{key}' is not a valid {what} for this driver.\n\n\
         Look in the man page or call this driver with -h for a list of\n\
         valid variable names and flags."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_errors_as_nut_drivers_do() {
        let gone = std::io::Error::from_raw_os_error(2);
        assert_eq!(
            fatal_text(&DriverError::io("Can't open x: Can't open x", gone)),
            "Can't open x: Can't open x: No such file or directory"
        );
        assert_eq!(
            fatal_text(&DriverError::Config(
                "Section u not found in ups.conf".into()
            )),
            "Error: Section u not found in ups.conf"
        );
        assert_eq!(
            fatal_text(&DriverError::Unsupported("shutdown not supported".into())),
            "shutdown not supported"
        );
        assert!(fatal_text(&not_valid("zz", "flag")).starts_with("\nFatal error: 'zz' is not"));
    }
}
