//! A bounded queue of encoded records and the non-blocking writes that empty it.

use std::collections::VecDeque;
use std::io;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rustix::event::{poll, PollFd, PollFlags};
use rustix::net::{send, SendFlags};

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
    pub sent: u64,
    /// `overflow_action = suspend` fired: nothing is queued until a reload.
    pub suspended: bool,
    pub control: Control,
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
                sent: 0,
                suspended: false,
                control: Control::Run,
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
        match self.cond.wait_timeout(guard, timeout) {
            Ok((g, _)) => g,
            Err(p) => p.into_inner().0,
        }
    }

    /// Queues `item` unless full (then the overflow action applies); never blocks
    /// longer than the lock is held.
    pub fn push(&self, item: Arc<[u8]>) -> Pushed {
        let mut s = self.lock();
        if s.suspended || s.control != Control::Run {
            s.dropped += 1;
            return Pushed::Dropped;
        }
        if s.items.len() >= s.capacity {
            s.dropped += 1;
            s.dropping_run += 1;
            if s.action == OverflowAction::Suspend {
                s.suspended = true;
            }
            if s.dropping {
                return Pushed::Dropped;
            }
            s.dropping = true;
            return Pushed::DropStarted;
        }
        s.items.push_back(item);
        let pushed = if s.dropping {
            s.dropping = false;
            Pushed::QueuedAfterDrops(std::mem::take(&mut s.dropping_run))
        } else {
            Pushed::Queued
        };
        drop(s);
        self.cond.notify_one();
        pushed
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

/// Writes all of `bytes` to `sock` without ever blocking longer than [`TICK`]
/// between calls of `abort`, which ends the write early when it returns true.
/// `MSG_NOSIGNAL`: a dead reader is an error here, not a SIGPIPE for the caller.
pub(crate) fn write_record(
    sock: &UnixStream,
    bytes: &[u8],
    mut abort: impl FnMut() -> bool,
) -> Result<(), WriteStop> {
    let mut done = 0;
    while done < bytes.len() {
        match send(
            sock,
            &bytes[done..],
            SendFlags::NOSIGNAL | SendFlags::DONTWAIT,
        ) {
            Ok(n) => done += n,
            Err(rustix::io::Errno::AGAIN) => {
                if abort() {
                    return Err(WriteStop::Aborted);
                }
                let mut fds = [PollFd::new(sock, PollFlags::OUT)];
                let tick = rustix::event::Timespec {
                    tv_sec: 0,
                    tv_nsec: TICK.as_nanos() as _,
                };
                match poll(&mut fds, Some(&tick)) {
                    Ok(_) | Err(rustix::io::Errno::INTR) => {}
                    Err(e) => return Err(WriteStop::Broken(e.into())),
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(WriteStop::Broken(e.into())),
        }
    }
    Ok(())
}
