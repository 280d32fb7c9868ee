//! `audit-daemon`: an audit daemon composed of the project's crates, run in place
//! of auditd (see [`audit_tools::daemon`]).
//!
//! Options as auditd's: `-c DIR` (configuration directory, `DIR/auditd.conf`,
//! default `/etc/audit`), `-f` (foreground, messages on stderr), `-n` (no fork,
//! messages to syslog), `-s enable|disable|nochange` (what to set `enabled` to at
//! start, default enable; with enable it is disabled again at exit). Without `-f`
//! or `-n` it goes to the background and returns once the daemon is registered
//! (exit 0), or with its reason for failing (exit 1).
//!
//! Signals: SIGTERM/SIGINT stop (after a grace period draining the socket, so the
//! kill's own record reaches the log, then DAEMON_END naming the sender); SIGHUP
//! re-reads `auditd.conf` (the writer's settings as auditd's reconfiguration takes
//! them, the dispatcher's keys, `plugins.d`: DAEMON_CONFIG); SIGUSR1 rotates the
//! logs (DAEMON_ROTATE); SIGUSR2 resumes a suspended log and suspended plugins
//! (DAEMON_RESUME). Each record names the sender as the kernel reports it
//! (AUDIT_SIGNAL_INFO). A start refused by the kernel (the daemon slot held by a
//! live daemon, `enabled` refused) writes DAEMON_START then DAEMON_ABORT, as
//! auditd's; a dead daemon's registration is taken over.
//!
//! Unlike auditd: `-f` still writes the log (auditd's writes events to stderr
//! instead); no pid file; the `email`, `single` and `halt` actions are reported,
//! not carried out.

fn main() -> std::process::ExitCode {
    audit_tools::daemon::run_command_line(std::env::args().skip(1))
}
