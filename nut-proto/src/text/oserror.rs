//! OS errors worded as NUT's C programs print them.

/// The C library's `strerror()` text of an I/O error: Rust's text without the
/// ` (os error N)` it appends.
///
/// ```
/// let e = std::io::Error::from_raw_os_error(2);
/// assert_eq!(nut_proto::text::strerror(&e), "No such file or directory");
/// ```
pub fn strerror(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}
