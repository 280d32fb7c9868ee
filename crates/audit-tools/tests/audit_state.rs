//! `audit-state` against this machine's kernel: the status as auditctl shows it, the
//! rule count, `--expect-clean`, and the refusal as a non-root user.

use audit_netlink::audit_wire::rule::RuleData;
use audit_netlink::AuditSocket;
use std::process::{Command, Output};

mod output_support;
use output_support::{assert_closed_pipe_quiet_full_disk_named, status_with_stderr_full};

const AUDIT_STATE: &str = env!("CARGO_BIN_EXE_audit-state");

fn audit_state(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_audit-state"))
        .args(args)
        .output()
        .expect("run audit-state")
}

fn value(text: &str, name: &str) -> u64 {
    text.split_whitespace()
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {name}= in {text:?}"))
        .parse()
        .unwrap()
}

/// Deletes the test's rule when dropped, also while unwinding.
struct RuleGuard {
    sock: AuditSocket,
    rule: RuleData,
}

impl Drop for RuleGuard {
    fn drop(&mut self) {
        let _ = self.sock.delete_rule(&self.rule);
    }
}

#[test]
fn counts_a_rule_of_ours_and_is_not_clean_while_it_is_loaded() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let before = audit_state(&[]);
    assert!(before.status.success(), "{before:?}");
    let before = String::from_utf8(before.stdout).unwrap();
    let mut sock = AuditSocket::open().unwrap();
    let status = sock.get_status().unwrap();
    assert_eq!(value(&before, "enabled"), u64::from(status.enabled));
    assert_eq!(value(&before, "pid"), u64::from(status.pid));
    assert_eq!(
        value(&before, "backlog_limit"),
        u64::from(status.backlog_limit)
    );
    let rules_before = value(&before, "rules");
    assert_eq!(rules_before, sock.list_rules().unwrap().len() as u64);

    let key = format!("zz-audit-state-{}", std::process::id());
    let rule = audit_testlock::rules::getppid_rule(&key);
    sock.add_rule(&rule).unwrap();
    let guard = RuleGuard { sock, rule };

    let with_rule = audit_state(&["--expect-clean"]);
    let json = audit_state(&["--json"]);
    drop(guard);

    assert_eq!(with_rule.status.code(), Some(1), "{with_rule:?}");
    let text = String::from_utf8(with_rule.stdout).unwrap();
    assert_eq!(value(&text, "rules"), rules_before + 1);
    let err = String::from_utf8(with_rule.stderr).unwrap();
    assert!(err.contains("NOT clean"), "{err}");
    assert!(json.status.success(), "{json:?}");
    let json = String::from_utf8(json.stdout).unwrap();
    assert!(
        json.contains(&format!("\"rules\": {}", rules_before + 1)),
        "{json}"
    );

    let after = String::from_utf8(audit_state(&[]).stdout).unwrap();
    assert_eq!(value(&after, "rules"), rules_before);
}

/// As a user without `CAP_AUDIT_CONTROL` the kernel refuses: exit 2 with the reason.
#[test]
fn refused_without_privilege_is_exit_2() {
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args(["--inh-caps=-all", "--bounding-set=-all"])
        .arg(env!("CARGO_BIN_EXE_audit-state"))
        .output()
        .expect("run setpriv (util-linux)");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("the kernel refused"), "{err}");
}

#[test]
fn a_bad_argument_is_exit_2() {
    let out = audit_state(&["--clean"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("usage"));
}

#[test]
fn a_closed_pipe_ends_it_quietly_and_a_full_disk_is_named() {
    let mut runs = vec![&["--help"][..]];
    if audit_testlock::live_kernel_available() {
        runs.extend([&[][..], &["--json"][..]]);
    }
    for args in runs {
        assert_closed_pipe_quiet_full_disk_named(AUDIT_STATE, "audit-state", args);
    }
}

/// A message that cannot be written (standard error on a full disk) changes
/// nothing but the message: no panic, the same exit status.
#[test]
fn a_full_standard_error_changes_no_exit_status() {
    assert_eq!(status_with_stderr_full(AUDIT_STATE, &["--clean"]), Some(2));
}
