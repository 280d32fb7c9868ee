//! The audit dispatcher: hands every audit record to the plugins configured in
//! `plugins.d`, as auditd's built-in dispatcher (audispd) does, without letting a
//! slow, stuck or crashing plugin stall the others or the caller.
//!
//! ```
//! use std::os::unix::fs::PermissionsExt;
//! use std::time::Duration;
//! use audit_dispatch::{Dispatcher, Payload, Record, Settings};
//! use audit_wire::RecordType;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # if !rustix::process::geteuid().is_root() { return Ok(()); } // plugins must be root's
//! let dir = tempfile::tempdir()?;
//! // A plugin: a program reading its records on stdin, here into a file.
//! let out = dir.path().join("events.log");
//! let script = dir.path().join("to-file");
//! std::fs::write(&script, format!("#!/bin/sh\nexec cat > {}\n", out.display()))?;
//! std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o750))?;
//! // Its file in plugins.d, as auditd reads it.
//! let plugins = dir.path().join("plugins.d");
//! std::fs::create_dir(&plugins)?;
//! std::fs::write(
//!     plugins.join("to-file.conf"),
//!     format!("active = yes\ndirection = out\npath = {}\ntype = always\nformat = string\n",
//!             script.display()),
//! )?;
//!
//! let settings = Settings { plugin_dir: plugins, ..Settings::default() };
//! let dispatcher = Dispatcher::start(settings)?;
//! let record = Record::new(RecordType(1305), Payload::Raw, b"audit(1.000:1): op=set")?;
//! dispatcher.dispatch(&record);
//! for notice in dispatcher.shutdown(Duration::from_secs(5)) {
//!     println!("{notice}"); // the caller's log: started, stopped, …
//! }
//! assert_eq!(std::fs::read_to_string(&out)?, "type=CONFIG_CHANGE msg=audit(1.000:1): op=set\n");
//! # Ok(())
//! # }
//! ```
//!
//! # What it does, and how it differs from auditd 3.0.9
//! - [`PluginDir::read`] reads `plugins.d` as auditd 3.x does ([`NameRule::Auditd3`]:
//!   hidden names and names with more than one dot skipped); [`NameRule::Auditd4`]
//!   adds 4.x's rule that a name with a dot ends in `.conf`. A file must be a regular
//!   file owned by root and not world writable, its program a regular file owned by
//!   root with mode 0750 or more. A bad file is a [`Notice::ConfigError`] naming the
//!   file and line; the other plugins run. A `plugin_dir` that cannot be read is a
//!   [`Notice::DirError`], and no plugin runs (as in auditd) until a reload reads it.
//! - Each plugin's program is started with its records on one end of a
//!   `socketpair` as stdin, an empty environment, every signal at its default
//!   disposition and none blocked, `argv[0]` its path and `args` after it (any
//!   number, where auditd takes two).
//! - Formats `string` (`type=NAME msg=…` lines) and `binary` (a 16-byte header and
//!   the payload, padded to 8970 bytes as auditd 3.0.9 writes it, or exact with the
//!   per-plugin key `binary_layout = exact`).
//! - Each plugin has its own bounded queue (`q_depth` records) and its own thread
//!   writing with non-blocking sends: [`Dispatcher::dispatch`] never waits for a
//!   plugin. While a plugin's queue is empty, a dispatch sends to it at once from
//!   the caller's thread, as far as its socket takes the records without waiting
//!   (one `send` for a burst, no wake of its thread); only the rest is queued. A
//!   full queue drops the record for that plugin only, counted
//!   ([`PluginStats::dropped`]), with a [`Notice`] when dropping starts and stops
//!   (the first [`DROP_NOTICE_LIMIT`] times; later drops are summed up at most
//!   every [`DROP_SUMMARY_EVERY`]), and drops never told that way are told when
//!   the plugin stops (auditd 3.0.9 has one queue and blocking writes: one stuck
//!   plugin stops all).
//! - A plugin that dies is restarted (at once, then with a doubling delay up to 5
//!   s) up to `max_restarts` times, the record it was being sent sent again; past
//!   that it stays down ([`Notice::GaveUp`]) until a reload finds it active.
//! - [`Dispatcher::reload`] is auditd's SIGHUP: a new plugin starts, an unchanged
//!   one gets SIGHUP (a change of its `args` or `format` alone is not applied, as in
//!   auditd), one whose program's inode changed is restarted with the records
//!   queued for it (in its format as it was), a removed or
//!   deactivated one gets SIGTERM and its socket closed, one that was down starts
//!   again with its restart count reset.
//! - [`Dispatcher::shutdown`] delivers what is queued until the deadline, closes each
//!   plugin's socket, sends SIGTERM (after half the time left, to let a reader at end
//!   of input exit by itself) and SIGKILL at the deadline.
//! - `builtin_af_unix` serves any number of readers (up to [`MAX_READERS`]) at once,
//!   each with its own bounded queue (auditd's serves one and blocks on it).
//!
//! The crate handles no signal: the daemon maps SIGHUP to [`Dispatcher::reload`] and
//! SIGTERM to [`Dispatcher::shutdown`], and logs the [`Notice`]s.

#![deny(missing_docs)]

mod af_unix;
mod config;
mod encode;
mod notice;
mod program;
mod queue;

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use audit_wire::RecordType;
use rustix::process::Signal;

pub use af_unix::MAX_READERS;
pub use audit_plugin::{Format, HEADER_LEN, PADDED_PAYLOAD};
pub use config::{
    NameRule, OverflowAction, PluginConfig, PluginConfigError, PluginDir, PluginKind, SettingError,
    Settings, WriteLayout, MAX_PLUGIN_FILE,
};
pub use encode::{Payload, Record, RecordTooLong};
pub use notice::{Notice, DROP_NOTICE_LIMIT, DROP_SUMMARY_EVERY};

use af_unix::AfUnixShared;
use encode::Burst;
use notice::Notices;
use program::{Program, ProgramShared};
use queue::{Control, Pushed, Queue};

/// A burst's records encoded for one format (and layout).
type Encoded = (Format, WriteLayout, Burst);

#[derive(Debug)]
enum Output {
    Program(Arc<ProgramShared>),
    AfUnix(Arc<AfUnixShared>),
}

#[derive(Debug)]
struct Entry {
    config: PluginConfig,
    output: Output,
    thread: Option<JoinHandle<()>>,
}

impl Entry {
    fn down(&self) -> bool {
        match &self.output {
            Output::Program(p) => p.down.load(Ordering::Relaxed),
            Output::AfUnix(_) => self.thread.as_ref().is_none_or(|t| t.is_finished()),
        }
    }

    fn set_control(&self, control: Control) {
        match &self.output {
            Output::Program(p) => {
                p.queue.lock().control = control;
                p.queue.wake();
            }
            Output::AfUnix(a) => *a.control.lock().unwrap_or_else(|p| p.into_inner()) = control,
        }
    }
}

/// The state of one plugin, for status reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginStats {
    /// The plugin (its file's name).
    pub name: String,
    /// Its process, while one runs (`None` for af_unix).
    pub pid: Option<u32>,
    /// Past `max_restarts` (or its output failed): it stays down until a reload.
    pub down: bool,
    /// Records waiting in its queue (all readers' for af_unix).
    pub queued: usize,
    /// Records written to it (to all readers for af_unix).
    pub sent: u64,
    /// Records dropped for it: queue full, suspended or down.
    pub dropped: u64,
    /// Times it was restarted after dying.
    pub restarts: u32,
    /// Connected readers (af_unix).
    pub readers: usize,
}

/// The dispatcher: the running plugins of a `plugins.d`.
#[derive(Debug)]
pub struct Dispatcher {
    settings: Settings,
    entries: Vec<Entry>,
    /// Threads of plugins a reload stopped, still ending.
    retired: Vec<JoinHandle<()>>,
    notices: Arc<Notices>,
}

impl Dispatcher {
    /// Reads `settings.plugin_dir` and starts every active plugin. Problems with a
    /// plugin are [`Notice`]s, and so is a directory that cannot be read
    /// ([`Notice::DirError`]: no plugin runs, as in auditd).
    ///
    /// # Errors
    /// None at present: the `Result` is kept so that a failure to set up the
    /// dispatcher itself can be told without changing callers.
    pub fn start(settings: Settings) -> io::Result<Dispatcher> {
        let mut d = Dispatcher {
            settings,
            entries: Vec::new(),
            retired: Vec::new(),
            notices: Arc::new(Notices::default()),
        };
        let found = d.read_plugin_dir();
        for config in found.into_iter().filter(|c| c.active) {
            if let Some(entry) = d.start_one(config) {
                d.entries.push(entry);
            }
        }
        Ok(d)
    }

    /// Reads `plugin_dir` with the settings in use; its problems are notices,
    /// a directory that cannot be read is no plugin.
    fn read_plugin_dir(&self) -> Vec<PluginConfig> {
        let dir = &self.settings.plugin_dir;
        let found = match PluginDir::read(dir, self.settings.name_rule) {
            Ok(found) => found,
            Err(error) => {
                self.notices.push(Notice::DirError {
                    dir: dir.clone(),
                    error,
                });
                PluginDir::default()
            }
        };
        for e in found.errors {
            self.notices.push(Notice::ConfigError(e));
        }
        found.plugins
    }

    fn start_one(&self, config: PluginConfig) -> Option<Entry> {
        let failed = |e: io::Error| {
            self.notices.push(Notice::SpawnFailed {
                plugin: config.name.clone(),
                error: e.to_string(),
            })
        };
        match config.kind.clone()? {
            PluginKind::Always { path, .. } => {
                let shared = Arc::new(ProgramShared {
                    name: config.name.clone(),
                    queue: Queue::new(self.settings.q_depth, self.settings.overflow_action),
                    pid: Mutex::new(None),
                    restarts: AtomicU32::new(0),
                    max_restarts: AtomicU32::new(self.settings.max_restarts),
                    down: AtomicBool::new(false),
                    replacement: Mutex::new(None),
                });
                let program = self.program(path, &config);
                match program::start(shared.clone(), program, self.notices.clone()) {
                    Ok(t) => Some(Entry {
                        config,
                        output: Output::Program(shared),
                        thread: Some(t),
                    }),
                    Err(e) => {
                        failed(e);
                        None
                    }
                }
            }
            PluginKind::AfUnix { socket, mode } => {
                let shared = Arc::new(AfUnixShared {
                    name: config.name.clone(),
                    readers: Mutex::new(Vec::new()),
                    capacity: Mutex::new((self.settings.q_depth, self.settings.overflow_action)),
                    control: Mutex::new(Control::Run),
                    path: socket,
                });
                match af_unix::start(shared.clone(), mode, self.notices.clone()) {
                    Ok(t) => Some(Entry {
                        config,
                        output: Output::AfUnix(shared),
                        thread: Some(t),
                    }),
                    Err(e) => {
                        failed(e);
                        None
                    }
                }
            }
        }
    }

    /// How to run `path` for `config` with the settings in use.
    fn program(&self, path: std::path::PathBuf, config: &PluginConfig) -> Program {
        Program {
            path,
            args: config.args.clone(),
            forget_after: self.settings.restarts_forgotten_after,
        }
    }

    /// The settings in use.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Queues `record` for every plugin; never blocks on a plugin.
    pub fn dispatch(&self, record: &Record) {
        self.dispatch_all(std::slice::from_ref(record));
    }

    /// Queues each of `records`, in order, for every plugin, as
    /// [`Dispatcher::dispatch`] does one; each plugin's writer is woken once
    /// for all of them (a reader's records in a burst cost one wake, not one
    /// each). Never blocks on a plugin.
    pub fn dispatch_all(&self, records: &[Record]) {
        for e in &self.entries {
            let encoded: Vec<Arc<[u8]>> = records
                .iter()
                .map(|r| r.encoded(e.config.format, e.config.layout))
                .collect();
            self.push_all(e, &encoded);
        }
    }

    /// Queues records given as (type, text) for every plugin, as
    /// [`Dispatcher::dispatch_all`] does, without making a [`Record`] of
    /// each: every plugin's bytes are made once per format straight from
    /// `records` (a daemon's receive buffer), back to back in one buffer
    /// that a plugin keeping up gets with one `send`. Returns the records
    /// refused (too long for the binary format: no plugin gets them), in
    /// order.
    pub fn dispatch_texts(
        &self,
        payload: Payload,
        records: &[(RecordType, &[u8])],
    ) -> Vec<RecordTooLong> {
        let mut refused = Vec::new();
        // Each format's encodings, made for the first plugin that wants it.
        let mut made: Vec<Encoded> = Vec::new();
        for e in &self.entries {
            let (format, layout) = (e.config.format, e.config.layout);
            let same = |f: Format, l: WriteLayout| {
                f == format && (format == Format::String || l == layout)
            };
            let i = match made.iter().position(|(f, l, _)| same(*f, *l)) {
                Some(i) => i,
                None => {
                    let mut burst = Burst::sized_for(records, format, layout);
                    for (rtype, text) in records {
                        let encoded =
                            encode::encode_into(*rtype, payload, text, format, layout, &mut burst);
                        match encoded {
                            Ok(()) => {}
                            // The length alone refuses a record, in every
                            // format alike: told once.
                            Err(e) if made.is_empty() => refused.push(e),
                            Err(_) => {}
                        }
                    }
                    made.push((format, layout, burst));
                    made.len() - 1
                }
            };
            self.push_burst(e, &made[i].2);
        }
        if self.entries.is_empty() {
            // Refused as a plugin would refuse them: what the caller is told
            // does not depend on which plugins run.
            refused.extend(
                records
                    .iter()
                    .filter_map(|(_, text)| encode::check_len(text).err()),
            );
        }
        refused
    }

    /// Queues `burst` (encoded for `e`'s format) for `e`, then wakes its
    /// writer if records were queued.
    fn push_burst(&self, e: &Entry, burst: &Burst) {
        match &e.output {
            Output::Program(p) => {
                let queued = p
                    .queue
                    .push_burst(burst, |pushed| self.told(&p.name, pushed));
                if queued {
                    p.queue.wake_waiting();
                }
            }
            Output::AfUnix(a) => {
                for record in burst.records() {
                    a.push(&Arc::from(record), &self.notices);
                }
                a.wake_waiting();
            }
        }
    }

    /// The notice of a push to `plugin`'s queue, if it is one to tell.
    fn told(&self, plugin: &str, pushed: Pushed) {
        match pushed {
            Pushed::DropStarted => self.notices.push(Notice::DroppingStarted {
                plugin: plugin.to_string(),
                action: self.settings.overflow_action,
            }),
            Pushed::QueuedAfterDrops(dropped) => self.notices.push(Notice::DroppingStopped {
                plugin: plugin.to_string(),
                dropped,
            }),
            Pushed::DropLimitReached => self.notices.push(Notice::DropNoticeLimit {
                plugin: plugin.to_string(),
            }),
            Pushed::DropSummary { untold, total } => self.notices.push(Notice::DroppedSummary {
                plugin: plugin.to_string(),
                dropped: untold,
                total,
            }),
            Pushed::Queued | Pushed::Dropped => {}
        }
    }

    /// Queues `items` (encoded for `e`'s format) for `e`, then wakes its
    /// writer if records were queued.
    fn push_all(&self, e: &Entry, items: &[Arc<[u8]>]) {
        match &e.output {
            Output::Program(p) => {
                let queued = p.queue.push_all(items, |pushed| self.told(&p.name, pushed));
                if queued {
                    p.queue.wake_waiting();
                }
            }
            Output::AfUnix(a) => {
                for bytes in items {
                    a.push(bytes, &self.notices);
                }
                a.wake_waiting();
            }
        }
    }

    /// What happened since the last call, for the caller's log.
    pub fn notices(&self) -> Vec<Notice> {
        self.notices.take()
    }

    /// Each plugin's state, in name order.
    pub fn stats(&self) -> Vec<PluginStats> {
        self.entries
            .iter()
            .map(|e| match &e.output {
                Output::Program(p) => {
                    let q = p.queue.lock();
                    PluginStats {
                        name: p.name.clone(),
                        pid: *p.pid.lock().unwrap_or_else(|x| x.into_inner()),
                        down: p.down.load(Ordering::Relaxed),
                        queued: q.items.len(),
                        sent: q.sent,
                        dropped: q.dropped,
                        restarts: p.restarts.load(Ordering::Relaxed),
                        readers: 0,
                    }
                }
                Output::AfUnix(a) => {
                    let (dropped, sent, queued) = a.counts();
                    PluginStats {
                        name: a.name.clone(),
                        pid: None,
                        down: e.down(),
                        queued,
                        sent,
                        dropped,
                        restarts: 0,
                        readers: a.readers.lock().unwrap_or_else(|x| x.into_inner()).len(),
                    }
                }
            })
            .collect()
    }

    /// auditd's SIGUSR2 (`libdisp_resume`): plugins whose queue overflowed
    /// under `overflow_action = suspend` are passed records again. Returns how
    /// many queues were suspended.
    pub fn resume(&self) -> usize {
        let mut resumed = 0;
        let mut resume = |q: &mut queue::QueueState| {
            resumed += usize::from(std::mem::take(&mut q.suspended));
        };
        for e in &self.entries {
            match &e.output {
                Output::Program(p) => resume(&mut p.queue.lock()),
                Output::AfUnix(a) => {
                    for r in a.readers.lock().unwrap_or_else(|x| x.into_inner()).iter() {
                        resume(&mut r.queue.lock());
                    }
                }
            }
        }
        resumed
    }

    /// Re-reads `plugin_dir` with the same settings; see [`Dispatcher::reload_with`].
    pub fn reload(&mut self) -> io::Result<()> {
        let settings = self.settings.clone();
        self.reload_with(settings)
    }

    /// auditd's SIGHUP: takes `settings` (queue depth, overflow action, restarts,
    /// directory) and re-reads the plugins' directory. A new plugin starts; an
    /// unchanged running one gets SIGHUP (and leaves a `suspend`); one whose
    /// program's inode changed is restarted with its new program and the
    /// records queued for it, in order (its `format` and `binary_layout` are
    /// kept, as the queued records are encoded so); one whose af_unix socket
    /// changed is restarted; one removed or now
    /// inactive gets SIGTERM and its socket closed; one that was down starts with
    /// its restart count reset. A directory that cannot be read is a
    /// [`Notice::DirError`] and no plugin, as in auditd: every plugin is
    /// stopped, the settings are taken.
    ///
    /// # Errors
    /// None at present (see [`Dispatcher::start`]).
    pub fn reload_with(&mut self, settings: Settings) -> io::Result<()> {
        self.settings = settings;
        let found = self.read_plugin_dir();
        let mut old: Vec<Entry> = std::mem::take(&mut self.entries);
        let mut entries = Vec::new();
        for config in found.into_iter().filter(|c| c.active) {
            let Some(i) = old.iter().position(|e| e.config.name == config.name) else {
                entries.extend(self.start_one(config));
                continue;
            };
            let entry = old.swap_remove(i);
            let same = match (&entry.config.kind, &config.kind) {
                (
                    Some(PluginKind::Always { inode: a, path: pa }),
                    Some(PluginKind::Always { inode: b, path: pb }),
                ) => a == b && pa == pb,
                (a, b) => a == b,
            };
            if entry.down() {
                self.retire(entry, Control::Terminate);
                entries.extend(self.start_one(config));
            } else if same {
                self.reconfigure(&entry);
                entries.push(entry);
            } else {
                self.notices.push(Notice::BinaryChanged {
                    plugin: config.name.clone(),
                });
                match (&entry.output, &config.kind) {
                    (Output::Program(p), Some(PluginKind::Always { path, .. })) => {
                        // The process restarts, the queue stays: what was
                        // queued for the old binary goes to the new one, in
                        // order, and is encoded as before (format and
                        // layout are kept, as for an unchanged plugin).
                        p.replace(self.program(path.clone(), &config));
                        self.apply_queue_settings(&entry);
                        let mut entry = entry;
                        entry.config = PluginConfig {
                            format: entry.config.format,
                            layout: entry.config.layout,
                            ..config
                        };
                        entries.push(entry);
                    }
                    _ => {
                        self.retire(entry, Control::Terminate);
                        entries.extend(self.start_one(config));
                    }
                }
            }
        }
        for entry in old {
            self.retire(entry, Control::Terminate);
        }
        self.entries = entries;
        Ok(())
    }

    /// An unchanged running plugin: the new queue settings, and SIGHUP.
    fn reconfigure(&self, entry: &Entry) {
        self.apply_queue_settings(entry);
        if let Output::Program(p) = &entry.output {
            if p.signal(Signal::HUP) {
                self.notices.push(Notice::Reconfigured {
                    plugin: p.name.clone(),
                });
            }
        }
    }

    /// The settings' queue depth and overflow action for `entry`'s queues (and
    /// `max_restarts` for a program); a `suspend` ends and the notices of drops
    /// start afresh.
    fn apply_queue_settings(&self, entry: &Entry) {
        let (depth, action) = (self.settings.q_depth, self.settings.overflow_action);
        match &entry.output {
            Output::Program(p) => {
                p.max_restarts
                    .store(self.settings.max_restarts, Ordering::Relaxed);
                let summary = {
                    let mut q = p.queue.lock();
                    q.capacity = depth.max(1);
                    q.action = action;
                    q.suspended = false;
                    q.restart_drop_notices()
                };
                self.tell_summary(&p.name, summary);
            }
            Output::AfUnix(a) => {
                *a.capacity.lock().unwrap_or_else(|x| x.into_inner()) = (depth, action);
                for r in a.readers.lock().unwrap_or_else(|x| x.into_inner()).iter() {
                    let summary = {
                        let mut q = r.queue.lock();
                        q.capacity = depth.max(1);
                        q.action = action;
                        q.suspended = false;
                        q.restart_drop_notices()
                    };
                    self.tell_summary(&a.name, summary);
                }
            }
        }
    }

    /// Tells the drops a reload found held back past the notice limit.
    fn tell_summary(&self, plugin: &str, summary: Option<(u64, u64)>) {
        if let Some((dropped, total)) = summary {
            self.notices.push(Notice::DroppedSummary {
                plugin: plugin.to_string(),
                dropped,
                total,
            });
        }
    }

    fn retire(&mut self, mut entry: Entry, control: Control) {
        entry.set_control(control);
        self.retired.extend(entry.thread.take());
        self.retired.retain(|t| !t.is_finished());
    }

    /// Stops every plugin: delivers what is queued until `deadline` from now, then
    /// closes each socket, SIGTERM, and SIGKILL for a plugin still running at the
    /// deadline. Returns the notices not collected yet.
    pub fn shutdown(mut self, deadline: Duration) -> Vec<Notice> {
        let at = Instant::now() + deadline;
        self.stop_all(Control::Drain(at));
        self.notices.take()
    }

    fn stop_all(&mut self, control: Control) {
        for e in &self.entries {
            e.set_control(control);
        }
        let threads: Vec<_> = self
            .entries
            .iter_mut()
            .filter_map(|e| e.thread.take())
            .chain(self.retired.drain(..))
            .collect();
        for t in threads {
            let _ = t.join();
        }
        // A plugin that gave up ended before the drops since were told.
        for e in &self.entries {
            if let Output::Program(p) = &e.output {
                program::tell_untold_drops(p, &self.notices);
            }
        }
        self.entries.clear();
    }
}

impl Drop for Dispatcher {
    /// Without [`Dispatcher::shutdown`], plugins are stopped at once (SIGTERM,
    /// SIGKILL after 2 s), their queues not delivered.
    fn drop(&mut self) {
        self.stop_all(Control::Terminate);
    }
}
