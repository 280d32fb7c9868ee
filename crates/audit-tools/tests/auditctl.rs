//! `auditctl-rs` (`audit_tools::auditctl`) against the reference auditctl 3.0.9 on the live
//! kernel: same stdout, stderr and exit code for status, listing, rule add /
//! prepend / delete / delete-all, watches, settings (set to their current
//! values, then restored) and rule files. Never touches `enabled`.

use std::path::PathBuf;
use std::process::Command;

use audit_netlink::audit_wire::status::Status;
use audit_testlock::rules::{c_auditctl, non_utf8_rules_file, socket, CRun, RuleGuard};

/// The program under test.
fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_auditctl-rs"))
}

fn ours(args: &[String]) -> CRun {
    Command::new(example())
        .args(args)
        .output()
        .expect("run auditctl-rs")
        .into()
}

fn words(s: &str) -> Vec<String> {
    s.split(' ').map(str::to_string).collect()
}

/// Run `line` with ours, then with C, and compare everything.
fn same(line: &str) -> CRun {
    let w = words(line);
    let o = ours(&w);
    let c = c_auditctl(&w);
    assert_eq!(
        (o.code, &o.stdout, &o.stderr),
        (c.code, &c.stdout, &c.stderr),
        "`auditctl {line}`: ours vs C"
    );
    o
}

/// Restores failure, rate_limit, backlog_limit and backlog_wait_time, and the lost and
/// backlog_wait_time_actual counters when they were zero.
struct SettingsGuard(Status);

impl SettingsGuard {
    fn new() -> SettingsGuard {
        SettingsGuard(socket().get_status().expect("status"))
    }
}

impl Drop for SettingsGuard {
    fn drop(&mut self) {
        use audit_netlink::audit_wire::status::{
            STATUS_BACKLOG_LIMIT, STATUS_BACKLOG_WAIT_TIME, STATUS_FAILURE, STATUS_RATE_LIMIT,
        };
        let Ok(mut a) = audit_netlink::AuditSocket::open() else {
            return;
        };
        let Ok(now) = a.get_status() else {
            return;
        };
        let was = &self.0;
        let mut mask = 0;
        for (changed, bit) in [
            (now.failure != was.failure, STATUS_FAILURE),
            (now.rate_limit != was.rate_limit, STATUS_RATE_LIMIT),
            (now.backlog_limit != was.backlog_limit, STATUS_BACKLOG_LIMIT),
            (
                now.backlog_wait_time != was.backlog_wait_time,
                STATUS_BACKLOG_WAIT_TIME,
            ),
        ] {
            if changed {
                mask |= bit;
            }
        }
        if mask != 0 {
            let _ = a.set_status(&Status { mask, ..*was });
        }
        // The kernel's counters can only go back to zero: do that when they were
        // zero before the test (bursts of messages make both move).
        if was.lost == 0 && now.lost != 0 {
            let _ = a.reset_lost();
        }
        if was.backlog_wait_time_actual == 0 && now.backlog_wait_time_actual != 0 {
            let _ = a.reset_backlog_wait_time_actual();
        }
    }
}

/// Whether the whole-listing comparisons can run: they compare every rule and the
/// status with auditctl's, and clear the rules between cases, so they run only where
/// no other audit daemon runs and no rules of others are loaded (counted skip else).
fn machine_is_ours() -> bool {
    if !audit_testlock::daemon_slot_free() {
        return false;
    }
    let others = socket().list_rules().expect("list rules").len();
    if others > 0 {
        audit_testlock::skip(format!(
            "{others} audit rule(s) loaded by others (this test compares whole listings)"
        ));
        return false;
    }
    true
}

#[test]
fn example_matches_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    if !machine_is_ours() {
        return;
    }
    let _settings = SettingsGuard::new();
    let guard = RuleGuard::new();
    let status = socket().get_status().expect("status");
    let pid = std::process::id();

    same("-s");
    same("-l");

    // Rules and watches: each change made on the same starting rules by ours and
    // by C, compared by output, exit code and the listing it leaves.
    let same_effect = |setup: &[String], line: &str| {
        let mut results = Vec::new();
        for tool in [ours as fn(&[String]) -> CRun, c_auditctl] {
            guard.clean();
            for s in setup {
                let r = c_auditctl(&words(s));
                assert_eq!(r.code, 0, "setup `{s}`: {}", r.stderr);
            }
            let r = tool(&words(line));
            let listing = c_auditctl(&words("-l")).stdout;
            results.push((r.code, r.stdout, r.stderr, listing));
        }
        assert_eq!(
            results[0], results[1],
            "`auditctl {line}` after {setup:?}: ours vs C"
        );
        guard.clean();
    };
    let rule = format!(
        "-a always,exit -F arch=b64 -S openat,open -F pid={pid} -F auid>=1000 -F exit=-EACCES -k zzrtex1"
    );
    let b32 = format!("-A exit,never -F arch=b32 -S chmod -F pid={pid} -k zzrtex2");
    let noarch = format!("-a always,exit -S adjtimex -F pid={pid} -k zzrtex3");
    same_effect(&[], &rule);
    same_effect(std::slice::from_ref(&rule), &rule);
    same_effect(std::slice::from_ref(&rule), &b32);
    same_effect(std::slice::from_ref(&b32), &noarch);
    let del = rule.replacen("-a ", "-d ", 1);
    same_effect(std::slice::from_ref(&rule), &del);
    same_effect(&[], &del);
    // exe on the exclude list (libaudit allows it there).
    same_effect(&[], "-a never,exclude -F exe=/nonexistent-zzrt/bin");
    same_effect(&[rule.clone(), b32.clone(), noarch.clone()], "-D -k zzrtex");

    // Listings (the arch-less rule after a b32 one names its syscall from the
    // i386 table, as auditctl does).
    for s in [&rule, &b32, &noarch] {
        assert_eq!(c_auditctl(&words(s)).code, 0, "{s}");
    }
    same("-l");
    same("-l -k zzrtex2");
    guard.clean();

    let dir = std::env::temp_dir().join(format!("zzrt-watch-{pid}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("watched");
    let watch = format!("-w {} -p wa -k zzrtex4 -k more", file.display());
    let dwatch = format!("-w {}/ -p r -k zzrtex5", dir.display());
    let unwatch = watch.replacen("-w ", "-W ", 1);
    same_effect(&[], &watch);
    same_effect(&[], &dwatch);
    same_effect(std::slice::from_ref(&watch), &unwatch);
    same_effect(&[], &unwatch);
    same_effect(&[], &format!("-w /nonexistent-zzrt/{pid}/x -p r"));

    // Settings, set to their current values.
    same(&format!("-b {}", status.backlog_limit));
    same(&format!("-r {}", status.rate_limit));
    same(&format!("--backlog_wait_time {}", status.backlog_wait_time));
    same(&format!("-f {}", status.failure));

    // Refusals.
    for bad in [
        "-e 5",
        "-f 3",
        "-b x",
        "-r -1",
        "-a always,exit -F bogus=1",
        "-a always,exit -S nosuchcall",
        "-w relative",
        "-l extra",
        "-x",
    ] {
        same(bad);
    }

    // A rule file: good lines load, a bad line stops it with status 1.
    let rules = dir.join("test.rules");
    std::fs::write(
        &rules,
        format!(
            "# test rules\n\n-a always,exit -F arch=b64 -S unlink -F pid={pid} -k zzrtf1\n-w {}/f2 -p x -k zzrtf2\n-a always,exit -F bogus=1\n-a always,exit -F arch=b64 -S rename -F pid={pid} -k zzrtf3\n",
            dir.display()
        ),
    )
    .expect("write rules");
    // -R refuses a world-writable file (whatever the umask made).
    std::fs::set_permissions(&rules, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let r = ours(&words(&format!("-R {}", rules.display())));
    assert_eq!(r.code, 1, "bad rule file exit code: {}", r.stderr);
    assert!(
        r.stderr.contains("There was an error in line 5 of"),
        "{}",
        r.stderr
    );
    let ours_list = ours(&words("-l"));
    guard.clean();
    let c = c_auditctl(&words(&format!("-R {}", rules.display())));
    assert_eq!(c.code, 1, "C exit code for the bad rule file");
    let c_list = c_auditctl(&words("-l"));
    assert_eq!(
        ours_list.stdout, c_list.stdout,
        "rules loaded before the bad line"
    );
    guard.clean();
    std::fs::write(
        &rules,
        format!(
            "-a always,exit -F arch=b64 -S unlink -F pid={pid} -k zzrtf1\n-b {}\n",
            status.backlog_limit
        ),
    )
    .expect("write rules");
    let o = ours(&words(&format!("-R {}", rules.display())));
    guard.clean();
    let c = c_auditctl(&words(&format!("-R {}", rules.display())));
    assert_eq!((o.code, &o.stdout), (c.code, &c.stdout), "good rule file");
    guard.clean();
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}

/// `-l -i` and `-s -i`: arch by machine name, syscall arguments of one-syscall
/// rules interpreted as libauparse does, enabled/failure by name.
#[test]
fn interpreted_listing_and_status_match_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    if !machine_is_ours() {
        return;
    }
    let guard = RuleGuard::new();
    let pid = std::process::id();
    let dir = std::env::temp_dir().join(format!("zzrt-li-{pid}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rules = [
        "-a always,exit -F arch=b64 -S socket -F a0=2 -F a1=1".to_string(),
        "-a always,exit -F arch=b64 -S openat -F a2=0x41 -F a3=0x1ed".to_string(),
        "-a always,exit -F arch=b64 -S open,openat -F a0=2".to_string(),
        "-a always,exit -F arch=b64 -S kill -F a1=9 -F uid=0 -F exit=-EPERM".to_string(),
        "-a always,exit -F arch=b32 -S socketcall -F a1=0x20 -F a0=3".to_string(),
        "-a always,exit -F arch=b64 -S ioctl -F a1=0x5401".to_string(),
        "-a always,exit -F arch=b64 -S mmap -F a2=3 -F a3=0x22".to_string(),
        "-a always,exit -F arch=b64 -S personality -F a0=8".to_string(),
        "-a always,exit -F arch=b64 -S fcntl -F a1=4".to_string(),
        "-a always,exit -S all -F a0=2".to_string(),
        "-a always,exit -S socket -F a0=10".to_string(),
        "-a always,exit -F arch=b64 -S setuid -F a0=0".to_string(),
        "-a always,exit -F arch=b64 -S chmod -F a1=0x1ff".to_string(),
        "-a always,exit -F arch=b64 -S clone -F a0=0x11".to_string(),
        "-a always,exit -F arch=b64 -S setsockopt -F a1=1 -F a2=2".to_string(),
        "-a always,exit -F arch=b64 -S ptrace -F a0=16".to_string(),
        "-a never,exit -F arch=b64 -S socket -F a0!=2 -F a1&0x800".to_string(),
        "-a always,exit -F arch=b64 -S 7 -F a3=0xffffffff".to_string(),
        // -1 is `unset` for these two with -i (and -1 without).
        "-a always,exit -F arch=b64 -S openat -F auid=-1 -F sessionid=-1".to_string(),
        "-a always,exit -F arch=b64 -S openat -F auid!=unset -F auid=-2".to_string(),
    ];
    for r in &rules {
        let line = format!("{r} -F pid={pid} -k zzrtli");
        let c = c_auditctl(&words(&line));
        assert_eq!(c.code, 0, "`{line}`: {}", c.stderr);
    }
    let w = format!("-w {}/w -p wa -k zzrtli", dir.display());
    assert_eq!(c_auditctl(&words(&w)).code, 0, "{w}");
    // A list without syscalls: auditctl interprets a0 for syscall 0 (a
    // lower-case 0xab here, where its uninterpreted hex is 0xAB).
    let task = format!("-a always,task -F a0=171 -F pid={pid}");
    assert_eq!(c_auditctl(&words(&task)).code, 0, "{task}");
    let listing = same("-l -i");
    assert!(
        listing.stdout.contains("-a always,task -F a0=0xab -F pid="),
        "{}",
        listing.stdout
    );
    assert!(
        listing
            .stdout
            .contains("-S socket -F a0=inet -F a1=SOCK_STREAM"),
        "{}",
        listing.stdout
    );
    assert!(
        listing
            .stdout
            .contains("-S openat -F auid=unset -F sessionid=unset -F pid="),
        "{}",
        listing.stdout
    );
    assert!(
        same("-l").stdout.contains("-F auid!=-1 -F auid=-2"),
        "without -i, -1"
    );
    same("-l -k zzrtli");
    same("-s -i");
    same("-i -l");
    same("-l -i extra");
    drop(guard);
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}

/// A status listing without the counters that move on their own while auditing
/// is enabled (`lost`, `backlog`, `backlog_wait_time_actual`).
fn steady(status: &str) -> String {
    status
        .lines()
        .filter(|l| {
            !l.starts_with("lost ")
                && !l.starts_with("backlog ")
                && !l.starts_with("backlog_wait_time_actual ")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Make the kernel count lost records: with auditing enabled and a rate limit
/// of 1/s, a burst of user messages exceeds it. Leaves enabled=0 and the rate
/// limit as it was (the guards of the caller restore them too on failure).
fn lose_some_records(rate_limit: u32) -> u32 {
    let mut a = socket();
    a.set_rate_limit(1).expect("rate limit 1");
    a.set_enabled(true).expect("enable");
    for i in 0..8 {
        // The kernel refuses nothing here; a refusal would fail the test below.
        a.send_user_raw(
            audit_netlink::audit_wire::RecordType::USER,
            &format!("zzrt-lost-probe {i}"),
        )
        .expect("user message");
    }
    a.set_enabled(false).expect("disable");
    a.set_rate_limit(rate_limit).expect("restore rate limit");
    a.get_status().expect("status").lost
}

/// `-e 1`, `-e 0` and `--reset-lost` against the kernel, compared with auditctl;
/// `enabled`, the rate limit and the rules are put back as they were.
#[test]
fn enable_and_reset_lost_match_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let _settings = SettingsGuard::new();
    let guard = RuleGuard::new();
    let start = socket().get_status().expect("status");
    assert!(
        start.feature_bitmap & audit_netlink::audit_wire::status::FEATURE_BITMAP_LOST_RESET != 0,
        "the kernel can reset lost"
    );

    // -e: ours and C each switch, print the status reply, and leave the state asked.
    for e in ["1", "0", "1", "0"] {
        let o = ours(&words(&format!("-e {e}")));
        let now = socket().get_status().expect("status").enabled;
        assert_eq!(now.to_string(), e, "ours -e {e}: kernel enabled");
        let c = c_auditctl(&words(&format!("-e {e}")));
        assert_eq!(
            (o.code, steady(&o.stdout), &o.stderr),
            (c.code, steady(&c.stdout), &c.stderr),
            "-e {e}: ours vs C"
        );
        assert!(
            o.stdout.starts_with(&format!("enabled {e}\n")),
            "{}",
            o.stdout
        );
    }
    same("-e 3");
    same("-e");

    // --reset-lost: the old count on stderr, 0 afterwards; both tools alike.
    let lost = lose_some_records(start.rate_limit);
    assert!(lost > 0, "a burst over the rate limit loses records");
    let o = ours(&words("--reset-lost"));
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.clone()),
        (0, "", format!("lost: {lost}\n")),
        "ours --reset-lost"
    );
    assert_eq!(socket().get_status().expect("status").lost, 0);
    let lost = lose_some_records(start.rate_limit);
    assert!(lost > 0);
    let c = c_auditctl(&words("--reset-lost"));
    assert_eq!(
        (c.code, c.stdout.as_str(), c.stderr.clone()),
        (0, "", format!("lost: {lost}\n")),
        "C --reset-lost"
    );
    same("--reset-lost");
    same("--reset-lost extra");

    drop(guard);
    assert_eq!(
        socket().get_status().expect("status").enabled,
        start.enabled
    );
}

/// The `msg='...'` part of the USER record carrying `marker`, read by the
/// registered daemon socket, with the `exe=` value (the program) cut out.
fn user_record(daemon: &mut audit_netlink::AuditSocket, marker: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline {
        let item = daemon
            .recv(Some(std::time::Duration::from_millis(200)))
            .expect("daemon socket");
        let Some(audit_netlink::Incoming::Record(r)) = item else {
            continue;
        };
        let line = String::from_utf8_lossy(&r.to_line()).into_owned();
        if !line.starts_with("type=USER ") || !line.contains(marker) {
            continue;
        }
        let msg = &line[line.find(" msg='").expect("msg='") + 1..];
        let exe_at = msg.find(" exe=").expect("exe=");
        let after = &msg[exe_at + 5..];
        let end = after.find(' ').expect("field after exe");
        return format!("{}{}", &msg[..exe_at + 5], &after[end..]);
    }
    panic!("no USER record with {marker} within 5 s");
}

/// `-m text`: the same USER record as auditctl's (but for `exe=`), and the same
/// silent success while auditing is disabled.
#[test]
fn user_message_matches_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let guard = RuleGuard::new();
    let pid = std::process::id();
    // This test is the audit daemon while it runs (given back when `daemon` drops;
    // `daemon_slot_free` checked that none other runs).
    let mut daemon = socket();
    daemon
        .register_daemon()
        .expect("register as the audit daemon");
    socket().set_enabled(true).expect("enable");
    let mut texts = Vec::new();
    for tool in ["ours", "C"] {
        let marker = format!("zzrt-m-{pid}-{tool}");
        let args = vec!["-m".to_string(), format!("op=test {marker} text")];
        let r = if tool == "ours" {
            ours(&args)
        } else {
            c_auditctl(&args)
        };
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "", ""),
            "{tool} -m"
        );
        texts.push(user_record(&mut daemon, &marker).replace(&marker, "MARKER"));
    }
    assert_eq!(texts[0], texts[1], "USER record of -m: ours vs C");
    assert!(
        texts[0].ends_with("hostname=? addr=? terminal=? res=success'"),
        "{}",
        texts[0]
    );
    daemon.unregister_daemon().expect("unregister");
    drop(daemon);
    drop(guard); // enabled back to what it was
    same(&format!("-m zzrt-m-{pid}-disabled"));
    same("-m bad\u{1}char");
    same("-m two words");
}

/// `-t`, `-q`, `--reset_backlog_wait_time_actual` and `--signal` as auditctl
/// runs them; `--signal` also for real, at this process registered as the
/// audit daemon: the kernel's signal info names the sender.
#[test]
fn trees_counters_and_signals_match_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let _settings = SettingsGuard::new();
    let dir = std::env::temp_dir().join(format!("lars-equiv-{}", std::process::id()));
    let (a, b) = (dir.join("a"), dir.join("b"));
    std::fs::create_dir_all(&a).expect("temp dir");
    std::fs::create_dir_all(&b).expect("temp dir");
    // A trim deletes the tree rules whose directories are gone: only where
    // there is none.
    if socket()
        .list_rules()
        .expect("rules")
        .iter()
        .any(|r| r.has_field(audit_netlink::audit_wire::field::Field::DIR))
    {
        audit_testlock::skip("-t: directory-tree rules are loaded");
    } else {
        same("-t");
    }
    same(&format!("-q {},{}", a.display(), b.display()));
    same(&format!("-q {},/nonexistent-lars-equiv", a.display()));
    same(&format!("-q {}", a.display()));
    // It prints the counter it resets: earlier tests' traffic may have left it
    // above 0, and then the first of the two runs would see that and the second
    // 0. Reset it once first so that both see what no test adds to meanwhile.
    ours(&words("--reset_backlog_wait_time_actual"));
    same("--reset_backlog_wait_time_actual");
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
    for bad in ["bogus", "SIGHUP", "state", "1"] {
        let r = same(&format!("--signal {bad}"));
        assert_eq!(r.code, 255, "--signal {bad}");
    }

    let mut daemon = socket();
    if daemon.get_status().expect("status").pid != 0 {
        audit_testlock::skip("an audit daemon is running; --signal would reach it");
        return;
    }
    let r = same("--signal usr2");
    assert_eq!(r.stderr, "Auditd is not running\n");
    // USR2 ("resume logging") at this process as the daemon, ignored here.
    // SAFETY: SIG_IGN is a valid disposition for SIGUSR2.
    unsafe { libc::signal(libc::SIGUSR2, libc::SIG_IGN) };
    daemon
        .register_daemon()
        .expect("register as the audit daemon");
    let mut senders = Vec::new();
    for exe in [PathBuf::from("auditctl"), example()] {
        let mut child = Command::new(&exe)
            .args(["--signal", "usr2"])
            .spawn()
            .expect("run auditctl");
        let pid = child.id();
        let status = child.wait().expect("wait for auditctl");
        let info = daemon.signal_info();
        senders.push((exe, pid, status.code(), info.map(|i| i.pid)));
    }
    daemon.unregister_daemon().expect("unregister");
    for (exe, pid, code, sender) in senders {
        assert_eq!(code, Some(0), "{}", exe.display());
        assert_eq!(
            sender.expect("signal info"),
            pid as i32,
            "{}",
            exe.display()
        );
    }
}

/// A rule file line with bytes that are not UTF-8 (auditctl 3.0.9 passes them to the
/// kernel as they are, and our parser refuses the line: the root package's
/// `rules_errors` checks both): `auditctl-rs -R` refuses the line with its number and
/// the byte offset, and adds nothing.
#[test]
fn a_non_utf8_rule_file_is_refused_and_adds_nothing() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let guard = RuleGuard::new();
    let rules = non_utf8_rules_file("tools");
    let bad_at = rules.bad_at;

    let out = Command::new(example())
        .arg("-R")
        .arg(&rules.path)
        .output()
        .expect("run auditctl-rs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("not valid UTF-8 at byte {bad_at}")),
        "{stderr}"
    );
    assert!(
        stderr.contains("There was an error in line 2 of"),
        "{stderr}"
    );
    let listing = socket().list_rules().expect("list rules");
    assert!(
        !listing
            .iter()
            .any(|r| r.key().is_some_and(|k| k.starts_with(b"zzrtk"))),
        "nothing added"
    );
    guard.clean();
    std::fs::remove_dir_all(&rules.dir).expect("remove temp dir");
}

/// Runs `tool` (ours or C's) without `CAP_AUDIT_CONTROL` (as root, through
/// `setpriv`), the way auditctl's root check sees a user without it.
fn without_audit_control(program: &std::path::Path, args: &[&str]) -> CRun {
    Command::new("setpriv")
        .arg("--bounding-set=-audit_control")
        .arg(program)
        .args(args)
        .output()
        .expect("run setpriv")
        .into()
}

/// Where the C auditctl is.
fn c_program() -> PathBuf {
    ["/usr/sbin/auditctl", "/sbin/auditctl"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .expect("the C auditctl")
}

/// Usage, refusals of a parse, the root check: nothing reaches the kernel's
/// rules, so no rule guard; output and exit code as C's.
#[test]
fn usage_root_check_and_parse_refusals_match_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    // `-h` prints the usage on stdout and fails; no argument at all too (exit 1).
    let h = same("-h");
    assert!(
        h.stdout.starts_with("usage: auditctl [options]\n"),
        "{}",
        h.stdout
    );
    let (o, c) = (ours(&[]), c_auditctl(&[]));
    assert_eq!(
        (o.code, &o.stdout, &o.stderr),
        (c.code, &c.stdout, &c.stderr)
    );
    // Warnings printed before the error that ends the line; exact list names;
    // -p without fields; a stray parameter.
    for bad in [
        "-a always,exit -S open -F arch=b64",
        "-a always,EXIT",
        "-a Exit,always -S open",
        "-a always,exit -p wa",
        "-a always,exit -S open foo",
        "-a always,exit -S connect -F saddr_fam=46",
    ] {
        same(bad);
    }
    // Without CAP_AUDIT_CONTROL: refused with exit 4, but for `-h`, `--help`
    // and (for root) `-l` alone.
    for args in [
        &["-s"][..],
        &["-l"],
        &["-l", "-k", "x"],
        &["-h"],
        &["--help"],
        &["-D"],
        &["-R", "/nonexistent"],
    ] {
        let o = without_audit_control(&example(), args);
        let c = without_audit_control(&c_program(), args);
        assert_eq!(
            (o.code, &o.stdout, &o.stderr),
            (c.code, &c.stdout, &c.stderr),
            "{args:?} without CAP_AUDIT_CONTROL: ours vs C"
        );
    }
}

/// `-R` checks the opened file as auditctl does: owned by root, not world
/// writable, a regular file (a device such as /dev/zero is never read);
/// and reads at most `RULE_FILE_MAX_BYTES`. auditctl sends these messages
/// to syslog; ours are on stderr. Exit status 1 as C.
#[test]
fn rule_file_checks_match_auditctl() {
    use std::os::unix::fs::PermissionsExt;
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let guard = RuleGuard::new();
    let dir = std::env::temp_dir().join(format!("zzrt-h5-rfile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("a.rules");
    // Only a comment: accepted, nothing is sent.
    std::fs::write(&file, "# nothing\n").expect("write");
    // Whatever the umask: the checks below change one thing at a time.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = file.display().to_string();
    let check = |path: &str, want: &str| {
        let args = ["-R".to_string(), path.to_string()];
        let (o, c) = (ours(&args), c_auditctl(&args));
        assert_eq!(o.code, c.code, "-R {path}: ours vs C: {}", o.stderr);
        assert_eq!(o.stderr, want, "-R {path}");
    };
    check(&path, "");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o646)).expect("chmod");
    check(&path, &format!("Error - {path} is world writable\n"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    std::os::unix::fs::chown(&file, Some(65534), None).expect("chown");
    check(&path, &format!("Error - {path} isn't owned by root\n"));
    std::os::unix::fs::chown(&file, Some(0), None).expect("chown");
    let d = dir.display().to_string();
    check(&d, &format!("Error - {d} is not a regular file\n"));
    // /dev/zero (mode 0666) fails the check before; /dev/null's mode may vary.
    check("/dev/zero", "Error - /dev/zero is world writable\n");
    // A symbolic link is followed, as C's open() does.
    let link = dir.join("link.rules");
    std::os::unix::fs::symlink(&file, &link).expect("symlink");
    check(&link.display().to_string(), "");
    // A FIFO is refused without waiting for a writer (C's open() would wait).
    let fifo = dir.join("fifo.rules");
    let made = Command::new("mkfifo")
        .arg("-m")
        .arg("644")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let f = fifo.display().to_string();
    let o = ours(&["-R".to_string(), f.clone()]);
    assert_eq!(
        (o.code, o.stderr),
        (1, format!("Error - {f} is not a regular file\n"))
    );
    // Past the bound (a sparse file): refused before any line is sent.
    let big = dir.join("big.rules");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(audit_tools::auditctl::RULE_FILE_MAX_BYTES + 1)
        .expect("set_len");
    let o = ours(&["-R".to_string(), big.display().to_string()]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("is larger than"), "{}", o.stderr);
    guard.clean();
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}

/// The readiness check before rule changes lets them through on a kernel that is
/// not immutable: a rule added, listed and deleted by `-a`/`-d`, and by `-R`.
#[test]
fn rules_load_and_delete_when_ready() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    let guard = RuleGuard::new();
    let pid = std::process::id();
    let key = format!("zzrth5r{pid}");
    let rule = format!("-a always,exit -F arch=b64 -S adjtimex -F pid={pid} -k {key}");
    let has_rule = || {
        socket()
            .list_rules()
            .expect("list")
            .iter()
            .any(|r| r.key() == Some(key.as_bytes()))
    };
    let r = ours(&words(&rule));
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "add");
    assert!(has_rule(), "added");
    let r = ours(&words(&rule.replacen("-a ", "-d ", 1)));
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "delete");
    assert!(!has_rule(), "deleted");
    let dir = std::env::temp_dir().join(format!("zzrt-h5-ready-{pid}"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("r.rules");
    std::fs::write(&file, format!("{rule}\n")).expect("write");
    // -R refuses a world-writable file (whatever the umask made).
    std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let r = ours(&["-R".to_string(), file.display().to_string()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "-R");
    assert!(has_rule(), "loaded by -R");
    guard.clean();
    std::fs::remove_dir_all(&dir).expect("remove temp dir");
}
