//! audit-rules' libaudit 3.0.9 syscall view against the installed
//! `ausyscall` (audit 3.0.9): for every architecture it knows, the set of
//! `(number, name)` pairs `ausyscall ARCH --dump` prints equals the set our
//! view (what `-S` accepts and `auditctl -l` prints) has, through the same
//! `Environment` calls rule parsing and printing make. And the parser rejects
//! what auditctl 3.0.9 rejects, with its message (no kernel needed).
//!
//! Needs `/usr/bin/ausyscall` (package `auditd`); fails without it, since the
//! comparison is the point.

use std::collections::BTreeSet;
use std::process::Command;

use audit_rules::{parse_line, rule_to_string, syscalls, Environment, Machine, SystemEnv};

use audit_testlock::reference::{ausyscall_dump, AUSYSCALL};

/// Every machine audit-rules knows (all of them are ausyscall 3.0.9's).
const MACHINES: [Machine; 9] = [
    Machine::I386,
    Machine::X86_64,
    Machine::Ppc64,
    Machine::Ppc,
    Machine::S390x,
    Machine::S390,
    Machine::Arm,
    Machine::Aarch64,
    Machine::Ppc64le,
];

/// `ausyscall ARCH --dump` as a set of pairs.
fn dump(arch: &str) -> (String, BTreeSet<(u32, String)>) {
    let (table, pairs) = ausyscall_dump(arch);
    (table, pairs.into_iter().collect())
}

#[test]
fn libaudit_view_equals_ausyscall_dump_on_every_arch() {
    let env = SystemEnv::new();
    let newer = SystemEnv::new().with_newer_syscalls();
    for m in MACHINES {
        let arch = m.libaudit_name().expect("a machine libaudit knows");
        let (table, theirs) = dump(arch);
        assert_eq!(table, arch, "{AUSYSCALL} {arch} --dump uses another table");
        assert!(theirs.len() > 300, "{arch}: {} pairs", theirs.len());

        // Every name ausyscall prints resolves to its number (any case).
        for (nr, name) in &theirs {
            assert_eq!(env.syscall_number(m, name), Some(*nr), "{arch} -S {name}");
            let upper = name.to_ascii_uppercase();
            assert_eq!(
                env.syscall_number(m, &upper),
                Some(*nr),
                "{arch} -S {upper}"
            );
            // The opt-in kernel view keeps accepting libaudit's names.
            assert_eq!(
                newer.syscall_number(m, name),
                Some(*nr),
                "{arch} newer {name}"
            );
        }

        // Every number ours names, ausyscall names identically (scanning
        // well past every table's end), and the listing API agrees.
        let ours: BTreeSet<(u32, String)> = (0..8192)
            .filter_map(|nr| env.syscall_name(m, nr).map(|n| (nr, n)))
            .collect();
        let missing: Vec<_> = theirs.difference(&ours).collect();
        let extra: Vec<_> = ours.difference(&theirs).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{arch}: only ausyscall: {missing:?}; only ours: {extra:?}"
        );
        let pairs: BTreeSet<(u32, String)> = syscalls::libaudit_pairs(m)
            .into_iter()
            .map(|(nr, n)| (nr, n.to_owned()))
            .collect();
        assert_eq!(pairs, theirs, "{arch}: libaudit_pairs");

        // A kernel name libaudit lacks or spells differently is unknown to
        // the 3.0.9 view, as it is to ausyscall's exact lookup.
        let kernel = audit_syscalls::SyscallTable::for_audit_arch(m.audit_arch()).expect("table");
        for (nr, kname) in kernel.iter() {
            let known = theirs.contains(&(nr, kname.to_owned()));
            let ours = env.syscall_number(m, kname);
            assert_eq!(ours.is_some(), known, "{arch} -S {kname} ({nr})");
            assert_eq!(
                newer.syscall_number(m, kname),
                Some(nr),
                "{arch} newer {kname}"
            );
        }
    }
}

#[test]
fn kernel_names_libaudit_lacks_are_unknown_to_ausyscall() {
    // Spot checks of the exact lookup (`ausyscall ARCH NAME --exact`), the
    // function auditctl's `-S` uses.
    for (arch, name, known) in [
        ("x86_64", "uretprobe", false),
        ("x86_64", "pread64", false),
        ("x86_64", "pread", true),
        ("ppc", "restart_syscall", false),
        ("ppc64le", "newfstatat", false),
        ("s390x", "getdents64", false),
        ("s390x", "getdents", true),
        ("armeb", "uretprobe", false),
    ] {
        let out = Command::new(AUSYSCALL)
            .args([arch, name, "--exact"])
            .output()
            .expect("run ausyscall");
        let m = Machine::from_name(arch).expect("machine");
        assert_eq!(out.status.success(), known, "{AUSYSCALL} {arch} {name}");
        assert_eq!(
            syscalls::number(m, name).is_some(),
            known,
            "ours {arch} {name}"
        );
    }
}

#[test]
fn uretprobe_is_rejected_like_auditctl_3_0_9() {
    // `/usr/sbin/auditctl -a always,exit -F arch=b64 -S uretprobe -k x` on
    // x86_64 prints this and exits 255 before sending any rule (checked
    // with strace: only an AUDIT_GET goes to the kernel).
    let env = SystemEnv::new().with_machine(Machine::X86_64);
    let line = "-a always,exit -F arch=b64 -S uretprobe -k x";
    let err = parse_line(line, &env).expect_err("3.0.9 does not know uretprobe");
    assert_eq!(err.message(), "Syscall name unknown: uretprobe");
    let err =
        parse_line("-a always,exit -F arch=b64 -S open,uprobe -k x", &env).expect_err("nor uprobe");
    assert_eq!(err.message(), "Syscall name unknown: uprobe");

    // Numbers are accepted and listed as numbers, as auditctl -l does.
    let parsed = parse_line("-a always,exit -F arch=b64 -S 335,336,pread -k x", &env)
        .expect("numbers are fine");
    let audit_rules::Command::AddRule(rule) = &parsed.commands[0] else {
        panic!("not a rule: {parsed:?}")
    };
    assert_eq!(
        rule_to_string(rule, &env),
        "-a always,exit -F arch=b64 -S pread,335,336 -F key=x"
    );

    // The opt-in kernel view knows it.
    let newer = env.clone().with_newer_syscalls();
    parse_line(line, &newer).expect("kernel's table has uretprobe");
}
