//! JSON output of `upsc -j` (NUT 2.8.5 and later).

/// Escapes `s` for a JSON string as NUT's `json_print_esc` does (control characters as
/// `\u00XX`, the usual short escapes, everything else as is).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 32 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `"value"` with escaping.
pub fn string(s: &str) -> String {
    format!("\"{}\"", escape(s))
}

/// Items one per line, two spaces in, comma-separated, between `open` and `close` lines.
///
/// An empty list still has the blank line NUT prints: `[`, ``, `]`.
pub fn block(open: &str, items: &[String], close: &str) -> String {
    let body: Vec<String> = items.iter().map(|i| format!("  {i}")).collect();
    format!("{open}\n{}\n{close}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_json_print_esc() {
        assert_eq!(escape(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape("t\tn\nx\u{1}"), "t\\tn\\nx\\u0001");
        assert_eq!(escape("é"), "é");
    }

    #[test]
    fn blocks_separate_items_with_commas() {
        let items = vec![string("a"), string("b")];
        assert_eq!(block("[", &items, "]"), "[\n  \"a\",\n  \"b\"\n]\n");
        assert_eq!(block("[", &[], "]"), "[\n\n]\n");
    }
}
