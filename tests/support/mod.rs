//! Helpers of the root package's integration tests (`mod support;` from a
//! `tests/<name>.rs` file of the root package only: the tests of a package under
//! `crates/` use `audit-testlock`, a dev-dependency, and run their programs through
//! `CARGO_BIN_EXE_<name>`).
//!
//! - [`example_bin`]: the path of one of the root package's teaching examples,
//!   built (or brought up to date) with `cargo build --example`;
//! - re-exported from `audit-testlock`, which the tests of every package share:
//!   [`c_program`], [`run`], [`first_difference`] (its `reference` module) and the
//!   test logs [`data_dir`], [`corpus_logs`], [`corpus_and_normalize_logs`], ... (its
//!   `corpus` module).

// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};
use std::process::Command;

use audit_testlock::reference::BuildOnce;

pub use audit_testlock::corpus::{
    corpus_and_normalize_logs, corpus_logs, data_dir, data_relative, log_name,
};
pub use audit_testlock::reference::{c_program, first_difference, run};

/// The workspace's root directory, which holds `tests/` and `examples/`.
pub fn manifest_dir() -> &'static Path {
    audit_testlock::reference::workspace_dir()
}

/// Path of the root package's example binary `name`
/// (`target/<profile>/examples/<name>`), found from the running test's own
/// path (`target/<profile>/deps/<test>-<hash>`).
///
/// Only the tests of the teaching examples (audisp-example, key-alert,
/// login-alert, the newcomer examples) need it: a program is an audit-tools
/// binary, and its tests run it through `env!("CARGO_BIN_EXE_<name>")`, which
/// cargo builds first; cargo has no such variable for examples. A plain
/// `cargo test` builds the examples before it runs the integration tests,
/// but `cargo test --test <name>` does not, and an example binary left from an
/// earlier build may be stale. So the first call for each example runs
/// `cargo build --example <name>` with the test's profile and target directory
/// (a no-op when it is up to date).
pub fn example_bin(name: &str) -> PathBuf {
    static BUILT: BuildOnce = BuildOnce::new();
    BUILT.path(name, build_example)
}

fn build_example(name: &str) -> PathBuf {
    let me = std::env::current_exe().expect("cannot find the test executable's path");
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test executable path {}", me.display()));
    let exe = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let source = manifest_dir().join("examples").join(format!("{name}.rs"));
    assert!(
        source.is_file(),
        "example {} does not exist: the differential tests compare it with the \
         C reference program",
        source.display()
    );
    // target/<profile>/ or target/<triple>/<profile>/
    let profile = profile_dir
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("debug");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(manifest_dir())
        .args(["build", "--quiet", "--package", env!("CARGO_PKG_NAME")])
        .args(["--example", name]);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    // Same target directory as this test, unless built for an explicit
    // target triple (then cargo's own CARGO_TARGET_DIR setting applies).
    if let Some(target_dir) = profile_dir.parent() {
        if target_dir.join("CACHEDIR.TAG").is_file() {
            cmd.arg("--target-dir").arg(target_dir);
        }
    }
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build example {name}: {e}"));
    assert!(
        status.success(),
        "`cargo build --example {name}` failed ({status})"
    );
    assert!(
        exe.is_file(),
        "example binary {} not found after building it",
        exe.display()
    );
    exe
}
