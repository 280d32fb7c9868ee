//! Private namespaces for tests that listen on ports, mount file systems or cover
//! configuration paths: the test runs itself again under `unshare(1)`, so that what
//! it does there (its loopback, its mounts) is seen by no other process of the
//! machine and ends with it.
//!
//! The pattern, for a libtest test:
//!
//! ```no_run
//! use audit_testlock::namespace::{self, Private};
//! const INSIDE: &str = "MY_TEST_INSIDE";
//!
//! fn listens_on_loopback() {
//!     if namespace::inside(INSIDE).is_some() {
//!         namespace::loopback_up();
//!         // ... the scenario, on 127.0.0.1 of this namespace only ...
//!         return;
//!     }
//!     if !namespace::tools_installed(&[]) {
//!         return; // skipped, and counted
//!     }
//!     let status = namespace::rerun_test(Private::Network, "listens_on_loopback", INSIDE, "1");
//!     assert!(status.success(), "the scenario inside the namespace failed");
//! }
//! ```
//!
//! A test with its own `main` (`harness = false`) calls [`rerun_self`] instead.
//! Creating namespaces needs root: take [`crate::live_lock`] and check
//! [`crate::live_kernel_unavailable_reason`] or [`crate::is_root`] first.

use std::ffi::{OsStr, OsString};
use std::path::Path;
use std::process::{Command, ExitStatus};

use crate::process::run_ok;

/// `unshare(1)`: every re-run goes through it.
const UNSHARE: &str = "/usr/bin/unshare";
/// `ip(8)`, for [`loopback_up`].
const IP: &str = "/sbin/ip";

/// Which namespaces of its own a program gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Private {
    /// A network namespace: only a loopback interface, down until [`loopback_up`].
    Network,
    /// A mount namespace whose mounts propagate nowhere.
    Mounts,
    /// Both.
    MountsAndNetwork,
}

impl Private {
    /// `unshare(1)`'s options for these namespaces.
    pub fn unshare_options(self) -> &'static [&'static str] {
        match self {
            Private::Network => &["-n"],
            Private::Mounts => &["-m", "--propagation", "private"],
            Private::MountsAndNetwork => &["-m", "-n", "--propagation", "private"],
        }
    }
}

/// `unshare OPTIONS --`, ready for the program and its arguments.
pub fn unshare(private: Private) -> Command {
    let mut cmd = Command::new(UNSHARE);
    cmd.args(private.unshare_options()).arg("--");
    cmd
}

/// Whether `unshare`, `ip` and every one of `more` (absolute paths) are installed;
/// when one is not, [`crate::skip`]s naming it and returns false.
pub fn tools_installed(more: &[&str]) -> bool {
    for tool in [UNSHARE, IP].iter().chain(more) {
        if !Path::new(tool).exists() {
            crate::skip(format!("{tool} is not installed"));
            return false;
        }
    }
    true
}

/// The value of the environment variable `marker` when this process is the copy
/// that runs inside the namespaces ([`rerun_self`] and [`rerun_test`] set it).
pub fn inside(marker: &str) -> Option<OsString> {
    std::env::var_os(marker)
}

/// Runs this test executable again, with `args`, in the `private` namespaces, with
/// `marker` set to `value` in its environment, and waits for it.
///
/// # Panics
/// When `unshare` cannot be started.
pub fn rerun_self(
    private: Private,
    marker: &str,
    value: impl AsRef<OsStr>,
    args: &[&str],
) -> ExitStatus {
    let me = std::env::current_exe().expect("the test executable's path");
    unshare(private)
        .arg(me)
        .args(args)
        .env(marker, value)
        .status()
        .expect("run unshare")
}

/// [`rerun_self`] for a libtest test: only the test named `test` runs in the copy
/// (`--exact TEST --nocapture`).
pub fn rerun_test(
    private: Private,
    test: &str,
    marker: &str,
    value: impl AsRef<OsStr>,
) -> ExitStatus {
    rerun_self(private, marker, value, &["--exact", test, "--nocapture"])
}

/// Brings up the loopback interface of this (private) network namespace.
///
/// # Panics
/// When `ip link set lo up` fails.
pub fn loopback_up() {
    run_ok(IP, &["link", "set", "lo", "up"]);
}

/// Mounts a tmpfs named `name` with `options` (such as `size=64k`) on `target`, in
/// this (private) mount namespace.
///
/// # Panics
/// When `mount` fails.
pub fn mount_tmpfs(target: &Path, options: &str, name: &str) {
    let target = target.to_str().expect("a UTF-8 mount point");
    run_ok("mount", &["-t", "tmpfs", "-o", options, name, target]);
}

/// Binds `source` over `target` in this (private) mount namespace, such as a
/// directory of the test's over `/etc/audit`.
///
/// # Panics
/// When `mount --bind` fails.
pub fn bind(source: &Path, target: &Path) {
    let source = source.to_str().expect("a UTF-8 path");
    let target = target.to_str().expect("a UTF-8 path");
    run_ok("mount", &["--bind", source, target]);
}
