//! Fuzz the auditctl rule language: rule files (lines, escapes, every option),
//! the printer over whatever rules come out, and the `audit_rule_data` decoder.
#![no_main]

use audit_rules::{parse_rules, Command, Lister, Machine, Rule, SystemEnv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let env = SystemEnv::new().with_machine(Machine::X86_64);
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(lines) = parse_rules("fuzz.rules", text, &env) {
            let rules: Vec<&Rule> = lines
                .iter()
                .flat_map(|l| l.parsed.commands.iter())
                .filter_map(|c| match c {
                    Command::AddRule(r) | Command::DeleteRule(r) => Some(r),
                    _ => None,
                })
                .collect();
            for r in &rules {
                let bytes = r.to_bytes();
                assert_eq!(Rule::from_bytes(&bytes).as_ref(), Ok(*r));
            }
            let _ = Lister::listing(rules, &env);
        }
    }
    if let Ok(rule) = Rule::from_bytes(data) {
        let _ = Lister::listing([&rule], &env);
    }
});
