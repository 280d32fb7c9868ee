//! Differential test of the teaching example `audisp-example` against the C
//! program `tests/c/audisp_example.c` (libauparse 3.0.9, modelled on
//! audit-userspace's plugin example): for every audit log under `tests/data`, both
//! read the log as standard input and must print the same, byte for byte, once our
//! deliberate differences from libauparse are applied to the C side (see
//! `audit_testlock::libauparse`; each must be needed by some file). The parser's
//! own differential test, through the `auparse-walk` program, is audit-tools'
//! `differential_parse`.
//!
//! Needs `cc` and `apt-get install -y libauparse-dev libaudit-dev`.

mod support;

use std::collections::HashSet;

use audit_testlock::libauparse::{assert_all_used, c_input, normalise_audisp, Report};
use support::{c_program, corpus_logs, data_relative, example_bin, run};

#[test]
fn audisp_example_matches_libauparse() {
    let c_example = c_program("audisp_example");
    let ours = example_bin("audisp-example");
    let mut report = Report::new("audisp-example");
    let mut used = HashSet::new();
    for path in corpus_logs() {
        let rel = data_relative(&path);
        let c_path = c_input(&path, &mut used);
        let expected = normalise_audisp(&run(&c_example, &[], Some(&c_path)), &mut used);
        let got = run(&ours, &[], Some(&path));
        report.compare(&rel, "audisp", &expected, &got);
    }
    report.finish();
    assert_all_used(&used);
}
