//! Support of the root package's `rules_*` tests: the rule files under
//! `tests/data/rules`, our wire form of a parsed rule, the kernel's rules decoded;
//! and, from `audit_testlock::rules` (shared with audit-tools' auditctl tests), the
//! reference auditctl and a guard that removes the rules a test added and puts
//! `enabled` back.
#![allow(dead_code, unused_imports)]

use std::path::PathBuf;

use audit_netlink::audit_wire::rule::RuleData;
use audit_rules::{Rule, RULE_DATA_HEADER_LEN};

pub use audit_testlock::rules::{c_auditctl, normalized, socket, CRun, RuleGuard, AUDITCTL};

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/rules")
}

/// Our wire form of a parsed rule.
pub fn wire(rule: &Rule) -> RuleData {
    let data = RuleData::try_from(rule).expect("a parsed rule fits audit_rule_data");
    assert_eq!(data.to_bytes(), rule.to_bytes(), "one encoder");
    assert_eq!(data.to_bytes().len(), RULE_DATA_HEADER_LEN + data.buf.len());
    data
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
