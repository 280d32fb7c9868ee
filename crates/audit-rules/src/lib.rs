//! auditctl's rule language: rule text and rule files to kernel audit rules
//! (`struct audit_rule_data`) and back to `auditctl -l` text.
//!
//! Parsing follows auditctl 3.0.9 option by option: the same options
//! (`-a`/`-A`/`-d` list,action in either order, `-w`/`-W`/`-p`/`-k`, `-S` names,
//! numbers, lists and `all`, `-F field op value` for every field, `-C`, control
//! options `-e -f -b -r -D -l -s --backlog_wait_time --reset-lost ...`), the same
//! values (uid/gid names, `unset`, errno names, record type names, `b32`/`b64`,
//! octal and hex numbers) and the same error messages. Printing follows
//! `auditctl -l` byte for byte.
//!
//! A [`Rule`] converts to and from the wire's [`RuleData`] (`TryFrom` both ways;
//! `RuleData` is the one encoder of `struct audit_rule_data`).
//!
//! ```
//! use audit_rules::{parse_line, rule_to_string, Command, SystemEnv};
//!
//! let env = SystemEnv::new().with_machine(audit_rules::Machine::X86_64);
//! let parsed = parse_line(
//!     "-a always,exit -F arch=b64 -S openat,open -F auid>=1000 -F auid!=unset -F exit=-EACCES -k access",
//!     &env,
//! )
//! .unwrap();
//! let Command::AddRule(rule) = &parsed.commands[0] else { panic!() };
//! assert_eq!(
//!     rule_to_string(rule, &env),
//!     "-a always,exit -F arch=b64 -S open,openat -F auid>=1000 -F auid!=-1 -F exit=-EACCES -F key=access"
//! );
//! // The kernel's struct audit_rule_data (audit_netlink::AuditSocket::add_rule
//! // takes it), its bytes, and back.
//! let data = audit_rules::RuleData::try_from(rule).unwrap();
//! assert_eq!(data.key(), Some(&b"access"[..]));
//! assert_eq!(data.to_bytes(), rule.to_bytes());
//! assert_eq!(&audit_rules::Rule::try_from(&data).unwrap(), rule);
//! assert_eq!(&audit_rules::Rule::from_bytes(&rule.to_bytes()).unwrap(), rule);
//!
//! // Errors say what auditctl says.
//! let err = parse_line("-a always,exit -F bogus=1", &env).unwrap_err();
//! assert_eq!(err.message(), "-F unknown field: bogus");
//! ```
#![deny(missing_docs)]

mod env;
mod error;
mod file;
mod num;
mod parse;
mod print;
mod rule;
pub mod syscalls;
pub mod tables;

pub use audit_syscalls::Machine;
pub use audit_wire::arch::AUDIT_ARCH_64BIT;
pub use audit_wire::rule::RuleData;
pub use env::{
    Environment, SystemEnv, FEATURES_ALL, FEATURE_EXCLUDE_EXTEND, FEATURE_EXECUTABLE_PATH,
    FEATURE_FILTER_FS, FEATURE_SESSIONID_FILTER,
};
pub use error::{FieldError, RuleError, RuleErrorKind, RuleFileError};
pub use file::{parse_rule_bytes, parse_rules, rule_file_words, split_line, RuleLine};
pub use parse::{parse_args, Command, Parsed};
pub use print::{is_watch, key_matches, rule_to_string, ArgInterpreter, Lister, RuleArg};
pub use rule::{DecodeError, EncodeError, FieldValue, Rule, RuleField, RULE_DATA_HEADER_LEN};

/// Parse one command line written as text (words split as in a rule file).
pub fn parse_line(line: &str, env: &dyn Environment) -> Result<Parsed, RuleError> {
    let words = split_line(line).unwrap_or_default();
    parse_args(&words, None, env)
}
