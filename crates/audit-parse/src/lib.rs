//! Parser for Linux audit logs: records, event assembly with a chunked feed interface, cursors (a libauparse replacement).
#![deny(missing_docs)]
