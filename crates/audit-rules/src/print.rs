//! Rules back to text, exactly as `auditctl -l` (3.0.9) prints them.
//!
//! auditctl remembers the ABI of the last `-F arch` it printed and names the
//! syscalls of a following rule that has no `arch` field with that ABI's table
//! (the running machine's table before any). [`Lister`] keeps that state so a
//! listing of several rules comes out byte for byte the same;
//! [`rule_to_string`] prints one rule on its own.
//!
//! `auditctl -l -i` differs in three ways, all available here: a known `arch` is
//! printed by machine name (`x86_64`, `i386`) rather than `b64`/`b32`, an
//! `auid` or `sessionid` of -1 is printed as `unset`, and on a
//! rule with exactly one syscall the `a0`..`a3` fields are shown as libauparse
//! interprets them for that syscall (for syscall 0 on the user, task, exclude
//! and filesystem lists, which take no syscalls). That interpretation lives outside this
//! crate (`audit-interpret`); [`Lister::interpreted`] takes it as an
//! [`ArgInterpreter`].

use audit_wire::field::{
    perm_to_string, Action, Comparison, Field, FilterList, Operator, AUDIT_KEY_SEPARATOR,
    AUDIT_OPERATORS,
};

use audit_syscalls::{compat, Machine};
use audit_wire::arch::AUDIT_ARCH_64BIT;
use audit_wire::RecordType;

use crate::env::Environment;
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

/// One syscall-argument field (`a0`..`a3`) of a rule, as an [`ArgInterpreter`]
/// is asked about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleArg {
    /// The machine of the rule's last `arch` field (`None` when it has none or
    /// an unknown one).
    pub machine: Option<Machine>,
    /// The one syscall the rule selects (0 on a list that takes no
    /// syscalls, as auditctl asks).
    pub syscall: u32,
    /// The value of the rule's `a0` field met so far, this one included (0
    /// before any).
    pub a0: u32,
    /// The value of the rule's `a1` field met so far, this one included (0
    /// before any).
    pub a1: u32,
    /// Which argument (0..=3).
    pub index: usize,
    /// The field's value in the rule.
    pub value: u32,
}

/// The interpretation of syscall-argument fields for `auditctl -l -i`: what
/// libauparse shows for `aN` of a SYSCALL record of that syscall.
pub trait ArgInterpreter {
    /// The text for `arg`, on a rule selecting only `arg.syscall`.
    fn interpret_arg(&mut self, arg: &RuleArg) -> String;
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
        self.line(rule, env, None)
    }

    /// The line for `rule` as `auditctl -l -i` prints it (without the newline).
    pub fn rule_interpreted(
        &mut self,
        rule: &Rule,
        env: &dyn Environment,
        args: &mut dyn ArgInterpreter,
    ) -> String {
        self.line(rule, env, Some(args))
    }

    fn line(
        &mut self,
        rule: &Rule,
        env: &dyn Environment,
        mut args: Option<&mut dyn ArgInterpreter>,
    ) -> String {
        let interpret = args.is_some();
        let mut out = String::new();
        let watch = is_watch(rule);
        // The machine of the last arch field, and the only syscall (if exactly one).
        let mut machine = None;
        let mut only_syscall = None;
        let (mut a0, mut a1) = (0u32, 0u32);
        if !watch {
            let action = Action::from_number(rule.action).map_or("(null)", Action::name);
            let list = rule.list().name().unwrap_or("(null)");
            out.push_str(&format!("-a {action},{list}"));
            for f in &rule.fields {
                if Field(f.field.0 & !AUDIT_OPERATORS) == Field::ARCH {
                    let value = num(&f.value);
                    self.elf = value;
                    machine = compat::machine_from_audit_arch(value);
                    let op = op_symbol(f.op);
                    if machine.is_none() {
                        out.push_str(&format!(" -F arch{op}0x{value:X}"));
                    } else if let (true, Some(m)) = (interpret, machine) {
                        let name = m.libaudit_name().unwrap_or(m.name());
                        out.push_str(&format!(" -F arch{op}{name}"));
                    } else if value & AUDIT_ARCH_64BIT != 0 {
                        out.push_str(&format!(" -F arch{op}b64"));
                    } else {
                        out.push_str(&format!(" -F arch{op}b32"));
                    }
                }
            }
            only_syscall = self.syscalls(rule, env, &mut out);
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
                Field::MSGTYPE => match tables::msg_type_name(RecordType(num(v))) {
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
                    let index = (field.0 - Field::ARG0.0) as usize;
                    match index {
                        0 => a0 = num(v),
                        1 => a1 = num(v),
                        _ => {}
                    }
                    match (args.as_deref_mut(), only_syscall) {
                        (Some(it), Some(sc)) => {
                            let text = it.interpret_arg(&RuleArg {
                                machine,
                                syscall: sc,
                                a0,
                                a1,
                                index,
                                value: num(v),
                            });
                            out.push_str(&format!(" -F {name}{op}{text}"));
                        }
                        _ => out.push_str(&format!(" -F {name}{op}0x{:X}", num(v))),
                    }
                }
                Field::EXIT => {
                    let n = num(v) as i32;
                    match tables::errno_name(n.unsigned_abs()) {
                        Some(e) if n < 0 => out.push_str(&format!(" -F {name}{op}-{e}")),
                        _ => out.push_str(&format!(" -F {name}{op}{n}")),
                    }
                }
                // `-i` names the "not set" value of the login uid and the
                // session id as auditctl 3.0.9 does (the kernel accepts -1
                // for these two only).
                Field::LOGINUID | Field::SESSIONID
                    if interpret && matches!(v, FieldValue::Num(u32::MAX)) =>
                {
                    out.push_str(&format!(" -F {name}{op}unset"));
                }
                _ if matches!(v, FieldValue::Str(_)) => {
                    out.push_str(&format!(" -F {name}{op}{}", text(v)));
                }
                _ => out.push_str(&format!(" -F {name}{op}{}", num(v) as i32)),
            }
        }
        out
    }

    /// Print the `-S` part; returns the syscall `-i` interprets `a0`..`a3`
    /// for: the one the rule selects when it selects exactly one, and 0 on
    /// the lists that take no syscalls (auditctl counts none there).
    fn syscalls(&self, rule: &Rule, env: &dyn Environment, out: &mut String) -> Option<u32> {
        if matches!(
            rule.list(),
            FilterList::User | FilterList::Task | FilterList::Exclude | FilterList::Filesystem
        ) {
            return Some(0);
        }
        if rule.all_syscalls() {
            out.push_str(" -S all");
            return None;
        }
        if rule.list() == FilterList::IoUring {
            // Operation numbers, not syscalls: io_uring's own names.
            for (i, op) in rule.syscalls().enumerate() {
                out.push_str(if i == 0 { " -S " } else { "," });
                match audit_syscalls::io_uring_op_name(op) {
                    Some(n) => out.push_str(n),
                    None => out.push_str(&op.to_string()),
                }
            }
            return None;
        }
        let machine = if self.elf != 0 {
            compat::machine_from_audit_arch(self.elf)
        } else {
            env.machine()
        };
        let mut count = 0;
        let mut last = 0;
        for (i, nr) in rule.syscalls().enumerate() {
            out.push_str(if i == 0 { " -S " } else { "," });
            match machine.and_then(|m| env.syscall_name(m, nr)) {
                Some(n) => out.push_str(&n),
                None => out.push_str(&nr.to_string()),
            }
            count += 1;
            last = nr;
        }
        (count == 1).then_some(last)
    }

    /// The whole listing of `rules`, as `auditctl -l` prints it (`No rules` when
    /// empty), each line ending in a newline.
    pub fn listing<'r>(rules: impl IntoIterator<Item = &'r Rule>, env: &dyn Environment) -> String {
        Lister::whole(rules, env, None)
    }

    /// The whole listing of `rules` as `auditctl -l -i` prints it.
    pub fn interpreted<'r>(
        rules: impl IntoIterator<Item = &'r Rule>,
        env: &dyn Environment,
        args: &mut dyn ArgInterpreter,
    ) -> String {
        Lister::whole(rules, env, Some(args))
    }

    fn whole<'r>(
        rules: impl IntoIterator<Item = &'r Rule>,
        env: &dyn Environment,
        mut args: Option<&mut dyn ArgInterpreter>,
    ) -> String {
        let mut lister = Lister::new();
        let mut out = String::new();
        for r in rules {
            let reborrowed: Option<&mut dyn ArgInterpreter> = match &mut args {
                Some(a) => Some(&mut **a),
                None => None,
            };
            out.push_str(&lister.line(r, env, reborrowed));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_line, Command, SystemEnv};

    /// Records what it was asked and answers with it.
    struct Echo;

    impl ArgInterpreter for Echo {
        fn interpret_arg(&mut self, arg: &RuleArg) -> String {
            let RuleArg {
                machine,
                syscall,
                a0,
                a1,
                index,
                value,
            } = *arg;
            let m = machine.map_or("none", Machine::name);
            format!("<{m}:{syscall}:{a0}:{a1}:{index}:{value}>")
        }
    }

    fn rule(text: &str, env: &SystemEnv) -> Rule {
        match parse_line(text, env).unwrap().commands.remove(0) {
            Command::AddRule(r) => r,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn interpreted_listing() {
        let env = SystemEnv::new().with_machine(Machine::X86_64);
        let rules = [
            rule(
                "-a always,exit -F arch=b64 -S socket -F a1=1 -F a0=2 -k k",
                &env,
            ),
            rule("-a always,exit -F arch=b32 -S open,close -F a0=2", &env),
            // x86_64's kill (62), named from the i386 table after a b32 rule.
            rule("-a always,exit -S kill -F a2=7", &env),
            rule("-a always,exit -S all -F a3=1", &env),
        ];
        assert_eq!(
            Lister::interpreted(&rules, &env, &mut Echo),
            "-a always,exit -F arch=x86_64 -S socket -F a1=<x86_64:41:0:1:1:1> -F a0=<x86_64:41:2:1:0:2> -F key=k\n\
             -a always,exit -F arch=i386 -S open,close -F a0=0x2\n\
             -a always,exit -S ustat -F a2=<none:62:0:0:2:7>\n\
             -a always,exit -S all -F a3=0x1\n"
        );
        // Without -i nothing changes.
        assert!(Lister::listing(&rules, &env)
            .starts_with("-a always,exit -F arch=b64 -S socket -F a1=0x1 -F a0=0x2 -F key=k\n"));
    }

    #[test]
    fn unset_login_uid_and_session_with_i() {
        let env = SystemEnv::new().with_machine(Machine::X86_64);
        let rules = [rule(
            "-a always,exit -F arch=b64 -S openat -F auid=-1 -F auid!=unset -F sessionid=4294967295 -F auid=-2 -F uid=-1",
            &env,
        )];
        assert_eq!(
            Lister::interpreted(&rules, &env, &mut Echo),
            "-a always,exit -F arch=x86_64 -S openat -F auid=unset -F auid!=unset -F sessionid=unset -F auid=-2 -F uid=-1\n"
        );
        assert_eq!(
            Lister::listing(&rules, &env),
            "-a always,exit -F arch=b64 -S openat -F auid=-1 -F auid!=-1 -F sessionid=-1 -F auid=-2 -F uid=-1\n"
        );
    }

    /// io_uring rules list their operations by io_uring name (the numbers
    /// are not syscalls), and the listing parses back to the same rule.
    #[test]
    fn io_uring_operations_round_trip() {
        let env = SystemEnv::new().with_machine(Machine::X86_64);
        let by_number = rule("-a always,io_uring -S 1,18 -k u", &env);
        let text = rule_to_string(&by_number, &env);
        assert_eq!(text, "-a always,io_uring -S readv,openat -F key=u");
        assert_eq!(rule(&text, &env), by_number);
        // An operation without a name is printed as its number.
        let unnamed = rule("-a always,io_uring -S 255", &env);
        let text = rule_to_string(&unnamed, &env);
        assert_eq!(text, "-a always,io_uring -S 255");
        assert_eq!(rule(&text, &env), unnamed);
    }

    /// On a list that takes no syscalls, `-l -i` interprets `a0`..`a3` as
    /// auditctl 3.0.9 does: for syscall 0 (it counts no syscall there).
    #[test]
    fn arguments_of_rules_without_syscalls_are_interpreted() {
        let env = SystemEnv::new().with_machine(Machine::X86_64);
        let rules = [rule("-a always,task -F a0=2 -F a1=1", &env)];
        assert_eq!(
            Lister::interpreted(&rules, &env, &mut Echo),
            "-a always,task -F a0=<none:0:2:0:0:2> -F a1=<none:0:2:1:1:1>\n"
        );
        assert_eq!(
            Lister::listing(&rules, &env),
            "-a always,task -F a0=0x2 -F a1=0x1\n"
        );
    }
}
