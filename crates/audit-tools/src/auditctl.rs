//! `auditctl` in Rust, installed as `auditctl-rs` (so that it never shadows the C
//! `auditctl` on a `PATH`; the example `auditctl` is an alias): the reference tool's behaviour for `-s [-i]`, `-l [-i]`, `-a`,
//! `-A`, `-d`, `-D`, `-w`, `-W`, `-e`, `-f`, `-b`, `-r`, `--backlog_wait_time`,
//! `-m`, `-R`, `-t`, `-q`, `--signal`, `--reset-lost`,
//! `--reset_backlog_wait_time_actual` and `--loginuid-immutable` against the running
//! kernel, with the same output and exit codes (0 success, 255 for a failed command,
//! 1 for a failed rule file or no argument, 4 without `CAP_AUDIT_CONTROL`). As
//! auditctl, rule changes and `-R` send nothing and exit 0 when audit is
//! immutable or disabled ([`Readiness`]), and `-R` reads only a regular file
//! owned by root that others cannot write.
//!
//! Rules are parsed by `audit-rules` and sent as `audit_wire::rule::RuleData`
//! through `audit_netlink::AuditSocket`; a refusal's errno becomes auditctl's
//! `(strerror)` text (`EEXIST` on add: `Rule exists`).
//!
//! ```text
//! cargo run -p audit-tools --bin auditctl-rs -- -l
//! cargo run -p audit-tools --bin auditctl-rs -- -a always,exit -F arch=b64 -S openat -F pid=1234 -k mine
//! cargo run --example auditctl -- -R /etc/audit/audit.rules
//! ```
//!
//! The program is [`main`]; [`run`] takes the arguments as values.
//!
//! Differences: messages of `-R` go to stderr (auditctl sends them to syslog), a
//! line is checked completely before any of it runs, `--signal state` is refused
//! (3.0.9 refuses it too; later versions print auditd's state report), the
//! error text of `--loginuid-immutable` is ours, a rule-file line or an
//! argument that is not UTF-8 is refused (auditctl passes the bytes on), and
//! a number past 32 bits (`-F uid=4294967296`, `-b 4294967296`) is refused
//! where auditctl keeps its low 32 bits (uid 0, backlog 0). `-R` reads at most
//! [`RULE_FILE_MAX_BYTES`] and does not wait on a FIFO (auditctl blocks in
//! `open` until a writer comes, then refuses it as not a regular file).
//! `-e 2` and `--loginuid-immutable` last until the machine reboots.

use std::ffi::OsString;
use std::process::ExitCode;

use audit_netlink::audit_wire::rule::RuleData;
use audit_netlink::{AuditSocket, FailureMode, Feature};
use audit_rules::{
    key_matches, parse_args, rule_file_words, ArgInterpreter, Command, Lister, Rule, RuleArg,
    SystemEnv,
};

/// The most `-R` reads of a rule file, in bytes (16 MiB): a larger file is
/// refused before any of its lines is sent. auditctl reads lines without a
/// bound on the file; this is far above any real rule set.
pub const RULE_FILE_MAX_BYTES: u64 = 16 << 20;

/// auditctl 3.0.9's usage text (as the installed build prints it, with every
/// long option), printed on stdout for `-h` and for no argument.
pub const USAGE: &str = r"usage: auditctl [options]
    -a <l,a>                          Append rule to end of <l>ist with <a>ction
    -A <l,a>                          Add rule at beginning of <l>ist with <a>ction
    -b <backlog>                      Set max number of outstanding audit buffers
                                      allowed Default=64
    -c                                Continue through errors in rules
    -C f=f                            Compare collected fields if available:
                                      Field name, operator(=,!=), field name
    -d <l,a>                          Delete rule from <l>ist with <a>ction
                                      l=task,exit,user,exclude,filesystem
                                      a=never,always
    -D                                Delete all rules and watches
    -e [0..2]                         Set enabled flag
    -f [0..2]                         Set failure flag
                                      0=silent 1=printk 2=panic
    -F f=v                            Build rule: field name, operator(=,!=,<,>,<=,
                                      >=,&,&=) value
    -h                                Help
    -i                                Ignore errors when reading rules from file
    -k <key>                          Set filter key on audit rule
    -l                                List rules
    -m text                           Send a user-space message
    -p [r|w|x|a]                      Set permissions filter on watch
                                      r=read, w=write, x=execute, a=attribute
    -q <mount,subtree>                make subtree part of mount point's dir watches
    -r <rate>                         Set limit in messages/sec (0=none)
    -R <file>                         read rules from file
    -s                                Report status
    -S syscall                        Build rule: syscall name or number
    --signal <signal>                 Send the specified signal to the daemon
    -t                                Trim directory watches
    -v                                Version
    -w <path>                         Insert watch at <path>
    -W <path>                         Remove watch at <path>
    --loginuid-immutable              Make loginuids unchangeable once set
    --backlog_wait_time               Set the kernel backlog_wait_time
    --reset-lost                      Reset the lost record counter
    --reset_backlog_wait_time_actual  Reset the actual backlog wait time counter
";

/// strerror's text of an errno.
fn strerror(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// What auditctl puts in parentheses after a failed request: strerror of the
/// kernel's (or the socket's) errno; our own description for failures that have
/// no errno (a timeout, a malformed answer).
fn why(e: &audit_netlink::Error) -> String {
    match e.errno() {
        Some(errno) => strerror(errno.0),
        None => e.to_string(),
    }
}

fn print_status(sock: &mut AuditSocket, interpret: bool, features: bool) -> Result<(), String> {
    let s = sock
        .get_status()
        .map_err(|e| format!("Error sending status request ({})", why(&e)))?;
    if interpret {
        let enabled = match s.enabled {
            0 => "disable",
            1 => "enabled",
            2 => "enabled+immutable",
            _ => "unknown",
        };
        let failure = match FailureMode::from_number(s.failure) {
            Some(FailureMode::Silent) => "silent",
            Some(FailureMode::Printk) => "printk",
            Some(FailureMode::Panic) => "panic",
            None => "unknown",
        };
        print!("enabled {enabled}\nfailure {failure}\n");
    } else {
        print!("enabled {}\nfailure {}\n", s.enabled, s.failure);
    }
    print!(
        "pid {}\nrate_limit {}\nbacklog_limit {}\nlost {}\nbacklog {}\nbacklog_wait_time {}\nbacklog_wait_time_actual {}\n",
        s.pid,
        s.rate_limit,
        s.backlog_limit,
        s.lost,
        s.backlog,
        s.backlog_wait_time,
        s.backlog_wait_time_actual
    );
    if features {
        if let Ok(f) = sock.get_features() {
            let bit = Feature::LoginuidImmutable.mask();
            println!(
                "loginuid_immutable {} {}",
                u32::from(f.features & bit != 0),
                if f.lock & bit != 0 {
                    "locked"
                } else {
                    "unlocked"
                }
            );
        }
    }
    Ok(())
}

/// The kernel's rules, each with its typed form when it has one.
fn kernel_rules(sock: &mut AuditSocket) -> Result<Vec<(RuleData, Option<Rule>)>, String> {
    let rules = sock
        .list_rules()
        .map_err(|e| format!("Error sending rule list data request ({})", why(&e)))?;
    Ok(rules
        .into_iter()
        .map(|d| {
            let r = Rule::try_from(&d).ok();
            (d, r)
        })
        .collect())
}

/// `-l -i`: syscall arguments as libauparse interprets them (`audit-interpret`).
struct Args(audit_interpret::Interpreter);

impl ArgInterpreter for Args {
    fn interpret_arg(&mut self, arg: &RuleArg) -> String {
        let ctx = audit_interpret::SyscallContext {
            machine: arg.machine,
            syscall: Some(arg.syscall),
            a0: u64::from(arg.a0),
            a1: u64::from(arg.a1),
        };
        let name = format!("a{}", arg.index);
        let raw = format!("{:x}", arg.value);
        let mut out = Vec::new();
        match self.0.interpret(
            audit_parse::RecordType::SYSCALL,
            &ctx,
            audit_interpret::Enriched::NONE,
            name.as_bytes(),
            raw.as_bytes(),
            &mut out,
        ) {
            Some(_) => String::from_utf8_lossy(&out).into_owned(),
            None => "(null)".to_string(),
        }
    }
}

fn list(
    sock: &mut AuditSocket,
    key: Option<&str>,
    interpret: bool,
    env: &SystemEnv,
) -> Result<(), String> {
    let rules = kernel_rules(sock)?;
    let shown = rules
        .iter()
        .filter_map(|(_, r)| r.as_ref())
        .filter(|r| key.is_none_or(|k| key_matches(r, k)));
    if interpret {
        let mut args = Args(audit_interpret::Interpreter::new());
        print!("{}", Lister::interpreted(shown, env, &mut args));
    } else {
        print!("{}", Lister::listing(shown, env));
    }
    Ok(())
}

/// The wire form of a parsed rule (the parser never builds one that does not fit).
fn wire(rule: &Rule) -> Result<RuleData, String> {
    RuleData::try_from(rule).map_err(|e| e.to_string())
}

/// Run the commands of one line; `Err` carries the message to print.
fn run_commands(
    sock: &mut AuditSocket,
    commands: &[Command],
    env: &SystemEnv,
) -> Result<(), String> {
    for c in commands {
        match c {
            Command::Status { interpret } => print_status(sock, *interpret, true)?,
            Command::List { key, interpret } => list(sock, key.as_deref(), *interpret, env)?,
            Command::AddRule(rule) => sock.add_rule(&wire(rule)?).map_err(|e| {
                let why = if e.errno() == Some(audit_netlink::Errno::EEXIST) {
                    "Rule exists".to_string()
                } else {
                    why(&e)
                };
                format!("Error sending add rule data request ({why})")
            })?,
            Command::DeleteRule(rule) => sock
                .delete_rule(&wire(rule)?)
                .map_err(|e| format!("Error sending delete rule data request ({})", why(&e)))?,
            Command::DeleteAll { key } => {
                for (data, rule) in kernel_rules(sock)? {
                    let matches = match (&key, rule) {
                        (None, _) => true,
                        (Some(k), Some(r)) => key_matches(&r, k),
                        (Some(_), None) => false,
                    };
                    if matches {
                        sock.delete_rule(&data)
                            .map_err(|e| format!("Error deleting rule ({})", why(&e)))?;
                    }
                }
                list(sock, key.as_deref(), false, env)?;
            }
            Command::SetEnabled(v) => {
                let r = match v {
                    0 | 1 => sock.set_enabled(*v == 1),
                    _ => sock.set_enabled_immutable_until_reboot(),
                };
                r.map_err(|e| format!("Error sending enable request ({})", why(&e)))?
            }
            Command::SetFailure(v) => {
                let r = match FailureMode::from_number(*v) {
                    Some(mode) => sock.set_failure(mode),
                    None => sock
                        .set_status(&audit_netlink::audit_wire::status::Status {
                            mask: audit_netlink::audit_wire::status::STATUS_FAILURE,
                            failure: *v,
                            ..Default::default()
                        })
                        .map(drop),
                };
                r.map_err(|e| format!("Error sending failure mode request ({})", why(&e)))?
            }
            Command::SetRateLimit(v) => sock
                .set_rate_limit(*v)
                .map_err(|e| format!("Error sending rate limit request ({})", why(&e)))?,
            Command::SetBacklogLimit(v) => sock
                .set_backlog_limit(*v)
                .map_err(|e| format!("Error sending backlog limit request ({})", why(&e)))?,
            Command::SetBacklogWaitTime(v) => sock
                .set_backlog_wait_time(*v)
                .map_err(|e| format!("Error sending backlog limit request ({})", why(&e)))?,
            Command::ShowStatusReply => print_status(sock, false, false)?,
            Command::ResetLost => {
                let lost = sock
                    .reset_lost()
                    .map_err(|e| format!("Error resetting lost ({})", why(&e)))?;
                crate::output::sayln!("lost: {lost}");
            }
            Command::UserMessage(text) => {
                // auditctl 3.0.9 logs "text=<text>" as an AUDIT_USER message the way
                // audit_log_user_message does (exe, hostname=? addr=? terminal).
                let message = format!("text={text}");
                sock.log_user_message(&audit_netlink::UserMessage {
                    msg_type: audit_parse::RecordType::USER,
                    message: &message,
                    origin: audit_netlink::Origin::default(),
                    success: true,
                })
                .map_err(|e| format!("Error sending user message request ({})", why(&e)))?
            }
            Command::IgnoreErrors | Command::ContinueOnErrors | Command::Version => {
                if matches!(c, Command::Version) {
                    println!("auditctl version 3.0.9 (linux-audit-rs)");
                }
            }
            Command::ResetBacklogWaitTimeActual => {
                let v = sock.reset_backlog_wait_time_actual().map_err(|e| {
                    format!("Error resetting backlog_wait_time_actual ({})", why(&e))
                })?;
                crate::output::sayln!("backlog_wait_time_actual: {v}");
            }
            Command::TrimSubtrees => sock
                .trim_subtrees()
                .map_err(|e| format!("Error sending trim subtrees command ({})", why(&e)))?,
            Command::MakeEquivalent { mount, subtree } => sock
                .make_equivalent(mount.as_bytes(), subtree.as_bytes())
                .map_err(|e| format!("Error sending make_equivalent command ({})", why(&e)))?,
            // Until the machine reboots: never run by the tests.
            Command::LoginuidImmutable => sock
                .lock_feature_until_reboot(Feature::LoginuidImmutable, true)
                .map_err(|e| format!("Error setting loginuid immutable ({})", why(&e)))?,
            Command::Signal(name) => signal_auditd(sock, name)?,
            other => return Err(format!("{other:?} is not supported by this auditctl")),
        }
    }
    Ok(())
}

/// `--signal NAME`: sends the registered audit daemon TERM, HUP, USR1, USR2 or
/// CONT (names as auditctl 3.0.9 takes them: without `SIG`, any case).
fn signal_auditd(sock: &mut AuditSocket, name: &str) -> Result<(), String> {
    use rustix::process::{kill_process, Pid, Signal};
    let sig = match name.to_ascii_uppercase().as_str() {
        "TERM" => Signal::TERM,
        "HUP" => Signal::HUP,
        "USR1" => Signal::USR1,
        "USR2" => Signal::USR2,
        "CONT" => Signal::CONT,
        _ => return Err(format!("{name} is an unsupported signal")),
    };
    let pid = sock
        .get_status()
        .map_err(|e| format!("Error sending status request ({})", why(&e)))?
        .pid;
    if pid == 0 {
        crate::output::sayln!("Auditd is not running");
        return Ok(());
    }
    let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) else {
        return Err(format!("Error: the daemon pid {pid} is out of range"));
    };
    kill_process(pid, sig).map_err(|e| {
        format!(
            "Failed sending signal to auditd ({})",
            strerror(e.raw_os_error())
        )
    })
}

fn report(msg: &str) {
    let msg = msg.strip_suffix('\n').unwrap_or(msg);
    if !msg.is_empty() {
        crate::output::sayln!("{msg}");
    }
}

/// Opens and reads a rule file as auditctl's `fileopt` checks it
/// ([`audit_log::open_config_file`], links followed as auditctl's `open` does);
/// then at most [`RULE_FILE_MAX_BYTES`]. `Err` is the message to print.
fn read_rule_file(path: &str) -> Result<Vec<u8>, String> {
    use audit_log::{FileProblem, ReadConfigError};
    use std::io::Read;
    let file = match audit_log::open_config_file(std::path::Path::new(path), true) {
        Ok(Some(file)) => file,
        Ok(None) => return Err(format!("audit rules file {path} doesn't exist")),
        Err(ReadConfigError::Refused { problem, .. }) => {
            return Err(match problem {
                FileProblem::NotOwnedByRoot(_) => format!("Error - {path} isn't owned by root"),
                FileProblem::WorldWritable => format!("Error - {path} is world writable"),
                FileProblem::NotRegular | FileProblem::SymbolicLink => {
                    format!("Error - {path} is not a regular file")
                }
            })
        }
        Err(ReadConfigError::Io { source, .. }) => {
            return Err(format!("Error opening {path} ({})", io_why(&source)))
        }
        Err(e) => return Err(format!("Error opening {path} ({e})")),
    };
    let mut bytes = Vec::new();
    file.take(RULE_FILE_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("Error reading {path} ({})", io_why(&e)))?;
    if bytes.len() as u64 > RULE_FILE_MAX_BYTES {
        return Err(format!(
            "Error - {path} is larger than {RULE_FILE_MAX_BYTES} bytes"
        ));
    }
    Ok(bytes)
}

/// strerror's text of an I/O error.
fn io_why(e: &std::io::Error) -> String {
    e.raw_os_error().map_or_else(|| e.to_string(), strerror)
}

/// Prints a line's error as auditctl does: the warnings found before it,
/// then its message (the usage on stdout for `-h`).
fn report_error(e: &audit_rules::RuleError) {
    e.warnings.iter().for_each(|w| report(w));
    if e.kind == audit_rules::RuleErrorKind::Help {
        print!("{USAGE}");
    } else {
        report(&e.message());
    }
}

fn rule_file(path: &str, sock: &mut AuditSocket, env: &SystemEnv) -> ExitCode {
    let bytes = match read_rule_file(path) {
        Ok(bytes) => bytes,
        Err(msg) => {
            crate::output::sayln!("{msg}");
            return ExitCode::from(1);
        }
    };
    let (mut ignore, mut continued, mut failed) = (false, false, false);
    // A line that is not UTF-8 is an error of that line, never decoded lossily.
    for (lineno, words) in rule_file_words(&bytes) {
        let result = match words.and_then(|words| parse_args(&words, Some(lineno), env)) {
            Ok(parsed) => {
                parsed.warnings.iter().for_each(|w| report(w));
                if parsed.commands.contains(&Command::IgnoreErrors) {
                    ignore = true;
                }
                if parsed.commands.contains(&Command::ContinueOnErrors) {
                    ignore = true;
                    continued = true;
                }
                run_commands(sock, &parsed.commands, env)
            }
            Err(e) => {
                report_error(&e);
                Err(String::new())
            }
        };
        if let Err(msg) = result {
            report(&msg);
            crate::output::sayln!("There was an error in line {lineno} of {path}");
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

/// Whether the kernel takes rule changes now (auditctl's `is_ready`, asked
/// before `-R` and before a rule of `-a`/`-A`/`-d`/`-w`/`-W` is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Rules may be changed.
    Ready,
    /// `enabled` is 2: the rules are locked until the machine reboots.
    Immutable,
    /// The status request was refused with `ECONNREFUSED`: the kernel's
    /// audit is off (built without it, or `audit=0`).
    Disabled,
}

impl Readiness {
    /// The readiness for the answer to a status request: its `enabled`, or
    /// the errno of its failure (`None` when it failed without one). Any
    /// other failure is left to the request that follows, as auditctl does.
    ///
    /// ```
    /// use audit_tools::auditctl::Readiness;
    /// use audit_netlink::Errno;
    /// assert_eq!(Readiness::from_status(Ok(1)), Readiness::Ready);
    /// assert_eq!(Readiness::from_status(Ok(2)), Readiness::Immutable);
    /// assert_eq!(Readiness::from_status(Err(Some(Errno::ECONNREFUSED))), Readiness::Disabled);
    /// ```
    pub fn from_status(status: Result<u32, Option<audit_netlink::Errno>>) -> Readiness {
        match status {
            Ok(2) => Readiness::Immutable,
            Err(Some(audit_netlink::Errno::ECONNREFUSED)) => Readiness::Disabled,
            _ => Readiness::Ready,
        }
    }

    /// What auditctl prints when it sends nothing (then exits with 0).
    pub fn message(self) -> Option<&'static str> {
        match self {
            Readiness::Ready => None,
            Readiness::Immutable => {
                Some("The audit system is in immutable mode, no rule changes allowed")
            }
            Readiness::Disabled => Some("The audit system is disabled"),
        }
    }
}

/// Whether auditctl's root check applies to `args`: everything but `-h`,
/// `--help` and (for an effective uid of 0) `-l`, each alone, needs
/// `CAP_AUDIT_CONTROL`.
fn needs_audit_control(args: &[OsString], euid_is_root: bool) -> bool {
    !(args.len() == 1
        && (args[0] == "--help" || args[0] == "-h" || (args[0] == "-l" && euid_is_root)))
}

/// Whether the process has `CAP_AUDIT_CONTROL` in its effective set (what
/// auditctl, built with libcap-ng, asks).
fn has_audit_control() -> bool {
    use rustix::thread::{capabilities, CapabilitySet};
    capabilities(None).is_ok_and(|c| c.effective.contains(CapabilitySet::AUDIT_CONTROL))
}

/// The program: [`run`] with the process's arguments.
pub fn main() -> ExitCode {
    run(std::env::args_os().skip(1).collect())
}

/// The whole program with `args` (without the program's name), against the running
/// kernel: returns the exit status (0 success, 255 for a failed command, 1 for a
/// failed rule file or no argument, 4 without `CAP_AUDIT_CONTROL`).
pub fn run(args: Vec<OsString>) -> ExitCode {
    if args.is_empty() {
        print!("{USAGE}");
        return ExitCode::from(1);
    }
    if needs_audit_control(&args, rustix::process::geteuid().is_root()) && !has_audit_control() {
        crate::output::sayln!("You must be root to run this program.");
        return ExitCode::from(4);
    }
    // Arguments are text here: one that is not UTF-8 (a path or key with
    // other bytes) is refused rather than changed.
    let os_args = args;
    let mut args: Vec<String> = Vec::new();
    for (i, arg) in os_args.into_iter().enumerate() {
        match arg.into_string() {
            Ok(a) => args.push(a),
            Err(raw) => {
                let bytes = std::os::unix::ffi::OsStrExt::as_bytes(raw.as_os_str());
                let offset = std::str::from_utf8(bytes).map_or_else(|e| e.valid_up_to(), |_| 0);
                let kind = audit_rules::RuleErrorKind::NotUtf8 { offset };
                crate::output::sayln!("Argument {}: {}", i + 1, kind.message());
                return ExitCode::from(255);
            }
        }
    }
    let mut sock = match AuditSocket::open() {
        Ok(s) => s,
        Err(e) => {
            crate::output::sayln!("Cannot open netlink audit socket ({})", why(&e));
            return ExitCode::from(1);
        }
    };
    let status = sock.get_status();
    let readiness = Readiness::from_status(match &status {
        Ok(s) => Ok(s.enabled),
        Err(e) => Err(e.errno()),
    });
    let features = status
        .map(|s| s.feature_bitmap)
        .unwrap_or(audit_rules::FEATURES_ALL);
    let env = SystemEnv::new().with_features(features);
    let not_ready = || {
        let message = readiness.message()?;
        crate::output::sayln!("{message}");
        Some(ExitCode::SUCCESS)
    };
    if args.len() == 2 && args[0] == "-R" {
        if let Some(code) = not_ready() {
            return code;
        }
        return rule_file(&args[1], &mut sock, &env);
    }
    match parse_args(&args, None, &env) {
        Ok(parsed) => {
            parsed.warnings.iter().for_each(|w| report(w));
            // auditctl runs the line's other options while reading it and
            // asks is_ready only before sending the rule, which comes last.
            let rule_at = parsed
                .commands
                .iter()
                .position(|c| matches!(c, Command::AddRule(_) | Command::DeleteRule(_)))
                .unwrap_or(parsed.commands.len());
            let (before, rule) = parsed.commands.split_at(rule_at);
            let mut result = run_commands(&mut sock, before, &env);
            if result.is_ok() && !rule.is_empty() {
                if let Some(code) = not_ready() {
                    return code;
                }
                result = run_commands(&mut sock, rule, &env);
            }
            match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(msg) => {
                    report(&msg);
                    ExitCode::from(255)
                }
            }
        }
        Err(e) => {
            report_error(&e);
            // auditctl asks is_ready whenever the line named a rule list,
            // even after an error: not ready, it exits with 0.
            if e.names_rule_list {
                if let Some(code) = not_ready() {
                    return code;
                }
            }
            ExitCode::from(255)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_netlink::Errno;

    /// auditctl's is_ready as a function of the status answer (the live
    /// kernel is never made immutable to test it).
    #[test]
    fn readiness_follows_is_ready() {
        let r = Readiness::from_status;
        assert_eq!(r(Ok(0)), Readiness::Ready);
        assert_eq!(r(Ok(1)), Readiness::Ready);
        assert_eq!(r(Ok(2)), Readiness::Immutable);
        assert_eq!(r(Err(Some(Errno::ECONNREFUSED))), Readiness::Disabled);
        assert_eq!(r(Err(Some(Errno::EPERM))), Readiness::Ready);
        assert_eq!(r(Err(None)), Readiness::Ready);
        assert_eq!(
            Readiness::Immutable.message(),
            Some("The audit system is in immutable mode, no rule changes allowed")
        );
        assert_eq!(
            Readiness::Disabled.message(),
            Some("The audit system is disabled")
        );
        assert_eq!(Readiness::Ready.message(), None);
    }

    #[test]
    fn root_check_exemptions_are_auditctls() {
        let a = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(!needs_audit_control(&a(&["-h"]), false));
        assert!(!needs_audit_control(&a(&["--help"]), false));
        assert!(!needs_audit_control(&a(&["-l"]), true));
        assert!(needs_audit_control(&a(&["-l"]), false));
        assert!(needs_audit_control(&a(&["-l", "-i"]), true));
        assert!(needs_audit_control(&a(&["-h", "-l"]), true));
        assert!(needs_audit_control(&a(&["-s"]), true));
    }
}
