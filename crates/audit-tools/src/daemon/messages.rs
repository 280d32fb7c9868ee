//! Where the daemon's messages go: stderr in the foreground (`-f`), syslog
//! otherwise (facility daemon, tag `audit-daemon`, as auditd's `auditd`).

use std::sync::Mutex;

/// How grave a message is (syslog's levels that the daemon uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something failed: a record not logged, a setting not applied.
    Error,
    /// Something the administrator should act on (disk space, a plugin down).
    Warning,
    /// A normal but noteworthy event (started, reconfigured, resumed).
    Notice,
}

type SyslogLogger = syslog::Logger<syslog::LoggerBackend, syslog::Formatter3164>;

/// The daemon's message channel.
pub struct Messages {
    target: Target,
}

enum Target {
    Stderr,
    /// `None` while syslog cannot be reached: messages are tried again later.
    Syslog(Mutex<Option<SyslogLogger>>),
}

impl std::fmt::Debug for Messages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.target {
            Target::Stderr => "Messages(stderr)",
            Target::Syslog(_) => "Messages(syslog)",
        })
    }
}

fn connect() -> Option<SyslogLogger> {
    syslog::unix(syslog::Formatter3164 {
        facility: syslog::Facility::LOG_DAEMON,
        hostname: None,
        process: "audit-daemon".into(),
        pid: std::process::id(),
    })
    .ok()
}

impl Messages {
    /// Messages on stderr, prefixed `audit-daemon: `.
    pub fn stderr() -> Messages {
        Messages {
            target: Target::Stderr,
        }
    }

    /// Messages to the local syslog (`/dev/log`), connected now or, when it is
    /// not there yet, at the first message that finds it.
    pub fn syslog() -> Messages {
        Messages {
            target: Target::Syslog(Mutex::new(connect())),
        }
    }

    /// Sends one message. A syslog that cannot be reached loses it: the
    /// daemon has nowhere else to say it (its stderr is /dev/null).
    pub fn say(&self, level: Level, msg: &str) {
        match &self.target {
            Target::Stderr => crate::output::sayln!("audit-daemon: {msg}"),
            Target::Syslog(logger) => {
                let mut logger = logger.lock().unwrap_or_else(|e| e.into_inner());
                if logger.is_none() {
                    *logger = connect();
                }
                let Some(l) = logger.as_mut() else { return };
                let sent = match level {
                    Level::Error => l.err(msg),
                    Level::Warning => l.warning(msg),
                    Level::Notice => l.notice(msg),
                };
                if sent.is_err() {
                    // syslogd restarted: connect again next time.
                    *logger = None;
                }
            }
        }
    }
}
