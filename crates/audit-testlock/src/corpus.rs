//! The test logs of the workspace: the corpus under `tests/data` (the audit-userspace
//! and peer corpora, logs captured from this machine's kernel) and the project's own
//! cases under `tests/normalize_data` and `tests/interpret_data`.
//!
//! ```no_run
//! for log in audit_testlock::corpus::corpus_logs() {
//!     println!("{}", audit_testlock::corpus::data_relative(&log));
//! }
//! ```

use std::path::{Path, PathBuf};

use crate::reference::workspace_dir;

/// `tests/data` of the workspace: the audit logs every differential test reads.
pub fn data_dir() -> PathBuf {
    workspace_dir().join("tests").join("data")
}

/// Every audit log under `tests/data` (files ending in `.log` or `.txt`),
/// sorted by path, so that tests visit them in a stable order.
pub fn corpus_logs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list test data directory {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                walk(&path, out);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("log") | Some("txt")
            ) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&data_dir(), &mut out);
    out.sort();
    assert!(
        !out.is_empty(),
        "no *.log / *.txt files under {}",
        data_dir().display()
    );
    out
}

/// `path` relative to `tests/data`, with `/` separators, for messages and
/// for the explicit lists in tests.
pub fn data_relative(path: &Path) -> String {
    path.strip_prefix(data_dir())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// The corpus logs plus the normalizer's own cases under `tests/normalize_data`.
pub fn corpus_and_normalize_logs() -> Vec<PathBuf> {
    let mut v = corpus_logs();
    let dir = normalize_data_dir();
    let mut own: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    own.sort();
    v.extend(own);
    v
}

/// A log's name for messages: its file name for a normalizer case, else
/// [`data_relative`].
pub fn log_name(p: &Path) -> String {
    if p.starts_with(normalize_data_dir()) {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        data_relative(p)
    }
}

/// `tests/normalize_data` of the workspace: the normalizer's own cases.
pub fn normalize_data_dir() -> PathBuf {
    workspace_dir().join("tests").join("normalize_data")
}

/// The logs of ours that the interpretation tests read besides the corpus: edge values
/// for every decoder (`tests/interpret_data/edge.log`), and a SYSCALL record for each
/// syscall libaudit 3.0.9 names otherwise than the kernel
/// (`tests/normalize_data/libaudit-syscall-names.log`).
pub fn interpret_own_logs() -> [PathBuf; 2] {
    let root = workspace_dir();
    [
        root.join("tests/interpret_data/edge.log"),
        root.join("tests/normalize_data/libaudit-syscall-names.log"),
    ]
}
