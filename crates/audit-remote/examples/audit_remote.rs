//! The sender as an auditd plugin: `audit-remote [RUNTIME OPTIONS] CONFIG`, CONFIG an
//! `audisp-remote.conf` (see `audit_remote::config` and `audit_remote::plugin`).
//! Actions log to syslog. Install it with a `plugins.d` file such as
//! `examples/audit-remote.plugin.conf` beside this file:
//!
//! ```text
//! active = yes
//! direction = out
//! path = /usr/local/sbin/audit-remote
//! type = always
//! args = /etc/audit/audisp-remote.conf
//! format = string
//! ```

fn main() -> std::process::ExitCode {
    let log = Box::new(audit_remote::actions::Syslog::new());
    match audit_remote::plugin::run(std::env::args().skip(1), log) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("audit-remote: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
