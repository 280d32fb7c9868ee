//! Rules back to text, exactly as `auditctl -l` (3.0.9) prints them.
//!
//! auditctl remembers the ABI of the last `-F arch` it printed and names the
//! syscalls of a following rule that has no `arch` field with that ABI's table
//! (the running machine's table before any). [`Lister`] keeps that state so a
//! listing of several rules comes out byte for byte the same;
//! [`rule_to_string`] prints one rule on its own.

use audit_wire::field::{
    perm_to_string, Comparison, Field, FilterList, Operator, AUDIT_KEY_SEPARATOR, AUDIT_OPERATORS,
};

use crate::env::{Environment, Machine, AUDIT_ARCH_64BIT};
use crate::rule::{FieldValue, Rule};
use crate::tables;

fn op_symbol(op: u32) -> &'static str {
    Operator::from_bits(op & AUDIT_OPERATORS).map_or("(null)", Operator::symbol)
}

fn text(v: &FieldValue) -> String {
    match v {
        FieldValue::Str(s) => String::from_utf8_lossy(s).into_owned(),
        FieldValue::Num(n) => n.to_string(),
    }
}

fn num(v: &FieldValue) -> u32 {
    match v {
        FieldValue::Num(n) => *n,
        FieldValue::Str(s) => s.len() as u32,
    }
}

/// Whether auditctl prints `rule` as a watch (`-w path -p perms -k key`): only
/// path/dir/perm/key fields, a perm field, and every syscall.
pub fn is_watch(rule: &Rule) -> bool {
    let mut perm = false;
    for f in &rule.fields {
        let field = Field(f.field.0 & !AUDIT_OPERATORS);
        if field == Field::PERM {
            perm = true;
        }
        if !matches!(
            field,
            Field::PERM | Field::FILTERKEY | Field::DIR | Field::WATCH
        ) {
            return false;
        }
    }
    let list = rule.list();
    let all = matches!(
        list,
        FilterList::User | FilterList::Task | FilterList::Exclude
    ) || rule.all_syscalls();
    perm && all
}

/// Prints rules as one `auditctl -l` run does, carrying its arch state from rule
/// to rule.
#[derive(Debug, Clone, Default)]
pub struct Lister {
    /// The ABI of the last `arch` field printed (0: none yet).
    elf: u32,
}

impl Lister {
    /// A listing's start.
    pub fn new() -> Lister {
        Lister::default()
    }

    /// The line for `rule` (without the newline).
    pub fn rule(&mut self, rule: &Rule, env: &dyn Environment) -> String {
        let mut out = String::new();
        let watch = is_watch(rule);
        if !watch {
            let action = match rule.action {
                0 => "never",
                1 => "possible",
                2 => "always",
                _ => "(null)",
            };
            let list = rule.list().name().unwrap_or("(null)");
            out.push_str(&format!("-a {action},{list}"));
            for f in &rule.fields {
                if Field(f.field.0 & !AUDIT_OPERATORS) == Field::ARCH {
                    let value = num(&f.value);
                    self.elf = value;
                    let op = op_symbol(f.op);
                    if Machine::from_audit_arch(value).is_none() {
                        out.push_str(&format!(" -F arch{op}0x{value:X}"));
                    } else if value & AUDIT_ARCH_64BIT != 0 {
                        out.push_str(&format!(" -F arch{op}b64"));
                    } else {
                        out.push_str(&format!(" -F arch{op}b32"));
                    }
                }
            }
            self.syscalls(rule, env, &mut out);
        }
        for f in &rule.fields {
            let field = Field(f.field.0 & !AUDIT_OPERATORS);
            if field == Field::ARCH {
                continue;
            }
            let op = op_symbol(f.op);
            let Some(name) = field.name() else {
                out.push_str(&format!(" f{}{op}{}", f.field.0, num(&f.value) as i32));
                continue;
            };
            let v = &f.value;
            match field {
                Field::MSGTYPE => match tables::msg_type_name(num(v)) {
                    Some(t) => out.push_str(&format!(" -F {name}{op}{t}")),
                    None => out.push_str(&format!(" -F {name}{op}{}", num(v) as i32)),
                },
                Field::WATCH if watch => out.push_str(&format!("-w {}", text(v))),
                Field::WATCH => out.push_str(&format!(" -F path={}", text(v))),
                Field::DIR if watch => out.push_str(&format!("-w {}", text(v))),
                Field::DIR => out.push_str(&format!(" -F dir={}", text(v))),
                Field::FILTERKEY => {
                    let bytes = match v {
                        FieldValue::Str(s) => s.clone(),
                        FieldValue::Num(_) => Vec::new(),
                    };
                    for k in bytes
                        .split(|b| *b == AUDIT_KEY_SEPARATOR)
                        .filter(|k| !k.is_empty())
                    {
                        let k = String::from_utf8_lossy(k);
                        if watch {
                            out.push_str(&format!(" -k {k}"));
                        } else {
                            out.push_str(&format!(" -F key={k}"));
                        }
                    }
                }
                Field::PERM => {
                    let p = perm_to_string(num(v));
                    if watch {
                        out.push_str(&format!(" -p {p}"));
                    } else {
                        out.push_str(&format!(" -F perm={p}"));
                    }
                }
                Field::INODE => out.push_str(&format!(" -F {name}{op}{}", num(v))),
                Field::FSTYPE => match tables::fstype_name(num(v)) {
                    Some(t) => out.push_str(&format!(" -F {name}{op}{t}")),
                    None => out.push_str(&format!(" -F {name}{op}{}", num(v) as i32)),
                },
                Field::FIELD_COMPARE => {
                    if let Some((a, b)) = Comparison(num(v)).fields() {
                        out.push_str(&format!(" -C {a}{op}{b}"));
                    }
                }
                Field::ARG0 | Field::ARG1 | Field::ARG2 | Field::ARG3 => {
                    out.push_str(&format!(" -F {name}{op}0x{:X}", num(v)));
                }
                Field::EXIT => {
                    let n = num(v) as i32;
                    match tables::errno_name(n.unsigned_abs()) {
                        Some(e) if n < 0 => out.push_str(&format!(" -F {name}{op}-{e}")),
                        _ => out.push_str(&format!(" -F {name}{op}{n}")),
                    }
                }
                _ if matches!(v, FieldValue::Str(_)) => {
                    out.push_str(&format!(" -F {name}{op}{}", text(v)));
                }
                _ => out.push_str(&format!(" -F {name}{op}{}", num(v) as i32)),
            }
        }
        out
    }

    fn syscalls(&self, rule: &Rule, env: &dyn Environment, out: &mut String) {
        if matches!(
            rule.list(),
            FilterList::User | FilterList::Task | FilterList::Exclude | FilterList::Filesystem
        ) {
            return;
        }
        if rule.all_syscalls() {
            out.push_str(" -S all");
            return;
        }
        let machine = if self.elf != 0 {
            Machine::from_audit_arch(self.elf)
        } else {
            env.machine()
        };
        for (i, nr) in rule.syscalls().enumerate() {
            out.push_str(if i == 0 { " -S " } else { "," });
            match machine.and_then(|m| env.syscall_name(m, nr)) {
                Some(n) => out.push_str(&n),
                None => out.push_str(&nr.to_string()),
            }
        }
    }

    /// The whole listing of `rules`, as `auditctl -l` prints it (`No rules` when
    /// empty), each line ending in a newline.
    pub fn listing<'r>(rules: impl IntoIterator<Item = &'r Rule>, env: &dyn Environment) -> String {
        let mut lister = Lister::new();
        let mut out = String::new();
        for r in rules {
            out.push_str(&lister.rule(r, env));
            out.push('\n');
        }
        if out.is_empty() {
            out.push_str("No rules\n");
        }
        out
    }
}

/// One rule as `auditctl -l` prints it when it is the first rule of a listing.
pub fn rule_to_string(rule: &Rule, env: &dyn Environment) -> String {
    Lister::new().rule(rule, env)
}

/// Whether `rule`'s key contains `key` (`auditctl -l -k key` and `-D -k key`).
pub fn key_matches(rule: &Rule, key: &str) -> bool {
    rule.fields.iter().any(|f| {
        Field(f.field.0 & !AUDIT_OPERATORS) == Field::FILTERKEY
            && match &f.value {
                FieldValue::Str(s) => String::from_utf8_lossy(s).contains(key),
                FieldValue::Num(_) => false,
            }
    })
}
