//! The linux-audit project's benchmark programs, and what they share.
//!
//! Each program compares one of ours with its C (or other) counterpart on the same
//! input in one run, the two alternating so that the load of a shared machine falls on
//! both alike; `gen-log` writes the large logs they run on. They are binaries of this
//! crate (not published), built to `target/release/<name>`:
//!
//! | binary | what it measures |
//! |---|---|
//! | `bench-vs-auparse` | `audit_parse::Parser` (feed and walk, `--interpret`) against libauparse's feed API |
//! | `bench-plugin-vs-c` | the `audisp-example` plugin (plugin runtime, parser, callback) against the C one |
//! | `bench-vs-laurel` | `au2json` against laurel: CPU time and output size |
//! | `gen-log` | writes a large, realistic, deterministic audit log from template logs |
//!
//! The programs read the C sources they compile (`tests/c/`) and their default
//! template logs (`tests/data/`) from the workspace, found with [`workspace_root`]:
//!
//! ```
//! let root = audit_bench::workspace_root();
//! assert!(root.join("tests/data/captured/busy.log").is_file());
//! assert!(root.join("tests/c/auparse_walk.c").is_file());
//! ```
//!
//! A run, from the workspace root:
//!
//! ```text
//! cargo build --release -p audit-bench
//! target/release/gen-log --in-order 200 /tmp/big.log tests/data/captured/busy.log
//! target/release/bench-vs-auparse /tmp/big.log --interpret
//! ```
#![deny(missing_docs)]

use std::path::Path;

/// The workspace's root directory (where `tests/c` and `tests/data` are), as it was
/// when this crate was built: two levels above its manifest.
pub fn workspace_root() -> &'static Path {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().and_then(Path::parent).unwrap_or(manifest)
}
