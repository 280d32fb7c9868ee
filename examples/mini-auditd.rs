//! A minimal audit daemon: `mini-auditd LOGFILE`.
//!
//! Registers as the audit daemon, appends every record to LOGFILE in auditd's RAW
//! format (`type=NAME msg=audit(...): ...`), and on SIGTERM (or SIGINT) keeps draining
//! the socket for a short grace period, asks the kernel who sent the signal
//! (AUDIT_SIGNAL_INFO) and writes a DAEMON_END record naming that pid and login uid,
//! then gives the daemon pid back and exits. It neither changes `enabled` nor loads
//! rules: that is auditctl's job.
//!
//! Run as root: `cargo run --example mini-auditd -- /tmp/audit.log`, then read the log
//! with `ausearch -if /tmp/audit.log`.

use audit_netlink::{AuditSocket, Incoming};
use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long records are still drained after the signal.
const GRACE: Duration = Duration::from_millis(500);

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn stamp(serial: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "audit({}.{:03}:{serial})",
        now.as_secs(),
        now.subsec_millis()
    )
}

fn kernel_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn proc_self(name: &str) -> String {
    std::fs::read_to_string(format!("/proc/self/{name}"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "4294967295".into())
}

/// The uid and session id of a process, "?" when it is gone.
fn sender_ids(pid: i32) -> (String, String) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next())
        .unwrap_or("?")
        .to_string();
    let ses = std::fs::read_to_string(format!("/proc/{pid}/sessionid"))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    (uid, ses)
}

fn run(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
    }
    let file = OpenOptions::new().create(true).append(true).open(path)?;
    let mut log = BufWriter::new(file);
    let mut sock = AuditSocket::open()?;
    sock.register_daemon()
        .map_err(|e| format!("cannot register as the audit daemon: {e}"))?;
    // A large queue: the kernel blocks its sender, not us, when it is full.
    if sock.set_recv_buffer_size(8 << 20, true).is_err() {
        sock.set_recv_buffer_size(8 << 20, false)?;
    }
    let mut last_serial = 0u64;
    // SAFETY: getuid has no preconditions.
    let uid = unsafe { libc::getuid() };
    writeln!(
        log,
        "type=DAEMON_START msg={}: op=start ver={} format=raw kernel={} auid={} pid={} uid={uid} ses={} res=success",
        stamp(1),
        env!("CARGO_PKG_VERSION"),
        kernel_release(),
        proc_self("loginuid"),
        std::process::id(),
        proc_self("sessionid"),
    )?;
    log.flush()?;

    let mut line = Vec::with_capacity(1024);
    let mut write_record = |log: &mut BufWriter<std::fs::File>,
                            item: Incoming,
                            last: &mut u64|
     -> std::io::Result<()> {
        match item {
            Incoming::Record(r) => {
                if let Some(s) = r.serial() {
                    *last = (*last).max(s);
                }
                line.clear();
                r.write_line(&mut line);
                line.push(b'\n');
                log.write_all(&line)
            }
            Incoming::Overrun { total } => {
                eprintln!("mini-auditd: receive queue overflowed ({total} times)");
                Ok(())
            }
            Incoming::Truncated { len, cap, .. } => {
                eprintln!("mini-auditd: dropped a {len}-byte kernel datagram (buffer {cap})");
                Ok(())
            }
        }
    };

    while !STOP.load(Ordering::SeqCst) {
        match sock.recv(Some(Duration::from_millis(200)))? {
            Some(item) => {
                write_record(&mut log, item, &mut last_serial)?;
                if sock.queued() == 0 {
                    log.flush()?;
                }
            }
            None => log.flush()?,
        }
    }

    // Grace period: drain what the kernel still has for us.
    let end = Instant::now() + GRACE;
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match sock.recv(Some(left.min(Duration::from_millis(100))))? {
            Some(item) => write_record(&mut log, item, &mut last_serial)?,
            None => break,
        }
    }

    let info = sock.signal_info()?;
    // As auditd 3 writes it: the sender's uid and session come from /proc while it
    // lives ("?" once it is gone); the context only when the kernel has one.
    let (uid, ses) = sender_ids(info.pid);
    let subj = info
        .context()
        .map(|c| format!(" subj={c}"))
        .unwrap_or_default();
    writeln!(
        log,
        "type=DAEMON_END msg={}: op=terminate auid={} uid={uid} ses={ses} pid={}{subj} res=success",
        stamp(last_serial + 1),
        info.uid,
        info.pid,
    )?;
    log.flush()?;
    sock.unregister_daemon()?;
    // Records that arrived while unregistering.
    while let Some(item) = sock.recv(Some(Duration::ZERO))? {
        write_record(&mut log, item, &mut last_serial)?;
    }
    log.flush()?;
    eprintln!(
        "mini-auditd: stopped by pid {} (auid {})",
        info.pid, info.uid
    );
    Ok(())
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: mini-auditd LOGFILE");
        std::process::exit(2);
    };
    if let Err(e) = run(&path) {
        eprintln!("mini-auditd: {e}");
        std::process::exit(1);
    }
}
