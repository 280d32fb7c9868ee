//! The state report auditd writes on SIGCONT (`/var/run/auditd.state`, what
//! `service auditd state` shows): the log's and the plugins' state, one
//! `name = value` per line, as auditd 3.0.9 words them. Plugins are queued one
//! by one here (auditd has one queue for all), so the report sums their queues
//! in auditd's lines and then gives a line per plugin.

use std::fmt::Write as _;
use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use audit_dispatch::{Dispatcher, PluginStats};
use audit_log::LogWriter;

/// Where auditd writes its state report.
pub const STATE_FILE: &str = "/var/run/auditd.state";

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The report's text: `now` in the local time's `%x %X`.
pub(crate) fn report(log: &LogWriter, dispatcher: &Dispatcher, now: &str) -> String {
    let mut r = String::new();
    let config = log.config();
    let _ = writeln!(r, "audit version = {}", env!("CARGO_PKG_VERSION"));
    let _ = writeln!(r, "current time = {now}");
    if let Ok(priority) = rustix::process::getpriority_process(None) {
        let _ = writeln!(r, "process priority = {priority}");
    }
    let _ = writeln!(r, "writing to logs = {}", yes_no(config.write_logs));
    if config.write_logs {
        let (space_left, admin_space_left) = log.thresholds_mb();
        let _ = writeln!(r, "current log size = {} KB", log.size() / 1024);
        let _ = writeln!(
            r,
            "max log size = {} KB",
            config.max_log_file.saturating_mul(1024)
        );
        if let Some(free) = log.free_mb() {
            let _ = writeln!(r, "space left on partition = {}", yes_no(free > space_left));
            let _ = writeln!(r, "Logging partition free space {free} MB");
        }
        let _ = writeln!(r, "space_left setting {space_left} MB");
        let _ = writeln!(r, "admin_space_left setting {admin_space_left} MB");
        let _ = writeln!(r, "logging suspended = {}", yes_no(log.is_suspended()));
    }
    let plugins = dispatcher.stats();
    let settings = dispatcher.settings();
    let sum = |f: fn(&PluginStats) -> u64| plugins.iter().map(f).sum::<u64>();
    let _ = writeln!(r, "Number of active plugins = {}", plugins.len());
    let _ = writeln!(
        r,
        "current plugin queue depth = {}",
        sum(|p| p.queued as u64)
    );
    let _ = writeln!(r, "plugin queue size = {}", settings.q_depth);
    let _ = writeln!(
        r,
        "plugin queue overflow detected = {}",
        yes_no(sum(|p| p.dropped) > 0)
    );
    for p in &plugins {
        let _ = writeln!(
            r,
            "plugin {} = pid {} queued {} sent {} dropped {} restarts {}{}",
            p.name,
            p.pid.map_or_else(|| "-".to_owned(), |pid| pid.to_string()),
            p.queued,
            p.sent,
            p.dropped,
            p.restarts,
            if p.down { " down" } else { "" }
        );
    }
    r
}

/// Writes `text` to `path` as auditd writes its state: mode 0640 whatever the
/// umask or an older file's mode, through no symbolic link planted there, and
/// into no FIFO (the open fails rather than waits for a reader).
pub(crate) fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o640)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
        .open(path)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o640))?;
    f.write_all(text.as_bytes())
}
