//! Every kind of bad rule line: ours rejects it with the message the reference
//! auditctl 3.0.9 prints (checked by running it), and a rule file reports every
//! bad line with its number and token.

use audit_rules::{parse_args, parse_rules, split_line, SystemEnv};
use audit_testlock::rules::{c_auditctl, non_utf8_rules_file, socket, NonUtf8Rules, RuleGuard};

const BAD: &[&str] = &[
    "-a always,bogus -F pid=1",
    "-a always,always -F pid=1",
    "-a exit,exit -F pid=1",
    "-a possible,exit -F pid=1",
    "-a always -F pid=1",
    "-a always,exit,task -F pid=1",
    "-a always,exit -a always,exit -F pid=1",
    "-A always,exit -A always,exit -F pid=1",
    "-d always,bogus",
    "-A bogus,exit",
    "-a always,exit -F pid",
    "-a always,exit -F =5",
    "-a always,exit -F pid=",
    "-a always,exit -F bogus=5",
    "-a always,exit -F pid=abc",
    "-a always,exit -F uid=nosuchuserzz",
    "-a always,exit -F gid=nosuchgroupzz",
    "-a always,exit -F exit=EBOGUS",
    "-a always,exit -F filetype=bogus",
    "-a always,exit -F filetype=16384",
    "-a always,filesystem -F fstype=ext4",
    "-a always,exit -F arch=b32 -F arch=bogus",
    "-a always,exit -F arch=0x1234",
    "-a always,exit -F arch>b32",
    "-a always,exit -F perm=rwxaa",
    "-a always,exit -F perm=q",
    "-a always,exit -F perm!=r",
    "-a always,exit -F msgtype=SYSCALL",
    "-a always,exclude -F msgtype=BOGUS",
    "-a always,exclude -F pid=1 -F euid=0",
    "-a always,task -F exit=1",
    "-a always,exit -C uid<euid",
    "-a always,exit -C uid=gid",
    "-a always,exit -C bogus=uid",
    "-a always,exit -C uid=bogus",
    "-a always,exit -C =uid",
    "-a always,exit -C uid=",
    "-a always,task -C uid=euid",
    "-a always,exit -F inode<5",
    "-a always,task -F ppid=5",
    "-a always,exit -F exe<5",
    "-a always,exit -F a0=abc",
    "-a always,task -F sessionid=5",
    "-a always,exit -S bogus",
    "-a always,exit -S open,bogus",
    "-a always,exit -F arch=b64 -S 9999",
    "-a always,exit -F arch=b64 -S uretprobe -k x",
    "-a always,exit -F arch=b64 -S open,uprobe -k x",
    "-a always,exit -F arch=b64 -S pread64 -k x",
    "-a always,exit -F arch=b64 -S fchmodat2 -k x",
    "-a always,task -S open",
    "-a always,user -S open",
    "-a always,exclude -S open",
    "-a always,filesystem -S open",
    "-a always,exit -S open -F arch=b64",
    "-S open",
    "-F pid=1",
    "-k foo",
    "-w /zz -p rq",
    "-w /zz -p rwxar",
    "-w zz",
    "-p r",
    "-w /zz -w /yy",
    "-a always,exit -w /zz",
    "-w /zz -a always,exit",
    "-a always,exit -F arch=b64 -S open extra",
    "-a always,task -F pid=1 -k zzrterr",
    "-a always,exit -F pid=1 -F key=zzrterr",
    "-e 5",
    "-f x",
    "-b x",
    "-r x",
    "--backlog_wait_time x",
    "-x",
    "-F",
    "-l extra",
    "-l -i -k",
    "-D extra",
    "-D -k",
    "-s -s",
    "-s extra",
    "-s -i -i",
    "-R /etc/audit/x.rules -i",
    "-- -l",
];

/// A key one byte longer than the kernel allows.
fn long_key_line() -> String {
    format!("-a always,exit -F arch=b64 -S open -k {}", "a".repeat(257))
}

fn words(line: &str) -> Vec<String> {
    split_line(line).expect("not blank")
}

#[test]
fn rejections_match_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let _guard = RuleGuard::new();
    let env = SystemEnv::new();
    let long = long_key_line();
    for line in BAD.iter().copied().chain([long.as_str()]) {
        let w = words(line);
        let c = c_auditctl(&w);
        assert_ne!(c.code, 0, "C accepted `{line}`");
        let c_msg = c
            .stderr
            .lines()
            .find(|l| !l.starts_with("WARNING") && !l.is_empty())
            .unwrap_or("");
        let ours = parse_args(&w, None, &env).expect_err(line);
        assert_eq!(
            ours.message().lines().next().unwrap_or(""),
            c_msg,
            "message for `{line}`"
        );
    }
}

#[test]
fn deprecated_possible_is_eaten() {
    let env = SystemEnv::new();
    let p = parse_args(&words("-a exit,possible -F pid=1"), None, &env).expect("eaten");
    assert!(p.commands.is_empty());
    assert_eq!(p.warnings, vec!["Append rule - possible is deprecated"]);
}

#[test]
fn file_errors_name_every_line_and_token() {
    let env = SystemEnv::new();
    let text = "# header\n\
                -D\n\
                -a always,exit -F arch=b64 -S open -F bogus=1\n\
                \n\
                -w /etc/passwd -p wa -k identity\n\
                -a always,exit -S nosuchsyscall\n\
                -w relative\n";
    let err = parse_rules("bad.rules", text, &env).expect_err("bad lines");
    let got: Vec<(Option<usize>, String, String)> = err
        .errors
        .iter()
        .map(|e| (e.line, e.token.clone(), e.message()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some(3),
                "-F bogus=1".to_string(),
                "-F unknown field: bogus".to_string()
            ),
            (
                Some(6),
                "-S nosuchsyscall".to_string(),
                "Syscall name unknown: nosuchsyscall".to_string()
            ),
            (
                Some(7),
                "-w relative".to_string(),
                "The path must start with '/'".to_string()
            ),
        ]
    );
    let shown = err.to_string();
    assert!(shown.contains("bad.rules"), "{shown}");
    assert!(shown.contains("line 6"), "{shown}");
    assert!(shown.contains("nosuchsyscall"), "{shown}");
    let bad_option = parse_rules("o.rules", "-a always,exit -Q\n", &env).expect_err("bad option");
    assert_eq!(
        bad_option.errors[0].message(),
        "Option -Q on line 1 is invalid"
    );
}

/// Numbers past 32 bits: auditctl 3.0.9 keeps their low 32 bits (run here:
/// `-F uid=4294967296` becomes a rule on uid 0), so ours refuses them with a
/// message naming the field. Values within 32 bits, negative ones down to
/// `i32::MIN` included, are kept as auditctl keeps them.
#[test]
fn numbers_past_32_bits_are_refused() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let guard = RuleGuard::new();
    let env = SystemEnv::new();
    let pid = std::process::id();
    for (field, c_keeps) in [
        ("uid=4294967296", "uid=0"),
        ("auid=4294967297", "auid=1"),
        ("gid=4294967296", "gid=0"),
        ("pid=4294967296", "pid=0"),
        ("a0=0x100000000", "a0=0x0"),
        ("a1=-4294967297", "a1=0xFFFFFFFF"),
        ("exit=-4294967296", "exit=0"),
        ("inode=4294967296", "inode=0"),
        ("sessionid=4294967296", "sessionid=0"),
    ] {
        let line =
            format!("-a always,exit -F arch=b64 -S openat -F {field} -F ppid={pid} -k zzrt32");
        let w = words(&line);
        let c = c_auditctl(&w);
        assert_eq!(c.code, 0, "C refused `{line}`: {}", c.stderr);
        let listing = c_auditctl(&words("-l -k zzrt32")).stdout;
        assert!(listing.contains(&format!("-F {c_keeps} ")), "{listing}");
        guard.clean();
        let name = field.split('=').next().unwrap_or_default();
        let value = &field[name.len() + 1..];
        let err = parse_args(&w, None, &env).expect_err(&line);
        assert_eq!(
            err.message(),
            format!("-F value out of 32-bit range for {name}: {value}"),
            "{line}"
        );
    }
    for ok in [
        "uid=4294967295",
        "uid=0xffffffff",
        "auid=-1",
        "a2=-1",
        "a0=-2147483648",
        "exit=-13",
    ] {
        let line = format!("-a always,exit -F arch=b64 -S openat -F {ok}");
        parse_args(&words(&line), None, &env).expect(&line);
    }
    assert!(parse_args(
        &words("-a always,exit -F arch=b64 -S openat -F a0=-2147483649"),
        None,
        &env
    )
    .is_err());
    // Control values: auditctl sets the low 32 bits (`-b 4294967296` sets
    // backlog_limit 0; not run here, it would change the kernel's setting).
    for (line, what) in [
        ("-b 4294967296", "backlog"),
        ("-r 4294967296", "rate"),
        ("--backlog_wait_time 4294967296", "backlog_wait_time"),
    ] {
        let err = parse_args(&words(line), None, &env).expect_err(line);
        let value = line.rsplit(' ').next().unwrap_or_default();
        assert_eq!(
            err.message(),
            format!("Error converting {what}: {value} does not fit in 32 bits")
        );
    }
    parse_args(&words("-b 4294967295"), None, &env).expect("32 bits");
    // Past 64 bits auditctl refuses too, with the same first words.
    let err = parse_args(&words("-b 99999999999999999999"), None, &env).expect_err("ERANGE");
    assert_eq!(err.message(), "Error converting backlog");
    // An arch value past 32 bits is not its low bits (c000003e).
    let err = parse_args(
        &words("-a always,exit -F arch=0x1c000003e -S openat"),
        None,
        &env,
    )
    .expect_err("arch");
    assert_eq!(err.message(), "arch elf mapping not found");
}

/// A rule file line with bytes that are not UTF-8: auditctl 3.0.9 passes
/// them to the kernel as they are (run here); ours refuses the line with
/// its number and the byte offset rather than watch another path
/// (`caf\u{FFFD}`) or set another key. Comments may hold any bytes. (That
/// `auditctl-rs -R` refuses it and adds nothing is audit-tools' test.)
#[test]
fn non_utf8_rule_lines_are_refused_with_their_number() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let guard = RuleGuard::new();
    let env = SystemEnv::new();
    let NonUtf8Rules {
        dir,
        path: file,
        text,
        bad_at,
    } = non_utf8_rules_file("parse");

    let c = c_auditctl(&words(&format!("-R {}", file.display())));
    assert_eq!(c.code, 0, "{}", c.stderr);
    let listing = socket().list_rules().expect("list rules");
    let kept = listing.iter().any(|r| r.key() == Some(&b"zzrtk\xe9y"[..]));
    assert!(kept, "auditctl kept the bytes of the key");
    guard.clean();

    let err = audit_rules::parse_rule_bytes("bytes.rules", &text, &env).expect_err("not UTF-8");
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].line, Some(2));
    assert_eq!(
        err.errors[0].kind,
        audit_rules::RuleErrorKind::NotUtf8 { offset: bad_at }
    );
    assert!(err.to_string().contains("line 2: not valid UTF-8"), "{err}");
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}
