//! auditctl's rule language: rule text and rule files to kernel audit rules and back to auditctl -l text.
#![deny(missing_docs)]
