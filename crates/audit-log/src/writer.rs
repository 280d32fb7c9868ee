//! The log file: writing, flushing, rotation and disk-space actions.

use crate::config::{Action, Flush, LogConfig, SizeAction, Space};
use crate::format::Formatter;
use audit_wire::RecordType;
use rustix::fs::{Mode, OFlags};
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// 2^20 bytes: auditd's megabyte.
const MEGABYTE: u64 = 1 << 20;

/// Free blocks auditd never uses: fewer than this is a full disk.
const RESERVED_BLOCKS: u64 = 5;

/// The free space is looked at after every this many records (auditd looks
/// after about three in eight).
const SPACE_CHECK_EVERY: u64 = 4;

/// How many disk-error reports in a row `syslog` gives before a write
/// succeeds again (auditd's limit).
const DISK_ERROR_REPORTS: u32 = 5;

/// Why the writer could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The log (or its directory) could not be opened or created.
    #[error("{}: cannot open: {source}", path.display())]
    Open {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
    /// A line given to [`LogWriter::write_lines`] does not end with `\n`,
    /// or has one before its end: none of the lines was written.
    #[error("line {index} of the batch is not one line ending with a newline: nothing written")]
    NotALine {
        /// The line's index in the batch.
        index: usize,
    },
    /// A symbolic link is in the log's place: it is not followed.
    #[error("{}: is a symbolic link, refused", path.display())]
    Symlink {
        /// The path.
        path: PathBuf,
    },
    /// Something other than a regular file is in the log's place.
    #[error("{}: not a regular file, refused", path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
    },
    /// Logging is suspended (by an action or `max_log_file_action`): the
    /// record was not written. [`LogWriter::resume`] starts again.
    #[error("logging is suspended: record not written")]
    Suspended,
    /// The file system is full: the record was not written (the log ends
    /// with the previous whole line). The disk-full action has run.
    #[error("{}: no space left: record not written", path.display())]
    DiskFull {
        /// The log.
        path: PathBuf,
    },
    /// Writing failed (the record was not written), or syncing failed
    /// ([`LogWriter::durable`]: written records may not be on disk). The
    /// disk-error action has run.
    #[error("{}: {op} failed: {source}", path.display())]
    Io {
        /// The log.
        path: PathBuf,
        /// What was being done: write, fsync, rotate, reopen.
        op: &'static str,
        /// The error.
        source: io::Error,
    },
}

/// What a guarantee [`LogWriter::durable`] gives about the records written
/// so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Handed to the kernel (`flush = none`): they survive the writer's
    /// crash, not the machine's.
    Written,
    /// On disk: they survive the machine's crash.
    OnDisk,
}

/// Something that happened that the caller should know of (and, for the
/// actions the writer leaves to it, act on: syslog, email, single, halt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The log reached `max_log_file`; `action` was taken.
    MaxLogFile {
        /// `max_log_file_action`.
        action: SizeAction,
    },
    /// Free space fell below `space_left` (`admin: false`) or
    /// `admin_space_left` (`admin: true`); `action` was taken (or is the
    /// caller's to take).
    SpaceLeft {
        /// Whether it is the admin threshold.
        admin: bool,
        /// The configured action.
        action: Action,
        /// Megabytes free for the writer.
        free_mb: u64,
    },
    /// The file system is full; `disk_full_action` was taken.
    DiskFull {
        /// The configured action.
        action: Action,
    },
    /// A write, sync, rotation or reopen failed; `disk_error_action` was
    /// taken.
    DiskError {
        /// What failed: write, fsync, rotate, reopen.
        op: &'static str,
        /// The error's text.
        error: String,
        /// The configured action.
        action: Action,
    },
    /// The logs were rotated: a new, empty log is open.
    Rotated,
    /// A rotation was asked for while `num_logs < 2`: nothing was done.
    RotationDisabled,
    /// Writing stopped until [`LogWriter::resume`].
    Suspended,
    /// An `exec` action started `program` as process `pid`.
    Executed {
        /// The program.
        program: PathBuf,
        /// Its process id.
        pid: u32,
    },
    /// An `exec` action could not start `program`.
    ExecFailed {
        /// The program.
        program: PathBuf,
        /// Why.
        error: String,
    },
}

/// What [`LogWriter::write_record`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The line is in the log.
    Logged,
    /// `write_logs = no`: nothing is written, by configuration.
    NotLogging,
}

/// A sync that failed: the records up to `upto` (a count of records
/// written) may not be on disk.
#[derive(Debug)]
struct SyncFailure {
    upto: u64,
    /// The first failure's error.
    error: io::Error,
}

impl SyncFailure {
    /// Keeps the first error, and the furthest mark.
    fn merge(slot: &mut Option<SyncFailure>, upto: u64, error: io::Error) {
        match slot {
            Some(f) => f.upto = f.upto.max(upto),
            None => *slot = Some(SyncFailure { upto, error }),
        }
    }
}

/// The state the background flusher (`incremental_async`) shares.
#[derive(Debug, Default)]
struct FlushState {
    file: Option<Arc<File>>,
    /// Records asked to be on disk (a count of records written).
    requested: u64,
    /// Records a sync was tried for, whatever its outcome.
    attempted: u64,
    /// Records up to the last good sync.
    done: u64,
    /// `done` when `error` was set: what is known on disk until the writer
    /// has taken the failure.
    done_before_error: u64,
    error: Option<SyncFailure>,
    stop: bool,
}

impl FlushState {
    /// Records the outcome of a sync of the records up to `target`.
    fn finish_sync(&mut self, target: u64, result: io::Result<()>) {
        self.attempted = self.attempted.max(target);
        match result {
            Ok(()) => self.done = self.done.max(target),
            Err(e) => {
                if self.error.is_none() {
                    self.done_before_error = self.done;
                }
                SyncFailure::merge(&mut self.error, target, e);
            }
        }
    }

    /// Records known on disk: none a failed sync covered before the writer
    /// has taken (and reported) the failure.
    fn known_done(&self) -> u64 {
        if self.error.is_some() {
            self.done_before_error
        } else {
            self.done
        }
    }
}

#[derive(Debug, Default)]
struct FlushShared {
    state: Mutex<FlushState>,
    wake: Condvar,
}

/// The `incremental_async` thread: syncs the log when asked, while the
/// writer goes on writing.
#[derive(Debug)]
struct Flusher {
    shared: Arc<FlushShared>,
    thread: Option<JoinHandle<()>>,
}

impl Flusher {
    fn start() -> io::Result<Flusher> {
        let shared = Arc::new(FlushShared::default());
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("audit-log-flush".into())
            .spawn(move || flush_loop(&theirs))?;
        Ok(Flusher {
            shared,
            thread: Some(thread),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FlushState> {
        // A poisoned lock only means the flusher panicked mid-sync; the
        // counters are still consistent.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks for records up to `upto` to be synced; a failure of an earlier
    /// sync not taken yet.
    fn request(&self, upto: u64) -> Option<SyncFailure> {
        let mut s = self.lock();
        if upto > s.requested {
            s.requested = upto;
            self.shared.wake.notify_all();
        }
        s.error.take()
    }

    /// Waits until records up to `upto` are synced: `Err` with the failure
    /// when a sync failed, or when the file was closed first.
    fn wait(&self, upto: u64) -> Result<(), SyncFailure> {
        if let Some(failure) = self.request(upto) {
            return Err(failure);
        }
        let mut s = self.lock();
        while s.attempted < upto && s.file.is_some() && s.error.is_none() {
            s = self.shared.wake.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if let Some(failure) = s.error.take() {
            return Err(failure);
        }
        if s.done < upto {
            return Err(SyncFailure {
                upto,
                error: io::Error::other("log closed before its records were synced"),
            });
        }
        Ok(())
    }

    /// A failed sync's failure not taken yet.
    fn take_error(&self) -> Option<SyncFailure> {
        self.lock().error.take()
    }

    /// Records known on disk.
    fn done(&self) -> u64 {
        self.lock().known_done()
    }

    fn set_file(&self, file: Option<Arc<File>>) {
        let mut s = self.lock();
        if file.is_none() {
            // Requests not taken up were for the closed file, whose
            // records the writer has dealt with: a sync of the next file
            // must not count them.
            s.requested = s.requested.min(s.attempted);
        }
        s.file = file;
        self.shared.wake.notify_all();
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        self.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn flush_loop(shared: &FlushShared) {
    let mut s = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        // A failed sync is not tried again for the same records: the
        // writer takes and reports it.
        while !s.stop && (s.attempted >= s.requested || s.file.is_none()) {
            s = shared.wake.wait(s).unwrap_or_else(|e| e.into_inner());
        }
        if s.stop {
            return;
        }
        let target = s.requested;
        let file = s.file.clone();
        drop(s);
        let result = file.map_or(Ok(()), |f| sync_file(&f));
        s = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        s.finish_sync(target, result);
        shared.wake.notify_all();
    }
}

/// The audit log as auditd 3.0.9 keeps it. See the [crate] documentation.
#[derive(Debug)]
pub struct LogWriter {
    config: LogConfig,
    formatter: Formatter,
    file: Option<Arc<File>>,
    /// The log's size in bytes.
    size: u64,
    /// Records written since the writer started.
    records: u64,
    /// `records` when the log was last synced.
    synced: u64,
    /// A failed sync that [`LogWriter::durable`] has not reported yet.
    sync_failure: Option<SyncFailure>,
    /// `synced` when `sync_failure` was set: what is known on disk until
    /// the failure is reported.
    synced_before_failure: u64,
    /// Records whose failed sync `durable` has reported.
    reported: u64,
    /// Set while the disk-error action runs: an error while it closes the
    /// log is reported, but does not run it again.
    in_disk_error: bool,
    flusher: Option<Flusher>,
    suspended: bool,
    space_left_mb: u64,
    admin_space_left_mb: u64,
    space_warned: bool,
    admin_space_warned: bool,
    /// Whether the disk was full at the last look (reported once).
    disk_full: bool,
    disk_error_reports: u32,
    size_reported: bool,
    /// The lowest `.N` that `keep_logs` may find free.
    last_log: u32,
    notices: Vec<Notice>,
    children: Vec<Child>,
    line: Vec<u8>,
}

impl LogWriter {
    /// Opens (or creates) the log `config` names, as auditd starts: the
    /// directory's and rotated logs' modes set (0700/0400, or 0750/0440 with
    /// a `log_group`), the log opened without following a symbolic link and
    /// refused unless a regular file, its mode set to 0600 (0640) and group
    /// to `log_group` whatever the umask, `num_logs` enforced, percentages
    /// of `space_left` worked out, size and space looked at.
    ///
    /// `config.write_logs = false` opens nothing.
    pub fn open(config: LogConfig) -> Result<LogWriter, LogError> {
        let formatter = Formatter::new(config.log_format, config.node_name());
        let flusher = match config.flush {
            Flush::IncrementalAsync => Some(Flusher::start().map_err(|source| LogError::Open {
                path: config.log_file.clone(),
                source,
            })?),
            _ => None,
        };
        let mut w = LogWriter {
            formatter,
            file: None,
            size: 0,
            records: 0,
            synced: 0,
            sync_failure: None,
            synced_before_failure: 0,
            reported: 0,
            in_disk_error: false,
            flusher,
            suspended: false,
            space_left_mb: 0,
            admin_space_left_mb: 0,
            space_warned: false,
            admin_space_warned: false,
            disk_full: false,
            disk_error_reports: 0,
            size_reported: false,
            last_log: 1,
            notices: Vec::new(),
            children: Vec::new(),
            line: Vec::with_capacity(1024),
            config,
        };
        if !w.config.write_logs {
            return Ok(w);
        }
        w.fix_permissions();
        w.open_log()?;
        w.setup_thresholds();
        w.check_size();
        w.remove_excess_logs();
        w.check_space();
        Ok(w)
    }

    /// The settings.
    pub fn config(&self) -> &LogConfig {
        &self.config
    }

    /// The log's current size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Records written since the writer was opened.
    pub fn records_written(&self) -> u64 {
        self.records
    }

    /// How many of [`LogWriter::records_written`] are known to be on disk:
    /// all of them in `data` and `sync` modes, those up to the last
    /// successful sync of the file they were written to in the incremental
    /// modes, none with `flush = none`. After a failed sync, none written
    /// since the last good one until [`LogWriter::durable`] has reported
    /// the failure; from then on the count is a position, not a tally: a
    /// later good sync counts the records of the failed one too, though they
    /// may be lost. What may be lost is told once, by [`LogWriter::durable`]:
    /// acknowledge records by its answers, not by this count.
    pub fn records_on_disk(&self) -> u64 {
        match (&self.flusher, self.config.flush) {
            _ if self.sync_failure.is_some() => self.synced_before_failure,
            (Some(f), Flush::IncrementalAsync) => self.synced.max(f.done()),
            _ => self.synced,
        }
    }

    /// Whether writing is suspended.
    pub fn is_suspended(&self) -> bool {
        self.suspended
    }

    /// The `space_left` and `admin_space_left` thresholds in megabytes, as
    /// worked out when the log was opened (percentages converted).
    pub fn thresholds_mb(&self) -> (u64, u64) {
        (self.space_left_mb, self.admin_space_left_mb)
    }

    /// Megabytes free for the writer on the log's file system (what
    /// `space_left` is compared with); `None` when no log is open or the
    /// file system cannot be asked.
    pub fn free_mb(&self) -> Option<u64> {
        let st = rustix::fs::fstatvfs(&**self.file.as_ref()?).ok()?;
        Some(st.f_bavail.saturating_mul(st.f_bsize.max(1)) / MEGABYTE)
    }

    /// What happened since the last call, oldest first.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Formats the record of type `record_type` with netlink payload
    /// `payload` (as audit-netlink's `RawRecord` holds them) and appends its
    /// line to the log with one `write`, then flushes as `flush` and `freq`
    /// say, and looks at size and free space, running the configured
    /// actions ([`LogWriter::take_notices`] tells which).
    ///
    /// An `Err` means the record is not in the log: the log then still ends
    /// with a whole line.
    pub fn write_record(
        &mut self,
        record_type: RecordType,
        payload: &[u8],
    ) -> Result<Written, LogError> {
        self.write_records([(record_type, payload)]).map(|n| {
            if n == 0 {
                Written::NotLogging
            } else {
                Written::Logged
            }
        })
    }

    /// Writes several records with one `write`: what a daemon does with the
    /// records it has read before its socket ran dry, at a fraction of a
    /// `write` per record. Returns how many records are in the log: all of
    /// them, or 0 with `write_logs = no`. An `Err` means none of them is
    /// (the log still ends with the last whole line before them).
    ///
    /// Flushing counts records as [`LogWriter::write_record`] does (a sync
    /// after the batch if it reached a multiple of `freq`); the size and
    /// free space are looked at after the batch, so a log may pass
    /// `max_log_file` by the batch's size before it is rotated.
    pub fn write_records<'p>(
        &mut self,
        records: impl IntoIterator<Item = (RecordType, &'p [u8])>,
    ) -> Result<usize, LogError> {
        if !self.config.write_logs {
            return Ok(0);
        }
        let mut lines = std::mem::take(&mut self.line);
        lines.clear();
        let mut count = 0u64;
        for (record_type, payload) in records {
            self.formatter.format_into(record_type, payload, &mut lines);
            count += 1;
        }
        let result = self.append(&lines, count);
        // Batches are bounded by the caller; a huge one's buffer is not kept.
        if lines.capacity() > 1 << 20 {
            lines = Vec::with_capacity(1024);
        }
        self.line = lines;
        result.map(|()| count as usize)
    }

    /// Appends finished lines, verbatim, with one `write`: records formatted
    /// elsewhere, such as those a remote logging receiver gets from its
    /// senders (their `node=` kept). Each must end with its one `\n`.
    /// Everything else is as for [`LogWriter::write_records`]: each line
    /// counts as a record for `freq`, its bytes count for `max_log_file`, a
    /// full disk or a failed write runs `disk_full_action` or
    /// `disk_error_action` and leaves none of the lines in the log, and
    /// [`LogWriter::durable`] after it covers them. Returns how many lines
    /// are in the log: all, or 0 with `write_logs = no`.
    ///
    /// # Errors
    /// [`LogError::NotALine`] (nothing written) when a line does not end
    /// with `\n` or has one before its end; otherwise as
    /// [`LogWriter::write_records`].
    pub fn write_lines<L: AsRef<[u8]>>(&mut self, lines: &[L]) -> Result<usize, LogError> {
        for (index, line) in lines.iter().enumerate() {
            let line = line.as_ref();
            let newlines = line.iter().filter(|&&b| b == b'\n').count();
            if newlines != 1 || line.last() != Some(&b'\n') {
                return Err(LogError::NotALine { index });
            }
        }
        if !self.config.write_logs {
            return Ok(0);
        }
        let mut bytes = std::mem::take(&mut self.line);
        bytes.clear();
        for line in lines {
            bytes.extend_from_slice(line.as_ref());
        }
        let result = self.append(&bytes, lines.len() as u64);
        if bytes.capacity() > 1 << 20 {
            bytes = Vec::with_capacity(1024);
        }
        self.line = bytes;
        result.map(|()| lines.len())
    }

    /// Appends `count` records' whole lines with one `write`, then flushes
    /// and looks at size and space as the settings say.
    fn append(&mut self, lines: &[u8], count: u64) -> Result<(), LogError> {
        self.reap_children();
        let Some(file) = self.file.clone().filter(|_| !self.suspended) else {
            return Err(LogError::Suspended);
        };
        if let Err(e) = (&*file).write_all(lines) {
            // Part of the lines may be in the file: cut it off so the log
            // ends with the last whole line.
            let _ = file.set_len(self.size);
            return Err(self.write_failed("write", e));
        }
        let before = self.records;
        self.size += lines.len() as u64;
        self.records += count;
        self.disk_error_reports = 0;
        self.after_write(&file, before);
        Ok(())
    }

    /// Whether a multiple of `every` is in `before+1 ..= now`.
    fn crossed(before: u64, now: u64, every: u64) -> bool {
        now / every != before / every
    }

    fn after_write(&mut self, file: &File, before: u64) {
        let freq = u64::from(self.config.freq.max(1));
        let due = Self::crossed(before, self.records, freq);
        match self.config.flush {
            Flush::Incremental if due => {
                // The record is written: a failed sync is the disk-error
                // action's and durable()'s business, not an error of this
                // write (the caller must not write the record again).
                match sync_file(file) {
                    Ok(()) => self.mark_synced(self.records),
                    Err(e) => self.sync_failed(self.records, e),
                }
            }
            Flush::IncrementalAsync if due => {
                // An earlier background sync's failure is reported now.
                let failure = self.flusher.as_ref().and_then(|f| f.request(self.records));
                if let Some(failure) = failure {
                    self.sync_failed(failure.upto, failure.error);
                }
            }
            // O_DSYNC / O_SYNC: the write returned once on disk.
            Flush::Data | Flush::Sync => self.mark_synced(self.records),
            _ => {}
        }
        self.check_size();
        if Self::crossed(before, self.records, SPACE_CHECK_EVERY) {
            self.check_space();
        }
    }

    /// Makes every record written so far as durable as the flush mode
    /// allows, and says how durable that is: `none` gives
    /// [`Durability::Written`] at once (no sync is ever done); `data` and
    /// `sync` give [`Durability::OnDisk`] at once (each write was
    /// synchronous); `incremental` syncs now if records are unsynced;
    /// `incremental_async` asks its thread and waits for it. A remote
    /// receiver acknowledges a record after this returns `Ok`.
    ///
    /// # Errors
    /// When a sync of records written since the last call failed (now,
    /// before, or as their log was rotated or closed; the disk-error action
    /// has run for it), [`LogError::Io`] with op `fsync`
    /// ([`LogError::DiskFull`] for ENOSPC): those records may not be on
    /// disk. Each failure is returned once.
    pub fn durable(&mut self) -> Result<Durability, LogError> {
        match self.config.flush {
            Flush::None => return Ok(Durability::Written),
            Flush::Data | Flush::Sync => return Ok(Durability::OnDisk),
            Flush::Incremental | Flush::IncrementalAsync => {}
        }
        if self.sync_failure.is_none() && self.accounted() < self.records {
            self.sync_now();
        }
        self.take_sync_failure()?;
        if self.synced.max(self.reported) < self.records {
            // Only a log closed unsynced without a failure (which the
            // writer does not do) would leave records here.
            return Err(LogError::Io {
                path: self.config.log_file.clone(),
                op: "fsync",
                source: io::Error::other("log closed before its records were synced"),
            });
        }
        Ok(Durability::OnDisk)
    }

    /// Syncs the open log now (through the flusher with
    /// `incremental_async`): `synced` advanced, or the failure kept and
    /// reported.
    fn sync_now(&mut self) {
        let upto = self.records;
        let result = match (&self.flusher, self.config.flush, &self.file) {
            (Some(f), Flush::IncrementalAsync, _) => f.wait(upto),
            (_, _, Some(file)) => sync_file(file).map_err(|error| SyncFailure { upto, error }),
            // Nothing open to sync: durable() says what is not on disk.
            (_, _, None) => return,
        };
        match result {
            Ok(()) => self.mark_synced(upto),
            // All that was asked is not known on disk.
            Err(failure) => self.sync_failed(upto.max(failure.upto), failure.error),
        }
    }

    /// Records either synced or known not to be (a failure, reported or
    /// not): they need no further sync.
    fn accounted(&self) -> u64 {
        let failed = self.sync_failure.as_ref().map_or(0, |f| f.upto);
        self.synced.max(self.reported).max(failed)
    }

    /// Records up to `upto` were synced (those an earlier failed sync
    /// covered are still durable()'s error).
    fn mark_synced(&mut self, upto: u64) {
        self.synced = self.synced.max(upto);
    }

    /// A sync of records up to `upto` failed: kept for durable(), and the
    /// disk-full or disk-error action run.
    fn sync_failed(&mut self, upto: u64, error: io::Error) {
        let copy = match error.raw_os_error() {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::new(error.kind(), error.to_string()),
        };
        if self.sync_failure.is_none() {
            self.synced_before_failure = self.synced;
        }
        SyncFailure::merge(&mut self.sync_failure, upto, error);
        if copy.raw_os_error() == Some(rustix::io::Errno::NOSPC.raw_os_error()) {
            if !self.disk_full {
                self.disk_full = true;
                self.disk_full_action();
            }
        } else {
            self.disk_error("fsync", &copy);
        }
    }

    /// The unreported sync failure, as durable()'s error.
    fn take_sync_failure(&mut self) -> Result<(), LogError> {
        let Some(failure) = self.sync_failure.take() else {
            return Ok(());
        };
        self.reported = self.reported.max(failure.upto);
        let path = self.config.log_file.clone();
        let error = failure.error;
        if error.raw_os_error() == Some(rustix::io::Errno::NOSPC.raw_os_error()) {
            return Err(LogError::DiskFull { path });
        }
        Err(LogError::Io {
            path,
            op: "fsync",
            source: error,
        })
    }

    /// Rotates now, as auditd on SIGUSR1: shifting every log up (never
    /// removing one) when `max_log_file_action = keep_logs`, otherwise a
    /// rotation keeping `num_logs` (none when `num_logs < 2`).
    pub fn rotate_now(&mut self) {
        if !self.config.write_logs {
            return;
        }
        if self.config.max_log_file_action == SizeAction::KeepLogs {
            self.shift_logs();
        } else {
            self.rotate(0, false);
        }
    }

    /// Resumes writing after a suspension, as auditd on SIGUSR2: the log is
    /// opened again (created if an action's program moved it away) and the
    /// warnings are reset.
    pub fn resume(&mut self) -> Result<(), LogError> {
        self.suspended = false;
        self.disk_full = false;
        self.space_warned = false;
        self.admin_space_warned = false;
        self.disk_error_reports = 0;
        if self.file.is_none() && self.config.write_logs {
            self.fix_permissions();
            if let Err(e) = self.open_log() {
                self.suspended = true;
                return Err(e);
            }
            self.check_size();
        }
        Ok(())
    }

    /// Takes new settings while running, as auditd 3.0.9 on SIGHUP: every
    /// setting is taken; the log is closed and opened again when its path,
    /// group, flush mode or `write_logs` changed (failing that, logging is
    /// suspended and the disk-error action runs, and the error is returned);
    /// a changed size limit or its action ends a suspension and looks at the
    /// size again; changed space settings (or a new path) work the
    /// thresholds out again, reset their warnings, remove logs beyond
    /// `num_logs` and look at the free space.
    pub fn reconfigure(&mut self, new: LogConfig) -> Result<(), LogError> {
        let old = &self.config;
        let mut reopen = old.write_logs != new.write_logs
            || old.log_group != new.log_group
            || old.flush != new.flush
            || old.log_file != new.log_file;
        let size_check = old.max_log_file != new.max_log_file
            || old.max_log_file_action != new.max_log_file_action;
        let space_check = old.log_file != new.log_file
            || old.space_left != new.space_left
            || old.space_left_action != new.space_left_action
            || old.admin_space_left != new.admin_space_left
            || old.admin_space_left_action != new.admin_space_left_action
            || old.disk_full_action != new.disk_full_action;
        if reopen {
            // Synced and closed under the old flush mode.
            self.close_file();
        }
        self.formatter = Formatter::new(new.log_format, new.node_name());
        self.disk_error_reports = 0;
        if new.flush == Flush::IncrementalAsync && self.flusher.is_none() {
            self.flusher = Some(Flusher::start().map_err(|source| LogError::Open {
                path: new.log_file.clone(),
                source,
            })?);
        } else if new.flush != Flush::IncrementalAsync {
            self.flusher = None;
        }
        self.config = new;
        if size_check {
            self.suspended = false;
            // A suspension closed the log: it is opened again below.
            reopen |= self.file.is_none();
            self.check_size();
        }
        let mut result = Ok(());
        if reopen && self.config.write_logs {
            self.fix_permissions();
            match self.open_log() {
                Ok(()) => {
                    self.suspended = false;
                    self.check_size();
                }
                Err(e) => {
                    self.suspended = true;
                    let err = io::Error::other(e.to_string());
                    self.disk_error("reconfig", &err);
                    result = Err(e);
                }
            }
        }
        if space_check {
            let suspended = self.suspended;
            self.setup_thresholds();
            self.space_warned = false;
            self.admin_space_warned = false;
            self.disk_full = false;
            self.suspended = false;
            self.remove_excess_logs();
            self.check_space();
            self.suspended |= suspended;
        }
        result
    }

    /// Syncs and closes the log, whatever the flush mode (as auditd at
    /// shutdown).
    ///
    /// # Errors
    /// As [`LogWriter::durable`]: a sync failed (now or unreported before),
    /// so records may not be on disk.
    pub fn close(mut self) -> Result<(), LogError> {
        // With a background flusher the sync goes through it (close_file waits for
        // it): a sync of our own beside one of its could take the success of a
        // writeback whose error only the other is told.
        let flusher = matches!(
            (&self.flusher, self.config.flush),
            (Some(_), Flush::IncrementalAsync)
        );
        if let Some(file) = self.file.clone().filter(|_| !flusher) {
            match sync_file(&file) {
                Ok(()) => self.mark_synced(self.records),
                Err(e) => self.sync_failed(self.records, e),
            }
        }
        self.close_file();
        self.take_sync_failure()
    }

    fn log_mode(&self) -> Mode {
        Mode::from_raw_mode(if self.config.log_group != 0 {
            0o640
        } else {
            0o600
        })
    }

    fn rotated_mode(&self) -> Mode {
        Mode::from_raw_mode(if self.config.log_group != 0 {
            0o440
        } else {
            0o400
        })
    }

    fn group(&self) -> Option<rustix::fs::Gid> {
        Some(rustix::fs::Gid::from_raw(self.config.log_group))
    }

    fn numbered(&self, n: u32) -> PathBuf {
        let mut s = self.config.log_file.clone().into_os_string();
        s.push(format!(".{n}"));
        PathBuf::from(s)
    }

    /// auditd's start-up permissions: directory 0700 (0750 with a group) and
    /// its group, rotated logs read-only.
    fn fix_permissions(&self) {
        let dir = self.config.log_file.parent().unwrap_or(Path::new("/"));
        let group = self.config.log_group != 0;
        let _ = rustix::fs::chmod(dir, Mode::from_raw_mode(if group { 0o750 } else { 0o700 }));
        let _ = rustix::fs::chown(dir, None, self.group());
        for i in 1..self.config.num_logs {
            match chmod_regular(&self.numbered(i), self.rotated_mode()) {
                Err(rustix::io::Errno::NOENT) => break,
                _ => continue,
            }
        }
    }

    /// Opens the log for appending, creating it with exact modes.
    fn open_log(&mut self) -> Result<(), LogError> {
        let path = self.config.log_file.clone();
        let mut flags = OFlags::WRONLY | OFlags::APPEND | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        match self.config.flush {
            // rustix 1.1's OFlags::DSYNC is O_SYNC on Linux: the real bit.
            Flush::Data => flags |= OFlags::from_bits_retain(libc::O_DSYNC as _),
            Flush::Sync => flags |= OFlags::SYNC,
            _ => {}
        }
        // Non-blocking only while opening: a FIFO planted in the log's place
        // must not hang the open (it is refused below).
        let open_flags = flags | OFlags::NONBLOCK;
        let fd: OwnedFd = match rustix::fs::open(&path, open_flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => rustix::fs::open(
                &path,
                open_flags | OFlags::CREATE | OFlags::EXCL,
                self.log_mode(),
            )
            .map_err(|e| open_error(&path, e))?,
            Err(e) => return Err(open_error(&path, e)),
        };
        let st = rustix::fs::fstat(&fd).map_err(|e| open_error(&path, e))?;
        if rustix::fs::FileType::from_raw_mode(st.st_mode) != rustix::fs::FileType::RegularFile {
            return Err(LogError::NotRegular { path });
        }
        rustix::fs::fcntl_setfl(&fd, flags).map_err(|e| open_error(&path, e))?;
        // Exact modes whatever the umask or the file's past.
        rustix::fs::fchmod(&fd, self.log_mode()).map_err(|e| open_error(&path, e))?;
        rustix::fs::fchown(&fd, None, self.group()).map_err(|e| open_error(&path, e))?;
        let file = Arc::new(File::from(fd));
        self.size = st.st_size as u64;
        self.size_reported = false;
        if let Some(f) = &self.flusher {
            f.set_file(Some(Arc::clone(&file)));
        }
        self.file = Some(file);
        Ok(())
    }

    /// Closes the log. In the incremental modes its records are synced
    /// first, so that what durable() says stays true after a rotation or
    /// suspension; a failed sync is reported once the file is closed, so
    /// that the action it runs finds nothing more to close or sync.
    fn close_file(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        let upto = self.records;
        let unsynced = self.accounted() < upto;
        let mut failure = None;
        let mut synced = false;
        match (&self.flusher, self.config.flush) {
            (Some(f), Flush::IncrementalAsync) => {
                // A background sync's failure is not lost with the file,
                // even when a later sync (close()'s) succeeded.
                failure = f.take_error();
                if unsynced {
                    match f.wait(upto) {
                        Ok(()) => synced = true,
                        // All of the file's records: it is not synced again.
                        Err(e) => SyncFailure::merge(&mut failure, upto.max(e.upto), e.error),
                    }
                }
                f.set_file(None);
            }
            (_, Flush::Incremental) if unsynced => match sync_file(&file) {
                Ok(()) => synced = true,
                Err(error) => failure = Some(SyncFailure { upto, error }),
            },
            _ => {}
        }
        drop(file);
        if let Some(failure) = failure {
            self.sync_failed(failure.upto, failure.error);
        }
        if synced {
            self.mark_synced(upto);
        }
    }

    fn suspend(&mut self) {
        let already = self.suspended;
        self.close_file();
        // Unless closing suspended (its failed sync's action) and said so.
        if already || !self.suspended {
            self.suspended = true;
            self.notices.push(Notice::Suspended);
        }
    }

    fn setup_thresholds(&mut self) {
        let Some(file) = &self.file else { return };
        let Ok(st) = rustix::fs::fstatvfs(&**file) else {
            return;
        };
        let mb = |s: Space| match s {
            Space::Megabytes(m) => m,
            Space::Percent(p) => {
                let blocks = st.f_blocks.saturating_mul(u64::from(p)) / 100;
                st.f_bsize.saturating_mul(blocks) / MEGABYTE
            }
        };
        self.space_left_mb = mb(self.config.space_left);
        self.admin_space_left_mb = mb(self.config.admin_space_left);
    }

    fn check_size(&mut self) {
        let max = self.config.max_log_file;
        if max == 0 || self.file.is_none() || self.size / MEGABYTE < max {
            return;
        }
        let action = self.config.max_log_file_action;
        match action {
            SizeAction::Ignore => {}
            SizeAction::Syslog => {
                if !self.size_reported {
                    self.size_reported = true;
                    self.notices.push(Notice::MaxLogFile { action });
                }
            }
            SizeAction::Suspend => {
                self.notices.push(Notice::MaxLogFile { action });
                self.suspend();
            }
            SizeAction::Rotate => {
                if self.config.num_logs > 1 {
                    self.notices.push(Notice::MaxLogFile { action });
                    self.rotate(0, false);
                }
            }
            SizeAction::KeepLogs => {
                self.notices.push(Notice::MaxLogFile { action });
                self.shift_logs();
            }
        }
    }

    fn check_space(&mut self) {
        let Some(file) = &self.file else { return };
        let Ok(st) = rustix::fs::fstatvfs(&**file) else {
            return;
        };
        if st.f_bavail < RESERVED_BLOCKS {
            if !self.disk_full {
                self.disk_full = true;
                self.disk_full_action();
            }
            return;
        }
        self.disk_full = false;
        let bsize = st.f_bsize.max(1);
        let free_mb = st.f_bavail.saturating_mul(bsize) / MEGABYTE;
        for admin in [false, true] {
            let (mb, action) = if admin {
                (
                    self.admin_space_left_mb,
                    self.config.admin_space_left_action.clone(),
                )
            } else {
                (self.space_left_mb, self.config.space_left_action.clone())
            };
            let blocks = mb.saturating_mul(MEGABYTE / bsize.min(MEGABYTE));
            let warned = if admin {
                self.admin_space_warned
            } else {
                self.space_warned
            };
            if st.f_bavail < blocks {
                if !warned {
                    // Rotation may run again and again, as auditd allows.
                    let again = action == Action::Rotate;
                    if admin {
                        self.admin_space_warned = !again;
                    } else {
                        self.space_warned = !again;
                    }
                    self.notices.push(Notice::SpaceLeft {
                        admin,
                        action: action.clone(),
                        free_mb,
                    });
                    self.run_action(&action);
                }
            } else if warned && action == Action::Syslog {
                if admin {
                    self.admin_space_warned = false;
                } else {
                    self.space_warned = false;
                }
            }
        }
    }

    fn disk_full_action(&mut self) {
        let action = self.config.disk_full_action.clone();
        self.notices.push(Notice::DiskFull {
            action: action.clone(),
        });
        self.run_action(&action);
    }

    /// Runs the disk-error action for a failed `op`; the error to return.
    fn write_failed(&mut self, op: &'static str, e: io::Error) -> LogError {
        let path = self.config.log_file.clone();
        if e.raw_os_error() == Some(rustix::io::Errno::NOSPC.raw_os_error()) {
            if !self.disk_full {
                self.disk_full = true;
                self.disk_full_action();
            }
            return LogError::DiskFull { path };
        }
        self.disk_error(op, &e);
        LogError::Io {
            path,
            op,
            source: e,
        }
    }

    fn disk_error(&mut self, op: &'static str, e: &io::Error) {
        let action = self.config.disk_error_action.clone();
        if action == Action::Syslog {
            if self.disk_error_reports >= DISK_ERROR_REPORTS {
                return;
            }
            self.disk_error_reports += 1;
        }
        self.notices.push(Notice::DiskError {
            op,
            error: e.to_string(),
            action: action.clone(),
        });
        if self.in_disk_error {
            return;
        }
        self.in_disk_error = true;
        self.run_action(&action);
        self.in_disk_error = false;
    }

    /// Carries out what the writer does itself; the others are the
    /// caller's, told by the notice already pushed.
    fn run_action(&mut self, action: &Action) {
        match action {
            Action::Ignore | Action::Syslog | Action::Email | Action::Single | Action::Halt => {}
            Action::Rotate => {
                if self.config.num_logs > 1 {
                    self.rotate(0, false);
                }
            }
            Action::Suspend => self.suspend(),
            Action::Exec(program) => {
                // Closed first so that the program can move or compress the
                // log; resume() opens it again.
                self.suspend();
                self.exec(program.clone());
            }
        }
    }

    fn exec(&mut self, program: PathBuf) {
        use std::os::unix::process::CommandExt;
        match Command::new(&program).arg0(&program).env_clear().spawn() {
            Ok(child) => {
                self.notices.push(Notice::Executed {
                    program,
                    pid: child.id(),
                });
                self.children.push(child);
            }
            Err(e) => self.notices.push(Notice::ExecFailed {
                program,
                error: e.to_string(),
            }),
        }
    }

    fn reap_children(&mut self) {
        if !self.children.is_empty() {
            self.children
                .retain_mut(|c| matches!(c.try_wait(), Ok(None)));
        }
    }

    /// auditd's rotation: `.N-2` to `.N-1` ... `.1` to `.2`, the log to
    /// `.1`, a new log. `num_logs` 0 means the configured number.
    fn rotate(&mut self, num_logs: u32, keep: bool) {
        if self.config.num_logs < 2 && !keep {
            self.notices.push(Notice::RotationDisabled);
            return;
        }
        if let Some(file) = self.file.clone() {
            let _ = rustix::fs::fchmod(&*file, self.rotated_mode());
            let _ = rustix::fs::fchown(&*file, None, self.group());
        }
        self.close_file();
        let n = if num_logs == 0 {
            self.config.num_logs
        } else {
            num_logs
        };
        for i in (2..n).rev() {
            if let Err(e) = std::fs::rename(self.numbered(i - 1), self.numbered(i)) {
                if e.kind() != io::ErrorKind::NotFound {
                    self.rename_failed(e);
                }
            }
        }
        let first = self.numbered(1);
        if let Err(e) = std::fs::rename(&self.config.log_file, &first) {
            if e.kind() != io::ErrorKind::NotFound {
                self.rename_failed(e);
                let _ = chmod_regular(&self.config.log_file, self.log_mode());
            }
        }
        match self.open_log() {
            Ok(()) => {
                self.suspended = false;
                self.notices.push(Notice::Rotated);
            }
            Err(e) => {
                self.suspended = true;
                let err = match e {
                    LogError::Open { source, .. } => source,
                    other => io::Error::other(other.to_string()),
                };
                self.disk_error("reopen", &err);
            }
        }
    }

    fn rename_failed(&mut self, e: io::Error) {
        if e.raw_os_error() == Some(rustix::io::Errno::NOSPC.raw_os_error()) && !self.disk_full {
            self.disk_full = true;
            self.disk_full_action();
        } else {
            self.disk_error("rotate", &e);
        }
    }

    /// `keep_logs`: rotation with the first free number, nothing removed.
    fn shift_logs(&mut self) {
        let mut n = self.last_log;
        while self.numbered(n).exists() {
            n += 1;
        }
        if n <= self.last_log && self.last_log > 1 {
            // The last known log is gone: start again from .1.
            n = 1;
            while self.numbered(n).exists() {
                n += 1;
            }
        }
        self.last_log = n;
        self.rotate(n + 1, true);
    }

    /// Removes `.num_logs` and above, left by a larger `num_logs` before.
    fn remove_excess_logs(&mut self) {
        if self.config.max_log_file_action != SizeAction::Rotate || self.config.num_logs < 2 {
            return;
        }
        let mut i = self.config.num_logs;
        while std::fs::remove_file(self.numbered(i)).is_ok() {
            i += 1;
        }
    }
}

/// Syncs the log's data and metadata to disk.
fn sync_file(file: &File) -> io::Result<()> {
    #[cfg(test)]
    tests::injected_sync_failure(file)?;
    file.sync_all()
}

/// chmod of a regular file, never through a symbolic link (auditd's chmod
/// would follow one planted as `audit.log.1` to any file).
fn chmod_regular(path: &Path, mode: Mode) -> rustix::io::Result<()> {
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
    let fd = rustix::fs::open(path, flags, Mode::empty())?;
    let st = rustix::fs::fstat(&fd)?;
    if rustix::fs::FileType::from_raw_mode(st.st_mode) != rustix::fs::FileType::RegularFile {
        return Err(rustix::io::Errno::INVAL);
    }
    rustix::fs::fchmod(&fd, mode)
}

fn open_error(path: &Path, e: rustix::io::Errno) -> LogError {
    if e == rustix::io::Errno::LOOP {
        return LogError::Symlink {
            path: path.to_path_buf(),
        };
    }
    // What a non-blocking open for writing gives for a FIFO or socket with
    // no reader, or a device with no driver.
    if e == rustix::io::Errno::NXIO {
        return LogError::NotRegular {
            path: path.to_path_buf(),
        };
    }
    LogError::Open {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

#[cfg(test)]
mod tests {
    //! Failing syncs, injected: a log whose directory holds a file named
    //! [`FAIL_FSYNC`] cannot be synced (as a log on a failing disk).

    use super::*;
    use crate::format::LogFormat;
    use std::os::fd::AsRawFd;

    /// While a file of this name is in the log's directory, its syncs fail.
    const FAIL_FSYNC: &str = "fail-fsync";

    /// The seam [`sync_file`] goes through in tests: EIO while
    /// [`FAIL_FSYNC`] is next to the file (wherever a rotation moved it).
    pub(super) fn injected_sync_failure(file: &File) -> io::Result<()> {
        let path = std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
        match path.parent() {
            Some(dir) if dir.join(FAIL_FSYNC).exists() => {
                Err(io::Error::from_raw_os_error(libc::EIO))
            }
            _ => Ok(()),
        }
    }

    fn failing_syncs(dir: &Path, on: bool) {
        let marker = dir.join(FAIL_FSYNC);
        if on {
            std::fs::write(marker, "").unwrap();
        } else {
            std::fs::remove_file(marker).unwrap();
        }
    }

    fn config(dir: &Path, flush: Flush) -> LogConfig {
        LogConfig {
            log_file: dir.join("audit.log"),
            log_format: LogFormat::Raw,
            flush,
            freq: 1000,
            num_logs: 3,
            disk_error_action: Action::Syslog,
            ..LogConfig::default()
        }
    }

    fn write(w: &mut LogWriter, serial: u64) -> Result<Written, LogError> {
        let payload = format!("audit(1700000000.000:{serial}): op=test serial={serial} res=1");
        w.write_record(RecordType::CONFIG_CHANGE, payload.as_bytes())
    }

    fn fsync_errors(notices: &[Notice]) -> usize {
        notices
            .iter()
            .filter(|n| matches!(n, Notice::DiskError { op: "fsync", .. }))
            .count()
    }

    fn is_fsync_error(e: &LogError) -> bool {
        matches!(e, LogError::Io { op: "fsync", source, .. } if source.raw_os_error() == Some(libc::EIO))
    }

    /// A daemon hands the writer to a thread of its own.
    #[test]
    fn writer_is_send() {
        fn send<T: Send>() {}
        send::<super::LogWriter>();
    }

    /// The records of a log rotated away unsynced are not made durable by
    /// syncing the new log: durable() reports the old log's failed sync
    /// (once), and the disk-error action ran for it.
    #[test]
    fn a_failed_sync_of_a_rotated_log_is_reported() {
        for flush in [Flush::Incremental, Flush::IncrementalAsync] {
            let dir = tempfile::tempdir().unwrap();
            let mut w = LogWriter::open(config(dir.path(), flush)).unwrap();
            for serial in 1..=3 {
                write(&mut w, serial).unwrap();
            }
            failing_syncs(dir.path(), true);
            w.rotate_now();
            failing_syncs(dir.path(), false);
            let notices = w.take_notices();
            assert_eq!(fsync_errors(&notices), 1, "{flush:?}: {notices:?}");
            assert!(notices.contains(&Notice::Rotated), "{flush:?}: {notices:?}");
            let err = w.durable().unwrap_err();
            assert!(is_fsync_error(&err), "{flush:?}: {err}");
            assert!(w.records_on_disk() < 3, "{flush:?}");
            // Told once; the records written since are synced as usual.
            write(&mut w, 4).unwrap();
            assert_eq!(w.durable().unwrap(), Durability::OnDisk, "{flush:?}");
            assert_eq!(w.records_on_disk(), 4, "{flush:?}");
        }
    }

    /// Records synced well after a failed sync of earlier ones (their log
    /// rotated away in between) are durable once the failure is reported,
    /// also when their own log was closed since (suspended at
    /// max_log_file).
    #[test]
    fn records_synced_after_a_failed_sync_are_durable_once_it_is_reported() {
        for flush in [Flush::Incremental, Flush::IncrementalAsync] {
            let dir = tempfile::tempdir().unwrap();
            let mut w = LogWriter::open(LogConfig {
                max_log_file: 1,
                max_log_file_action: SizeAction::Suspend,
                ..config(dir.path(), flush)
            })
            .unwrap();
            write(&mut w, 1).unwrap();
            failing_syncs(dir.path(), true);
            w.rotate_now();
            failing_syncs(dir.path(), false);
            let line = [[b'x'; 1023].as_slice(), b"\n"].concat();
            assert_eq!(w.write_lines(&vec![line; 1025]).unwrap(), 1025);
            assert!(w.is_suspended(), "{flush:?}");
            assert_eq!(w.records_on_disk(), 0, "{flush:?}");
            let err = w.durable().unwrap_err();
            assert!(is_fsync_error(&err), "{flush:?}: {err}");
            assert_eq!(w.durable().unwrap(), Durability::OnDisk, "{flush:?}");
            assert_eq!(w.records_on_disk(), 1026, "{flush:?}");
        }
    }

    /// A log closed by max_log_file_action = suspend with its records
    /// unsynced (the sync failing) is not reported durable.
    #[test]
    fn a_log_suspended_unsynced_is_not_durable() {
        for flush in [Flush::Incremental, Flush::IncrementalAsync] {
            let dir = tempfile::tempdir().unwrap();
            failing_syncs(dir.path(), true);
            let mut w = LogWriter::open(LogConfig {
                max_log_file: 1,
                max_log_file_action: SizeAction::Suspend,
                ..config(dir.path(), flush)
            })
            .unwrap();
            let line = [[b'x'; 1023].as_slice(), b"\n"].concat();
            let batch = vec![line; 1025];
            assert_eq!(w.write_lines(&batch).unwrap(), 1025, "{flush:?}");
            assert!(w.is_suspended(), "{flush:?}");
            let notices = w.take_notices();
            assert_eq!(fsync_errors(&notices), 1, "{flush:?}: {notices:?}");
            let err = w.durable().unwrap_err();
            assert!(is_fsync_error(&err), "{flush:?}: {err}");
            assert_eq!(w.records_on_disk(), 0, "{flush:?}");
        }
    }

    /// The background flusher: a sync that succeeded while an earlier
    /// one's failure was pending (the writer asked again meanwhile) counts
    /// once the failure is taken, rather than the records being left
    /// neither synced nor failed.
    #[test]
    fn a_good_sync_after_a_failed_one_counts_once_it_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let file = Arc::new(File::create(dir.path().join("audit.log")).unwrap());
        let f = Flusher::start().unwrap();
        {
            let mut s = f.lock();
            s.requested = 2;
            s.finish_sync(1, Err(io::Error::from_raw_os_error(libc::EIO)));
            s.finish_sync(2, Ok(()));
            s.file = Some(file);
        }
        assert_eq!(f.done(), 0);
        let failure = f.wait(2).unwrap_err();
        assert_eq!(failure.upto, 1);
        assert_eq!(failure.error.raw_os_error(), Some(libc::EIO));
        f.wait(2).unwrap();
        assert_eq!(f.done(), 2);
    }

    /// A background sync that failed before close() is its error, even
    /// though close()'s own sync then succeeds.
    #[test]
    fn close_reports_an_earlier_background_sync_failure() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = LogWriter::open(LogConfig {
            freq: 1,
            ..config(dir.path(), Flush::IncrementalAsync)
        })
        .unwrap();
        failing_syncs(dir.path(), true);
        write(&mut w, 1).unwrap();
        let flusher = w.flusher.as_ref().unwrap();
        while flusher.lock().attempted < 1 {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        failing_syncs(dir.path(), false);
        let err = w.close().unwrap_err();
        assert!(is_fsync_error(&err), "{err}");
    }

    /// A sync failing at every try with disk_error_action = suspend (or
    /// exec, which suspends too): the action runs once, as the log is
    /// closed; closing does not sync again and run the action again (it
    /// used to recurse until the stack overflowed).
    #[test]
    fn a_persistent_sync_failure_suspends_once() {
        for action in [Action::Suspend, Action::Exec(PathBuf::from("/bin/true"))] {
            let dir = tempfile::tempdir().unwrap();
            failing_syncs(dir.path(), true);
            let mut w = LogWriter::open(LogConfig {
                freq: 1,
                disk_error_action: action.clone(),
                ..config(dir.path(), Flush::Incremental)
            })
            .unwrap();
            // The record is written; its sync failed.
            assert_eq!(write(&mut w, 1).unwrap(), Written::Logged);
            assert!(w.is_suspended(), "{action:?}");
            let notices = w.take_notices();
            assert_eq!(fsync_errors(&notices), 1, "{action:?}: {notices:?}");
            let suspended = notices.iter().filter(|n| **n == Notice::Suspended).count();
            assert_eq!(suspended, 1, "{action:?}: {notices:?}");
            let executed = notices
                .iter()
                .filter(|n| matches!(n, Notice::Executed { .. }))
                .count();
            assert_eq!(
                executed,
                usize::from(action != Action::Suspend),
                "{notices:?}"
            );
            assert!(matches!(write(&mut w, 2), Err(LogError::Suspended)));
            let err = w.durable().unwrap_err();
            assert!(is_fsync_error(&err), "{action:?}: {err}");
            let log = std::fs::read_to_string(dir.path().join("audit.log")).unwrap();
            assert_eq!(log.lines().count(), 1, "{action:?}");
        }
    }

    /// close() syncs whatever the flush mode, as auditd at shutdown: with
    /// flush = none too, a failed sync is its error.
    #[test]
    fn close_syncs_and_reports_a_failed_sync() {
        for flush in [Flush::None, Flush::Incremental, Flush::IncrementalAsync] {
            let dir = tempfile::tempdir().unwrap();
            let mut w = LogWriter::open(config(dir.path(), flush)).unwrap();
            write(&mut w, 1).unwrap();
            failing_syncs(dir.path(), true);
            let err = w.close().unwrap_err();
            assert!(is_fsync_error(&err), "{flush:?}: {err}");
            failing_syncs(dir.path(), false);
            let mut w = LogWriter::open(config(dir.path(), flush)).unwrap();
            write(&mut w, 2).unwrap();
            w.close().unwrap();
        }
    }
}
