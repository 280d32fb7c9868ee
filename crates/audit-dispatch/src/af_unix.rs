//! The `builtin_af_unix` output: a listening socket, each reader with its own queue.

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use rustix::event::{poll, PollFd, PollFlags, Timespec};

use crate::config::OverflowAction;
use crate::notice::{Notice, Notices};
use crate::queue::{write_records, Control, Pushed, Queue, WriteStop, MAX_BATCH, TICK};

/// Readers served at once; a further one is closed at once (bounded memory).
pub const MAX_READERS: usize = 64;

#[derive(Debug)]
pub(crate) struct Reader {
    pub queue: Queue,
    pub gone: AtomicBool,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// What the dispatcher and the output's threads share.
#[derive(Debug)]
pub(crate) struct AfUnixShared {
    pub name: String,
    pub readers: Mutex<Vec<Arc<Reader>>>,
    pub capacity: Mutex<(usize, OverflowAction)>,
    pub control: Mutex<Control>,
    pub path: PathBuf,
}

impl AfUnixShared {
    fn control(&self) -> Control {
        *self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `item` for every reader; returns the notices of the pushes.
    /// The caller calls [`AfUnixShared::wake_waiting`] after its last push.
    pub fn push(&self, item: &Arc<[u8]>, notices: &Notices) {
        let mut readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        readers.retain(|r| !r.gone.load(Ordering::Relaxed));
        for r in readers.iter() {
            match r.queue.push(item.clone()) {
                Pushed::DropStarted => notices.push(Notice::DroppingStarted {
                    plugin: self.name.clone(),
                    action: r.queue.lock().action,
                }),
                Pushed::QueuedAfterDrops(dropped) => notices.push(Notice::DroppingStopped {
                    plugin: self.name.clone(),
                    dropped,
                }),
                Pushed::DropLimitReached => notices.push(Notice::DropNoticeLimit {
                    plugin: self.name.clone(),
                }),
                Pushed::DropSummary { untold, total } => notices.push(Notice::DroppedSummary {
                    plugin: self.name.clone(),
                    dropped: untold,
                    total,
                }),
                Pushed::Queued | Pushed::Dropped => {}
            }
        }
    }

    /// Wakes each reader's writer that is waiting.
    pub fn wake_waiting(&self) {
        for r in self
            .readers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            r.queue.wake_waiting();
        }
    }

    /// Records dropped for its readers, and sent to them, in all.
    pub fn counts(&self) -> (u64, u64, usize) {
        let readers = self.readers.lock().unwrap_or_else(|p| p.into_inner());
        readers.iter().fold((0, 0, 0), |(d, s, q), r| {
            let st = r.queue.lock();
            (d + st.dropped, s + st.sent, q + st.items.len())
        })
    }
}

/// Creates the socket (replacing a stale one), sets its mode and starts the
/// thread that accepts readers.
pub(crate) fn start(
    shared: Arc<AfUnixShared>,
    mode: Option<u32>,
    notices: Arc<Notices>,
) -> io::Result<JoinHandle<()>> {
    match std::fs::remove_file(&shared.path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let listener = UnixListener::bind(&shared.path)?;
    if let Some(mode) = mode {
        std::fs::set_permissions(&shared.path, std::fs::Permissions::from_mode(mode))?;
    }
    listener.set_nonblocking(true)?;
    std::thread::Builder::new()
        .name(format!("audisp-{}", shared.name))
        .spawn(move || accept_loop(shared, listener, notices))
}

fn accept_loop(shared: Arc<AfUnixShared>, listener: UnixListener, notices: Arc<Notices>) {
    let tick = Timespec {
        tv_sec: 0,
        tv_nsec: TICK.as_nanos() as _,
    };
    while shared.control() == Control::Run {
        let mut fds = [PollFd::new(&listener, PollFlags::IN)];
        if poll(&mut fds, Some(&tick)).unwrap_or(0) == 0 {
            continue;
        }
        let Ok((stream, _)) = listener.accept() else {
            continue;
        };
        let mut readers = shared.readers.lock().unwrap_or_else(|p| p.into_inner());
        readers.retain(|r| !r.gone.load(Ordering::Relaxed));
        if readers.len() >= MAX_READERS {
            continue; // dropping `stream` closes it
        }
        let (capacity, action) = *shared.capacity.lock().unwrap_or_else(|p| p.into_inner());
        let reader = Arc::new(Reader {
            queue: Queue::new(capacity, action),
            gone: AtomicBool::new(false),
            thread: Mutex::new(None),
        });
        let feeder = reader.clone();
        let name = shared.name.clone();
        let n2 = notices.clone();
        match std::thread::Builder::new()
            .name(format!("audisp-{}-reader", shared.name))
            .spawn(move || feed(feeder, stream, name, n2))
        {
            Ok(t) => {
                *reader.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(t);
                readers.push(reader);
                notices.push(Notice::ReaderConnected {
                    plugin: shared.name.clone(),
                });
            }
            Err(_) => continue,
        }
    }
    drop(listener);
    let _ = std::fs::remove_file(&shared.path);
    // Let every reader drain (or stop) as ordered, then wait for them.
    let control = shared.control();
    let readers: Vec<_> =
        std::mem::take(&mut *shared.readers.lock().unwrap_or_else(|p| p.into_inner()));
    for r in &readers {
        r.queue.lock().control = control;
        r.queue.wake();
    }
    for r in readers {
        if let Some(t) = r.thread.lock().unwrap_or_else(|p| p.into_inner()).take() {
            let _ = t.join();
        }
    }
}

fn feed(reader: Arc<Reader>, stream: UnixStream, name: String, notices: Arc<Notices>) {
    // What is queued (up to a batch), kept across rounds; the records stay
    // queued until they are out.
    let mut batch: Vec<Arc<[u8]>> = Vec::with_capacity(MAX_BATCH);
    loop {
        batch.clear();
        {
            let mut q = reader.queue.lock();
            if q.items.is_empty() && q.control == Control::Run {
                q = reader.queue.wait(q, TICK);
            }
            let stop = match q.control {
                Control::Run => false,
                Control::Terminate => true,
                Control::Drain(d) => q.items.is_empty() || Instant::now() >= d,
            };
            if stop {
                break;
            }
            batch.extend(q.items.iter().take(MAX_BATCH).cloned());
        }
        if batch.is_empty() {
            continue;
        }
        let q = &reader.queue;
        let written = write_records(&stream, &batch, 0, || match q.lock().control {
            Control::Run => false,
            Control::Terminate => true,
            Control::Drain(d) => Instant::now() >= d,
        });
        if written.sent > 0 {
            let mut q = reader.queue.lock();
            for _ in 0..written.sent.min(q.items.len()) {
                q.items.pop_front();
                q.sent += 1;
            }
        }
        match written.stop {
            None | Some(WriteStop::Aborted) => {}
            Some(WriteStop::Broken(_)) => break,
        }
    }
    reader.gone.store(true, Ordering::Relaxed);
    let (unsent, untold) = {
        let mut q = reader.queue.lock();
        q.control = Control::Terminate;
        let n = q.items.len() as u64;
        q.items.clear();
        (n, q.take_untold_drops())
    };
    // Drops a notice held back (past the limit, or a run that never ended).
    if untold > 0 {
        notices.push(Notice::DroppedUntilStopped {
            plugin: name.clone(),
            dropped: untold,
        });
    }
    notices.push(Notice::ReaderGone {
        plugin: name,
        unsent,
    });
}
