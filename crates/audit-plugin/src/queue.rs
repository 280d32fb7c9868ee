//! The bounded queue between the reader thread and the worker.

use crate::journal::Journal;
use crate::{Metrics, Overflow};
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// A record in the queue.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) line: Vec<u8>,
    /// Last record of one read of the input: the worker feeds the parser up to here
    /// in one call, so events come out as they would from the same reads.
    pub(crate) end_of_read: bool,
    /// Its sequence number in the journal (0 without one).
    pub(crate) seq: u64,
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
    pub(crate) batch: Vec<Entry>,
    pub(crate) signals: Pending,
    /// The reader is done (end of input or an error) and the queue is empty.
    pub(crate) finished: bool,
}

#[derive(Debug)]
struct State {
    items: VecDeque<Entry>,
    /// Records taken by the worker and not yet finished.
    in_flight: usize,
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
    policy: Overflow,
}

impl Queue {
    pub(crate) fn new(capacity: usize, policy: Overflow, journal: Option<Journal>) -> Queue {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::new(),
                in_flight: 0,
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
            policy,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while locked leaves counters only; they stay usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Put back the records a journal replays, ahead of anything read.
    pub(crate) fn replay(&self, lines: Vec<Vec<u8>>) {
        let mut st = self.lock();
        let n = lines.len();
        st.metrics.replayed += n as u64;
        for (i, line) in lines.into_iter().enumerate() {
            st.items.push_back(Entry {
                line,
                end_of_read: i + 1 == n,
                seq: i as u64,
            });
        }
        let depth = st.items.len();
        st.metrics.depth = depth;
        st.metrics.max_depth = st.metrics.max_depth.max(depth);
    }

    /// Enqueue the records of one read, following the overflow policy.
    pub(crate) fn push(&self, mut lines: Vec<Vec<u8>>) -> Result<(), crate::Error> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut st = self.lock();
        let depth = |st: &State| st.items.len() + st.in_flight;
        let fits = |st: &State, lines: &[Vec<u8>]| {
            let count_ok = depth(st) + lines.len() <= self.capacity;
            let file_ok = st
                .journal
                .as_ref()
                .is_none_or(|j| j.fits(Journal::cost(lines)));
            count_ok && file_ok
        };
        if !fits(&st, &lines) {
            st.pressure = true;
            self.work.notify_all();
            match self.policy {
                Overflow::Block => {
                    // Whole reads wait for room; one larger than the queue waits
                    // for an empty queue.
                    while !fits(&st, &lines) && depth(&st) > 0 {
                        st = self.room.wait(st).unwrap_or_else(|p| p.into_inner());
                    }
                }
                Overflow::DropNewest => {
                    let mut keep = lines.len();
                    while keep > 0 && !fits(&st, &lines[..keep]) {
                        keep -= 1;
                    }
                    st.metrics.overflowed += (lines.len() - keep) as u64;
                    lines.truncate(keep);
                }
                Overflow::DropOldest => {
                    while !fits(&st, &lines) && !st.items.is_empty() {
                        st.items.pop_front();
                        st.metrics.overflowed += 1;
                    }
                    // Still too many (the worker holds the rest): the newest go.
                    let mut keep = lines.len();
                    while keep > 0 && !fits(&st, &lines[..keep]) {
                        keep -= 1;
                    }
                    st.metrics.overflowed += (lines.len() - keep) as u64;
                    lines.truncate(keep);
                }
            }
        }
        if lines.is_empty() {
            return Ok(());
        }
        let first = match st.journal.as_mut() {
            Some(j) => j.append(&lines).map_err(|source| crate::Error::QueueFile {
                path: j.path().to_path_buf(),
                source,
            })?,
            None => 0,
        };
        let n = lines.len();
        for (i, line) in lines.into_iter().enumerate() {
            st.items.push_back(Entry {
                line,
                end_of_read: i + 1 == n,
                seq: first + i as u64,
            });
        }
        let d = depth(&st);
        st.metrics.depth = d;
        st.metrics.max_depth = st.metrics.max_depth.max(d);
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
        while let Some(e) = st.items.pop_front() {
            let end = e.end_of_read;
            taken.batch.push(e);
            if end {
                break;
            }
        }
        st.in_flight += taken.batch.len();
        taken.finished = st.closed && st.items.is_empty() && st.in_flight == 0;
        taken
    }

    /// The worker is done with `n` records it took; those before journal sequence
    /// number `commit` (when given) need not be replayed.
    pub(crate) fn finish(&self, n: usize, commit: Option<u64>) -> Result<(), crate::Error> {
        let mut st = self.lock();
        st.in_flight -= n.min(st.in_flight);
        st.metrics.handled += n as u64;
        st.metrics.depth = st.items.len() + st.in_flight;
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
        st.items.is_empty() && st.in_flight == 0
    }

    pub(crate) fn metrics(&self) -> Metrics {
        self.lock().metrics.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn lines(r: std::ops::Range<u32>) -> Vec<Vec<u8>> {
        r.map(|i| i.to_string().into_bytes()).collect()
    }

    fn texts(batch: &[Entry]) -> Vec<String> {
        batch
            .iter()
            .map(|e| String::from_utf8_lossy(&e.line).into_owned())
            .collect()
    }

    fn drain(q: &Queue) -> Vec<String> {
        let mut out = Vec::new();
        loop {
            let t = q.take(Duration::ZERO);
            if t.batch.is_empty() {
                return out;
            }
            q.finish(t.batch.len(), None).unwrap();
            out.extend(texts(&t.batch));
        }
    }

    #[test]
    fn drop_newest_keeps_the_first_and_counts() {
        let q = Queue::new(5, Overflow::DropNewest, None);
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
        let q = Queue::new(5, Overflow::DropOldest, None);
        q.push(lines(0..2)).unwrap();
        let held = q.take(Duration::ZERO);
        assert_eq!(texts(&held.batch), ["0", "1"]);
        q.push(lines(2..5)).unwrap();
        q.push(lines(5..9)).unwrap();
        // 0 and 1 are being handled: 2, 3 and 4 go to make room for 5..9, then the
        // newest that still do not fit.
        assert_eq!(q.metrics().overflowed, 4);
        q.finish(2, None).unwrap();
        assert_eq!(drain(&q), ["5", "6", "7"]);
    }

    #[test]
    fn block_waits_for_the_worker() {
        let q = Arc::new(Queue::new(2, Overflow::Block, None));
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
        q.finish(t.batch.len(), None).unwrap();
        pusher.join().unwrap();
        assert_eq!(drain(&q), ["2", "3"]);
        assert_eq!(q.metrics().overflowed, 0);
    }

    #[test]
    fn take_stops_at_the_end_of_a_read() {
        let q = Queue::new(100, Overflow::Block, None);
        q.push(lines(0..3)).unwrap();
        q.push(lines(3..5)).unwrap();
        assert_eq!(texts(&q.take(Duration::ZERO).batch), ["0", "1", "2"]);
        assert_eq!(texts(&q.take(Duration::ZERO).batch), ["3", "4"]);
        let t = q.take(Duration::from_millis(10));
        assert!(t.batch.is_empty() && !t.finished);
        q.close(None);
        q.finish(5, None).unwrap();
        assert!(q.take(Duration::from_secs(10)).finished);
    }
}
