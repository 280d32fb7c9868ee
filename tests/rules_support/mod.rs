//! Shared support of the `rules_*` tests: a minimal NETLINK_AUDIT client, the
//! reference auditctl, and a guard that removes the rules a test added.
#![allow(dead_code)]

pub mod netlink;

use std::path::PathBuf;
use std::process::Command;

use audit_rules::{Rule, RULE_DATA_HEADER_LEN};

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

/// Rule bytes compared the way the kernel keeps them: the syscall-class bits of
/// the mask's last word (which the kernel rewrites) and the prepend flag left out.
pub fn normalized(bytes: &[u8]) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if b.len() >= RULE_DATA_HEADER_LEN {
        // flags: drop AUDIT_FILTER_PREPEND
        b[0] &= !0x10;
        // mask[63] is word 3 + 63; keep its low 16 bits only
        let at = (3 + 63) * 4;
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        let v = u32::from_ne_bytes(w) & 0xffff;
        b[at..at + 4].copy_from_slice(&v.to_ne_bytes());
    }
    b
}

/// Deletes, when dropped, every rule the kernel has that it did not have when
/// the guard was made; asserts `enabled` is still what it was.
pub struct RuleGuard {
    before: Vec<Vec<u8>>,
    enabled: u32,
}

impl RuleGuard {
    pub fn new() -> RuleGuard {
        let mut a = netlink::Audit::open().expect("open audit socket");
        let before = a.list_rules().expect("list rules");
        let enabled = a.status().expect("status")[1];
        assert_ne!(enabled, 2, "audit is immutable; rule tests cannot run");
        RuleGuard { before, enabled }
    }

    /// Remove the rules added since the guard was made.
    pub fn clean(&self) {
        let mut a = netlink::Audit::open().expect("open audit socket");
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
        if let Ok(mut a) = netlink::Audit::open() {
            if a.status().map(|s| s[1]).ok() != Some(self.enabled) {
                let _ = a.set_status(netlink::STATUS_ENABLED, 1, self.enabled);
            }
        }
    }
}

/// The kernel's rules as typed rules.
pub fn kernel_rules() -> Vec<(Vec<u8>, Rule)> {
    let mut a = netlink::Audit::open().expect("open audit socket");
    a.list_rules()
        .expect("list rules")
        .into_iter()
        .map(|b| {
            let r = Rule::from_bytes(&b).expect("kernel rule decodes");
            (b, r)
        })
        .collect()
}
