//! Our parser's deliberate differences from libauparse 3.0.9, applied to the C side's
//! output before a differential comparison, and a [`Report`] that gathers the
//! comparisons of a whole corpus.
//!
//! Both differential tests of the parser (the `auparse-walk` program against
//! `tests/c/auparse_walk.c`, the `audisp-example` example against
//! `tests/c/audisp_example.c`) use them, so that the two cannot disagree on what
//! counts as a deliberate difference.
//!
//! ```no_run
//! use audit_testlock::libauparse::{assert_all_used, c_input, normalise_walk, Report};
//! use audit_testlock::reference::{c_program, run};
//! let mut used = std::collections::HashSet::new();
//! let mut report = Report::new("walk");
//! for log in audit_testlock::corpus::corpus_logs() {
//!     let c_log = c_input(&log, &mut used);
//!     let expected = normalise_walk(
//!         &run(&c_program("auparse_walk"), &[c_log.to_str().unwrap()], None),
//!         &mut used,
//!     );
//!     let ours = run("target/debug/auparse-walk".as_ref(), &[log.to_str().unwrap()], None);
//!     report.compare(&audit_testlock::corpus::data_relative(&log), "walk", &expected, &ours);
//! }
//! report.finish();
//! assert_all_used(&used);
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use audit_netlink::audit_wire::RecordType;

use crate::corpus::data_relative;
use crate::reference::first_difference;

/// The differences from libauparse 3.0.9 that we keep on purpose (they are
/// listed in the `audit_parse::parser` docs). Each is applied to the C side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Deliberate {
    /// A last line without a newline: libauparse's feed mode drops it, we
    /// parse it at flush. The C side is given the file with a newline added.
    FinalLineKept,
    /// A line that is not a record, such as `#   execve("/bin/true", ...)`,
    /// which libauparse turns into a bogus event with time 0 and a record of
    /// type 0: we report such lines as errors. Those events are removed from
    /// the C side's output.
    NoBogusTimeZeroEvent,
    /// Record types that libaudit 3.0.9 cannot name (`UNKNOWN`) but the Linux
    /// 7.1 `audit.h` does (1420 is `IPE_ACCESS`): the C side's `UNKNOWN` is
    /// replaced by our name.
    NewerTypeNames,
}

/// Bytes the C side reads for `path`: with a final newline added where the
/// file lacks one.
pub fn c_input(path: &Path, used: &mut HashSet<Deliberate>) -> PathBuf {
    let data = std::fs::read(path).expect("read log");
    if data.is_empty() || data.ends_with(b"\n") {
        return path.to_path_buf();
    }
    used.insert(Deliberate::FinalLineKept);
    let dir = std::env::temp_dir().join(format!("lars-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = dir.join(data_relative(path).replace('/', "__"));
    let mut with_nl = data;
    with_nl.push(b'\n');
    std::fs::write(&out, with_nl).expect("write temp log");
    out
}

/// The C walker's output with our deliberate differences applied.
pub fn normalise_walk(out: &[u8], used: &mut HashSet<Deliberate>) -> Vec<u8> {
    let mut result = Vec::with_capacity(out.len());
    let mut skipping = false;
    for line in out.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"event ") {
            skipping = line.starts_with(b"event 0.000:0 ");
            if skipping {
                used.insert(Deliberate::NoBogusTimeZeroEvent);
            }
        }
        if skipping {
            continue;
        }
        result.extend_from_slice(&rename_unknown(line, b" type=", used));
    }
    result
}

/// The C audisp example's output with our deliberate differences applied.
pub fn normalise_audisp(out: &[u8], used: &mut HashSet<Deliberate>) -> Vec<u8> {
    let mut result = Vec::with_capacity(out.len());
    for line in out.split_inclusive(|&b| b == b'\n') {
        if line == b"record type 0(UNKNOWN) has 0 fields\n" {
            used.insert(Deliberate::NoBogusTimeZeroEvent);
            continue;
        }
        result.extend_from_slice(&rename_unknown(line, b"record type ", used));
    }
    result
}

/// In a line holding `<prefix><number>(UNKNOWN)`, put our name for the type
/// when we have one.
fn rename_unknown(line: &[u8], prefix: &[u8], used: &mut HashSet<Deliberate>) -> Vec<u8> {
    let Some(at) = find(line, prefix) else {
        return line.to_vec();
    };
    let num_start = at + prefix.len();
    let num_len = line[num_start..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let rest = &line[num_start + num_len..];
    let Some(tail) = rest.strip_prefix(b"(UNKNOWN)") else {
        return line.to_vec();
    };
    let number: u32 = match std::str::from_utf8(&line[num_start..num_start + num_len])
        .ok()
        .and_then(|n| n.parse().ok())
    {
        Some(n) => n,
        None => return line.to_vec(),
    };
    match RecordType(number).name() {
        Some(name) => {
            used.insert(Deliberate::NewerTypeNames);
            let mut v = line[..num_start + num_len].to_vec();
            v.extend_from_slice(format!("({name})").as_bytes());
            v.extend_from_slice(tail);
            v
        }
        None => line.to_vec(),
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Every deliberate difference must be needed by some file of the corpus, so
/// that the list stays exact.
pub fn assert_all_used(used: &HashSet<Deliberate>) {
    for d in [
        Deliberate::FinalLineKept,
        Deliberate::NoBogusTimeZeroEvent,
        Deliberate::NewerTypeNames,
    ] {
        assert!(
            used.contains(&d),
            "{d:?} is listed as a deliberate difference but no file needs it: remove it"
        );
    }
}

/// Collects the outcome of one comparison kind over all files and panics
/// at the end with every unexpected difference.
#[derive(Debug)]
pub struct Report {
    what: &'static str,
    compared: usize,
    failures: Vec<(String, String)>,
}

impl Report {
    /// An empty report of the comparisons named `what`.
    pub fn new(what: &'static str) -> Self {
        Report {
            what,
            compared: 0,
            failures: Vec::new(),
        }
    }

    /// Records the comparison of `expected` (libauparse, normalised) and
    /// `ours` for `file` under `check`.
    pub fn compare(&mut self, file: &str, check: &str, expected: &[u8], ours: &[u8]) {
        self.compared += 1;
        if let Some(d) = first_difference(expected, ours) {
            self.failures.push((format!("{file} [{check}]"), d));
        }
    }

    /// Panics with every difference recorded, if any.
    pub fn finish(self) {
        if self.failures.is_empty() {
            return;
        }
        const DETAILED: usize = 12;
        let mut msg = String::new();
        let _ = writeln!(
            msg,
            "{}: {} of {} comparisons differ from libauparse:",
            self.what,
            self.failures.len(),
            self.compared
        );
        for (name, _) in &self.failures {
            let _ = writeln!(msg, "  {name}");
        }
        for (name, detail) in self.failures.iter().take(DETAILED) {
            let _ = write!(msg, "\n=== {name}\n{detail}");
        }
        if self.failures.len() > DETAILED {
            let _ = writeln!(
                msg,
                "\n({} more not shown in detail)",
                self.failures.len() - DETAILED
            );
        }
        panic!("{msg}");
    }
}
