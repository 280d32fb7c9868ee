//! Received records into the log an audit-log [`LogWriter`] keeps: verbatim, as
//! auditd writes what its listener receives, with the writer's flush mode, rotation
//! and disk-space thresholds, and the reply the writer's state calls for.
//!
//! The writer formats kernel records (`type=NAME msg=…` from a type and a payload),
//! while a received record is a finished line, its `node=` name the sender's. So
//! [`LogAppender`] appends the lines itself, to the file the writer has open (found by
//! its path and checked by device and inode, so a rotation is followed), in one write
//! per batch, while the caller holds the writer (no record of the writer's comes in
//! between). Then, as the writer's `flush` says, the data is synced (any mode but
//! `none`) and the reply is:
//!
//! - ACK when written;
//! - DISKLOW when written, but the file system has less free than the writer's
//!   `space_left` or `admin_space_left`;
//! - DISKFULL when the write failed for want of space (nothing of the batch stays in
//!   the file);
//! - DISKERROR when it failed otherwise, the sync failed, or logging is suspended.
//!
//! `write_logs = no`: nothing is written, and every record is acknowledged, as auditd
//! does. When the log reaches `max_log_file` with `max_log_file_action = rotate` or
//! `keep_logs`, the writer rotates.
//!
//! Limits, until audit-log's writer can write finished lines itself: the writer does
//! not count these bytes in the log's size (its own size check sees only its own
//! records; the check here rotates on the file's real size), and should a write of
//! the writer's own fail, it cuts the file back to the size it counted, which would
//! cut records appended here after its last own write.

use crate::server::{free_megabytes, last_lines, Durability, SinkError};
use audit_log::{Flush, LogConfig, LogWriter, SizeAction};
use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

/// `ENOSPC` on Linux (every architecture).
const ENOSPC: i32 = 28;

/// Appends received records to a writer's log; keeps the file open between calls.
#[derive(Debug, Default)]
pub struct LogAppender {
    /// The log as last opened, with its device and inode.
    open: Option<(File, u64, u64)>,
}

impl LogAppender {
    /// An appender with nothing open yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last `limit` lines of the writer's log (none when it does not exist), for
    /// [`Sink::recent`](crate::server::Sink::recent).
    ///
    /// # Errors
    /// The error of reading an existing log.
    pub fn recent(config: &LogConfig, limit: usize) -> io::Result<Vec<Vec<u8>>> {
        match File::open(&config.log_file) {
            Ok(file) => last_lines(&file, limit),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    /// Appends `records` (finished lines, each with its `\n`) to `log`'s file with one
    /// write, makes them as durable as its `flush` says, and says which reply they
    /// get (see the [module](self) documentation).
    ///
    /// # Errors
    /// [`SinkError::DiskFull`] or [`SinkError::DiskError`]: nothing of `records` is
    /// in the log (unless the sync failed after the write).
    pub fn append<R: AsRef<[u8]>>(
        &mut self,
        log: &mut LogWriter,
        records: &[R],
    ) -> Result<Durability, SinkError> {
        let config = log.config().clone();
        if !config.write_logs {
            return Ok(Durability::Written);
        }
        if log.is_suspended() {
            return Err(SinkError::DiskError("logging is suspended".into()));
        }
        let failed = |what: &str, e: &io::Error| {
            let text = format!("{}: {what}: {e}", config.log_file.display());
            match e.raw_os_error() {
                Some(ENOSPC) => SinkError::DiskFull(text),
                _ => SinkError::DiskError(text),
            }
        };
        let file = self.file(&config).map_err(|e| failed("open", &e))?;
        let before = file.metadata().map_err(|e| failed("fstat", &e))?.len();
        let bytes: Vec<u8> = records.iter().flat_map(|r| r.as_ref()).copied().collect();
        if let Err(e) = (&*file).write_all(&bytes) {
            // Leave no part of the batch: the log ends with a whole line.
            let _ = file.set_len(before);
            self.open = None;
            return Err(failed("write", &e));
        }
        if config.flush != Flush::None {
            file.sync_data().map_err(|e| failed("fsync", &e))?;
        }
        let size = before + bytes.len() as u64;
        let free = free_megabytes(file).ok();
        let limit = config.max_log_file.saturating_mul(1 << 20);
        let rotates = matches!(
            config.max_log_file_action,
            SizeAction::Rotate | SizeAction::KeepLogs
        );
        if limit > 0 && size >= limit && rotates {
            log.rotate_now();
        }
        let (space_left, admin_space_left) = log.thresholds_mb();
        Ok(match free {
            Some(free) if free < admin_space_left => Durability::WrittenSpaceLow(format!(
                "{free} MB free, below admin_space_left {admin_space_left} MB"
            )),
            Some(free) if free < space_left => Durability::WrittenSpaceLow(format!(
                "{free} MB free, below space_left {space_left} MB"
            )),
            _ => Durability::Written,
        })
    }

    /// The open log, reopened when the path now names another file (rotated).
    fn file(&mut self, config: &LogConfig) -> io::Result<&File> {
        let current = std::fs::symlink_metadata(&config.log_file)?;
        let same = self
            .open
            .as_ref()
            .is_some_and(|(_, dev, ino)| (*dev, *ino) == (current.dev(), current.ino()));
        if !same {
            // The writer created it (with its mode and group); never follow a link.
            let file = std::fs::OpenOptions::new()
                .append(true)
                .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
                .open(&config.log_file)?;
            let meta = file.metadata()?;
            self.open = Some((file, meta.dev(), meta.ino()));
        }
        match &self.open {
            Some((file, _, _)) => Ok(file),
            None => Err(io::Error::other("log not open")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(dir: &std::path::Path, extra: &str) -> LogWriter {
        let text = format!(
            "log_file = {}/audit.log\nlog_format = RAW\nflush = incremental\nfreq = 1\n{extra}",
            dir.display()
        );
        LogWriter::open(LogConfig::parse(&text).unwrap().config).unwrap()
    }

    #[test]
    fn lines_go_in_verbatim_between_the_writers_own_and_follow_a_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let mut log = writer(
            dir.path(),
            "num_logs = 3\nmax_log_file = 1\nmax_log_file_action = rotate\n",
        );
        let mut appender = LogAppender::new();
        log.write_record(1305, b"audit(1.000:1): op=set").unwrap();
        let remote = b"node=web1 type=USER msg=audit(2.000:2): x=1\x1dUID=\"root\"\n";
        assert_eq!(
            appender.append(&mut log, &[remote]).unwrap(),
            Durability::Written
        );
        log.write_record(1305, b"audit(3.000:3): op=set").unwrap();
        let text = std::fs::read(dir.path().join("audit.log")).unwrap();
        let expected = [
            &b"type=CONFIG_CHANGE msg=audit(1.000:1): op=set\n"[..],
            remote,
            b"type=CONFIG_CHANGE msg=audit(3.000:3): op=set\n",
        ]
        .concat();
        assert_eq!(text, expected);
        assert_eq!(
            LogAppender::recent(log.config(), 2).unwrap()[0],
            remote.to_vec()
        );
        // Past max_log_file (1 MB): the writer rotates, the next batch goes to the
        // new log.
        let big = [[b'x'; 1023].as_slice(), b"\n"].concat();
        let batch: Vec<&[u8]> = std::iter::repeat_n(big.as_slice(), 1024).collect();
        appender.append(&mut log, &batch).unwrap();
        appender.append(&mut log, &[remote]).unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("audit.log")).unwrap(),
            remote.to_vec()
        );
        assert!(
            std::fs::metadata(dir.path().join("audit.log.1"))
                .unwrap()
                .len()
                > 1 << 20
        );
    }

    #[test]
    fn below_space_left_the_reply_is_disklow_and_without_logs_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        // More than any disk has free: every write is on a low disk.
        let mut log = writer(
            dir.path(),
            "space_left = 999999999\nspace_left_action = syslog\n",
        );
        let got = LogAppender::new()
            .append(&mut log, &[b"type=USER msg=audit(1.000:1): x\n"])
            .unwrap();
        match got {
            Durability::WrittenSpaceLow(text) => assert!(text.contains("space_left"), "{text}"),
            other => panic!("expected DISKLOW, got {other:?}"),
        }
        let quiet_dir = tempfile::tempdir().unwrap();
        let mut quiet = writer(quiet_dir.path(), "write_logs = no\n");
        assert_eq!(
            LogAppender::new().append(&mut quiet, &[b"x\n"]).unwrap(),
            Durability::Written
        );
    }
}
