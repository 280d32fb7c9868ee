//! Going to the background as auditd does: the parent returns only once the
//! daemon has registered with the kernel (0), or with the daemon's reason for
//! failing (1), so that whatever starts it next (rules, services) finds it
//! running.
//!
//! The daemon runs itself again with `-n` and [`READY_ENV`] set; the child
//! reports on its stdout (a pipe to the parent) one line, `ready` or
//! `error: WHY`, then points its stdout at `/dev/null`.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// Set in the child's environment: report readiness on stdout.
pub(crate) const READY_ENV: &str = "AUDIT_DAEMON_REPORT_READY";

/// The parent's side: starts the child and waits for its report.
pub(crate) fn spawn_and_wait(args: &[String]) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let mut child = Command::new(exe)
        .args(args)
        .arg("-n")
        .env(READY_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the daemon: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        // A read error is an early end: the exit status says more.
        let _ = BufReader::new(out).read_line(&mut line);
    }
    match line.trim_end() {
        "ready" => Ok(()),
        report => {
            let status = child.wait().map_err(|e| format!("daemon lost: {e}"))?;
            match report.strip_prefix("error: ") {
                Some(why) => Err(why.to_string()),
                None => Err(format!("the daemon stopped before it was ready ({status})")),
            }
        }
    }
}

/// The child's side, before starting: whether it reports to a parent; if so
/// it leaves the parent's session and working directory (the configuration
/// directory made absolute first).
pub(crate) fn detach(config_dir: &mut std::path::PathBuf) -> bool {
    if std::env::var_os(READY_ENV).is_none() {
        return false;
    }
    if let Ok(abs) = std::path::absolute(&*config_dir) {
        *config_dir = abs;
    }
    let _ = rustix::process::setsid();
    let _ = std::env::set_current_dir("/");
    true
}

/// The child's report: `Ok` once registered, or why it failed. Its stdout is
/// `/dev/null` afterwards, so the parent's pipe closes.
pub(crate) fn report(result: Result<(), &dyn std::fmt::Display>) {
    let line = match result {
        Ok(()) => "ready\n".to_string(),
        Err(e) => format!("error: {}\n", e.to_string().replace('\n', " ")),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        let _ = rustix::stdio::dup2_stdout(&null);
    }
}
