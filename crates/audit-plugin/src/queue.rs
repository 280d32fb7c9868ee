//! The bounded queue between the reader thread and the worker.

use crate::journal::Journal;
use crate::{Metrics, Overflow, SkippedLine};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// The records of one read of the input, in one buffer: the reader copies each line
/// once, and the worker feeds the parser the whole text in one call, without an
/// allocation or a copy per record.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    /// The lines, each followed by a newline (the parser's input).
    text: Vec<u8>,
    /// Where each line ends in `text`, just past its newline.
    ends: Vec<usize>,
    /// The lines skipped for being too long, by the index of the empty line that
    /// holds their place in `text` (in order).
    skipped: Vec<(usize, SkippedLine)>,
}

impl Chunk {
    /// An empty chunk with room for `bytes` of text and `records` records.
    pub(crate) fn with_capacity(bytes: usize, records: usize) -> Chunk {
        Chunk {
            text: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(records),
            skipped: Vec::new(),
        }
    }

    /// Give back the room a short read left unused: a quiet system's reads carry a
    /// record each, and a full queue holds many of them. The queue's byte budget
    /// counts the room kept, so little is kept; a full read keeps its few hundred
    /// bytes of slack (shrinking every read would cost a reallocation each).
    fn fit(&mut self) {
        let len = self.text.len();
        if self.text.capacity() > len + len / 8 + 256 {
            self.text.shrink_to_fit();
            self.ends.shrink_to_fit();
        }
    }

    /// Heap bytes the chunk holds once queued, with its slot in the queue: what the
    /// byte budget counts.
    fn held(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * size_of::<usize>()
            + self.skipped.capacity() * size_of::<(usize, SkippedLine)>()
            + self.skipped.len() * SkippedLine::START_LEN
            + size_of::<Batch>()
    }

    /// What [`Chunk::held`] becomes once cut to its first `n` records
    /// ([`Chunk::truncate`] gives back the rest).
    fn held_if_cut(&self, n: usize) -> usize {
        match n {
            0 => 0,
            n if n == self.len() => self.held(),
            n => self.start(n) + n * size_of::<usize>() + size_of::<Batch>(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1]
        }
    }

    /// Bytes of the first `n` lines, without their newlines.
    fn line_bytes(&self, n: usize) -> usize {
        self.start(n) - n
    }

    /// Keep the first `n` records, and only the room they take.
    fn truncate(&mut self, n: usize) {
        if n == self.len() {
            return;
        }
        self.text.truncate(self.start(n));
        self.ends.truncate(n);
        self.skipped.retain(|(i, _)| *i < n);
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    fn lines_from(&self, first: usize) -> impl Iterator<Item = &[u8]> + '_ {
        (first..self.len()).map(move |i| &self.text[self.start(i)..self.ends[i] - 1])
    }
}

impl crate::RecordSink for Chunk {
    fn push_record(&mut self, line: &[u8]) {
        self.text.extend_from_slice(line);
        self.text.push(b'\n');
        self.ends.push(self.text.len());
    }

    /// An empty line holds the skipped line's place (and is what a queue file keeps
    /// of it).
    fn skip_record(&mut self, skipped: SkippedLine) {
        self.skipped.push((self.len(), skipped));
        crate::RecordSink::push_record(self, b"");
    }
}

/// The records of one read still queued (or taken by the worker): those of `chunk`
/// from `first` on (the ones before were dropped by [`Overflow::DropOldest`]).
#[derive(Debug, Default)]
pub(crate) struct Batch {
    chunk: Chunk,
    first: usize,
    /// The journal sequence number of record `first` (0 without a journal).
    seq: u64,
    /// [`Chunk::held`] when queued: counted in the queue's bytes until the whole
    /// batch is dropped or the worker is done with it.
    held: usize,
}

impl Batch {
    pub(crate) fn len(&self) -> usize {
        self.chunk.len() - self.first
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records' lines, without their newlines.
    pub(crate) fn lines(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.chunk.lines_from(self.first)
    }

    /// The records as the parser is fed: each line followed by a newline.
    pub(crate) fn text(&self) -> &[u8] {
        &self.chunk.text[self.chunk.start(self.first)..]
    }

    /// The skipped lines among the records, in order: each with its index among
    /// [`Batch::lines`] and the offset in [`Batch::text`] of the empty line that holds
    /// its place.
    pub(crate) fn skipped(&self) -> impl Iterator<Item = (usize, usize, &SkippedLine)> + '_ {
        let base = self.chunk.start(self.first);
        self.chunk
            .skipped
            .iter()
            .filter(|(i, _)| *i >= self.first)
            .map(move |(i, s)| (i - self.first, self.chunk.start(*i) - base, s))
    }

    /// One past the journal sequence number of the last record.
    pub(crate) fn next_seq(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.seq + self.len() as u64)
    }

    /// The bytes the batch counts for in the queue's budget.
    pub(crate) fn held(&self) -> usize {
        self.held
    }
}

/// Signals noted by the signal thread, taken by the worker.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Pending {
    pub(crate) term: bool,
    pub(crate) hup: bool,
    pub(crate) usr1: bool,
}

/// What the worker gets from [`Queue::take`].
#[derive(Debug, Default)]
pub(crate) struct Taken {
    pub(crate) batch: Batch,
    pub(crate) signals: Pending,
    /// The reader is done (end of input or an error) and the queue is empty.
    pub(crate) finished: bool,
}

#[derive(Debug)]
struct State {
    items: VecDeque<Batch>,
    /// Records in `items`.
    queued: usize,
    /// Records taken by the worker and not yet finished.
    in_flight: usize,
    /// [`Batch::held`] of the batches queued or taken and not yet finished.
    bytes: usize,
    closed: bool,
    reader_error: Option<crate::Error>,
    signals: Pending,
    metrics: Metrics,
    journal: Option<Journal>,
    /// A push found the queue full: the worker should commit what it holds.
    pressure: bool,
}

#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<State>,
    /// Signalled on new records, signals and close.
    work: Condvar,
    /// Signalled when records are finished.
    room: Condvar,
    capacity: usize,
    /// Most bytes queued and in flight (see [`crate::Plugin::queue_bytes`]).
    budget: usize,
    policy: Overflow,
}

impl Queue {
    /// A queue of at most `capacity` records and `budget` bytes ([`Chunk::held`]).
    pub(crate) fn new(
        capacity: usize,
        budget: usize,
        policy: Overflow,
        journal: Option<Journal>,
    ) -> Queue {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                queued: 0,
                in_flight: 0,
                bytes: 0,
                closed: false,
                reader_error: None,
                signals: Pending::default(),
                metrics: Metrics::default(),
                journal,
                pressure: false,
            }),
            work: Condvar::new(),
            room: Condvar::new(),
            capacity: capacity.max(1),
            budget: budget.max(1),
            policy,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while locked leaves counters only; they stay usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Put back the records a journal replays, ahead of anything read. They are
    /// queued whatever the capacity and budget (the queue file bounds them), and what
    /// is read waits for them to go below both.
    pub(crate) fn replay(&self, lines: Vec<Vec<u8>>) {
        let mut st = self.lock();
        st.metrics.replayed += lines.len() as u64;
        let mut chunk = Chunk::default();
        for line in &lines {
            crate::RecordSink::push_record(&mut chunk, line);
        }
        if chunk.len() > 0 {
            chunk.fit();
            st.queued += chunk.len();
            let held = chunk.held();
            st.bytes += held;
            st.items.push_back(Batch {
                chunk,
                first: 0,
                seq: 0,
                held,
            });
        }
        Self::note_depth(&mut st);
    }

    fn note_depth(st: &mut State) {
        let depth = st.queued + st.in_flight;
        st.metrics.depth = depth;
        st.metrics.max_depth = st.metrics.max_depth.max(depth);
        st.metrics.bytes = st.bytes;
        st.metrics.max_bytes = st.metrics.max_bytes.max(st.bytes);
    }

    /// Enqueue the records of one read, following the overflow policy.
    pub(crate) fn push(&self, mut chunk: Chunk) -> Result<(), crate::Error> {
        if chunk.len() == 0 {
            return Ok(());
        }
        chunk.fit();
        let mut st = self.lock();
        let depth = |st: &State| st.queued + st.in_flight;
        // Whether the first `n` records of `chunk` fit.
        let fits = |st: &State, chunk: &Chunk, n: usize| {
            let count_ok = depth(st) + n <= self.capacity;
            let bytes_ok = st.bytes + chunk.held_if_cut(n) <= self.budget;
            let file_ok = st
                .journal
                .as_ref()
                .is_none_or(|j| j.fits(Journal::cost(n, chunk.line_bytes(n))));
            count_ok && bytes_ok && file_ok
        };
        let all = chunk.len();
        if !fits(&st, &chunk, all) {
            st.pressure = true;
            self.work.notify_all();
            match self.policy {
                Overflow::Block => {
                    // Whole reads wait for room; one larger than the queue waits
                    // for an empty queue.
                    while !fits(&st, &chunk, all) && depth(&st) > 0 {
                        st = self.room.wait(st).unwrap_or_else(|p| p.into_inner());
                    }
                }
                Overflow::DropNewest => {
                    let mut keep = all;
                    while keep > 0 && !fits(&st, &chunk, keep) {
                        keep -= 1;
                    }
                    st.metrics.overflowed += (all - keep) as u64;
                    chunk.truncate(keep);
                }
                Overflow::DropOldest => {
                    // A read's buffer is given back when its last record goes.
                    while !fits(&st, &chunk, all) && st.queued > 0 {
                        let Some(front) = st.items.front_mut() else {
                            break;
                        };
                        front.first += 1;
                        front.seq += 1;
                        if front.is_empty() {
                            let held = front.held;
                            st.items.pop_front();
                            st.bytes -= held;
                        }
                        st.queued -= 1;
                        st.metrics.overflowed += 1;
                    }
                    // Still too many (the worker holds the rest): the newest go.
                    let mut keep = all;
                    while keep > 0 && !fits(&st, &chunk, keep) {
                        keep -= 1;
                    }
                    st.metrics.overflowed += (all - keep) as u64;
                    chunk.truncate(keep);
                }
            }
        }
        if chunk.len() == 0 {
            return Ok(());
        }
        let seq = match st.journal.as_mut() {
            Some(j) => j
                .append(chunk.lines_from(0))
                .map_err(|source| crate::Error::QueueFile {
                    path: j.path().to_path_buf(),
                    source,
                })?,
            None => 0,
        };
        st.queued += chunk.len();
        let held = chunk.held();
        st.bytes += held;
        st.items.push_back(Batch {
            chunk,
            first: 0,
            seq,
            held,
        });
        Self::note_depth(&mut st);
        self.work.notify_all();
        Ok(())
    }

    /// The reader is done; `error` says why when it was not the end of input.
    pub(crate) fn close(&self, error: Option<crate::Error>) {
        let mut st = self.lock();
        st.closed = true;
        st.reader_error = error;
        self.work.notify_all();
    }

    pub(crate) fn take_reader_error(&self) -> Option<crate::Error> {
        self.lock().reader_error.take()
    }

    pub(crate) fn note_signal(&self, f: impl FnOnce(&mut Pending)) {
        let mut st = self.lock();
        f(&mut st.signals);
        self.work.notify_all();
    }

    pub(crate) fn note_too_long(&self, total: u64) {
        self.lock().metrics.too_long = total;
    }

    /// Wait up to `timeout` for records, a signal, the end of input or a full queue
    /// ([`Queue::take_pressure`]); take the records up to the end of the first read
    /// waiting.
    pub(crate) fn take(&self, timeout: Duration) -> Taken {
        let mut st = self.lock();
        let ready = |st: &State| {
            !st.items.is_empty()
                || st.closed
                || st.signals.term
                || st.signals.hup
                || st.signals.usr1
                || st.pressure
        };
        if !ready(&st) && !timeout.is_zero() {
            st = self
                .work
                .wait_timeout_while(st, timeout, |st| !ready(st))
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        let mut taken = Taken {
            signals: std::mem::take(&mut st.signals),
            ..Taken::default()
        };
        if let Some(batch) = st.items.pop_front() {
            st.queued -= batch.len();
            st.in_flight += batch.len();
            taken.batch = batch;
        }
        taken.finished = st.closed && st.items.is_empty() && st.in_flight == 0;
        taken
    }

    /// The worker is done with `n` records it took, and has let go of the batch that
    /// held them ([`Batch::held`] `bytes`); those before journal sequence number
    /// `commit` (when given) need not be replayed.
    pub(crate) fn finish(
        &self,
        n: usize,
        bytes: usize,
        commit: Option<u64>,
    ) -> Result<(), crate::Error> {
        let mut st = self.lock();
        st.in_flight -= n.min(st.in_flight);
        st.bytes -= bytes.min(st.bytes);
        st.metrics.handled += n as u64;
        st.metrics.depth = st.queued + st.in_flight;
        st.metrics.bytes = st.bytes;
        self.room.notify_all();
        if let (Some(seq), Some(j)) = (commit, st.journal.as_mut()) {
            j.commit(seq).map_err(|source| crate::Error::QueueFile {
                path: j.path().to_path_buf(),
                source,
            })?;
        }
        Ok(())
    }

    /// Whether a push found the queue full since the last call.
    pub(crate) fn take_pressure(&self) -> bool {
        std::mem::take(&mut self.lock().pressure)
    }

    pub(crate) fn is_empty(&self) -> bool {
        let st = self.lock();
        st.queued == 0 && st.in_flight == 0
    }

    pub(crate) fn metrics(&self) -> Metrics {
        self.lock().metrics.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn lines(r: std::ops::Range<u32>) -> Chunk {
        let mut chunk = Chunk::default();
        for i in r {
            crate::RecordSink::push_record(&mut chunk, i.to_string().as_bytes());
        }
        chunk
    }

    fn texts(batch: &Batch) -> Vec<String> {
        batch
            .lines()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    fn drain(q: &Queue) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            let t = q.take(Duration::ZERO);
            if t.batch.is_empty() {
                return out;
            }
            q.finish(t.batch.len(), t.batch.held(), None).unwrap();
            out.extend(texts(&t.batch));
        }
    }

    #[test]
    fn drop_newest_keeps_the_first_and_counts() {
        let q = Queue::new(5, usize::MAX, Overflow::DropNewest, None);
        q.push(lines(0..3)).unwrap();
        q.push(lines(3..7)).unwrap();
        q.push(lines(7..8)).unwrap();
        let m = q.metrics();
        assert_eq!((m.depth, m.max_depth, m.overflowed), (5, 5, 3));
        assert_eq!(drain(&q), ["0", "1", "2", "3", "4"]);
        assert_eq!(q.metrics().handled, 5);
        assert_eq!(q.metrics().depth, 0);
    }

    #[test]
    fn drop_oldest_keeps_the_last_but_not_what_the_worker_holds() {
        let q = Queue::new(5, usize::MAX, Overflow::DropOldest, None);
        q.push(lines(0..2)).unwrap();
        let held = q.take(Duration::ZERO);
        assert_eq!(texts(&held.batch), ["0", "1"]);
        q.push(lines(2..5)).unwrap();
        q.push(lines(5..9)).unwrap();
        // 0 and 1 are being handled: 2, 3 and 4 go to make room for 5..9, then the
        // newest that still do not fit.
        assert_eq!(q.metrics().overflowed, 4);
        q.finish(2, held.batch.held(), None).unwrap();
        assert_eq!(drain(&q), ["5", "6", "7"]);
    }

    #[test]
    fn block_waits_for_the_worker() {
        let q = Arc::new(Queue::new(2, usize::MAX, Overflow::Block, None));
        q.push(lines(0..2)).unwrap();
        let q2 = Arc::clone(&q);
        let pusher = std::thread::spawn(move || q2.push(lines(2..4)).unwrap());
        std::thread::sleep(Duration::from_millis(100));
        assert!(
            !pusher.is_finished(),
            "push must wait while the queue is full"
        );
        assert_eq!(q.metrics().depth, 2);
        let t = q.take(Duration::ZERO);
        q.finish(t.batch.len(), t.batch.held(), None).unwrap();
        pusher.join().unwrap();
        assert_eq!(drain(&q), ["2", "3"]);
        assert_eq!(q.metrics().overflowed, 0);
    }

    #[test]
    fn a_short_read_does_not_keep_a_full_read_of_room() {
        let q = Queue::new(100, usize::MAX, Overflow::Block, None);
        let mut chunk = Chunk::with_capacity(9000, 64);
        crate::RecordSink::push_record(&mut chunk, b"type=EOE msg=audit(1.000:1): ");
        q.push(chunk).unwrap();
        let room = q.lock().items[0].chunk.text.capacity();
        assert!(room < 1024, "{room} bytes kept for a 30-byte record");
    }

    /// A chunk of `n` records of `len` bytes each, numbered from `first`.
    fn big(first: usize, n: usize, len: usize) -> Chunk {
        let mut chunk = Chunk::default();
        for i in first..first + n {
            let mut line = format!("{i} ").into_bytes();
            line.resize(len, b'x');
            crate::RecordSink::push_record(&mut chunk, &line);
        }
        chunk
    }

    fn numbers(lines: &[String]) -> Vec<usize> {
        lines
            .iter()
            .map(|l| l.split(' ').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn the_byte_budget_fills_the_queue_for_each_policy() {
        const BUDGET: usize = 5000;
        // Each record holds more than its 1000 bytes: at most 4 fit.
        for policy in [Overflow::DropNewest, Overflow::DropOldest] {
            let q = Queue::new(1000, BUDGET, policy, None);
            for i in 0..20 {
                q.push(big(i, 1, 1000)).unwrap();
                assert!(q.metrics().bytes <= BUDGET, "{policy:?} {:?}", q.metrics());
            }
            let m = q.metrics();
            assert!(m.max_bytes <= BUDGET && m.depth >= 1, "{policy:?} {m:?}");
            assert_eq!(m.overflowed, 20 - m.depth as u64, "{policy:?} {m:?}");
            let kept = numbers(&drain(&q));
            let want: Vec<usize> = match policy {
                Overflow::DropNewest => (0..m.depth).collect(),
                _ => (20 - m.depth..20).collect(),
            };
            assert_eq!(kept, want, "{policy:?}");
            assert_eq!(q.metrics().bytes, 0);
        }
        // One read cut to what fits; the rest counted.
        let q = Queue::new(1000, BUDGET, Overflow::DropNewest, None);
        q.push(big(0, 10, 1000)).unwrap();
        let m = q.metrics();
        assert!(m.bytes <= BUDGET && (1..=4).contains(&m.depth), "{m:?}");
        assert_eq!(m.overflowed, 10 - m.depth as u64);
        assert_eq!(numbers(&drain(&q)), (0..m.depth).collect::<Vec<_>>());
    }

    #[test]
    fn block_waits_for_bytes_as_for_records() {
        let q = Arc::new(Queue::new(1000, 5000, Overflow::Block, None));
        q.push(big(0, 3, 1000)).unwrap();
        let q2 = Arc::clone(&q);
        let pusher = std::thread::spawn(move || q2.push(big(3, 2, 1000)).unwrap());
        std::thread::sleep(Duration::from_millis(100));
        assert!(!pusher.is_finished(), "push must wait for bytes");
        let t = q.take(Duration::ZERO);
        q.finish(t.batch.len(), t.batch.held(), None).unwrap();
        pusher.join().unwrap();
        assert_eq!(numbers(&drain(&q)), [3, 4]);
        let m = q.metrics();
        assert!(m.max_bytes <= 5000 && m.overflowed == 0, "{m:?}");
    }

    #[test]
    fn take_stops_at_the_end_of_a_read() {
        let q = Queue::new(100, usize::MAX, Overflow::Block, None);
        q.push(lines(0..3)).unwrap();
        q.push(lines(3..5)).unwrap();
        let (a, b) = (q.take(Duration::ZERO), q.take(Duration::ZERO));
        assert_eq!(texts(&a.batch), ["0", "1", "2"]);
        assert_eq!(texts(&b.batch), ["3", "4"]);
        let t = q.take(Duration::from_millis(10));
        assert!(t.batch.is_empty() && !t.finished);
        q.close(None);
        q.finish(5, a.batch.held() + b.batch.held(), None).unwrap();
        assert_eq!(q.metrics().bytes, 0);
        assert!(q.take(Duration::from_secs(10)).finished);
    }
}
