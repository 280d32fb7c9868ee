//! The sender's durable queue: a file of records waiting for their ACK.
//!
//! A record is appended and synced before it is first sent, and leaves only once it
//! is acknowledged, so a sender that crashes, or a receiver that goes away, loses
//! nothing: the records still in the file are sent again, with the sequence numbers
//! they were given, which lets the receiver recognise the ones it already wrote.
//!
//! Layout (all integers little-endian): a 24-byte header, `ARSQ`, format version 1
//! (u32), the next sequence number (u32), 4 reserved bytes, and the offset of the
//! first unacknowledged entry (u64); then entries of a 12-byte head, payload length
//! (u32), sequence (u32), FNV-1a checksum of the payload (u32), and the payload. An
//! entry cut short or damaged by a crash during its append ends the queue there: it
//! was never sent, since a record is sent only after its append is synced.
//!
//! The acknowledged entries at the front are given back when the queue runs empty,
//! or, while records are always in flight, once they pass 64 KiB and outweigh the
//! waiting ones: those are then copied to the front, followed by an all-zero entry
//! head (its checksum never matches, so it ends a reading of the queue), synced, and
//! only then does the header point at them and the file get cut. A crash at any step
//! leaves either the old entries or the copies for the header to point at.

use std::collections::VecDeque;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const SPOOL_MAGIC: &[u8; 4] = b"ARSQ";
const SPOOL_VERSION: u32 = 1;
const SPOOL_HEADER: u64 = 24;
const ENTRY_HEAD: u64 = 12;
/// Acknowledged bytes at the front of the file past which the waiting records are
/// moved to the front (see [`Spool::pop`]).
const COMPACT_AT: u64 = 64 * 1024;

/// The first sequence a sender uses, as audisp-remote does (0 is ENDING's).
pub const FIRST_SEQUENCE: u32 = 2;

/// Why the spool cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The file could not be read or written.
    #[error("queue file {path}: {source}")]
    Io {
        /// The queue file.
        path: PathBuf,
        /// The failure.
        source: io::Error,
    },
    /// The file is not a queue file of this format.
    #[error("queue file {path}: not a queue file (bad header at byte {offset})")]
    NotASpool {
        /// The queue file.
        path: PathBuf,
        /// Offset of the bad header field.
        offset: u64,
    },
    /// The queue holds `depth` records already (`queue_depth`).
    #[error("queue file {path} is full ({depth} records)")]
    Full {
        /// The queue file.
        path: PathBuf,
        /// Its configured depth.
        depth: usize,
    },
    /// Another sender holds the queue file (its lock is taken): two senders on one
    /// file would overwrite each other's records.
    #[error("queue file {path} is in use by another sender")]
    Busy {
        /// The queue file.
        path: PathBuf,
    },
    /// The queue file's path names a symbolic link, which is not followed: a link
    /// planted there would have the sender write where it points.
    #[error("queue file {path} is a symbolic link: refused")]
    Symlink {
        /// The queue file.
        path: PathBuf,
    },
    /// The record is longer than a frame can carry.
    #[error("record of {len} bytes exceeds the largest of {max}")]
    TooLong {
        /// The record's length.
        len: usize,
        /// The largest record accepted.
        max: usize,
    },
}

/// One queued record: where it is and its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    offset: u64,
    pub(crate) sequence: u32,
    len: u32,
}

/// The durable queue of unacknowledged records.
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    file: File,
    entries: VecDeque<Entry>,
    end: u64,
    next_sequence: u32,
    depth: usize,
}

fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn after(sequence: u32) -> u32 {
    // Wraps past 0 and 1, which are never a record's.
    match sequence.wrapping_add(1) {
        0 | 1 => FIRST_SEQUENCE,
        s => s,
    }
}

impl Spool {
    /// Opens the queue file at `path`, creating it (mode 0600) when missing, takes
    /// its lock (held until the spool is dropped), and finds the records it still
    /// holds. `depth` bounds how many it may hold.
    ///
    /// # Errors
    /// [`SpoolError::Busy`] when another sender holds it, [`SpoolError::Symlink`]
    /// when `path` is a symbolic link, [`SpoolError::Io`] or
    /// [`SpoolError::NotASpool`].
    pub fn open(path: &Path, depth: usize) -> Result<Self, SpoolError> {
        use rustix::fs::{FlockOperation, Mode, OFlags};
        use rustix::io::Errno;
        let io_err = |source| SpoolError::Io {
            path: path.to_owned(),
            source,
        };
        let flags = OFlags::RDWR | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let file = match rustix::fs::open(path, flags, Mode::RUSR | Mode::WUSR) {
            Ok(fd) => File::from(fd),
            Err(Errno::LOOP) => {
                return Err(SpoolError::Symlink {
                    path: path.to_owned(),
                })
            }
            Err(e) => return Err(io_err(e.into())),
        };
        // As audisp-remote (lockf F_TLOCK): one sender per queue file, and fail
        // rather than wait for the other.
        match rustix::fs::flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(Errno::WOULDBLOCK) => {
                return Err(SpoolError::Busy {
                    path: path.to_owned(),
                })
            }
            Err(e) => return Err(io_err(e.into())),
        }
        let len = file.metadata().map_err(io_err)?.len();
        let mut spool = Self {
            path: path.to_owned(),
            file,
            entries: VecDeque::new(),
            end: SPOOL_HEADER,
            next_sequence: FIRST_SEQUENCE,
            depth,
        };
        if len < SPOOL_HEADER {
            // New, or its creation was cut short before the header was synced.
            spool.compact(true)?;
            return Ok(spool);
        }
        let mut header = [0u8; SPOOL_HEADER as usize];
        spool.file.read_exact_at(&mut header, 0).map_err(io_err)?;
        let bad = |offset| SpoolError::NotASpool {
            path: path.to_owned(),
            offset,
        };
        if &header[0..4] != SPOOL_MAGIC {
            return Err(bad(0));
        }
        if u32::from_le_bytes(header[4..8].try_into().unwrap_or_default()) != SPOOL_VERSION {
            return Err(bad(4));
        }
        spool.next_sequence =
            u32::from_le_bytes(header[8..12].try_into().unwrap_or_default()).max(FIRST_SEQUENCE);
        let acked = u64::from_le_bytes(header[16..24].try_into().unwrap_or_default());
        let mut offset = acked.max(SPOOL_HEADER);
        while offset + ENTRY_HEAD <= len {
            let mut head = [0u8; ENTRY_HEAD as usize];
            spool
                .file
                .read_exact_at(&mut head, offset)
                .map_err(io_err)?;
            let rlen = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
            let sequence = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
            let sum = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
            let payload_end = offset + ENTRY_HEAD + u64::from(rlen);
            if rlen as usize > crate::frame::MAX_PAYLOAD || payload_end > len {
                break;
            }
            let mut payload = vec![0u8; rlen as usize];
            spool
                .file
                .read_exact_at(&mut payload, offset + ENTRY_HEAD)
                .map_err(io_err)?;
            if fnv1a(&payload) != sum {
                break;
            }
            spool.entries.push_back(Entry {
                offset,
                sequence,
                len: rlen,
            });
            spool.next_sequence = after(sequence);
            offset = payload_end;
        }
        spool.end = offset;
        if spool.entries.is_empty() {
            spool.compact(true)?;
        } else if offset < len {
            // Drop the torn tail so that appends follow the last good entry.
            spool.file.set_len(offset).map_err(io_err)?;
            spool.file.sync_data().map_err(io_err)?;
        }
        Ok(spool)
    }

    fn io(&self, source: io::Error) -> SpoolError {
        SpoolError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Writes the header; `sync` also waits for it to reach the disk.
    fn write_header(&self, acked: u64, sync: bool) -> Result<(), SpoolError> {
        let mut header = [0u8; SPOOL_HEADER as usize];
        header[0..4].copy_from_slice(SPOOL_MAGIC);
        header[4..8].copy_from_slice(&SPOOL_VERSION.to_le_bytes());
        header[8..12].copy_from_slice(&self.next_sequence.to_le_bytes());
        header[16..24].copy_from_slice(&acked.to_le_bytes());
        self.file
            .write_all_at(&header, 0)
            .and_then(|()| if sync { self.file.sync_data() } else { Ok(()) })
            .map_err(|e| self.io(e))
    }

    /// Empties the file down to its header, keeping the sequence counter.
    fn compact(&mut self, sync: bool) -> Result<(), SpoolError> {
        // Truncate first: a crash before the header is rewritten leaves an acked offset
        // past the end, which reads as "nothing queued", never as old records.
        self.file.set_len(SPOOL_HEADER).map_err(|e| self.io(e))?;
        self.end = SPOOL_HEADER;
        self.write_header(SPOOL_HEADER, sync)
    }

    /// Appends a record, durably, and returns its sequence.
    ///
    /// # Errors
    /// [`SpoolError::Full`], [`SpoolError::TooLong`] or [`SpoolError::Io`].
    pub fn push(&mut self, record: &[u8]) -> Result<u32, SpoolError> {
        let sequence = self.next_sequence;
        self.push_all(&[record])?;
        Ok(sequence)
    }

    /// Appends records with one write and one sync; their sequences follow one another
    /// (skipping 0 and 1 at a wrap past `u32::MAX`). All or none are appended.
    ///
    /// # Errors
    /// [`SpoolError::Full`] when they do not all fit, [`SpoolError::TooLong`] for the
    /// first one too long, or [`SpoolError::Io`].
    pub fn push_all(&mut self, records: &[&[u8]]) -> Result<(), SpoolError> {
        let max = crate::frame::MAX_RECEIVABLE_PAYLOAD;
        if let Some(long) = records.iter().find(|r| r.len() > max) {
            return Err(SpoolError::TooLong {
                len: long.len(),
                max,
            });
        }
        if self.entries.len() + records.len() > self.depth {
            return Err(SpoolError::Full {
                path: self.path.clone(),
                depth: self.depth,
            });
        }
        let total: usize = records.iter().map(|r| ENTRY_HEAD as usize + r.len()).sum();
        let mut bytes = Vec::with_capacity(total);
        let mut new_entries = Vec::with_capacity(records.len());
        let mut sequence = self.next_sequence;
        for record in records {
            // Fits: record.len() <= MAX_RECEIVABLE_PAYLOAD.
            let len = record.len() as u32;
            new_entries.push(Entry {
                offset: self.end + bytes.len() as u64,
                sequence,
                len,
            });
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(&sequence.to_le_bytes());
            bytes.extend_from_slice(&fnv1a(record).to_le_bytes());
            bytes.extend_from_slice(record);
            sequence = after(sequence);
        }
        self.file
            .write_all_at(&bytes, self.end)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| self.io(e))?;
        self.entries.extend(new_entries);
        self.end += bytes.len() as u64;
        self.next_sequence = sequence;
        Ok(())
    }

    /// The sequence the next appended record gets.
    pub fn next_sequence(&self) -> u32 {
        self.next_sequence
    }

    /// How many records wait for their ACK.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no record waits.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The `index`th waiting record (0 is the oldest).
    pub(crate) fn get(&self, index: usize) -> Option<Entry> {
        self.entries.get(index).copied()
    }

    /// Reads a waiting record's bytes.
    pub(crate) fn read(&self, entry: Entry) -> Result<Vec<u8>, SpoolError> {
        let mut payload = vec![0u8; entry.len as usize];
        self.file
            .read_exact_at(&mut payload, entry.offset + ENTRY_HEAD)
            .map_err(|e| self.io(e))?;
        Ok(payload)
    }

    /// Forgets the oldest record: it has been acknowledged.
    ///
    /// The new header is written but not synced: it survives the sender being killed
    /// (the page cache keeps it), and only a crash of the machine can lose it, after
    /// which records already acknowledged are sent again, for the receiver to
    /// recognise as resends. Syncing here would halve the sender's rate.
    ///
    /// # Errors
    /// [`SpoolError::Io`].
    pub fn pop(&mut self) -> Result<(), SpoolError> {
        if self.entries.pop_front().is_none() {
            return Ok(());
        }
        let Some(next) = self.entries.front().copied() else {
            return self.compact(false);
        };
        let acknowledged = next.offset - SPOOL_HEADER;
        let waiting = self.end - next.offset;
        // The copies must not overwrite the entries they copy (nor their end mark).
        if acknowledged >= COMPACT_AT && acknowledged >= waiting + ENTRY_HEAD {
            return self.move_to_front(next.offset);
        }
        self.write_header(next.offset, false)
    }

    /// Moves the waiting entries, from `from` to the end, to just after the header,
    /// each step synced so that a crash leaves a readable queue (see the module
    /// documentation). Needs `from - SPOOL_HEADER >= end - from + ENTRY_HEAD`.
    fn move_to_front(&mut self, from: u64) -> Result<(), SpoolError> {
        const CHUNK: u64 = 64 * 1024;
        let waiting = self.end - from;
        // The header on disk may be older (pop does not sync it) and point into the
        // bytes about to be overwritten: make it point at the originals first.
        self.write_header(from, true)?;
        let mut buf = Vec::new();
        let mut done = 0;
        while done < waiting {
            let n = (waiting - done).min(CHUNK);
            // Fits: n <= CHUNK.
            buf.resize(n as usize, 0);
            self.file
                .read_exact_at(&mut buf, from + done)
                .and_then(|()| self.file.write_all_at(&buf, SPOOL_HEADER + done))
                .map_err(|e| self.io(e))?;
            done += n;
        }
        // An all-zero head ends a reading of the queue: what follows is stale.
        self.file
            .write_all_at(&[0u8; ENTRY_HEAD as usize], SPOOL_HEADER + waiting)
            .and_then(|()| self.file.sync_data())
            .map_err(|e| self.io(e))?;
        self.write_header(SPOOL_HEADER, true)?;
        let shift = from - SPOOL_HEADER;
        for entry in &mut self.entries {
            entry.offset -= shift;
        }
        self.end = SPOOL_HEADER + waiting;
        // Synced before the next push overwrites the zero head: a length lost in a
        // crash would otherwise leave old entries after the new ones, read again.
        self.file
            .set_len(self.end)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| self.io(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_a_reopen_until_popped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q");
        let mut spool = Spool::open(&path, 10).unwrap();
        assert_eq!(spool.push(b"one\n").unwrap(), 2);
        assert_eq!(spool.push(b"two\n").unwrap(), 3);
        assert_eq!(spool.push(b"three\n").unwrap(), 4);
        spool.pop().unwrap();
        drop(spool);
        let mut spool = Spool::open(&path, 10).unwrap();
        assert_eq!(spool.len(), 2);
        let first = spool.get(0).unwrap();
        assert_eq!(
            (first.sequence, spool.read(first).unwrap()),
            (3, b"two\n".to_vec())
        );
        spool.pop().unwrap();
        spool.pop().unwrap();
        assert!(spool.is_empty());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), SPOOL_HEADER);
        drop(spool);
        // The sequence goes on after an empty queue is reopened.
        let mut spool = Spool::open(&path, 10).unwrap();
        assert_eq!(spool.push(b"four\n").unwrap(), 5);
    }

    #[test]
    fn a_batch_is_appended_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q");
        let mut spool = Spool::open(&path, 3).unwrap();
        spool.push_all(&[b"a\n", b"b\n"]).unwrap();
        assert!(matches!(
            spool.push_all(&[b"c\n", b"d\n"]),
            Err(SpoolError::Full { depth: 3, .. })
        ));
        assert_eq!(spool.len(), 2);
        drop(spool);
        let spool = Spool::open(&path, 3).unwrap();
        let got: Vec<(u32, Vec<u8>)> = (0..spool.len())
            .map(|i| {
                let e = spool.get(i).unwrap();
                (e.sequence, spool.read(e).unwrap())
            })
            .collect();
        assert_eq!(got, vec![(2, b"a\n".to_vec()), (3, b"b\n".to_vec())]);
    }

    #[test]
    fn a_torn_append_is_cut_off_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q");
        let mut spool = Spool::open(&path, 10).unwrap();
        spool.push(b"kept\n").unwrap();
        spool.push(b"torn record\n").unwrap();
        drop(spool);
        let len = std::fs::metadata(&path).unwrap().len();
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.set_len(len - 3).unwrap();
        let mut spool = Spool::open(&path, 10).unwrap();
        assert_eq!(spool.len(), 1);
        assert_eq!(spool.read(spool.get(0).unwrap()).unwrap(), b"kept\n");
        // The next record takes the torn one's place and sequence.
        assert_eq!(spool.push(b"next\n").unwrap(), 3);
        drop(spool);
        let spool = Spool::open(&path, 10).unwrap();
        assert_eq!(spool.len(), 2);
        assert_eq!(spool.read(spool.get(1).unwrap()).unwrap(), b"next\n");
    }

    #[test]
    fn waiting_records_move_to_the_front_and_a_cut_short_move_reads_right() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q");
        let mut spool = Spool::open(&path, 10_000).unwrap();
        let record = |i: usize| format!("{i:0>100}\n").into_bytes();
        for i in 0..1000 {
            spool.push(&record(i)).unwrap();
        }
        let full = std::fs::metadata(&path).unwrap().len();
        let old_bytes = std::fs::read(&path).unwrap();
        let mut popped = 0;
        while std::fs::metadata(&path).unwrap().len() == full {
            spool.pop().unwrap();
            popped += 1;
            assert!(popped < 1000, "never moved");
        }
        let left = 1000 - popped;
        let len = std::fs::metadata(&path).unwrap().len();
        assert_eq!(len, SPOOL_HEADER + left as u64 * (ENTRY_HEAD + 101));
        // The sequences and bytes go on from where they were.
        let first = spool.get(0).unwrap();
        assert_eq!(first.sequence, FIRST_SEQUENCE + popped as u32);
        assert_eq!(spool.read(first).unwrap(), record(popped));
        drop(spool);
        // As a crash before the file was cut would leave it: the copies, the zero
        // head, then stale entries.
        let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.write_all_at(&[0u8; ENTRY_HEAD as usize], len).unwrap();
        file.write_all_at(&old_bytes[len as usize + 12..], len + 12)
            .unwrap();
        drop(file);
        let mut spool = Spool::open(&path, 10_000).unwrap();
        assert_eq!(spool.len(), left);
        let last = spool.get(left - 1).unwrap();
        assert_eq!(spool.read(last).unwrap(), record(999));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
        assert_eq!(spool.push(b"next\n").unwrap(), FIRST_SEQUENCE + 1000);
    }

    #[test]
    fn depth_and_length_are_bounded_and_foreign_files_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q");
        let mut spool = Spool::open(&path, 1).unwrap();
        spool.push(b"a\n").unwrap();
        assert!(matches!(
            spool.push(b"b\n"),
            Err(SpoolError::Full { depth: 1, .. })
        ));
        let long = vec![b'x'; crate::frame::MAX_RECEIVABLE_PAYLOAD + 1];
        assert!(matches!(spool.push(&long), Err(SpoolError::TooLong { .. })));
        let other = dir.path().join("other");
        std::fs::write(&other, b"type=SYSCALL msg=audit(1.2:3): not a queue\n").unwrap();
        assert!(matches!(
            Spool::open(&other, 1),
            Err(SpoolError::NotASpool { offset: 0, .. })
        ));
    }
}
