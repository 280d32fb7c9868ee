//! `audit-state [--json] [--expect-clean]`: print the kernel's audit status and the
//! number of loaded audit rules.
//!
//! - `--json`: one JSON object instead of `name=value` pairs.
//! - `--expect-clean`: exit 1 unless no rule is loaded and no audit daemon is
//!   registered (after live tests: they must leave the kernel as they found it).
//!
//! Exit status: 0 read (and clean where asked), 1 not clean or standard output not
//! written (named on standard error; a closed pipe ends it quietly with 0, see
//! [`audit_tools::output`]), 2 not read (the kernel refused: not root, no audit in
//! the kernel) or a bad argument. Needs root.

use audit_tools::output::{self, say};
use audit_tools::AuditState;
use std::io::{self, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: audit-state [--json] [--expect-clean]";

/// Writes `text` and a newline to standard output; `Err` is the exit status when
/// that failed.
fn print_line(text: &str) -> Result<(), ExitCode> {
    let mut out = io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|()| out.flush())
        .map_err(|e| ExitCode::from(output::write_failed_to_stderr("audit-state", &e)))
}

fn main() -> ExitCode {
    let (mut json, mut expect_clean) = (false, false);
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "--expect-clean" => expect_clean = true,
            "-h" | "--help" => {
                return match print_line(USAGE) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(code) => code,
                };
            }
            other => {
                say(format_args!(
                    "audit-state: unknown argument {other:?}\n{USAGE}\n"
                ));
                return ExitCode::from(2);
            }
        }
    }
    let state = match AuditState::read() {
        Ok(state) => state,
        Err(e) => {
            say(format_args!("audit-state: the kernel refused: {e}\n"));
            return ExitCode::from(2);
        }
    };
    let text = if json {
        state.to_json()
    } else {
        state.to_string()
    };
    if let Err(code) = print_line(&text) {
        return code;
    }
    if expect_clean && !state.is_clean() {
        say(format_args!(
            "audit-state: NOT clean: {} rule(s) loaded, audit pid {}\n",
            state.rules, state.status.pid
        ));
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
