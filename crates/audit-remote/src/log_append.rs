//! Received records into the log an audit-log [`LogWriter`] keeps: verbatim, as
//! auditd writes what its listener receives, with the writer's flush mode, rotation
//! and disk-space thresholds, and the reply the writer's state calls for.
//!
//! A received record is a finished line, its `node=` name the sender's. As auditd's
//! listener does, a record without its trailing newline gets one (audisp-remote
//! sends a record it cut at its buffer's size without one); unlike auditd, whose
//! log line would end at a newline inside a record and leave the rest looking like
//! a record of its own, a newline inside a record becomes a space, as the writer
//! does for the kernel's records. It goes in through [`LogWriter::write_lines`], so its bytes count for the writer's size
//! and space checks, a failed write runs the writer's `disk_full_action` or
//! `disk_error_action` (its notices tell the caller), and the log ends with a whole
//! line. Then [`LogWriter::durable`] makes the batch as durable as `flush` says,
//! and the reply is:
//!
//! - ACK when written;
//! - DISKLOW when written, but the file system has less free than the writer's
//!   `space_left` or `admin_space_left`;
//! - DISKFULL when the write (or the sync) failed for want of space (nothing of
//!   the batch stays in the file when the write failed);
//! - DISKERROR when it failed otherwise, the sync failed, or logging is suspended.
//!
//! `write_logs = no`: nothing is written, and every record is acknowledged, as auditd
//! does.

use crate::server::{last_lines, Durability, SinkError};
use audit_log::{LogConfig, LogError, LogWriter};
use std::borrow::Cow;
use std::fs::File;
use std::io;

/// `record` as one log line: ending with its one `\n` (added when missing), any
/// newline before that a space. Borrowed when it is one already.
pub fn log_line(record: &[u8]) -> Cow<'_, [u8]> {
    let body = record.strip_suffix(b"\n").unwrap_or(record);
    if record.len() > body.len() && !body.contains(&b'\n') {
        return Cow::Borrowed(record);
    }
    let mut line = Vec::with_capacity(body.len() + 1);
    line.extend(body.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
    line.push(b'\n');
    Cow::Owned(line)
}

/// Appends received records to a writer's log.
#[derive(Debug, Default)]
pub struct LogAppender;

impl LogAppender {
    /// An appender.
    pub fn new() -> Self {
        Self
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

    /// Appends `records` (received records, each made one line by [`log_line`]) to
    /// `log` with one write, makes them as durable as its `flush` says, and says
    /// which reply they get (see the [module](self) documentation).
    ///
    /// # Errors
    /// [`SinkError::DiskFull`] or [`SinkError::DiskError`]: nothing of `records` is
    /// in the log (unless the sync failed after the write).
    pub fn append<R: AsRef<[u8]>>(
        &mut self,
        log: &mut LogWriter,
        records: &[R],
    ) -> Result<Durability, SinkError> {
        let failed = |e: LogError| match e {
            LogError::DiskFull { .. } => SinkError::DiskFull(e.to_string()),
            other => SinkError::DiskError(other.to_string()),
        };
        let lines: Vec<Cow<'_, [u8]>> = records.iter().map(|r| log_line(r.as_ref())).collect();
        if log.write_lines(&lines).map_err(failed)? == 0 {
            // write_logs = no.
            return Ok(Durability::Written);
        }
        log.durable().map_err(failed)?;
        let (space_left, admin_space_left) = log.thresholds_mb();
        Ok(match log.free_mb() {
            Some(free) if free < admin_space_left => Durability::WrittenSpaceLow(format!(
                "{free} MB free, below admin_space_left {admin_space_left} MB"
            )),
            Some(free) if free < space_left => Durability::WrittenSpaceLow(format!(
                "{free} MB free, below space_left {space_left} MB"
            )),
            _ => Durability::Written,
        })
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
        log.write_record(
            audit_log::RecordType::CONFIG_CHANGE,
            b"audit(1.000:1): op=set",
        )
        .unwrap();
        let remote = b"node=web1 type=USER msg=audit(2.000:2): x=1\x1dUID=\"root\"\n";
        assert_eq!(
            appender.append(&mut log, &[remote]).unwrap(),
            Durability::Written
        );
        log.write_record(
            audit_log::RecordType::CONFIG_CHANGE,
            b"audit(3.000:3): op=set",
        )
        .unwrap();
        let text = std::fs::read(dir.path().join("audit.log")).unwrap();
        let expected = [
            &b"type=CONFIG_CHANGE msg=audit(1.000:1): op=set\n"[..],
            remote,
            b"type=CONFIG_CHANGE msg=audit(3.000:3): op=set\n",
        ]
        .concat();
        assert_eq!(text, expected);
        // Counted by the writer: its own size check and cut-back see them.
        assert_eq!(log.size(), expected.len() as u64);
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
    fn a_record_is_made_one_line_and_borrowed_when_it_is_one() {
        assert!(matches!(log_line(b"a b\n"), Cow::Borrowed(b"a b\n")));
        assert_eq!(&*log_line(b"a b"), b"a b\n");
        assert_eq!(&*log_line(b"a\nb\n"), b"a b\n");
        assert_eq!(&*log_line(b"a\n\n"), b"a \n");
        assert_eq!(&*log_line(b""), b"\n");
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
