//! Exec storm: one audited syscall (execve of this process's children), measured for
//! our netlink readers and for auditd 3.0.9 (RAW format) on the same storms, in one
//! run.
//!
//! Readers, each registered as the audit daemon in turn: the floor (a plain blocking
//! `recv(2)` loop, no parsing, the same with a gather, and with a gather draining
//! with `recvmmsg` as `EventStream` does), `AuditSocket::recv`
//! (records), `EventStream` (complete events) without and with a gather of
//! [`GATHER`] (`EventStream::set_gather`) and, with `--features tokio`,
//! `AsyncEventStream` on a current-thread runtime, without and with the gather.
//! Reports, besides criterion's time per storm: events received per second, the
//! reader thread's CPU per event (`getrusage(RUSAGE_THREAD)` around its whole run,
//! so that the measuring costs nothing per record), its wake-ups per event
//! (voluntary context switches), its receive system calls per event, and the
//! kernel's `lost` counter over the run. auditd's CPU comes from /proc (10 ms
//! ticks). Needs root and the machine-wide live-test lock; without them it skips
//! loudly. Reader threads are named after the reader (for `perf report --comm`).
//! Run: `cargo bench --bench exec_storm --features tokio`.
//!
//! Knobs (environment): `EXEC_STORM_READERS`, a comma-separated list of the readers
//! to run by name (`floor-recv`, `floor-recv-gather`, `floor-mmsg-gather`, `socket-recv`,
//! `event-stream`, `event-stream-gather`, `async-stream`, `async-stream-gather`,
//! `auditd`; all by default), e.g. for `perf record` on one of them;
//! `EXEC_STORM_SIZE`, the execs per storm (default [`STORM`]).

use audit_netlink::audit_wire::field::{Action, Field, FilterList, Operator};
use audit_netlink::audit_wire::rule::RuleData;
use audit_netlink::audit_wire::RecordType;
use audit_netlink::{AuditSocket, EventStream, Incoming, StreamItem};
use criterion::{criterion_group, criterion_main, Criterion};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Execs per storm unless `EXEC_STORM_SIZE` says otherwise.
const STORM: u64 = 200;

/// The execs per storm: `EXEC_STORM_SIZE`, or [`STORM`].
fn storm_size() -> u64 {
    match std::env::var("EXEC_STORM_SIZE") {
        Ok(v) => v
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .unwrap_or_else(|| panic!("EXEC_STORM_SIZE={v}: a positive number of execs")),
        Err(_) => STORM,
    }
}

/// Whether the reader named `name` runs (`EXEC_STORM_READERS`, all when unset).
fn selected(name: &str) -> bool {
    match std::env::var("EXEC_STORM_READERS") {
        Ok(list) => list.split(',').any(|n| n.trim() == name),
        Err(_) => true,
    }
}
const EQUAL: Operator = Operator::Equal;
#[cfg(target_arch = "x86_64")]
const ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const ARCH: u32 = 0xC000_00B7;
const KEY: &str = "lar-exec-storm";
/// The gather of the `-gather` readers (`EventStream::set_gather`): as the
/// audit-daemon's linger.
const GATHER: Duration = Duration::from_millis(10);

fn rule() -> RuleData {
    let mut r = RuleData::new(FilterList::Exit, Action::Always);
    r.push_field(Field::ARCH, EQUAL, ARCH).unwrap();
    r.set_syscall(libc::SYS_execve as u32).unwrap();
    r.push_field(Field::PPID, EQUAL, std::process::id())
        .unwrap(); // ppid = this bench
    r.push_str_field(Field::FILTERKEY, EQUAL, KEY.as_bytes())
        .unwrap();
    r
}

/// Restores enabled and deletes the rule on drop.
struct Setup {
    ctl: AuditSocket,
    enabled: u32,
    rule: RuleData,
}

impl Setup {
    fn new() -> Self {
        let mut ctl = AuditSocket::open().expect("audit socket");
        let enabled = ctl.get_status().expect("status").enabled;
        let rule = rule();
        ctl.add_rule(&rule).expect("add rule");
        ctl.set_enabled(true).expect("enable");
        Setup { ctl, enabled, rule }
    }

    fn lost(&mut self) -> u32 {
        self.ctl.get_status().map(|s| s.lost).unwrap_or(0)
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = self.ctl.delete_rule(&self.rule);
        if self.enabled < 2 {
            let _ = self.ctl.set_enabled(self.enabled == 1);
        }
    }
}

fn storm(n: u64) {
    for _ in 0..n {
        let st = Command::new("/bin/true")
            .stdin(Stdio::null())
            .status()
            .expect("spawn /bin/true");
        assert!(st.success());
    }
}

/// What the calling thread used so far: CPU time (user + system) and the times it
/// went to sleep (voluntary context switches: each is a wake-up to come).
#[derive(Clone, Copy)]
struct Usage {
    cpu: Duration,
    /// The part of `cpu` spent in user space (the rest is the kernel's, for the
    /// thread: receives, wake-ups, page faults).
    user: Duration,
    sleeps: u64,
    /// Receive system calls the reader made (filled in by each reader).
    receives: u64,
}

impl std::ops::Sub for Usage {
    type Output = Usage;
    fn sub(self, earlier: Usage) -> Usage {
        Usage {
            cpu: self.cpu - earlier.cpu,
            user: self.user - earlier.user,
            sleeps: self.sleeps - earlier.sleeps,
            receives: self.receives - earlier.receives,
        }
    }
}

fn thread_usage() -> Usage {
    // SAFETY: an all-zero rusage is a valid value for the call to overwrite.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid rusage the call writes to.
    let r = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut ru) };
    assert_eq!(r, 0, "getrusage(RUSAGE_THREAD)");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Usage {
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        user: tv(ru.ru_utime),
        sleeps: ru.ru_nvcsw as u64,
        receives: 0,
    }
}

/// Wait until `counter` reaches `target` (or 30 s pass: then the events are lost).
fn wait_for(mut counter: impl FnMut() -> u64, target: u64) -> bool {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        if counter() >= target {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Which of our readers a run measures.
#[derive(Clone, Copy, Debug)]
enum Reader {
    /// The floor: a plain blocking `recv(2)` per datagram on the socket, no parsing,
    /// no queue (what any reader of one datagram at a time costs at least).
    Floor,
    /// The floor of a reader that gathers as `EventStream` does: after a `recv(2)`
    /// that waited, `recv(2)` without waiting until the socket is empty, then a
    /// pause of [`GATHER`] if records came since the last one.
    FloorGathered,
    /// The floor of `EventStream`'s own way with a gather: as [`Reader::FloorGathered`],
    /// but what is queued is taken with `recvmmsg`, [`FLOOR_BATCH`] datagrams a call,
    /// as the stream drains (what the gathered stream costs without its parsing).
    FloorBatched,
    /// `AuditSocket::recv`: records.
    Records,
    /// `EventStream::next`: complete events.
    Events,
    /// `EventStream::next` with records let gather for [`GATHER`].
    EventsGathered,
    /// `AsyncEventStream::next` on a current-thread tokio runtime.
    #[cfg(feature = "tokio")]
    Async,
    /// `AsyncEventStream::next` with records let gather for [`GATHER`].
    #[cfg(feature = "tokio")]
    AsyncGathered,
}

impl Reader {
    fn name(self) -> &'static str {
        match self {
            Reader::Floor => "floor-recv",
            Reader::FloorGathered => "floor-recv-gather",
            Reader::FloorBatched => "floor-mmsg-gather",
            Reader::Records => "socket-recv",
            Reader::Events => "event-stream",
            Reader::EventsGathered => "event-stream-gather",
            #[cfg(feature = "tokio")]
            Reader::Async => "async-stream",
            #[cfg(feature = "tokio")]
            Reader::AsyncGathered => "async-stream-gather",
        }
    }
}

/// What a reader thread counts: storm events seen and records received.
#[derive(Default)]
struct Counts {
    events: AtomicU64,
    records: AtomicU64,
}

/// Whether an event is one of the storm's (its SYSCALL record carries the key).
fn is_storm_event(ev: &audit_parse::Event, finder: &memchr::memmem::Finder<'_>) -> bool {
    ev.iter()
        .any(|r| r.record_type() == Some(RecordType::SYSCALL) && finder.find(r.text()).is_some())
}

/// The floor: one blocking `recv(2)` per datagram (the socket's receive timeout,
/// set by its requests, bounds each wait), the record's type and key looked at in
/// place. It blocks until a datagram comes: the bench ends it with events.
fn read_floor(
    mut sock: AuditSocket,
    gather: Duration,
    counts: &Counts,
    stop: &AtomicBool,
) -> Usage {
    use std::os::fd::AsRawFd;
    let finder = memchr::memmem::Finder::new(KEY.as_bytes());
    let mut buf = vec![0u8; 64 * 1024];
    let mut receives = 0;
    // With a gather: reading without waiting, and records came since the last pause.
    let (mut draining, mut fresh) = (false, false);
    let t0 = thread_usage();
    while !stop.load(Ordering::Relaxed) {
        receives += 1;
        let flags = if draining { libc::MSG_DONTWAIT } else { 0 };
        // SAFETY: `buf` is a valid, writable buffer of the length passed.
        let n = unsafe { libc::recv(sock.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), flags) };
        let Ok(n) = usize::try_from(n) else {
            // Empty (or a timeout, EINTR, ENOBUFS): pause if records came.
            draining = std::mem::take(&mut fresh);
            if draining {
                std::thread::sleep(gather);
            }
            continue;
        };
        if !gather.is_zero() {
            (draining, fresh) = (true, true);
        }
        count_datagram(&buf[..n.min(buf.len())], counts, &finder);
    }
    finish(&mut sock, t0, receives)
}

/// A reader's usage since `t0` with its receive count, its registration (if any)
/// given back: the CPU of the unregistration is not the reader's.
fn finish(sock: &mut AuditSocket, t0: Usage, receives: u64) -> Usage {
    let usage = Usage {
        receives,
        ..thread_usage() - t0
    };
    if sock.daemon_pid().is_some() {
        let _ = sock.unregister_daemon();
    }
    usage
}

/// Datagrams one `recvmmsg` of [`Reader::FloorBatched`] takes (as many as the
/// library's drain takes).
const FLOOR_BATCH: usize = 32;

/// Counts one datagram of the floors: a record, and an event when it is the storm's
/// SYSCALL record.
fn count_datagram(msg: &[u8], counts: &Counts, finder: &memchr::memmem::Finder<'_>) {
    if msg.len() < 16 {
        return;
    }
    counts.records.fetch_add(1, Ordering::Relaxed);
    let record_type = RecordType::from(u16::from_ne_bytes([msg[4], msg[5]]));
    if record_type == RecordType::SYSCALL && finder.find(&msg[16..]).is_some() {
        counts.events.fetch_add(1, Ordering::Relaxed);
    }
}

/// [`Reader::FloorBatched`]: a blocking `recv(2)` for the first datagram, then
/// `recvmmsg` without waiting (with each sender's address on a read-log socket,
/// as the library checks it) until the socket is empty, then a pause of
/// [`GATHER`] if records came.
fn read_floor_batched(
    mut sock: AuditSocket,
    multicast: bool,
    counts: &Counts,
    stop: &AtomicBool,
) -> Usage {
    use std::os::fd::AsRawFd;
    const SLOT: usize = 64 * 1024;
    let finder = memchr::memmem::Finder::new(KEY.as_bytes());
    let mut slots = vec![0u8; FLOOR_BATCH * SLOT];
    let mut receives = 0;
    let (mut draining, mut fresh) = (false, false);
    let t0 = thread_usage();
    while !stop.load(Ordering::Relaxed) {
        receives += 1;
        if !draining {
            // SAFETY: the first slot is a valid, writable buffer of the length passed.
            let n = unsafe { libc::recv(sock.as_raw_fd(), slots.as_mut_ptr().cast(), SLOT, 0) };
            if let Ok(n) = usize::try_from(n) {
                count_datagram(&slots[..n.min(SLOT)], counts, &finder);
                (draining, fresh) = (true, true);
            }
            continue;
        }
        // SAFETY: all-zero is a valid sockaddr_nl, iovec and mmsghdr; each is
        // filled in below before use (an address left zero is the kernel's port).
        let mut addrs: [libc::sockaddr_nl; FLOOR_BATCH] = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut iovs: [libc::iovec; FLOOR_BATCH] = unsafe { std::mem::zeroed() };
        // SAFETY: as above.
        let mut hdrs: [libc::mmsghdr; FLOOR_BATCH] = unsafe { std::mem::zeroed() };
        for (i, slot) in slots.chunks_exact_mut(SLOT).enumerate() {
            iovs[i] = libc::iovec {
                iov_base: slot.as_mut_ptr().cast(),
                iov_len: SLOT,
            };
            let h = &mut hdrs[i].msg_hdr;
            // The sender's address only where others can send (a read-log socket):
            // a daemon socket is connected to the kernel, as the library reads.
            if multicast {
                h.msg_name = (&mut addrs[i] as *mut libc::sockaddr_nl).cast();
                h.msg_namelen = std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t;
            }
            h.msg_iov = &mut iovs[i];
            h.msg_iovlen = 1;
        }
        // SAFETY: each header names its own address (or none) and one iovec over
        // its own slot of `slots`; all outlive the call.
        let n = unsafe {
            libc::recvmmsg(
                sock.as_raw_fd(),
                hdrs.as_mut_ptr(),
                FLOOR_BATCH as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        let Ok(n) = usize::try_from(n) else {
            // Empty: pause if records came since the last pause.
            draining = std::mem::take(&mut fresh);
            if draining {
                std::thread::sleep(GATHER);
            }
            continue;
        };
        fresh = true;
        for (i, slot) in slots.chunks_exact(SLOT).take(n).enumerate() {
            if addrs[i].nl_pid == 0 {
                count_datagram(
                    &slot[..(hdrs[i].msg_len as usize).min(SLOT)],
                    counts,
                    &finder,
                );
            }
        }
        // A short batch: the socket was empty (as the library's drain ends).
        if n < FLOOR_BATCH {
            draining = false;
            if std::mem::take(&mut fresh) {
                std::thread::sleep(GATHER);
                draining = true;
            }
        }
    }
    finish(&mut sock, t0, receives)
}

/// Read until `stop`; returns the thread's CPU time over the whole run.
fn read_records(mut sock: AuditSocket, counts: &Counts, stop: &AtomicBool) -> Usage {
    let finder = memchr::memmem::Finder::new(KEY.as_bytes());
    let receives0 = sock.receive_calls();
    let t0 = thread_usage();
    while !stop.load(Ordering::Relaxed) {
        match sock.recv(Some(Duration::from_millis(50))) {
            Ok(Some(Incoming::Record(r))) => {
                counts.records.fetch_add(1, Ordering::Relaxed);
                if r.record_type == RecordType::SYSCALL && finder.find(&r.payload).is_some() {
                    counts.events.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(Some(Incoming::Overrun { .. } | Incoming::Truncated { .. })) | Ok(None) => {}
            Err(e) => panic!("reader: {e}"),
        }
    }
    let receives = sock.receive_calls() - receives0;
    finish(&mut sock, t0, receives)
}

fn count_item(item: StreamItem, counts: &Counts, finder: &memchr::memmem::Finder<'_>) {
    match item {
        StreamItem::Event(ev) => {
            counts.records.fetch_add(ev.len() as u64, Ordering::Relaxed);
            if is_storm_event(&ev, finder) {
                counts.events.fetch_add(1, Ordering::Relaxed);
            }
        }
        StreamItem::Lost { .. } => {}
        StreamItem::BadRecord(e) => panic!("reader: unreadable record: {e}"),
    }
}

fn read_events(sock: AuditSocket, gather: Duration, counts: &Counts, stop: &AtomicBool) -> Usage {
    let finder = memchr::memmem::Finder::new(KEY.as_bytes());
    let mut stream = EventStream::new(sock);
    stream.set_gather(gather).expect("gather");
    let receives0 = stream.socket().receive_calls();
    let t0 = thread_usage();
    while !stop.load(Ordering::Relaxed) {
        match stream.next(Some(Duration::from_millis(50))) {
            Ok(Some(item)) => count_item(item, counts, &finder),
            Ok(None) => {}
            Err(e) => panic!("reader: {e}"),
        }
    }
    let receives = stream.socket().receive_calls() - receives0;
    finish(stream.socket(), t0, receives)
}

#[cfg(feature = "tokio")]
fn read_async(sock: AuditSocket, gather: Duration, counts: &Counts, stop: &AtomicBool) -> Usage {
    use audit_netlink::tokio_stream::AsyncEventStream;
    let finder = memchr::memmem::Finder::new(KEY.as_bytes());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let mut events = EventStream::new(sock);
        events.set_gather(gather).expect("gather");
        let mut stream = AsyncEventStream::new(events).expect("register");
        let receives0 = stream.get_mut().socket().receive_calls();
        let t0 = thread_usage();
        // No timer per call (it would cost as much as the stream): at the end, the
        // bench sends events until this loop has seen `stop`.
        while !stop.load(Ordering::Relaxed) {
            match stream.next().await {
                Ok(item) => count_item(item, counts, &finder),
                Err(e) => panic!("reader: {e}"),
            }
        }
        let sock = stream.get_mut().socket();
        let receives = sock.receive_calls() - receives0;
        finish(sock, t0, receives)
    })
}

fn bench_ours(c: &mut Criterion, setup: &mut Setup, reader: Reader, multicast: bool) {
    if !selected(reader.name()) {
        return;
    }
    let size = storm_size();
    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let (counts2, stop2) = (counts.clone(), stop.clone());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    // Named after the reader (as `perf report --comm` shows it, 15 bytes).
    let thread = std::thread::Builder::new()
        .name(reader.name().into())
        .spawn(move || {
            let sock = if multicast {
                AuditSocket::open_readlog().expect("read-log socket")
            } else {
                let mut sock = AuditSocket::open().expect("reader socket");
                sock.register_daemon().expect("register as daemon");
                sock
            };
            let _ = sock.set_recv_buffer_size(8 << 20, true);
            ready_tx.send(()).unwrap();
            match reader {
                Reader::Floor => read_floor(sock, Duration::ZERO, &counts2, &stop2),
                Reader::FloorGathered => read_floor(sock, GATHER, &counts2, &stop2),
                Reader::FloorBatched => read_floor_batched(sock, multicast, &counts2, &stop2),
                Reader::Records => read_records(sock, &counts2, &stop2),
                Reader::Events => read_events(sock, Duration::ZERO, &counts2, &stop2),
                Reader::EventsGathered => read_events(sock, GATHER, &counts2, &stop2),
                #[cfg(feature = "tokio")]
                Reader::Async => read_async(sock, Duration::ZERO, &counts2, &stop2),
                #[cfg(feature = "tokio")]
                Reader::AsyncGathered => read_async(sock, GATHER, &counts2, &stop2),
            }
        })
        .expect("reader thread");
    ready_rx.recv().unwrap();
    let lost0 = setup.lost();
    let mut expected = 0;
    let mut complete = true;
    let wall = Instant::now();
    c.bench_function(&format!("exec_storm/{}", reader.name()), |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                storm(size);
                expected += size;
                complete &= wait_for(|| counts.events.load(Ordering::Relaxed), expected);
            }
            t.elapsed()
        })
    });
    let wall = wall.elapsed();
    let events = counts.events.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    // A reader waiting without a timeout (the async one, the floor's) wakes on an event.
    while !thread.is_finished() {
        storm(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    let usage = thread.join().unwrap();
    eprintln!(
        "{}{}: {events}/{expected} events ({} records), {:.0} events/s, reader CPU {:.2} µs/event ({:.2} user), {:.2} wake-ups/event, {:.2} receives/event, kernel lost +{}{}",
        reader.name(),
        if multicast { " (read-log multicast)" } else { "" },
        counts.records.load(Ordering::Relaxed),
        events as f64 / wall.as_secs_f64(),
        usage.cpu.as_secs_f64() * 1e6 / events.max(1) as f64,
        usage.user.as_secs_f64() * 1e6 / events.max(1) as f64,
        usage.sleeps as f64 / events.max(1) as f64,
        usage.receives as f64 / events.max(1) as f64,
        setup.lost().wrapping_sub(lost0),
        if complete { "" } else { " (INCOMPLETE: events missing)" }
    );
}

fn proc_cpu(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<u64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm.
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_micros(ticks * 1_000_000 / hz)
}

fn bench_auditd(c: &mut Criterion, setup: &mut Setup) {
    if !selected("auditd") {
        return;
    }
    let size = storm_size();
    if Command::new("auditd").arg("-h").output().is_err() {
        eprintln!("SKIPPED auditd comparison: auditd not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("lar-exec-storm-{}", std::process::id()));
    let _ = std::fs::create_dir_all(dir.join("plugins"));
    let log = dir.join("audit.log");
    let conf = dir.join("auditd.conf");
    std::fs::write(
        &conf,
        format!(
            "local_events = yes\nwrite_logs = yes\nlog_file = {}\nlog_format = RAW\n\
             flush = INCREMENTAL_ASYNC\nfreq = 50\nmax_log_file = 1000\nmax_log_file_action = IGNORE\n\
             space_left = 2\nspace_left_action = IGNORE\nadmin_space_left = 1\n\
             admin_space_left_action = IGNORE\ndisk_full_action = IGNORE\ndisk_error_action = IGNORE\n\
             plugin_dir = {}\nq_depth = 2000\noverflow_action = IGNORE\nname_format = NONE\n\
             end_of_event_timeout = 2\n",
            log.display(),
            dir.join("plugins").display()
        ),
    )
    .unwrap();
    let mut child = match Command::new("auditd")
        .args(["-n", "-s", "nochange", "-c"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("SKIPPED auditd comparison: {e}");
            return;
        }
    };
    // Wait until auditd is the registered daemon.
    let registered = wait_for(
        || u64::from(setup.ctl.get_status().map(|s| s.pid).unwrap_or(0) == child.id()),
        1,
    );
    if !registered {
        let _ = child.kill();
        let _ = child.wait();
        eprintln!("SKIPPED auditd comparison: auditd did not register");
        return;
    }
    let finder = memchr::memmem::Finder::new(KEY.as_bytes());
    let count = || {
        let data = std::fs::read(&log).unwrap_or_default();
        data.split(|&b| b == b'\n')
            .filter(|l| l.starts_with(b"type=SYSCALL ") && finder.find(l).is_some())
            .count() as u64
    };
    let lost0 = setup.lost();
    let cpu0 = proc_cpu(child.id());
    let mut expected = 0;
    let mut complete = true;
    let wall = Instant::now();
    c.bench_function("exec_storm/auditd", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                storm(size);
                expected += size;
                complete &= wait_for(&count, expected);
            }
            t.elapsed()
        })
    });
    let wall = wall.elapsed();
    let cpu = proc_cpu(child.id()) - cpu0;
    let events = count();
    // SAFETY: sending SIGTERM to our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "auditd: {events}/{expected} events, {:.0} events/s, auditd CPU {:.1} µs/event (10 ms ticks), kernel lost +{}{}",
        events as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / events.max(1) as f64,
        setup.lost().wrapping_sub(lost0),
        if complete { "" } else { " (INCOMPLETE: events missing)" }
    );
}

fn exec_storm(c: &mut Criterion) {
    let _g = audit_testlock::live_lock();
    if !audit_testlock::live_kernel_available() {
        return;
    }
    // A daemon already registered (the user's auditd) is never displaced: our readers
    // then read the read-log multicast group beside it, and auditd is not run.
    let holder = match audit_testlock::daemon_slot_holder() {
        Ok(h) => h,
        Err(e) => {
            eprintln!("SKIPPED exec_storm: {e}");
            return;
        }
    };
    let multicast = holder.is_some();
    let mut setup = Setup::new();
    bench_ours(c, &mut setup, Reader::Floor, multicast);
    bench_ours(c, &mut setup, Reader::FloorGathered, multicast);
    bench_ours(c, &mut setup, Reader::FloorBatched, multicast);
    bench_ours(c, &mut setup, Reader::Records, multicast);
    bench_ours(c, &mut setup, Reader::Events, multicast);
    bench_ours(c, &mut setup, Reader::EventsGathered, multicast);
    #[cfg(feature = "tokio")]
    bench_ours(c, &mut setup, Reader::Async, multicast);
    #[cfg(feature = "tokio")]
    bench_ours(c, &mut setup, Reader::AsyncGathered, multicast);
    #[cfg(not(feature = "tokio"))]
    eprintln!("SKIPPED async-stream: build with --features tokio");
    match holder {
        None => bench_auditd(c, &mut setup),
        Some(h) => eprintln!("SKIPPED auditd comparison: {h}"),
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = exec_storm
}
criterion_main!(benches);
