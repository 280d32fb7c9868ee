//! `auditctl` in Rust: the reference tool's behaviour for `-s`, `-l`, `-a`, `-A`,
//! `-d`, `-D`, `-w`, `-W`, `-e`, `-f`, `-b`, `-r`, `--backlog_wait_time`, `-R`
//! and `--reset-lost` against the running kernel, with the same output and exit
//! codes (0 success, 255 for a failed command, 1 for a failed rule file).
//!
//! ```text
//! cargo run --example auditctl -- -l
//! cargo run --example auditctl -- -a always,exit -F arch=b64 -S openat -F pid=1234 -k mine
//! cargo run --example auditctl -- -R /etc/audit/audit.rules
//! ```
//!
//! Differences: messages of `-R` go to stderr (auditctl sends them to syslog), and
//! a line is checked completely before any of it runs.

#[path = "../tests/rules_support/netlink.rs"]
mod netlink;

use std::process::ExitCode;

use audit_rules::{key_matches, parse_args, split_line, Command, Lister, Rule, SystemEnv};
use netlink::Audit;

/// strerror text of an OS error.
fn strerror(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn print_status(audit: &mut Audit, features: bool) -> Result<(), String> {
    let s = audit
        .status()
        .map_err(|e| format!("Error sending status request ({})", strerror(&e)))?;
    print!(
        "enabled {}\nfailure {}\npid {}\nrate_limit {}\nbacklog_limit {}\nlost {}\nbacklog {}\nbacklog_wait_time {}\nbacklog_wait_time_actual {}\n",
        s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[9], s[10]
    );
    if features {
        if let Ok((v, locked)) = audit.loginuid_immutable() {
            println!(
                "loginuid_immutable {v} {}",
                if locked { "locked" } else { "unlocked" }
            );
        }
    }
    Ok(())
}

fn kernel_rules(audit: &mut Audit) -> Result<Vec<Rule>, String> {
    let raw = audit
        .list_rules()
        .map_err(|e| format!("Error sending rule list data request ({})", strerror(&e)))?;
    Ok(raw
        .iter()
        .filter_map(|b| Rule::from_bytes(b).ok())
        .collect())
}

fn list(audit: &mut Audit, key: Option<&str>, env: &SystemEnv) -> Result<(), String> {
    let rules = kernel_rules(audit)?;
    let shown = rules
        .iter()
        .filter(|r| key.is_none_or(|k| key_matches(r, k)));
    print!("{}", Lister::listing(shown, env));
    Ok(())
}

/// Run the commands of one line; `Err` carries the message to print.
fn run(audit: &mut Audit, commands: &[Command], env: &SystemEnv) -> Result<(), String> {
    for c in commands {
        match c {
            Command::Status { .. } => print_status(audit, true)?,
            Command::List { key, .. } => list(audit, key.as_deref(), env)?,
            Command::AddRule(rule) => audit.add_rule(&rule.to_bytes()).map_err(|e| {
                let why = if e.raw_os_error() == Some(libc::EEXIST) {
                    "Rule exists".to_string()
                } else {
                    strerror(&e)
                };
                format!("Error sending add rule data request ({why})")
            })?,
            Command::DeleteRule(rule) => audit.delete_rule(&rule.to_bytes()).map_err(|e| {
                format!("Error sending delete rule data request ({})", strerror(&e))
            })?,
            Command::DeleteAll { key } => {
                let raw = audit.list_rules().map_err(|e| {
                    format!("Error sending rule list data request ({})", strerror(&e))
                })?;
                for bytes in raw {
                    let matches = match (&key, Rule::from_bytes(&bytes)) {
                        (None, _) => true,
                        (Some(k), Ok(r)) => key_matches(&r, k),
                        (Some(_), Err(_)) => false,
                    };
                    if matches {
                        audit.delete_rule(&bytes).map_err(|e| {
                            format!("Error sending delete rule data request ({})", strerror(&e))
                        })?;
                    }
                }
                list(audit, key.as_deref(), env)?;
            }
            Command::SetEnabled(v) => set(audit, netlink::STATUS_ENABLED, 1, *v, "enable")?,
            Command::SetFailure(v) => set(audit, netlink::STATUS_FAILURE, 2, *v, "failure mode")?,
            Command::SetRateLimit(v) => {
                set(audit, netlink::STATUS_RATE_LIMIT, 4, *v, "rate limit")?
            }
            Command::SetBacklogLimit(v) => {
                set(audit, netlink::STATUS_BACKLOG_LIMIT, 5, *v, "backlog limit")?
            }
            Command::SetBacklogWaitTime(v) => set(
                audit,
                netlink::STATUS_BACKLOG_WAIT_TIME,
                9,
                *v,
                "backlog limit",
            )?,
            Command::ShowStatusReply => print_status(audit, false)?,
            Command::ResetLost => {
                let lost = audit
                    .status()
                    .map(|s| s[6])
                    .map_err(|e| format!("Error sending status request ({})", strerror(&e)))?;
                audit
                    .set_status(netlink::STATUS_LOST, 6, 0)
                    .map_err(|e| format!("Error resetting lost ({})", strerror(&e)))?;
                eprintln!("lost: {lost}");
            }
            Command::IgnoreErrors | Command::ContinueOnErrors | Command::Version => {
                if matches!(c, Command::Version) {
                    println!("auditctl version 3.0.9 (linux-audit-rs)");
                }
            }
            other => return Err(format!("{other:?} is not supported by this example")),
        }
    }
    Ok(())
}

fn set(audit: &mut Audit, mask: u32, word: usize, value: u32, what: &str) -> Result<(), String> {
    audit
        .set_status(mask, word, value)
        .map_err(|e| format!("Error sending {what} request ({})", strerror(&e)))
}

fn report(msg: &str) {
    let msg = msg.strip_suffix('\n').unwrap_or(msg);
    if !msg.is_empty() {
        eprintln!("{msg}");
    }
}

fn rule_file(path: &str, audit: &mut Audit, env: &SystemEnv) -> ExitCode {
    let text = match std::fs::read(path) {
        Ok(t) => String::from_utf8_lossy(&t).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("audit rules file {path} doesn't exist");
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("Error opening {path} ({})", strerror(&e));
            return ExitCode::from(1);
        }
    };
    let (mut ignore, mut continued, mut failed) = (false, false, false);
    for (i, line) in text.split('\n').enumerate() {
        let lineno = i + 1;
        let Some(words) = split_line(line) else {
            continue;
        };
        let result = match parse_args(&words, Some(lineno), env) {
            Ok(parsed) => {
                parsed.warnings.iter().for_each(|w| report(w));
                if parsed.commands.contains(&Command::IgnoreErrors) {
                    ignore = true;
                }
                if parsed.commands.contains(&Command::ContinueOnErrors) {
                    ignore = true;
                    continued = true;
                }
                run(audit, &parsed.commands, env)
            }
            Err(e) => Err(e.message()),
        };
        if let Err(msg) = result {
            report(&msg);
            eprintln!("There was an error in line {lineno} of {path}");
            if !ignore {
                return ExitCode::from(1);
            }
            if continued {
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        eprintln!("usage: auditctl [options]  (see auditctl(8))");
        return ExitCode::from(1);
    }
    let mut audit = match Audit::open() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("Cannot open netlink audit socket ({})", strerror(&e));
            return ExitCode::from(1);
        }
    };
    let features = audit
        .status()
        .map(|s| s[8])
        .unwrap_or(audit_rules::FEATURES_ALL);
    let env = SystemEnv::new().with_features(features);
    if args.len() == 2 && args[0] == "-R" {
        return rule_file(&args[1], &mut audit, &env);
    }
    match parse_args(&args, None, &env) {
        Ok(parsed) => {
            parsed.warnings.iter().for_each(|w| report(w));
            match run(&mut audit, &parsed.commands, &env) {
                Ok(()) => ExitCode::SUCCESS,
                Err(msg) => {
                    report(&msg);
                    ExitCode::from(255)
                }
            }
        }
        Err(e) => {
            report(&e.message());
            ExitCode::from(255)
        }
    }
}
