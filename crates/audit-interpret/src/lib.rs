//! Interpretation of Linux audit fields, the event normalizer and ausearch expressions.
#![deny(missing_docs)]
