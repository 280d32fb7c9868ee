//! A `type = always` plugin: its process, its queue and the thread that feeds it.

use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::process::{kill_process, Pid, Signal};

use crate::notice::{Notice, Notices};
use crate::queue::{write_records, Control, Queue, WriteStop, MAX_BATCH, TICK};

/// The first restart is at once; each next one waits twice as long, up to this.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// How long a plugin removed by a reload has between SIGTERM and SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(2);

/// What the dispatcher and the feeding thread share.
#[derive(Debug)]
pub(crate) struct ProgramShared {
    pub name: String,
    pub queue: Queue,
    /// The running process, for signals; cleared before it is reaped so a reused
    /// pid is never signalled.
    pub pid: Mutex<Option<u32>>,
    pub restarts: AtomicU32,
    /// `max_restarts` as the settings say now: a reload's new value holds for a
    /// running plugin too, as auditd's one setting does for all.
    pub max_restarts: AtomicU32,
    /// Past `max_restarts`, or stopped: the thread has ended.
    pub down: std::sync::atomic::AtomicBool,
    /// A new program to run in place of the running one (a reload found the
    /// binary changed): the process is restarted, the queue kept.
    pub replacement: Mutex<Option<Program>>,
}

impl ProgramShared {
    /// Has the feeding thread run `program` in place of the running one,
    /// giving it the records queued; the thread is woken to do it at once.
    pub fn replace(&self, program: Program) {
        *self.replacement.lock().unwrap_or_else(|p| p.into_inner()) = Some(program);
        // From now on records are queued for the new process, none written
        // at once to the old one.
        self.queue.lock().direct = None;
        self.queue.wake();
    }

    fn replacement_pending(&self) -> bool {
        self.replacement
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// Sends `sig` to the running process, if any.
    pub fn signal(&self, sig: Signal) -> bool {
        let pid = self.pid.lock().unwrap_or_else(|p| p.into_inner());
        match pid.and_then(|p| Pid::from_raw(p as i32)) {
            Some(p) => kill_process(p, sig).is_ok(),
            None => false,
        }
    }
}

/// The program and how to run it.
#[derive(Debug, Clone)]
pub(crate) struct Program {
    pub path: PathBuf,
    pub args: Vec<String>,
    /// A run this long before dying resets the restart count.
    pub forget_after: Option<Duration>,
}

/// Tells the drops of `shared`'s queue that no notice told yet, if any.
pub(crate) fn tell_untold_drops(shared: &ProgramShared, notices: &Notices) {
    let dropped = shared.queue.lock().take_untold_drops();
    if dropped > 0 {
        notices.push(Notice::DroppedUntilStopped {
            plugin: shared.name.clone(),
            dropped,
        });
    }
}

/// Starts the thread that runs the plugin and feeds it.
pub(crate) fn start(
    shared: Arc<ProgramShared>,
    program: Program,
    notices: Arc<Notices>,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(format!("audisp-{}", shared.name))
        .spawn(move || {
            Feeder {
                shared,
                program,
                notices,
                child: None,
                started: None,
            }
            .run()
        })
}

struct Feeder {
    shared: Arc<ProgramShared>,
    program: Program,
    notices: Arc<Notices>,
    /// The running child and our end of its socket (shared with the queue,
    /// which writes to it at once while nothing is queued).
    child: Option<(Child, Arc<UnixStream>)>,
    /// When the running child was started.
    started: Option<Instant>,
}

/// Starts `path` with `args`, its stdin one end of a new socketpair, an empty
/// environment, every signal at its default disposition and none blocked.
fn spawn(path: &PathBuf, args: &[String]) -> io::Result<(Child, UnixStream)> {
    let (ours, theirs) = UnixStream::pair()?;
    let mut cmd = Command::new(path);
    cmd.args(args)
        .env_clear()
        .stdin(Stdio::from(OwnedFd::from(theirs)));
    // SAFETY: the closure runs in the forked child before exec and only makes the
    // rt_sigaction and rt_sigprocmask system calls on local data: it allocates
    // nothing and takes no lock (async-signal-safe).
    unsafe {
        cmd.pre_exec(|| {
            // Dispositions set to "ignore" survive exec; the caller's (a daemon's)
            // ignored signals must not be the plugin's. The raw call, since libc's
            // wrappers refuse the signals glibc reserves for itself.
            let default = KernelSigaction {
                handler: libc::SIG_DFL,
                flags: 0,
                restorer: 0,
                mask: 0,
            };
            for sig in 1..=64 {
                if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                    libc::syscall(
                        libc::SYS_rt_sigaction,
                        sig,
                        &default as *const KernelSigaction,
                        std::ptr::null_mut::<KernelSigaction>(),
                        8usize,
                    );
                }
            }
            let empty: u64 = 0;
            libc::syscall(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK,
                &empty as *const u64,
                std::ptr::null_mut::<u64>(),
                8usize,
            );
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    Ok((child, ours))
}

/// The kernel's `struct sigaction` (x86_64, aarch64 and the other 64-bit ABIs
/// with `sa_restorer`; the mask is the kernel's 64-bit set).
#[repr(C)]
struct KernelSigaction {
    handler: libc::sighandler_t,
    flags: libc::c_ulong,
    restorer: usize,
    mask: u64,
}

fn describe(status: ExitStatus) -> String {
    match status.signal() {
        Some(sig) => format!("signal {sig}"),
        None => format!("exit status {}", status.code().unwrap_or(-1)),
    }
}

impl Feeder {
    fn run(mut self) {
        let mut backoff: Option<Instant> = None;
        // The records being written, kept across rounds (no allocation per round).
        let mut batch: Vec<Arc<[u8]>> = Vec::with_capacity(MAX_BATCH);
        loop {
            let control = self.shared.queue.lock().control;
            match control {
                Control::Terminate => return self.finish(Instant::now() + TERM_GRACE, false),
                Control::Drain(deadline) if self.child.is_none() => {
                    let empty = self.shared.queue.lock().items.is_empty();
                    if empty || Instant::now() >= deadline {
                        return self.finish(deadline, true);
                    }
                }
                _ => {}
            }
            let replacement = self
                .shared
                .replacement
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .take();
            if let Some(program) = replacement {
                self.replace(program);
                backoff = None;
            }
            if self.child.is_none() {
                let restarts = self.shared.restarts.load(Ordering::Relaxed);
                if restarts > self.shared.max_restarts.load(Ordering::Relaxed) {
                    let unsent = self.discard();
                    // Records for it are dropped (and counted) from now on.
                    self.shared.queue.lock().control = Control::Terminate;
                    self.shared.down.store(true, Ordering::Relaxed);
                    self.notices.push(Notice::GaveUp {
                        plugin: self.shared.name.clone(),
                        restarts,
                        unsent,
                    });
                    return;
                }
                if let Some(at) = backoff {
                    if Instant::now() < at {
                        let q = self.shared.queue.lock();
                        drop(self.shared.queue.wait(q, TICK.min(at - Instant::now())));
                        continue;
                    }
                }
                match spawn(&self.program.path, &self.program.args) {
                    Ok((child, sock)) => {
                        *self.shared.pid.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(child.id());
                        let sock = Arc::new(sock);
                        {
                            // A record cut short on the last socket is sent
                            // again whole on this one.
                            let mut q = self.shared.queue.lock();
                            q.front_sent = 0;
                            q.direct = Some(Arc::clone(&sock));
                        }
                        self.notices.push(Notice::Started {
                            plugin: self.shared.name.clone(),
                            pid: child.id(),
                        });
                        self.child = Some((child, sock));
                        self.started = Some(Instant::now());
                    }
                    Err(e) => {
                        self.notices.push(Notice::SpawnFailed {
                            plugin: self.shared.name.clone(),
                            error: e.to_string(),
                        });
                        let n = self.shared.restarts.fetch_add(1, Ordering::Relaxed) + 1;
                        backoff = Some(Instant::now() + Self::delay(n));
                        continue;
                    }
                }
            }
            // What is queued (up to a batch), or a look at the child every
            // tick while idle. The records stay queued until they are out.
            batch.clear();
            let skip;
            {
                let mut q = self.shared.queue.lock();
                if q.items.is_empty() && q.control == Control::Run {
                    q = self.shared.queue.wait(q, TICK);
                }
                batch.extend(q.items.iter().take(MAX_BATCH).cloned());
                skip = q.front_sent;
                if let Control::Drain(deadline) = q.control {
                    if batch.is_empty() || Instant::now() >= deadline {
                        drop(q);
                        return self.finish(deadline, true);
                    }
                }
            }
            if batch.is_empty() {
                if let Some(how) = self.exited() {
                    backoff = Some(self.died(how));
                }
                continue;
            }
            let (written, how) = {
                let Some((child, sock)) = self.child.as_mut() else {
                    continue;
                };
                let shared = &self.shared;
                let mut how = None;
                let r = write_records(sock, &batch, skip, || {
                    let stop = match shared.queue.lock().control {
                        Control::Terminate => true,
                        Control::Drain(deadline) => Instant::now() >= deadline,
                        Control::Run => shared.replacement_pending(),
                    };
                    if !stop {
                        if let Ok(Some(status)) = child.try_wait() {
                            how = Some(describe(status));
                            return true;
                        }
                    }
                    stop
                });
                (r, how)
            };
            {
                let mut q = self.shared.queue.lock();
                // A reload's Terminate may have cleared the queue meanwhile.
                let mut popped = 0;
                for item in &batch[..written.sent] {
                    if !q.items.front().is_some_and(|f| Arc::ptr_eq(f, item)) {
                        break;
                    }
                    q.items.pop_front();
                    q.sent += 1;
                    popped += 1;
                }
                // Where the next write of the first queued record starts.
                if popped == written.sent {
                    q.front_sent = written.partial;
                }
            }
            match written.stop {
                None => {}
                // The record being written stays first in the queue: it is
                // resent after the restart.
                Some(WriteStop::Broken(e)) => {
                    let how = self
                        .exited()
                        .unwrap_or_else(|| format!("write failed: {e}"));
                    backoff = Some(self.died(how));
                }
                Some(WriteStop::Aborted) => {
                    if let Some(how) = how {
                        backoff = Some(self.died(how));
                    }
                }
            }
        }
    }

    fn delay(restarts: u32) -> Duration {
        if restarts <= 1 {
            return Duration::ZERO;
        }
        FIRST_BACKOFF
            .saturating_mul(1 << (restarts - 2).min(16))
            .min(MAX_BACKOFF)
    }

    /// How the child ended, if it has (it is then reaped).
    fn exited(&mut self) -> Option<String> {
        let (child, _) = self.child.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(describe(status)),
            _ => None,
        }
    }

    /// The child is gone or its socket is: reap it, count the restart, and say
    /// when the next start is due.
    fn died(&mut self, how: String) -> Instant {
        self.reap(Instant::now() + TERM_GRACE);
        // A plugin that worked for a good while died of something new (e.g. a
        // network outage): it is not the crash loop max_restarts is meant to end.
        let healthy = match (self.started.take(), self.program.forget_after) {
            (Some(at), Some(after)) => at.elapsed() >= after,
            _ => false,
        };
        if healthy {
            self.shared.restarts.store(0, Ordering::Relaxed);
        }
        let restarts = self.shared.restarts.fetch_add(1, Ordering::Relaxed) + 1;
        self.notices.push(Notice::Died {
            plugin: self.shared.name.clone(),
            how,
            restarts,
        });
        Instant::now() + Self::delay(restarts)
    }

    /// Closes the socket and makes sure the child is reaped: SIGTERM, then
    /// SIGKILL after `deadline`. True when it had to be killed.
    fn reap(&mut self, deadline: Instant) -> bool {
        let Some((mut child, sock)) = self.child.take() else {
            return false;
        };
        // The queue's handle first: the plugin sees its input end once ours
        // is closed.
        self.shared.queue.lock().direct = None;
        drop(sock);
        // From here the pid is not signalled by anyone else.
        *self.shared.pid.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        // A reader at end of input may leave by itself; give it half the time.
        let half = Instant::now() + deadline.saturating_duration_since(Instant::now()) / 2;
        let mut termed = false;
        loop {
            if let Ok(Some(_)) = child.try_wait() {
                return false;
            }
            let now = Instant::now();
            if !termed && now >= half {
                if let Some(pid) = Pid::from_raw(child.id() as i32) {
                    let _ = kill_process(pid, Signal::TERM);
                }
                termed = true;
            }
            if now >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the running process (SIGTERM, then its input closed, as auditd
    /// does) and takes `program` in its place: the next start runs it. The
    /// queue is kept: the records the old process was not given go to the
    /// new one, a record given in part is given again whole.
    fn replace(&mut self, program: Program) {
        if self.child.is_some() {
            self.shared.signal(Signal::TERM);
            self.reap(Instant::now() + TERM_GRACE);
        }
        self.program = program;
        self.started = None;
    }

    fn discard(&self) -> u64 {
        let mut q = self.shared.queue.lock();
        let n = q.items.len() as u64;
        q.items.clear();
        n
    }

    /// Stops the plugin: `drained` after delivering what was queued by the
    /// deadline, otherwise at once (a reload removed it).
    fn finish(mut self, deadline: Instant, drained: bool) {
        let unsent = self.discard();
        if !drained {
            // auditd: SIGTERM first, then the pipe closed.
            self.shared.signal(Signal::TERM);
        }
        let killed = self.reap(deadline.max(Instant::now() + Duration::from_millis(100)));
        self.shared.down.store(true, Ordering::Relaxed);
        tell_untold_drops(&self.shared, &self.notices);
        self.notices.push(Notice::Stopped {
            plugin: self.shared.name.clone(),
            unsent,
            killed,
        });
    }
}
