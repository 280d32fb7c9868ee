//! A bounded queue of encoded records and the non-blocking writes that empty it.

use std::collections::VecDeque;
use std::io;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};
use rustix::net::{sendmsg, SendAncillaryBuffer, SendFlags};

use crate::config::OverflowAction;

/// How often a waiting writer looks at its child and its orders.
pub(crate) const TICK: Duration = Duration::from_millis(100);

/// What the owner wants of a queue's writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Control {
    /// Deliver.
    Run,
    /// Deliver what is queued until the deadline, then stop.
    Drain(Instant),
    /// Stop now; what is queued is not delivered.
    Terminate,
}

/// A queue's state, under its lock.
#[derive(Debug)]
pub(crate) struct QueueState {
    pub items: VecDeque<Arc<[u8]>>,
    pub capacity: usize,
    pub action: OverflowAction,
    /// Records dropped since the plugin started dropping (0 when it is not).
    pub dropping_run: u64,
    pub dropping: bool,
    pub dropped: u64,
    /// Of `dropped`, those a notice has told (when a run of drops ended).
    pub dropped_told: u64,
    pub sent: u64,
    /// `overflow_action = suspend` fired: nothing is queued until a reload.
    pub suspended: bool,
    pub control: Control,
    /// The writer is waiting on the condition variable and not yet woken: a
    /// push wakes it only then (one wake for a burst of records).
    pub waiting: bool,
}

impl QueueState {
    fn push(&mut self, item: Arc<[u8]>) -> Pushed {
        if self.suspended || self.control != Control::Run {
            self.dropped += 1;
            return Pushed::Dropped;
        }
        if self.items.len() >= self.capacity {
            self.dropped += 1;
            self.dropping_run += 1;
            if self.action == OverflowAction::Suspend {
                self.suspended = true;
            }
            if self.dropping {
                return Pushed::Dropped;
            }
            self.dropping = true;
            return Pushed::DropStarted;
        }
        self.items.push_back(item);
        if self.dropping {
            self.dropping = false;
            let run = std::mem::take(&mut self.dropping_run);
            self.dropped_told += run;
            Pushed::QueuedAfterDrops(run)
        } else {
            Pushed::Queued
        }
    }

    /// Records dropped that no notice has told yet (a run of drops that
    /// never ended, drops while suspended or down), counted as told now.
    pub fn take_untold_drops(&mut self) -> u64 {
        let untold = self.dropped - self.dropped_told;
        self.dropped_told = self.dropped;
        self.dropping_run = 0;
        untold
    }
}

/// What a push did, for the notices.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    Queued,
    /// Queued after a run of drops of this many records ended.
    QueuedAfterDrops(u64),
    /// Dropped, the first of a run.
    DropStarted,
    /// Dropped within a run (or while suspended or stopping).
    Dropped,
}

/// A bounded queue with a condition variable its writer waits on.
#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<QueueState>,
    cond: Condvar,
}

impl Queue {
    pub fn new(capacity: usize, action: OverflowAction) -> Queue {
        Queue {
            state: Mutex::new(QueueState {
                items: VecDeque::new(),
                capacity: capacity.max(1),
                action,
                dropping_run: 0,
                dropping: false,
                dropped: 0,
                dropped_told: 0,
                sent: 0,
                suspended: false,
                control: Control::Run,
                waiting: false,
            }),
            cond: Condvar::new(),
        }
    }

    /// The state; a writer that panicked leaves it usable (it holds plain data).
    pub fn lock(&self) -> MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wakes the writer.
    pub fn wake(&self) {
        self.cond.notify_all();
    }

    /// Waits at most `timeout` for a change.
    pub fn wait<'a>(
        &self,
        guard: MutexGuard<'a, QueueState>,
        timeout: Duration,
    ) -> MutexGuard<'a, QueueState> {
        let mut guard = guard;
        guard.waiting = true;
        let mut guard = match self.cond.wait_timeout(guard, timeout) {
            Ok((g, _)) => g,
            Err(p) => p.into_inner().0,
        };
        guard.waiting = false;
        guard
    }

    /// Queues `item` unless full (then the overflow action applies); never blocks
    /// longer than the lock is held. The writer is not woken: the caller calls
    /// [`Queue::wake_waiting`] after its last push (one wake for a burst).
    pub fn push(&self, item: Arc<[u8]>) -> Pushed {
        self.lock().push(item)
    }

    /// Queues each of `items` as [`Queue::push`] does, under one lock;
    /// `pushed` is told what became of each.
    pub fn push_all<'i>(
        &self,
        items: impl IntoIterator<Item = &'i Arc<[u8]>>,
        mut pushed: impl FnMut(Pushed),
    ) {
        let mut s = self.lock();
        for item in items {
            pushed(s.push(Arc::clone(item)));
        }
    }

    /// Wakes the writer if it is waiting. One that is not takes everything
    /// queued when it next looks; one that is gets one wake for the records
    /// pushed until it runs.
    pub fn wake_waiting(&self) {
        let wake = std::mem::take(&mut self.lock().waiting);
        if wake {
            self.cond.notify_one();
        }
    }
}

/// Why a write stopped before the record was out.
#[derive(Debug)]
pub(crate) enum WriteStop {
    /// The peer is gone (EPIPE, ECONNRESET) or the socket failed.
    Broken(io::Error),
    /// `abort` said so.
    Aborted,
}

/// Records a batch write hands to one `sendmsg` at most.
pub(crate) const MAX_BATCH: usize = 64;

/// What a batch write did: how many of its records are wholly out, and why it
/// stopped before the last one (the record being written then is not out, even
/// if a part of it is).
#[derive(Debug)]
pub(crate) struct BatchWritten {
    pub sent: usize,
    pub stop: Option<WriteStop>,
}

/// Writes `items` in order to `sock`, as many as the socket takes with each
/// `sendmsg` (one call for a whole batch when the reader keeps up), never
/// blocking longer than [`TICK`] between calls of `abort`.
/// `MSG_NOSIGNAL`: a dead reader is an error here, not a SIGPIPE for the caller.
pub(crate) fn write_records(
    sock: &UnixStream,
    items: &[Arc<[u8]>],
    mut abort: impl FnMut() -> bool,
) -> BatchWritten {
    // Whole records out, and the bytes of the next one out.
    let (mut sent, mut partial) = (0, 0);
    let mut iov: Vec<io::IoSlice<'_>> = Vec::with_capacity(items.len().min(MAX_BATCH));
    while sent < items.len() {
        iov.clear();
        iov.push(io::IoSlice::new(&items[sent][partial..]));
        iov.extend(
            items[sent + 1..]
                .iter()
                .take(MAX_BATCH - 1)
                .map(|i| io::IoSlice::new(i)),
        );
        let flags = SendFlags::NOSIGNAL | SendFlags::DONTWAIT;
        match sendmsg(sock, &iov, &mut SendAncillaryBuffer::default(), flags) {
            Ok(mut n) => {
                while n > 0 && sent < items.len() {
                    let left = items[sent].len() - partial;
                    if n >= left {
                        n -= left;
                        sent += 1;
                        partial = 0;
                    } else {
                        partial += n;
                        n = 0;
                    }
                }
                // Empty records (none are) would otherwise never count as sent.
                while sent < items.len() && items[sent].len() == partial {
                    sent += 1;
                    partial = 0;
                }
            }
            Err(rustix::io::Errno::AGAIN) => {
                if abort() {
                    return BatchWritten {
                        sent,
                        stop: Some(WriteStop::Aborted),
                    };
                }
                if let Err(e) = wait_writable(sock) {
                    return BatchWritten {
                        sent,
                        stop: Some(WriteStop::Broken(e)),
                    };
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                return BatchWritten {
                    sent,
                    stop: Some(WriteStop::Broken(e.into())),
                }
            }
        }
    }
    BatchWritten { sent, stop: None }
}

/// Waits at most [`TICK`] for `sock` to take more.
fn wait_writable(sock: &UnixStream) -> io::Result<()> {
    let mut fds = [PollFd::new(sock, PollFlags::OUT)];
    let tick = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: TICK.as_nanos() as _,
    };
    match poll(&mut fds, Some(&tick)) {
        Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Records of different sizes and contents, together larger than the
    /// socket's buffer: sends end inside records.
    fn records() -> Vec<Arc<[u8]>> {
        (0..300u32)
            .map(|i| {
                let len = 1 + (i as usize * 37) % 3000;
                (0..len)
                    .map(|j| (i as usize + j) as u8)
                    .collect::<Vec<u8>>()
                    .into()
            })
            .collect()
    }

    fn small_pair() -> (UnixStream, UnixStream) {
        let (a, b) = UnixStream::pair().unwrap();
        rustix::net::sockopt::set_socket_send_buffer_size(&a, 4096).unwrap();
        (a, b)
    }

    /// A writer waiting on an empty queue is woken by the wake after a burst
    /// of pushes (not left to its timeout), and finds the whole burst.
    #[test]
    fn a_waiting_writer_is_woken_once_for_a_burst_and_takes_it_all() {
        let queue = Arc::new(Queue::new(16, OverflowAction::Syslog));
        let theirs = Arc::clone(&queue);
        let writer = std::thread::spawn(move || {
            let q = theirs.lock();
            let t = Instant::now();
            let q = theirs.wait(q, Duration::from_secs(20));
            (t.elapsed(), q.items.len(), q.waiting)
        });
        while !queue.lock().waiting {
            std::thread::sleep(Duration::from_millis(1));
        }
        for i in 0..3u8 {
            assert_eq!(queue.push(Arc::from([i])), Pushed::Queued);
        }
        queue.wake_waiting();
        let (waited, found, still_waiting) = writer.join().unwrap();
        assert!(waited < Duration::from_secs(10), "woken after {waited:?}");
        assert_eq!(found, 3);
        assert!(!still_waiting);
    }

    /// Drops that no "room again" notice told (the queue never had room
    /// again) are counted once, when the plugin stops.
    #[test]
    fn drops_not_told_are_counted_once_at_the_end() {
        let queue = Queue::new(1, OverflowAction::Syslog);
        let item = || Arc::<[u8]>::from(&b"x"[..]);
        assert_eq!(queue.push(item()), Pushed::Queued);
        assert_eq!(queue.push(item()), Pushed::DropStarted);
        assert_eq!(queue.push(item()), Pushed::Dropped);
        queue.lock().items.clear();
        // A run that ended is told by its notice, not again.
        assert_eq!(queue.push(item()), Pushed::QueuedAfterDrops(2));
        assert_eq!(queue.lock().take_untold_drops(), 0);
        let mut seen = Vec::new();
        queue.push_all(&[item(), item(), item()], |p| seen.push(p));
        assert_eq!(
            seen,
            [Pushed::DropStarted, Pushed::Dropped, Pushed::Dropped]
        );
        assert_eq!(queue.lock().take_untold_drops(), 3);
        assert_eq!(queue.lock().take_untold_drops(), 0);
        assert_eq!(queue.lock().dropped, 5);
    }

    #[test]
    fn a_batch_arrives_whole_and_in_order_across_partial_sends() {
        let items = records();
        let (ours, mut theirs) = small_pair();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            theirs.read_to_end(&mut got).unwrap();
            got
        });
        let written = write_records(&ours, &items, || false);
        drop(ours);
        assert_eq!(written.sent, items.len());
        assert!(written.stop.is_none());
        assert_eq!(reader.join().unwrap(), items.concat());
    }

    #[test]
    fn an_aborted_batch_counts_only_the_records_wholly_out() {
        let items = records();
        let (ours, mut theirs) = small_pair();
        let written = write_records(&ours, &items, || true);
        assert!(matches!(written.stop, Some(WriteStop::Aborted)));
        assert!(written.sent < items.len());
        drop(ours);
        let mut got = Vec::new();
        theirs.read_to_end(&mut got).unwrap();
        let whole = items[..written.sent].concat();
        // Out: the records counted, then a part of the next one (not all of it).
        assert!(got.starts_with(&whole), "the records counted are out");
        let rest = &got[whole.len()..];
        let next = &items[written.sent];
        assert!(rest.len() < next.len() && next.starts_with(rest));
    }
}
