//! A bounded queue of encoded records and the non-blocking writes that empty it.

use std::collections::VecDeque;
use std::io;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};
use rustix::net::{sendmsg, SendAncillaryBuffer, SendFlags};

use crate::config::OverflowAction;
use crate::encode::Burst;
use crate::notice::{DROP_NOTICE_LIMIT, DROP_SUMMARY_EVERY};

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
    /// The running plugin's socket, for [`Queue::push_all`] to write to at
    /// once while nothing is queued; `None` while no plugin runs. Its writer
    /// clears it before closing the socket.
    pub direct: Option<Arc<UnixStream>>,
    /// Bytes of the first queued record already written (a write at once
    /// that the socket took only a part of): its writer goes on from there.
    pub front_sent: usize,
    /// Runs of drops told (a start notice) since the start or the last reload.
    pub drop_notices: u32,
    /// The current run of drops was told when it started: its end is told too.
    pub run_told: bool,
    /// Past [`DROP_NOTICE_LIMIT`]: when the next summary of drops is due.
    pub next_summary: Option<Instant>,
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
                return self.summary_if_due();
            }
            self.dropping = true;
            // single and halt are requests to the caller: never held back.
            let request = matches!(self.action, OverflowAction::Single | OverflowAction::Halt);
            if request || self.drop_notices < DROP_NOTICE_LIMIT {
                self.drop_notices = self.drop_notices.saturating_add(1);
                self.run_told = true;
                return Pushed::DropStarted;
            }
            self.run_told = false;
            if self.next_summary.is_none() {
                self.next_summary = Some(Instant::now() + DROP_SUMMARY_EVERY);
                return Pushed::DropLimitReached;
            }
            return self.summary_if_due();
        }
        self.items.push_back(item);
        if !self.dropping {
            return Pushed::Queued;
        }
        self.dropping = false;
        if std::mem::take(&mut self.run_told) {
            let run = std::mem::take(&mut self.dropping_run);
            self.dropped_told += run;
            return Pushed::QueuedAfterDrops(run);
        }
        self.dropping_run = 0;
        // A run not told that ends after the limit was lifted (a reload) is
        // told now; under the limit, when a summary is due.
        match self.next_summary {
            None => self.summary(),
            Some(due) if Instant::now() >= due => {
                self.next_summary = Some(Instant::now() + DROP_SUMMARY_EVERY);
                self.summary()
            }
            Some(_) => Pushed::Queued,
        }
    }

    /// The drops not told yet, if a summary is due (past the limit).
    fn summary_if_due(&mut self) -> Pushed {
        match self.next_summary {
            Some(due) if !self.run_told && Instant::now() >= due => {
                self.next_summary = Some(Instant::now() + DROP_SUMMARY_EVERY);
                self.summary()
            }
            _ => Pushed::Dropped,
        }
    }

    /// The drops not told yet, counted as told now.
    fn summary(&mut self) -> Pushed {
        match self.take_untold_drops() {
            0 => Pushed::Queued,
            n => Pushed::DropSummary {
                untold: n,
                total: self.dropped,
            },
        }
    }

    /// A reload: the notices of drops start afresh (as auditd's count does),
    /// after a summary of the drops held back, if any: (untold, total).
    pub fn restart_drop_notices(&mut self) -> Option<(u64, u64)> {
        let limited = self.next_summary.take().is_some();
        self.drop_notices = 0;
        if !limited || self.run_told {
            return None;
        }
        match self.take_untold_drops() {
            0 => None,
            n => Some((n, self.dropped)),
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
    /// Dropped, the first of a run (told).
    DropStarted,
    /// Dropped, the first of a run past [`DROP_NOTICE_LIMIT`]: runs are not
    /// told from now on, their drops are summed up.
    DropLimitReached,
    /// A summary is due: drops not told before, and all drops so far. The
    /// record was dropped or queued (it is not told which).
    DropSummary {
        /// Drops not told before.
        untold: u64,
        /// All drops of the queue.
        total: u64,
    },
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
                direct: None,
                front_sent: 0,
                drop_notices: 0,
                run_told: false,
                next_summary: None,
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
    /// `pushed` is told what became of each. While nothing is queued (so
    /// the writer is not writing) and a plugin runs, they are first written
    /// to its socket at once, as far as it takes them without waiting: a
    /// reader that keeps up gets a burst with one `sendmsg` and its writer
    /// is not woken. Returns whether records were queued (the writer is then
    /// to be woken with [`Queue::wake_waiting`]).
    pub fn push_all(&self, items: &[Arc<[u8]>], mut pushed: impl FnMut(Pushed)) -> bool {
        let mut s = self.lock();
        let mut rest = items;
        let idle = s.items.is_empty() && s.front_sent == 0 && !s.dropping && !s.suspended;
        if let (true, Control::Run, Some(sock)) = (idle, s.control, s.direct.clone()) {
            let (sent, partial) = send_now(&sock, items);
            s.sent += sent as u64;
            rest = &items[sent..];
            // The queue is empty: the rest's first record is queued first.
            s.front_sent = partial;
        }
        for item in rest {
            pushed(s.push(Arc::clone(item)));
        }
        !rest.is_empty()
    }

    /// Queues the records of `burst` as [`Queue::push_all`] does, writing
    /// them at once with one `send` while nothing is queued; only the
    /// records the socket did not take are copied into queue items.
    pub fn push_burst(&self, burst: &Burst, mut pushed: impl FnMut(Pushed)) -> bool {
        let mut s = self.lock();
        let mut taken = 0;
        let idle = s.items.is_empty() && s.front_sent == 0 && !s.dropping && !s.suspended;
        if let (true, Control::Run, Some(sock)) = (idle, s.control, s.direct.clone()) {
            let flags = SendFlags::NOSIGNAL | SendFlags::DONTWAIT;
            // Nothing out when the socket is full or failed: its writer
            // finds out why.
            let n = rustix::net::send(&*sock, &burst.bytes, flags).unwrap_or(0);
            taken = burst.ends.partition_point(|&end| end <= n);
            s.sent += taken as u64;
            let start = taken.checked_sub(1).map_or(0, |i| burst.ends[i]);
            // The queue is empty: the first record left is queued first.
            s.front_sent = n - start;
        }
        let mut queued = false;
        for record in burst.records().skip(taken) {
            queued = true;
            pushed(s.push(Arc::from(record)));
        }
        queued
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
    /// Bytes of `items[sent]` out (0 when none, or all were sent).
    pub partial: usize,
    pub stop: Option<WriteStop>,
}

/// Writes `items` in order to `sock` (the first from its byte `skip`: the
/// rest of a record written in part before), as many as the socket takes
/// with each `sendmsg` (one call for a whole batch when the reader keeps
/// up), never blocking longer than [`TICK`] between calls of `abort`.
/// `MSG_NOSIGNAL`: a dead reader is an error here, not a SIGPIPE for the caller.
pub(crate) fn write_records(
    sock: &UnixStream,
    items: &[Arc<[u8]>],
    skip: usize,
    mut abort: impl FnMut() -> bool,
) -> BatchWritten {
    // Whole records out, and the bytes of the next one out.
    let (mut sent, mut partial) = (0, skip.min(items.first().map_or(0, |i| i.len())));
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
                        partial,
                        stop: Some(WriteStop::Aborted),
                    };
                }
                if let Err(e) = wait_writable(sock) {
                    return BatchWritten {
                        sent,
                        partial,
                        stop: Some(WriteStop::Broken(e)),
                    };
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                return BatchWritten {
                    sent,
                    partial,
                    stop: Some(WriteStop::Broken(e.into())),
                }
            }
        }
    }
    BatchWritten {
        sent,
        partial: 0,
        stop: None,
    }
}

/// One non-blocking `sendmsg` of as many of `items` as one takes (up to
/// [`MAX_BATCH`]), then more while each is taken whole: how many records
/// went out whole, and the bytes out of the next one. Nothing out when the
/// socket is full or failed (its writer finds out why).
fn send_now(sock: &UnixStream, items: &[Arc<[u8]>]) -> (usize, usize) {
    let mut sent = 0;
    while sent < items.len() {
        let chunk = &items[sent..items.len().min(sent + MAX_BATCH)];
        let iov: Vec<io::IoSlice<'_>> = chunk.iter().map(|i| io::IoSlice::new(i)).collect();
        let flags = SendFlags::NOSIGNAL | SendFlags::DONTWAIT;
        let Ok(mut n) = sendmsg(sock, &iov, &mut SendAncillaryBuffer::default(), flags) else {
            return (sent, 0);
        };
        for item in chunk {
            if n < item.len() {
                return (sent, n);
            }
            n -= item.len();
            sent += 1;
        }
    }
    (sent, 0)
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

    /// After `items` were pushed to `queue` over the socket `ours` (the
    /// queue holding the records it did not take, the first of them sent
    /// up to byte `skip`): the queued records are the last of `items`, and
    /// the writer sends them from that byte, so that `theirs` reads every
    /// byte of `items` once, in order.
    fn write_the_queued_rest(
        queue: &Queue,
        ours: Arc<UnixStream>,
        mut theirs: UnixStream,
        skip: usize,
        items: &[Arc<[u8]>],
    ) {
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            theirs.read_to_end(&mut got).unwrap();
            got
        });
        let rest: Vec<Arc<[u8]>> = queue.lock().items.iter().cloned().collect();
        assert_eq!(rest, items[items.len() - rest.len()..]);
        let written = write_records(&ours, &rest, skip, || false);
        assert_eq!(written.sent, rest.len());
        queue.lock().direct = None;
        drop(ours);
        assert_eq!(reader.join().unwrap(), items.concat());
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

    /// While nothing is queued, a burst goes to the plugin's socket at once
    /// (nothing queued, no wake); what the socket does not take is queued,
    /// the record cut short first, and its writer goes on from the byte
    /// where the socket stopped: every byte arrives once, in order.
    #[test]
    fn an_idle_queue_writes_at_once_and_queues_only_what_the_socket_refused() {
        let (ours, mut theirs) = small_pair();
        let ours = Arc::new(ours);
        let queue = Queue::new(1000, OverflowAction::Syslog);
        queue.lock().direct = Some(Arc::clone(&ours));
        let few: Vec<Arc<[u8]>> = (0..3u8).map(|i| Arc::from(&[i; 10][..])).collect();
        assert!(!queue.push_all(&few, |_| {}), "nothing queued");
        assert_eq!(queue.lock().sent, 3);
        let mut got = vec![0; 30];
        theirs.read_exact(&mut got).unwrap();
        assert_eq!(got, few.concat());

        let items = records();
        let mut told = Vec::new();
        assert!(
            queue.push_all(&items, |p| told.push(p)),
            "the socket is small"
        );
        let (sent, skip, queued) = {
            let q = queue.lock();
            (q.sent as usize - 3, q.front_sent, q.items.len())
        };
        assert!(sent < items.len());
        assert_eq!(sent + queued, items.len());
        assert!(told.iter().all(|p| *p == Pushed::Queued));
        write_the_queued_rest(&queue, ours, theirs, skip, &items);
    }

    /// A burst in one buffer: written at once while nothing is queued; the
    /// records the socket did not take are queued, the first from where the
    /// socket stopped.
    #[test]
    fn a_burst_is_sent_with_one_send_and_its_rest_queued() {
        let (ours, mut theirs) = small_pair();
        let ours = Arc::new(ours);
        let queue = Queue::new(1000, OverflowAction::Syslog);
        let burst = |items: &[Arc<[u8]>]| {
            let mut b = Burst::default();
            for i in items {
                b.bytes.extend_from_slice(i);
                b.ends.push(b.bytes.len());
            }
            b
        };
        let few: Vec<Arc<[u8]>> = (0..3u8).map(|i| Arc::from(&[i; 10][..])).collect();
        // No plugin runs: queued.
        assert!(queue.push_burst(&burst(&few), |_| {}));
        assert_eq!(queue.lock().items.len(), 3);
        queue.lock().items.clear();
        queue.lock().direct = Some(Arc::clone(&ours));
        assert!(!queue.push_burst(&burst(&few), |_| {}), "nothing queued");
        assert_eq!(queue.lock().sent, 3);
        let mut got = vec![0; 30];
        theirs.read_exact(&mut got).unwrap();
        assert_eq!(got, few.concat());

        let items = records();
        assert!(
            queue.push_burst(&burst(&items), |_| {}),
            "the socket is small"
        );
        let (sent, skip, queued) = {
            let q = queue.lock();
            (q.sent as usize - 3, q.front_sent, q.items.len())
        };
        assert_eq!(sent + queued, items.len());
        assert!(skip < items[sent].len());
        write_the_queued_rest(&queue, ours, theirs, skip, &items);
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
        let written = write_records(&ours, &items, 0, || false);
        drop(ours);
        assert_eq!(written.sent, items.len());
        assert!(written.stop.is_none());
        assert_eq!(reader.join().unwrap(), items.concat());
    }

    #[test]
    fn an_aborted_batch_counts_only_the_records_wholly_out() {
        let items = records();
        let (ours, mut theirs) = small_pair();
        let written = write_records(&ours, &items, 0, || true);
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

    /// A queue that fills and drains again and again tells its first runs
    /// of drops only; every drop is still counted, and told once.
    #[test]
    fn drop_notices_are_capped_and_every_drop_told_once() {
        let queue = Queue::new(1, OverflowAction::Syslog);
        let item = || Arc::<[u8]>::from(&b"x"[..]);
        let mut started = 0;
        let mut told = 0;
        for _ in 0..20 {
            assert_eq!(queue.push(item()), Pushed::Queued);
            for _ in 0..3 {
                if queue.push(item()) == Pushed::DropStarted {
                    started += 1;
                }
            }
            queue.lock().items.clear();
            if let Pushed::QueuedAfterDrops(n) = queue.push(item()) {
                told += n;
            }
            queue.lock().items.clear();
        }
        assert_eq!(started, 5);
        assert_eq!(queue.lock().dropped, 60);
        told += queue.lock().take_untold_drops();
        assert_eq!(told, 60);
    }

    /// Past the limit: one notice that it is reached, then a summary of
    /// the drops held back when one is due, and at a reload, which starts
    /// the count afresh. `halt` is never held back.
    #[test]
    fn past_the_drop_notice_limit_drops_are_summed_up() {
        let queue = Queue::new(1, OverflowAction::Syslog);
        let item = || Arc::<[u8]>::from(&b"x"[..]);
        let fill_and_drain = |drops: usize| {
            let mut seen = Vec::new();
            queue.push_all(&vec![item(); drops + 1], |p| seen.push(p));
            queue.lock().items.clear();
            seen.push(queue.push(item()));
            queue.lock().items.clear();
            seen
        };
        for _ in 0..DROP_NOTICE_LIMIT {
            assert_eq!(
                fill_and_drain(2),
                [
                    Pushed::Queued,
                    Pushed::DropStarted,
                    Pushed::Dropped,
                    Pushed::QueuedAfterDrops(2)
                ]
            );
        }
        let told = 2 * u64::from(DROP_NOTICE_LIMIT);
        assert_eq!(
            fill_and_drain(2),
            [
                Pushed::Queued,
                Pushed::DropLimitReached,
                Pushed::Dropped,
                Pushed::Queued
            ]
        );
        assert_eq!(
            fill_and_drain(3),
            [
                Pushed::Queued,
                Pushed::Dropped,
                Pushed::Dropped,
                Pushed::Dropped,
                Pushed::Queued
            ]
        );
        // A summary due: the next drop tells all held back, once.
        queue.lock().next_summary = Some(Instant::now());
        let seen = fill_and_drain(2);
        let summary = Pushed::DropSummary {
            untold: 6,
            total: told + 6,
        };
        assert_eq!(
            seen,
            [Pushed::Queued, summary, Pushed::Dropped, Pushed::Queued]
        );
        assert!(queue.lock().next_summary.unwrap() > Instant::now() + DROP_SUMMARY_EVERY / 2);
        // A reload tells what is held back and starts afresh.
        fill_and_drain(4);
        assert_eq!(queue.lock().restart_drop_notices(), Some((5, told + 11)));
        assert_eq!(queue.lock().restart_drop_notices(), None);
        assert_eq!(fill_and_drain(1)[1], Pushed::DropStarted);
        assert_eq!(queue.lock().take_untold_drops(), 0);

        let queue = Queue::new(1, OverflowAction::Halt);
        queue.push(item());
        for _ in 0..2 * DROP_NOTICE_LIMIT {
            assert_eq!(queue.push(item()), Pushed::DropStarted);
            queue.lock().items.clear();
            assert_eq!(queue.push(item()), Pushed::QueuedAfterDrops(1));
        }
    }
}
