//! The file behind a file-backed queue: a write-ahead log of the records queued.
//!
//! Layout: a 16-byte header (`b"APQ1"`, 4 zero bytes, the first sequence number not yet
//! done as a little-endian u64), then records: sequence number (u64 LE), length (u32
//! LE), a check (u32 LE, FNV-1a of the sequence number and the bytes), the bytes. A
//! record is appended before it enters the queue; the header's number moves past it
//! once it was handled. A record whose check fails (a write cut short by the crash)
//! ends the replay.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"APQ1";
const HEADER: u64 = 16;
const RECORD_HEADER: usize = 16;

#[derive(Debug)]
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    len: u64,
    next_seq: u64,
    done_seq: u64,
    /// (sequence number, bytes in the file) of the records not yet done.
    live: VecDeque<(u64, u64)>,
    live_bytes: u64,
    max_bytes: u64,
}

fn check(seq: u64, bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in seq.to_le_bytes().iter().chain(bytes) {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn encode(out: &mut Vec<u8>, seq: u64, line: &[u8]) {
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(line.len() as u32).to_le_bytes());
    out.extend_from_slice(&check(seq, line).to_le_bytes());
    out.extend_from_slice(line);
}

/// The records of `data` (a whole journal) with a sequence number at or past the
/// header's, up to the first damaged one.
fn undone(data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if data.len() < HEADER as usize || &data[..4] != MAGIC {
        return out;
    }
    let done = u64::from_le_bytes(data[8..16].try_into().unwrap_or([0; 8]));
    let mut rest = &data[HEADER as usize..];
    while rest.len() >= RECORD_HEADER {
        let seq = u64::from_le_bytes(rest[..8].try_into().unwrap_or([0; 8]));
        let len = u32::from_le_bytes(rest[8..12].try_into().unwrap_or([0; 4])) as usize;
        let sum = u32::from_le_bytes(rest[12..16].try_into().unwrap_or([0; 4]));
        let Some(line) = rest.get(RECORD_HEADER..RECORD_HEADER + len) else {
            break;
        };
        if check(seq, line) != sum {
            break;
        }
        if seq >= done {
            out.push(line.to_vec());
        }
        rest = &rest[RECORD_HEADER + len..];
    }
    out
}

impl Journal {
    /// Open (or create) the journal at `path`: returns it with the records left
    /// undone by the last run, which it holds again as its first records.
    pub(crate) fn open(path: &Path, max_bytes: u64) -> io::Result<(Journal, Vec<Vec<u8>>)> {
        let mut old = Vec::new();
        match File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut old)?;
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let replay = undone(&old);
        // Rewrite the survivors into a fresh file that replaces the old one in one
        // rename, so a crash now loses nothing either.
        let mut data = Vec::with_capacity(HEADER as usize);
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&[0; 12]);
        let mut live = VecDeque::new();
        for (seq, line) in replay.iter().enumerate() {
            let before = data.len();
            encode(&mut data, seq as u64, line);
            live.push_back((seq as u64, (data.len() - before) as u64));
        }
        let tmp = path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&data)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        let mut file = OpenOptions::new().read(true).write(true).open(path)?;
        file.seek(SeekFrom::End(0))?;
        let live_bytes = data.len() as u64 - HEADER;
        let journal = Journal {
            path: path.to_path_buf(),
            file,
            len: data.len() as u64,
            next_seq: replay.len() as u64,
            done_seq: 0,
            live,
            live_bytes,
            max_bytes,
        };
        Ok((journal, replay))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes `records` records of `line_bytes` bytes in all take in the file.
    pub(crate) fn cost(records: usize, line_bytes: usize) -> u64 {
        (records * RECORD_HEADER + line_bytes) as u64
    }

    /// Whether records taking `cost` bytes fit beside the live ones: live records may
    /// take half the bound, so that a compaction always makes room.
    pub(crate) fn fits(&self, cost: u64) -> bool {
        HEADER + self.live_bytes + cost <= self.max_bytes / 2
    }

    /// Append `lines`; returns the sequence number of the first.
    pub(crate) fn append<'l>(
        &mut self,
        lines: impl IntoIterator<Item = &'l [u8]>,
    ) -> io::Result<u64> {
        let first = self.next_seq;
        let mut data = Vec::new();
        for line in lines {
            let before = data.len();
            encode(&mut data, self.next_seq, line);
            self.live
                .push_back((self.next_seq, (data.len() - before) as u64));
            self.next_seq += 1;
        }
        let cost = data.len() as u64;
        // Compaction rewrites what the file holds; `live` is not read by it.
        if self.len + cost > self.max_bytes {
            self.compact()?;
        }
        self.file.write_all(&data)?;
        self.len += cost;
        self.live_bytes += cost;
        Ok(first)
    }

    /// Every record before `seq` is done.
    pub(crate) fn commit(&mut self, seq: u64) -> io::Result<()> {
        if seq <= self.done_seq {
            return Ok(());
        }
        self.done_seq = seq;
        while let Some(&(s, n)) = self.live.front() {
            if s >= seq {
                break;
            }
            self.live.pop_front();
            self.live_bytes -= n;
        }
        if self.live.is_empty() {
            // Nothing left to replay: start the file over.
            self.file.set_len(HEADER)?;
            self.file.seek(SeekFrom::End(0))?;
            self.len = HEADER;
        }
        self.file.write_all_at(&seq.to_le_bytes(), 8)
    }

    /// Keep only the live records: copy them to a new file that replaces this one.
    fn compact(&mut self) -> io::Result<()> {
        let mut old = Vec::new();
        self.file.seek(SeekFrom::Start(0))?;
        self.file.read_to_end(&mut old)?;
        let mut data = Vec::with_capacity((HEADER + self.live_bytes) as usize);
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&[0; 4]);
        data.extend_from_slice(&self.done_seq.to_le_bytes());
        let mut at = HEADER as usize;
        while at + RECORD_HEADER <= old.len() {
            let seq = u64::from_le_bytes(old[at..at + 8].try_into().unwrap_or([0; 8]));
            let len = u32::from_le_bytes(old[at + 8..at + 12].try_into().unwrap_or([0; 4]));
            let end = (at + RECORD_HEADER + len as usize).min(old.len());
            if seq >= self.done_seq {
                data.extend_from_slice(&old[at..end]);
            }
            at = end;
        }
        let tmp = self.path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&data)?;
        }
        std::fs::rename(&tmp, &self.path)?;
        self.file = OpenOptions::new().read(true).write(true).open(&self.path)?;
        self.file.seek(SeekFrom::End(0))?;
        self.len = data.len() as u64;
        Ok(())
    }

    /// Current size of the file.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(range: std::ops::Range<u32>) -> Vec<Vec<u8>> {
        range.map(|i| format!("record {i}").into_bytes()).collect()
    }

    #[test]
    fn replays_what_was_not_committed_and_stays_bounded() {
        let dir = std::env::temp_dir().join(format!("audit-plugin-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("q");
        let _ = std::fs::remove_file(&path);
        let (mut j, replay) = Journal::open(&path, 4096).unwrap();
        assert!(replay.is_empty());
        let mut seq = 0;
        for round in 0..100u32 {
            let batch = lines(round * 10..round * 10 + 10);
            let bytes = batch.iter().map(Vec::len).sum();
            assert!(j.fits(Journal::cost(batch.len(), bytes)));
            seq = j.append(batch.iter().map(Vec::as_slice)).unwrap() + 10;
            // Leave the last 3 records of each batch undone until the next one.
            j.commit(seq - 3).unwrap();
            assert!(j.len() <= 4096, "round {round}: {} bytes", j.len());
        }
        drop(j);
        let (j, replay) = Journal::open(&path, 4096).unwrap();
        assert_eq!(replay, lines(997..1000));
        assert_eq!(j.next_seq, 3);
        drop(j);
        // A torn last record ends the replay; the ones before it survive.
        let mut data = std::fs::read(&path).unwrap();
        data.truncate(data.len() - 2);
        std::fs::write(&path, &data).unwrap();
        let (_, replay) = Journal::open(&path, 4096).unwrap();
        assert_eq!(replay, lines(997..999));
        let _ = seq;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
