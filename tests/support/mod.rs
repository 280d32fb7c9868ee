//! Helpers of the root package's integration tests (`mod support;` from a
//! `tests/<name>.rs` file of the root package only: the tests of a package under
//! `crates/` use `audit-testlock`, a dev-dependency, and run their programs through
//! `CARGO_BIN_EXE_<name>`).
//!
//! - [`example_bin`]: the path of one of the root package's teaching examples,
//!   built (or brought up to date) with `cargo build --example` (the tests of
//!   teaching examples only: cargo has no `CARGO_BIN_EXE_<name>` for examples);
//! - re-exported from `audit-testlock`, which the tests of every package share:
//!   [`c_program`], [`run`], [`first_difference`] (its `reference` module) and the
//!   test logs [`data_dir`], [`corpus_logs`], [`corpus_and_normalize_logs`], ... (its
//!   `corpus` module);
//! - [`status_with_stderr_full`]: a program's exit status when its messages cannot
//!   be written.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};

pub use audit_testlock::corpus::{
    corpus_and_normalize_logs, corpus_logs, data_dir, data_relative, log_name,
};
pub use audit_testlock::reference::{c_program, first_difference, run};

/// The workspace's root directory, which holds `tests/` and `examples/`.
pub fn manifest_dir() -> &'static Path {
    audit_testlock::reference::workspace_dir()
}

/// Path of the root package's example binary `name`, built when missing or stale:
/// `audit_testlock::reference::example_bin` (which says why the tests of teaching
/// examples build them this way).
pub fn example_bin(name: &str) -> PathBuf {
    audit_testlock::reference::example_bin(env!("CARGO_PKG_NAME"), name)
}

/// The exit status of `command` with its standard error on `/dev/full`, where every
/// message fails to be written (`eprintln!` would panic there).
pub fn status_with_stderr_full(command: &mut std::process::Command) -> Option<i32> {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    command
        .stderr(full)
        .status()
        .expect("run the program")
        .code()
}
