//! Golden round trip of every corpus rule file against the real kernel and the
//! reference auditctl 3.0.9:
//! (a) rules loaded by us list the same with C `auditctl -l`, with our lister over
//!     the kernel's rules, and with our lister over the rules we parsed;
//! (b) rules loaded by the C auditctl list the same with ours as with C's;
//! (c) the `audit_rule_data` bytes we build equal the kernel's for the rule the C
//!     tool loaded;
//! and every line the C tool rejects, ours rejects with the same message.
//! Control lines (`-D`, `-e`, `-f`, `-b`, ...) are never executed; `enabled`
//! stays as found (0 on the test machines), and every rule added is removed.

mod rules_support;

use audit_rules::{parse_args, split_line, Command, Lister, Rule, SystemEnv};
use rules_support::{c_auditctl, data_dir, kernel_rules, normalized, socket, wire, RuleGuard};

/// Rule lines of a file: (line number, words), control lines left out.
fn rule_lines(text: &str) -> Vec<(usize, Vec<String>)> {
    text.split('\n')
        .enumerate()
        .filter_map(|(i, l)| split_line(l).map(|w| (i + 1, w)))
        .filter(|(_, w)| {
            matches!(w[0].as_str(), "-a" | "-A" | "-w" | "-W" | "-d") || w[0].starts_with("-a")
        })
        .collect()
}

fn corpus_files() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir())
        .expect("tests/data/rules")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rules"))
        .collect();
    files.sort();
    assert!(files.len() >= 39, "corpus copied into tests/data/rules");
    files
}

/// The C listing, ours over the kernel's rules, and ours over our parsed rules
/// put in the kernel's order.
fn listings(env: &SystemEnv, ours: &[Rule]) -> (String, String, String) {
    let c = c_auditctl(&["-l".to_string()]);
    assert_eq!(c.code, 0, "auditctl -l: {}", c.stderr);
    let kernel = kernel_rules();
    let from_kernel = Lister::listing(kernel.iter().map(|(_, r)| r), env);
    let mut pool: Vec<&Rule> = ours.iter().collect();
    let mut ordered = Vec::new();
    for (data, _) in &kernel {
        let want = normalized(data);
        if let Some(i) = pool.iter().position(|r| normalized(&wire(r)) == want) {
            ordered.push(pool.remove(i));
        }
    }
    let from_parsed = Lister::listing(ordered, env);
    (c.stdout, from_kernel, from_parsed)
}

#[test]
fn corpus_round_trip_against_kernel_and_auditctl() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    // auditctl -l lists every rule: the listings compare only where ours are all.
    let others = socket().list_rules().expect("list rules").len();
    if others > 0 {
        audit_testlock::skip(format!(
            "{others} audit rule(s) loaded by others (the corpus test compares whole listings)"
        ));
        return;
    }
    let env = SystemEnv::new();
    let guard = RuleGuard::new();
    let mut checked_rules = 0;
    let mut rejected_lines = 0;
    for path in corpus_files() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("read rule file");
        let lines = rule_lines(&text);

        // (a) load with ours.
        let mut ours_loaded = Vec::new();
        let mut our_results = Vec::new();
        {
            let mut audit = socket();
            for (lineno, words) in &lines {
                let parsed = parse_args(words, Some(*lineno), &env);
                let outcome = match &parsed {
                    Ok(p) => match p.commands.first() {
                        Some(Command::AddRule(r)) => match audit.add_rule(&wire(r)) {
                            Ok(()) => {
                                ours_loaded.push(r.clone());
                                Ok(())
                            }
                            Err(e) => Err(format!("kernel: {e}")),
                        },
                        Some(Command::DeleteRule(r)) => audit
                            .delete_rule(&wire(r))
                            .map_err(|e| format!("kernel: {e}")),
                        other => panic!("{name}:{lineno}: unexpected {other:?}"),
                    },
                    Err(e) => Err(e.message()),
                };
                our_results.push(outcome);
            }
        }
        let (c_list, ours_kernel, ours_parsed) = listings(&env, &ours_loaded);
        assert_eq!(c_list, ours_kernel, "{name}: C listing vs ours (our load)");
        assert_eq!(c_list, ours_parsed, "{name}: C listing vs our parsed rules");
        guard.clean();

        // (b) load with the C tool, line by line; (c) compare bytes.
        let mut ours_for_c = Vec::new();
        for ((lineno, words), ours) in lines.iter().zip(&our_results) {
            let c = c_auditctl(words);
            let parsed = parse_args(words, Some(*lineno), &env);
            if c.code == 0 {
                assert!(
                    ours.is_ok(),
                    "{name}:{lineno}: C accepted `{}`, ours: {ours:?}",
                    words.join(" ")
                );
                if let Ok(p) = parsed {
                    if let Some(Command::AddRule(r)) = p.commands.first() {
                        ours_for_c.push(r.clone());
                    }
                }
            } else {
                rejected_lines += 1;
                let c_msg = c
                    .stderr
                    .lines()
                    .find(|l| !l.starts_with("WARNING") && !l.is_empty())
                    .unwrap_or("")
                    .to_string();
                match ours {
                    Ok(()) => panic!(
                        "{name}:{lineno}: C rejected `{}` ({c_msg}), ours accepted",
                        words.join(" ")
                    ),
                    Err(m) if m.starts_with("kernel: ") => assert!(
                        c_msg.starts_with("Error sending"),
                        "{name}:{lineno}: kernel refused ours ({m}), C said {c_msg}"
                    ),
                    Err(m) => assert_eq!(
                        m.lines().next().unwrap_or(""),
                        c_msg,
                        "{name}:{lineno}: rejection message"
                    ),
                }
            }
        }
        let (c_list, ours_kernel, _) = listings(&env, &ours_for_c);
        assert_eq!(c_list, ours_kernel, "{name}: C listing vs ours (C load)");
        let kernel = kernel_rules();
        assert_eq!(kernel.len(), ours_for_c.len(), "{name}: rule count");
        let mut pool: Vec<_> = kernel.iter().map(|(d, _)| normalized(d)).collect();
        for r in &ours_for_c {
            let mine = normalized(&wire(r));
            let i = pool.iter().position(|b| *b == mine).unwrap_or_else(|| {
                panic!(
                    "{name}: our bytes for `{}` are not among the kernel's",
                    audit_rules::rule_to_string(r, &env)
                )
            });
            pool.remove(i);
            checked_rules += 1;
        }
        guard.clean();
    }
    drop(guard);
    assert!(checked_rules > 250, "checked {checked_rules} rules");
    eprintln!("checked {checked_rules} rules, {rejected_lines} lines rejected by both");
    assert!(rejected_lines >= 1, "the corpus has lines auditctl rejects");
}
