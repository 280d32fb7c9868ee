//! Property tests of the rule language: text -> wire -> text -> wire is stable,
//! what we print parses back to the same rule, wire bytes decode to the rule
//! they came from, and no input makes the parser panic.

use audit_rules::{
    parse_args, parse_line, rule_to_string, Command, FieldValue, Machine, Rule, RuleField,
    SystemEnv,
};
use audit_wire::field::Field;
use proptest::prelude::*;

fn env() -> SystemEnv {
    SystemEnv::new().with_machine(Machine::X86_64)
}

const SYSCALLS: &[&str] = &[
    "open",
    "openat",
    "close",
    "execve",
    "chmod",
    "fchmod",
    "unlink",
    "rename",
    "mount",
    "adjtimex",
    "settimeofday",
    "clock_settime",
    "sethostname",
    "init_module",
    "ptrace",
    "socket",
    "connect",
    "bind",
    "kill",
    "setuid",
    "1",
    "59",
    "300",
];

fn op() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["=", "!=", "<", ">", "<=", ">=", "&", "&="])
}

fn eq_ne() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["=", "!="])
}

/// One `-F`/`-C` option valid on the exit list.
fn exit_field() -> impl Strategy<Value = String> {
    prop_oneof![
        (op(), 0u32..70000).prop_map(|(o, v)| format!("-F auid{o}{v}")),
        eq_ne().prop_map(|o| format!("-F auid{o}unset")),
        (op(), 0u32..70000).prop_map(|(o, v)| format!("-F uid{o}{v}")),
        (op(), 0u32..70000).prop_map(|(o, v)| format!("-F euid{o}{v}")),
        (op(), 0u32..70000).prop_map(|(o, v)| format!("-F gid{o}{v}")),
        (op(), 0u32..100000).prop_map(|(o, v)| format!("-F pid{o}{v}")),
        (op(), 0u32..100000).prop_map(|(o, v)| format!("-F ppid{o}{v}")),
        (op(), 1u32..134).prop_map(|(o, v)| format!("-F exit{o}-{v}")),
        prop::sample::select(vec!["EACCES", "-EPERM", "-ENOENT", "5", "-1000"])
            .prop_map(|v| format!("-F exit={v}")),
        (0u32..2).prop_map(|v| format!("-F success={v}")),
        (op(), any::<u32>()).prop_map(|(o, v)| format!("-F a0{o}0x{v:x}")),
        (op(), any::<u32>()).prop_map(|(o, v)| format!("-F a3{o}{v}")),
        (eq_ne(), any::<u32>()).prop_map(|(o, v)| format!("-F inode{o}{v}")),
        (op(), 0u32..1000).prop_map(|(o, v)| format!("-F devmajor{o}{v}")),
        (op(), 0u32..4000000).prop_map(|(o, v)| format!("-F sessionid{o}{v}")),
        (op(), 0u32..40).prop_map(|(o, v)| format!("-F saddr_fam{o}{v}")),
        "[a-z]{1,12}".prop_map(|p| format!("-F exe=/usr/bin/{p}")),
        (
            prop::sample::select(vec!["uid", "euid", "auid", "fsuid", "suid", "obj_uid"]),
            eq_ne(),
            prop::sample::select(vec!["uid", "euid", "auid", "fsuid", "suid", "obj_uid"]),
        )
            .prop_filter("distinct", |(a, _, b)| a != b)
            .prop_filter("comparable", |(a, _, b)| !(a == &"auid"
                && b == &"loginuid"))
            .prop_map(|(a, o, b)| format!("-C {a}{o}{b}")),
    ]
}

fn key() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_-]{1,20}"
}

/// A rule line auditctl accepts.
fn rule_text() -> impl Strategy<Value = String> {
    let exit_rule = (
        prop::sample::select(vec!["-a always,exit", "-a exit,never", "-A always,exit"]),
        prop::option::of(prop::sample::select(vec!["b64", "b32", "x86_64", "i386"])),
        prop::collection::vec(prop::sample::select(SYSCALLS.to_vec()), 0..5),
        prop::collection::vec(exit_field(), 0..6),
        prop::collection::vec(key(), 0..3),
        // A path (first) and a perm (last, only with a path) at most once each:
        // auditctl prints an all-syscall rule of perm fields but no path, or with
        // perm before path, as a `-w` watch it cannot read back.
        prop::option::of("[a-z]{1,12}"),
        prop::option::of(prop::sample::select(vec![
            "r", "w", "x", "a", "wa", "rwxa", "rx",
        ])),
    )
        .prop_map(|(head, arch, calls, fields, keys, path, perm)| {
            let mut s = head.to_string();
            if let Some(a) = arch {
                s.push_str(&format!(" -F arch={a}"));
            }
            if !calls.is_empty() {
                s.push_str(&format!(" -S {}", calls.join(",")));
            } else if !keys.is_empty() {
                s.push_str(" -S all");
            }
            // auditctl lists a never-rule of path+perm as a watch (an always-rule).
            let path = path.filter(|_| !head.contains("never"));
            let has_path = path.is_some();
            if let Some(p) = path {
                s.push_str(&format!(" -F path=/nonexistent-zz/{p}"));
            }
            for f in fields {
                s.push(' ');
                s.push_str(&f);
            }
            if let Some(p) = perm.filter(|_| has_path) {
                s.push_str(&format!(" -F perm={p}"));
            }
            for k in keys {
                s.push_str(&format!(" -k {k}"));
            }
            s
        });
    let watch = (
        "[a-z]{1,10}",
        prop::sample::select(vec!["r", "w", "x", "a", "wa", "rwxa"]),
        prop::collection::vec(key(), 0..3),
    )
        .prop_map(|(p, perm, keys)| {
            let mut s = format!("-w /nonexistent-zz/{p} -p {perm}");
            for k in keys {
                s.push_str(&format!(" -k {k}"));
            }
            s
        });
    let exclude = (
        prop::sample::select(vec!["always", "never"]),
        prop::sample::select(vec!["SYSCALL", "PATH", "CWD", "1300", "EOE", "USER_LOGIN"]),
        prop::option::of(0u32..5000),
    )
        .prop_map(|(a, t, uid)| {
            let mut s = format!("-a {a},exclude -F msgtype={t}");
            if let Some(u) = uid {
                s.push_str(&format!(" -F uid={u}"));
            }
            s
        });
    let task = (op(), 0u32..5000).prop_map(|(o, v)| format!("-a always,task -F uid{o}{v}"));
    let fs = prop::sample::select(vec!["debugfs", "tracefs"])
        .prop_map(|f| format!("-a never,filesystem -F fstype={f} -k fs"));
    prop_oneof![4 => exit_rule, 2 => watch, 1 => exclude, 1 => task, 1 => fs]
}

fn added_rule(line: &str) -> Rule {
    let parsed = parse_line(line, &env()).unwrap_or_else(|e| panic!("`{line}`: {e}"));
    match parsed.commands.into_iter().next() {
        Some(Command::AddRule(r)) => r,
        other => panic!("`{line}`: {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn text_wire_text_wire_is_stable(line in rule_text()) {
        let env = env();
        let rule1 = added_rule(&line);
        let printed1 = rule_to_string(&rule1, &env);
        let mut rule2 = added_rule(&printed1);
        // `-A` prints as `-a`: the listing does not show where a rule was put.
        rule2.flags |= rule1.flags & 0x10;
        prop_assert_eq!(&rule1.to_bytes(), &rule2.to_bytes(), "{} -> {}", line, printed1);
        let printed2 = rule_to_string(&rule2, &env);
        prop_assert_eq!(printed1, printed2);
    }

    #[test]
    fn wire_bytes_decode_to_the_same_rule(
        flags in 0u32..0x20,
        action in 0u32..3,
        mask in prop::collection::vec(any::<u32>(), 64),
        fields in prop::collection::vec(
            (prop::sample::select(Field::ALL.to_vec()), any::<u32>(), any::<u32>(), "[ -~]{0,40}"),
            0..64,
        ),
    ) {
        let mut rule = Rule::new(audit_wire::field::FilterList::Exit, audit_wire::field::Action::Always);
        rule.flags = flags;
        rule.action = action;
        rule.mask.copy_from_slice(&mask);
        for (field, op, value, text) in fields {
            let value = if field.is_string() {
                FieldValue::Str(text.into_bytes())
            } else {
                FieldValue::Num(value)
            };
            rule.fields.push(RuleField { field, op, value });
        }
        let back = Rule::from_bytes(&rule.to_bytes()).expect("decodes");
        prop_assert_eq!(back, rule);
    }

    #[test]
    fn printed_kernel_rules_never_panic_and_watch_paths_survive(line in rule_text()) {
        let env = env();
        let rule = added_rule(&line);
        let printed = rule_to_string(&rule, &env);
        prop_assert!(!printed.contains("(null)"), "{}", printed);
        if line.starts_with("-w ") {
            prop_assert!(printed.starts_with("-w /nonexistent-zz/"), "{}", printed);
        }
    }

    #[test]
    fn parser_never_panics(words in prop::collection::vec(
        prop_oneof![
            prop::sample::select(vec![
                "-a", "-A", "-d", "-w", "-W", "-S", "-F", "-C", "-k", "-p", "-l", "-D", "-s",
                "-e", "-f", "-b", "-r", "-i", "-c", "-m", "-q", "-t", "-R", "--backlog_wait_time",
                "--reset-lost", "--", "always,exit", "exit,never", "task,always", "exclude,always",
                "filesystem,always", "user,always", "all", "open,close", "arch=b64", "arch=b32",
                "key=x", "uid=0", "auid!=unset", "perm=wa", "msgtype=SYSCALL", "exit=-EPERM",
                "/etc/passwd", "/", "uid=euid", "fstype=debugfs", "a0&=7", "path=/x",
            ]).prop_map(str::to_string),
            "[ -~]{0,12}",
        ],
        0..10,
    )) {
        let env = env();
        let _ = parse_args(&words, None, &env);
        let _ = parse_args(&words, Some(1), &env);
    }
}
