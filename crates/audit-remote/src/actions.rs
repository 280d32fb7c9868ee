//! Carrying out the configured `*_action`s of an `audisp-remote.conf`, as
//! audisp-remote 3.0.9 does, with a result that tells the sender what to do next.
//!
//! - `syslog`, `warn_once`, `warn_once_continue` write to a [`Log`] (the plugin's is
//!   [`Syslog`]); the two "once" actions log their first occurrence only, each kept
//!   apart, as C keeps two flags.
//! - `exec` runs the program with the message as its only argument and an empty
//!   environment, without waiting (a thread reaps it).
//! - `single` and `halt` are carried out exactly as audisp-remote does: it runs
//!   `/sbin/init 1` or `/sbin/init 0` ([`Actions::init_program`]), after logging at
//!   alert level. Nothing in our tests configures them.
//! - `suspend` stops sending (records are still queued) until SIGUSR2; `stop` stops
//!   the plugin, with its records kept in the queue file for the next start.

use crate::config::{FailureAction, OverflowAction};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// How urgent a logged message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A warning.
    Warning,
    /// An error.
    Error,
    /// An alert: the machine's state is about to change.
    Alert,
}

/// Where actions log.
pub trait Log {
    /// Writes one message.
    fn log(&mut self, level: Level, message: &str);
}

/// Logs to the local syslog (facility daemon, tag `audit-remote`), and to stderr
/// when syslog cannot be reached.
pub struct Syslog {
    logger: Option<syslog::Logger<syslog::LoggerBackend, syslog::Formatter3164>>,
}

impl Syslog {
    /// Connects to the local syslog socket (or will log to stderr only).
    pub fn new() -> Self {
        let formatter = syslog::Formatter3164 {
            facility: syslog::Facility::LOG_DAEMON,
            hostname: None,
            process: "audit-remote".into(),
            pid: std::process::id(),
        };
        Self {
            logger: syslog::unix(formatter).ok(),
        }
    }
}

impl std::fmt::Debug for Syslog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Syslog")
            .field("connected", &self.logger.is_some())
            .finish()
    }
}

impl Default for Syslog {
    fn default() -> Self {
        Self::new()
    }
}

impl Log for Syslog {
    fn log(&mut self, level: Level, message: &str) {
        let sent = self.logger.as_mut().is_some_and(|logger| {
            match level {
                Level::Warning => logger.warning(message),
                Level::Error => logger.err(message),
                Level::Alert => logger.alert(message),
            }
            .is_ok()
        });
        if !sent {
            eprintln!("audit-remote: {message}");
        }
    }
}

/// What happened, to choose the configured action for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The receiver could not be reached (`network_failure_action`).
    NetworkFailure,
    /// DISKLOW reply (`disk_low_action`).
    DiskLow,
    /// DISKFULL reply (`disk_full_action`).
    DiskFull,
    /// DISKERROR reply (`disk_error_action`).
    DiskError,
    /// The receiver sent ENDING (`remote_ending_action`).
    RemoteEnding,
    /// Another fatal reply (`generic_error_action`).
    GenericError,
    /// Another warning reply (`generic_warning_action`).
    GenericWarning,
    /// The queue file failed (`queue_error_action`).
    QueueError,
    /// No connection at start (`startup_failure_action`).
    StartupFailure,
}

impl Trigger {
    /// audisp-remote's words for it, the start of each logged message.
    pub fn description(self) -> &'static str {
        match self {
            Trigger::NetworkFailure => "network failure",
            Trigger::DiskLow => "remote server is low on disk space",
            Trigger::DiskFull => "remote server's disk is full",
            Trigger::DiskError => "remote server has a disk error",
            Trigger::RemoteEnding => "remote server is going down",
            Trigger::GenericError => "unrecognized remote error",
            Trigger::GenericWarning => "unrecognized remote warning",
            Trigger::QueueError => "queue error",
            Trigger::StartupFailure => "startup network failure",
        }
    }

    /// The syslog level of its messages, audisp-remote 3.0.9's for each.
    fn level(self) -> Level {
        match self {
            Trigger::NetworkFailure
            | Trigger::StartupFailure
            | Trigger::DiskLow
            | Trigger::GenericWarning
            | Trigger::RemoteEnding => Level::Warning,
            Trigger::DiskFull
            | Trigger::DiskError
            | Trigger::GenericError
            | Trigger::QueueError => Level::Error,
        }
    }
}

/// What the sender does after an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Carry on: records stay queued and are tried again with the next record or
    /// timer tick.
    Continue,
    /// Stop sending until resumed (SIGUSR2); keep queuing.
    Suspend,
    /// Stop the plugin (records stay in the queue file).
    Stop,
}

/// Carries out actions, remembering what the "once" actions already logged.
#[derive(Debug)]
pub struct Actions {
    /// The program run with `1` for `single` and `0` for `halt` (`/sbin/init`, as
    /// audisp-remote).
    pub init_program: PathBuf,
    warned_once_continue: bool,
    warned_once: bool,
}

impl Default for Actions {
    fn default() -> Self {
        Self {
            init_program: PathBuf::from("/sbin/init"),
            warned_once_continue: false,
            warned_once: false,
        }
    }
}

impl Actions {
    /// Forgets what the "once" actions logged: after a record was acknowledged, as
    /// audisp-remote does after each successful send.
    pub fn reset_warnings(&mut self) {
        self.warned_once = false;
        self.warned_once_continue = false;
    }

    /// Carries out `action` for `trigger`, with `message` saying what failed.
    pub fn take(
        &mut self,
        trigger: Trigger,
        action: &FailureAction,
        message: &str,
        log: &mut dyn Log,
    ) -> Reaction {
        let desc = trigger.description();
        let level = trigger.level();
        match action {
            FailureAction::Ignore => Reaction::Continue,
            FailureAction::Syslog => {
                log.log(level, &format!("{desc}, {message}"));
                Reaction::Continue
            }
            FailureAction::Exec(program) => {
                if let Err(e) = spawn_reaped(Command::new(program).arg(message)) {
                    log.log(
                        Level::Alert,
                        &format!("{desc}: cannot run {}: {e}", program.display()),
                    );
                }
                Reaction::Continue
            }
            FailureAction::WarnOnceContinue => {
                if !std::mem::replace(&mut self.warned_once_continue, true) {
                    log.log(level, &format!("{desc}, {message}"));
                }
                Reaction::Continue
            }
            FailureAction::WarnOnce => {
                if !std::mem::replace(&mut self.warned_once, true) {
                    log.log(level, &format!("{desc}, {message}"));
                }
                Reaction::Continue
            }
            FailureAction::Reconnect => {
                log.log(
                    level,
                    &format!(
                        "remote logging disconnected due to {desc}, will attempt reconnection"
                    ),
                );
                Reaction::Continue
            }
            FailureAction::Suspend => {
                log.log(level, &format!("suspending remote logging due to {desc}"));
                Reaction::Suspend
            }
            FailureAction::Single => {
                log.log(
                    Level::Alert,
                    &format!(
                        "remote logging is switching system to single user mode due to {desc}"
                    ),
                );
                self.change_runlevel("1", log);
                Reaction::Continue
            }
            FailureAction::Halt => {
                log.log(
                    Level::Alert,
                    &format!("remote logging halting system due to {desc}"),
                );
                self.change_runlevel("0", log);
                Reaction::Continue
            }
            FailureAction::Stop => {
                log.log(
                    level,
                    &format!("remote logging stopping due to {desc}, {message}"),
                );
                Reaction::Stop
            }
        }
    }

    /// Carries out `overflow_action` for a record the full queue could not take (the
    /// record is dropped, as audisp-remote drops it).
    pub fn overflow(&mut self, action: OverflowAction, log: &mut dyn Log) -> Reaction {
        match action {
            OverflowAction::Ignore => Reaction::Continue,
            OverflowAction::Syslog => {
                log.log(Level::Error, "queue is full - dropping event");
                Reaction::Continue
            }
            OverflowAction::Suspend => {
                log.log(
                    Level::Alert,
                    "suspending event processing due to overflowing its queue",
                );
                Reaction::Suspend
            }
            OverflowAction::Single => {
                log.log(
                    Level::Alert,
                    "changing the system to single user mode due to overflowing its queue",
                );
                self.change_runlevel("1", log);
                Reaction::Continue
            }
            OverflowAction::Halt => {
                log.log(
                    Level::Alert,
                    "halting the system due to overflowing its queue",
                );
                self.change_runlevel("0", log);
                Reaction::Continue
            }
        }
    }

    fn change_runlevel(&self, level: &str, log: &mut dyn Log) {
        if let Err(e) = spawn_reaped(Command::new(&self.init_program).arg(level)) {
            log.log(
                Level::Alert,
                &format!("cannot run {} {level}: {e}", self.init_program.display()),
            );
        }
    }
}

/// Starts `command` with an empty environment and no stdin, and waits for it on a
/// thread of its own so that it leaves no zombie.
fn spawn_reaped(command: &mut Command) -> std::io::Result<()> {
    let mut child = command.env_clear().stdin(Stdio::null()).spawn()?;
    std::thread::Builder::new()
        .name("action-reaper".into())
        .spawn(move || child.wait())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Lines(Vec<(Level, String)>);
    impl Log for Lines {
        fn log(&mut self, level: Level, message: &str) {
            self.0.push((level, message.to_owned()));
        }
    }

    /// Each trigger's messages go out at audisp-remote 3.0.9's level (its
    /// do_action calls): warnings for what may pass, errors for what lost data.
    #[test]
    fn levels_are_audisp_remotes() {
        use Trigger as T;
        let warnings = [
            T::NetworkFailure,
            T::StartupFailure,
            T::DiskLow,
            T::GenericWarning,
            T::RemoteEnding,
        ];
        let errors = [T::DiskFull, T::DiskError, T::GenericError, T::QueueError];
        for t in warnings {
            let mut log = Lines::default();
            Actions::default().take(t, &FailureAction::Syslog, "m", &mut log);
            assert_eq!(log.0[0].0, Level::Warning, "{t:?}");
        }
        for t in errors {
            let mut log = Lines::default();
            Actions::default().take(t, &FailureAction::Syslog, "m", &mut log);
            assert_eq!(log.0[0].0, Level::Error, "{t:?}");
        }
    }

    #[test]
    fn once_actions_log_once_each() {
        let mut actions = Actions::default();
        let mut log = Lines::default();
        for _ in 0..3 {
            let r = actions.take(Trigger::DiskFull, &FailureAction::WarnOnce, "m", &mut log);
            assert_eq!(r, Reaction::Continue);
            actions.take(
                Trigger::DiskError,
                &FailureAction::WarnOnceContinue,
                "m",
                &mut log,
            );
        }
        assert_eq!(log.0.len(), 2, "{:?}", log.0);
        assert_eq!(log.0[0].1, "remote server's disk is full, m");
        actions.reset_warnings();
        actions.take(Trigger::DiskFull, &FailureAction::WarnOnce, "m", &mut log);
        assert_eq!(log.0.len(), 3);
    }

    #[test]
    fn stop_and_suspend_tell_the_sender() {
        let mut actions = Actions::default();
        let mut log = Lines::default();
        let t = Trigger::NetworkFailure;
        assert_eq!(
            actions.take(t, &FailureAction::Stop, "x", &mut log),
            Reaction::Stop
        );
        assert_eq!(
            actions.take(t, &FailureAction::Suspend, "x", &mut log),
            Reaction::Suspend
        );
        assert_eq!(
            actions.take(t, &FailureAction::Ignore, "x", &mut log),
            Reaction::Continue
        );
        assert_eq!(log.0.len(), 2);
        assert_eq!(
            actions.overflow(OverflowAction::Suspend, &mut log),
            Reaction::Suspend
        );
    }

    #[test]
    fn single_and_halt_run_the_init_program_with_the_runlevel() {
        // A stand-in for /sbin/init that records its argument.
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("init");
        let out = dir.path().join("runlevels");
        std::fs::write(
            &script,
            format!("#!/bin/sh\necho \"$1\" >> {}\n", out.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o750)).unwrap();
        let mut actions = Actions {
            init_program: script,
            ..Actions::default()
        };
        let mut log = Lines::default();
        actions.take(Trigger::DiskFull, &FailureAction::Single, "x", &mut log);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::fs::read_to_string(&out).map_or(true, |s| s.is_empty()) {
            assert!(std::time::Instant::now() < deadline, "init not run");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        actions.overflow(OverflowAction::Halt, &mut log);
        while std::fs::read_to_string(&out).unwrap().lines().count() < 2 {
            assert!(std::time::Instant::now() < deadline, "init not run twice");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "1\n0\n");
        assert!(log.0.iter().all(|(level, _)| *level == Level::Alert));
    }
}
