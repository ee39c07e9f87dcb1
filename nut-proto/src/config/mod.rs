//! Parsers for NUT's configuration files, each a pure function from the file's text (and its
//! name, for error messages) to a typed value.
