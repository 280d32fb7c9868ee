//! What the dispatcher tells its caller, for the caller's log.

use std::collections::VecDeque;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::config::{OverflowAction, PluginConfigError};

/// Times a queue's filling is told ([`Notice::DroppingStarted`]) since the
/// start or a reload; later ones are summed up (auditd 3.0.9 also stops at 5).
pub const DROP_NOTICE_LIMIT: u32 = 5;

/// Past [`DROP_NOTICE_LIMIT`], the longest time between two summaries of a
/// queue's drops ([`Notice::DroppedSummary`]) while it drops.
pub const DROP_SUMMARY_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Something the caller should log (the dispatcher writes no log of its own).
#[derive(Debug)]
#[non_exhaustive]
pub enum Notice {
    /// A plugin's file was skipped; the other plugins run.
    ConfigError(PluginConfigError),
    /// `plugin_dir` could not be read (missing, not a directory, no access):
    /// the dispatcher runs with no plugins, as auditd does, until a reload
    /// reads it.
    DirError {
        /// `plugin_dir`.
        dir: PathBuf,
        /// Why it could not be read.
        error: std::io::Error,
    },
    /// A plugin's program was started.
    Started {
        /// The plugin (its file's name).
        plugin: String,
        /// The process id.
        pid: u32,
    },
    /// A plugin's program could not be started.
    SpawnFailed {
        /// The plugin.
        plugin: String,
        /// Why.
        error: String,
    },
    /// A plugin's program ended while it should run; it is restarted unless it
    /// is past `max_restarts`.
    Died {
        /// The plugin.
        plugin: String,
        /// How it ended (`exit status: 1`, `signal: 9 (SIGKILL)`, a write error).
        how: String,
        /// Its restarts so far, this one counted.
        restarts: u32,
    },
    /// A plugin is past `max_restarts` and stays down until a reload finds it
    /// active again.
    GaveUp {
        /// The plugin.
        plugin: String,
        /// Its restarts.
        restarts: u32,
        /// Records that were queued for it and are not delivered.
        unsent: u64,
    },
    /// A plugin's queue is full: records for it are dropped from now on.
    ///
    /// Told for the first [`DROP_NOTICE_LIMIT`] times a queue fills (since
    /// the start or a reload; each af_unix reader has its own queue), then
    /// once [`Notice::DropNoticeLimit`], after which runs of drops are not
    /// told one by one but summed up ([`Notice::DroppedSummary`]) at most
    /// every [`DROP_SUMMARY_EVERY`], at a reload and when the plugin stops.
    /// Every drop is counted ([`crate::PluginStats::dropped`]) and told once.
    /// With `overflow_action` `single` or `halt` (requests to the caller)
    /// every start is told.
    DroppingStarted {
        /// The plugin.
        plugin: String,
        /// `overflow_action`; `Single` and `Halt` are requests to the caller.
        action: OverflowAction,
    },
    /// A plugin's queue has room again, after a run of drops that
    /// [`Notice::DroppingStarted`] told.
    DroppingStopped {
        /// The plugin.
        plugin: String,
        /// Records dropped during the run that ended.
        dropped: u64,
    },
    /// A plugin's queue filled more than [`DROP_NOTICE_LIMIT`] times: its
    /// runs of drops are no longer told one by one, only summed up
    /// ([`Notice::DroppedSummary`]) until a reload.
    DropNoticeLimit {
        /// The plugin.
        plugin: String,
    },
    /// Records dropped for a plugin and not told before, past
    /// [`DROP_NOTICE_LIMIT`]: told at most every [`DROP_SUMMARY_EVERY`] and
    /// at a reload.
    DroppedSummary {
        /// The plugin.
        plugin: String,
        /// Records dropped and not told before.
        dropped: u64,
        /// Records dropped for it in all (its queue's count).
        total: u64,
    },
    /// Records dropped for a plugin that no [`Notice::DroppingStopped`] told:
    /// it stopped (or gave up, or was suspended) before its queue had room
    /// again. Told when the plugin is stopped.
    DroppedUntilStopped {
        /// The plugin.
        plugin: String,
        /// Records dropped and not told before.
        dropped: u64,
    },
    /// A reload sent SIGHUP to a plugin.
    Reconfigured {
        /// The plugin.
        plugin: String,
    },
    /// A reload restarts a plugin since its program's inode changed.
    BinaryChanged {
        /// The plugin.
        plugin: String,
    },
    /// A plugin was stopped (reload found it removed or inactive, or shutdown).
    Stopped {
        /// The plugin.
        plugin: String,
        /// Records queued for it and not delivered.
        unsent: u64,
        /// It had to be killed (SIGKILL) after SIGTERM and the deadline.
        killed: bool,
    },
    /// A reader connected to an af_unix output.
    ReaderConnected {
        /// The plugin.
        plugin: String,
    },
    /// A reader of an af_unix output went away (or was dropped for being too slow
    /// under `suspend`).
    ReaderGone {
        /// The plugin.
        plugin: String,
        /// Records queued for it and not delivered.
        unsent: u64,
    },
    /// Notices were lost because the caller did not collect them.
    NoticesLost(u64),
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Notice::ConfigError(e) => write!(f, "skipping plugin: {e}"),
            Notice::DirError { dir, error } => write!(
                f,
                "plugin directory {}: {error}; no plugins run",
                dir.display()
            ),
            Notice::Started { plugin, pid } => write!(f, "plugin {plugin} started, pid {pid}"),
            Notice::SpawnFailed { plugin, error } => {
                write!(f, "plugin {plugin} could not be started: {error}")
            }
            Notice::Died {
                plugin,
                how,
                restarts,
            } => {
                write!(
                    f,
                    "plugin {plugin} terminated unexpectedly ({how}), restart {restarts}"
                )
            }
            Notice::GaveUp {
                plugin,
                restarts,
                unsent,
            } => write!(
                f,
                "plugin {plugin} has exceeded max_restarts ({restarts}), {unsent} records not sent"
            ),
            Notice::DroppingStarted { plugin, action } => {
                write!(f, "queue to plugin {plugin} is full, dropping events (overflow_action {action:?})")
            }
            Notice::DroppingStopped { plugin, dropped } => {
                write!(
                    f,
                    "queue to plugin {plugin} has room again, {dropped} events dropped"
                )
            }
            Notice::DropNoticeLimit { plugin } => write!(
                f,
                "queue to plugin {plugin} has filled {DROP_NOTICE_LIMIT} times: \
                 reporting limit reached, dropped events are summed up from now on"
            ),
            Notice::DroppedSummary {
                plugin,
                dropped,
                total,
            } => write!(
                f,
                "queue to plugin {plugin} is overflowing: {dropped} more events dropped, {total} in all"
            ),
            Notice::DroppedUntilStopped { plugin, dropped } => write!(
                f,
                "plugin {plugin} stopped with {dropped} events dropped for it (queue full, suspended or down)"
            ),
            Notice::Reconfigured { plugin } => write!(f, "plugin {plugin} sent SIGHUP"),
            Notice::BinaryChanged { plugin } => {
                write!(f, "restarting plugin {plugin} since its binary changed")
            }
            Notice::Stopped {
                plugin,
                unsent,
                killed,
            } => write!(
                f,
                "plugin {plugin} stopped, {unsent} records not sent{}",
                if *killed {
                    ", killed after the deadline"
                } else {
                    ""
                }
            ),
            Notice::ReaderConnected { plugin } => write!(f, "reader connected to {plugin}"),
            Notice::ReaderGone { plugin, unsent } => {
                write!(f, "reader of {plugin} gone, {unsent} records not sent")
            }
            Notice::NoticesLost(n) => write!(f, "{n} dispatcher notices lost"),
        }
    }
}

/// A bounded list of notices shared by the workers.
#[derive(Debug, Default)]
pub(crate) struct Notices {
    list: Mutex<(VecDeque<Notice>, u64)>,
}

/// Notices kept for the caller at most; past it they are counted.
const MAX_NOTICES: usize = 4096;

impl Notices {
    pub fn push(&self, n: Notice) {
        let mut l = self.list.lock().unwrap_or_else(|p| p.into_inner());
        if l.0.len() >= MAX_NOTICES {
            l.1 += 1;
        } else {
            l.0.push_back(n);
        }
    }

    pub fn take(&self) -> Vec<Notice> {
        let mut l = self.list.lock().unwrap_or_else(|p| p.into_inner());
        let mut out: Vec<Notice> = l.0.drain(..).collect();
        if l.1 > 0 {
            out.push(Notice::NoticesLost(std::mem::take(&mut l.1)));
        }
        out
    }
}
