//! Shared support of the `rules_*` tests: the reference auditctl, the kernel
//! through `audit_netlink::AuditSocket`, and a guard that removes the rules a
//! test added and puts `enabled` back.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use audit_netlink::audit_wire::rule::RuleData;
use audit_netlink::AuditSocket;
use audit_rules::{Rule, RULE_DATA_HEADER_LEN};

/// A socket to the kernel (the tests run as root).
pub fn socket() -> AuditSocket {
    AuditSocket::open().expect("open audit socket")
}

/// The reference auditctl.
pub const AUDITCTL: &str = "/usr/sbin/auditctl";

/// Output of one reference auditctl run.
#[derive(Debug)]
pub struct CRun {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn c_auditctl(args: &[String]) -> CRun {
    let out = Command::new(AUDITCTL)
        .args(args)
        .output()
        .expect("run /usr/sbin/auditctl");
    CRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/rules")
}

/// A rule compared the way the kernel keeps it: the syscall-class bits of the
/// mask's last word (which the kernel rewrites) and the prepend flag left out.
pub fn normalized(rule: &RuleData) -> RuleData {
    let mut r = rule.clone();
    r.flags &= !audit_netlink::audit_wire::rule::FILTER_PREPEND;
    r.mask[63] &= 0xffff;
    r
}

/// Our wire form of a parsed rule.
pub fn wire(rule: &Rule) -> RuleData {
    let data = RuleData::try_from(rule).expect("a parsed rule fits audit_rule_data");
    assert_eq!(data.to_bytes(), rule.to_bytes(), "one encoder");
    assert_eq!(data.to_bytes().len(), RULE_DATA_HEADER_LEN + data.buf.len());
    data
}

/// Deletes, when dropped, every rule the kernel has that it did not have when
/// the guard was made, and puts `enabled` back to what it was (0 or 1; the tests
/// never set 2).
pub struct RuleGuard {
    before: Vec<RuleData>,
    enabled: u32,
}

impl RuleGuard {
    pub fn new() -> RuleGuard {
        let mut a = socket();
        let before = a.list_rules().expect("list rules");
        let enabled = a.get_status().expect("status").enabled;
        assert_ne!(enabled, 2, "audit is immutable; rule tests cannot run");
        RuleGuard { before, enabled }
    }

    /// `enabled` when the guard was made.
    pub fn enabled(&self) -> u32 {
        self.enabled
    }

    /// Remove the rules added since the guard was made.
    pub fn clean(&self) {
        let mut a = socket();
        let mut remaining = self.before.clone();
        for r in a.list_rules().expect("list rules") {
            if let Some(i) = remaining.iter().position(|b| *b == r) {
                remaining.remove(i);
                continue;
            }
            a.delete_rule(&r).expect("delete a rule the test added");
        }
    }
}

impl Drop for RuleGuard {
    fn drop(&mut self) {
        self.clean();
        if let Ok(mut a) = AuditSocket::open() {
            if a.get_status().map(|s| s.enabled).ok() != Some(self.enabled) {
                let _ = a.set_enabled(self.enabled == 1);
            }
        }
    }
}

/// The kernel's rules: wire form and typed form.
pub fn kernel_rules() -> Vec<(RuleData, Rule)> {
    socket()
        .list_rules()
        .expect("list rules")
        .into_iter()
        .map(|d| {
            let r = Rule::try_from(&d).expect("kernel rule decodes");
            (d, r)
        })
        .collect()
}
