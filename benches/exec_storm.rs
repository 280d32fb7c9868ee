//! Exec storm: one audited syscall (execve of this process's children), measured for
//! our netlink reader and for auditd (RAW format) on the same storm.
//!
//! Reports, besides criterion's time per storm: events received per second, reader
//! CPU per event, and the kernel's `lost` counter over the run. Needs root and the
//! machine-wide live-test lock; without them it skips loudly.
//! Run: `cargo bench --bench exec_storm`.

use audit_netlink::audit_wire::rule::{RuleData, ACTION_ALWAYS, FILTER_EXIT};
use audit_netlink::{AuditSocket, Incoming};
use criterion::{criterion_group, criterion_main, Criterion};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const STORM: u64 = 200;
const EQUAL: u32 = 0x4000_0000;
#[cfg(target_arch = "x86_64")]
const ARCH: u32 = 0xC000_003E;
#[cfg(target_arch = "aarch64")]
const ARCH: u32 = 0xC000_00B7;
const KEY: &str = "lar-exec-storm";

fn rule() -> RuleData {
    let mut r = RuleData::new(FILTER_EXIT, ACTION_ALWAYS);
    r.push_field(11, EQUAL, ARCH).unwrap();
    r.set_syscall(libc::SYS_execve as u32).unwrap();
    r.push_field(18, EQUAL, std::process::id()).unwrap(); // ppid = this bench
    r.push_str_field(210, EQUAL, KEY.as_bytes()).unwrap();
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

fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec the call writes to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
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

fn bench_ours(c: &mut Criterion, setup: &mut Setup) {
    let seen = Arc::new(AtomicU64::new(0));
    let records = Arc::new(AtomicU64::new(0));
    let cpu_ns = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (s2, r2, c2, st2) = (seen.clone(), records.clone(), cpu_ns.clone(), stop.clone());
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut sock = AuditSocket::open().expect("reader socket");
        sock.register_daemon().expect("register as daemon");
        let _ = sock.set_recv_buffer_size(8 << 20, true);
        ready_tx.send(()).unwrap();
        let finder = memchr::memmem::Finder::new(KEY.as_bytes());
        let t0 = thread_cpu();
        while !st2.load(Ordering::Relaxed) {
            match sock.recv(Some(Duration::from_millis(50))) {
                Ok(Some(Incoming::Record(r))) => {
                    r2.fetch_add(1, Ordering::Relaxed);
                    if r.msg_type == 1300 && finder.find(&r.payload).is_some() {
                        s2.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Some(Incoming::Overrun { .. })) | Ok(None) => {}
                Err(e) => panic!("reader: {e}"),
            }
            c2.store((thread_cpu() - t0).as_nanos() as u64, Ordering::Relaxed);
        }
        let _ = sock.unregister_daemon();
    });
    ready_rx.recv().unwrap();
    let lost0 = setup.lost();
    let mut expected = 0;
    let mut complete = true;
    let wall = Instant::now();
    c.bench_function("exec_storm/ours", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            for _ in 0..iters {
                storm(STORM);
                expected += STORM;
                complete &= wait_for(|| seen.load(Ordering::Relaxed), expected);
            }
            t.elapsed()
        })
    });
    let wall = wall.elapsed();
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    let events = seen.load(Ordering::Relaxed);
    let cpu = Duration::from_nanos(cpu_ns.load(Ordering::Relaxed));
    eprintln!(
        "ours: {events}/{expected} events ({} records), {:.0} events/s, reader CPU {:.1} µs/event, kernel lost +{}{}",
        records.load(Ordering::Relaxed),
        events as f64 / wall.as_secs_f64(),
        cpu.as_secs_f64() * 1e6 / events.max(1) as f64,
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
                storm(STORM);
                expected += STORM;
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
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut setup = Setup::new();
    bench_ours(c, &mut setup);
    bench_auditd(c, &mut setup);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = exec_storm
}
criterion_main!(benches);
