//! `audit-daemon`: an audit daemon composed of the project's crates, run in place
//! of auditd (see [`audit_tools::daemon`]).
//!
//! Options as auditd's: `-c DIR` (configuration directory, `DIR/auditd.conf`,
//! default `/etc/audit`), `-f` (foreground, messages on stderr), `-n` (no fork),
//! `-s enable|disable|nochange` (what to set `enabled` to at start, default enable;
//! with enable it is disabled again at exit).
//!
//! Signals: SIGTERM/SIGINT stop (after a grace period draining the socket, so the
//! kill's own record reaches the log); SIGHUP re-reads `auditd.conf`'s dispatcher
//! keys and `plugins.d`; SIGUSR1 rotates the logs. Each writes a DAEMON_* record
//! naming the sender as the kernel reports it (AUDIT_SIGNAL_INFO).
//!
//! Not done yet (see the project's issue 18): the writer's settings are not
//! re-read on SIGHUP; DAEMON_ABORT and DAEMON_RESUME are not written; in the
//! background (without `-f`) messages are discarded rather than sent to syslog;
//! a dead daemon's registration is not taken over.

fn main() -> std::process::ExitCode {
    audit_tools::daemon::run_command_line(std::env::args().skip(1))
}
