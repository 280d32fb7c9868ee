//! An audispd-style plugin, like the C audisp-example: reads records from stdin as the
//! audit dispatcher hands them over, and for each record of each completed event prints
//! `record type 1300(SYSCALL) has 27 fields` (the name is `UNKNOWN` for a type without
//! one; fields are counted as libauparse counts them).
//!
//! SIGTERM stops it (after a flush), SIGHUP asks for a configuration reload (this
//! example has no configuration, so it only notes it). When stdin stays idle for a
//! second while events are open, they are aged by the wall clock so that a quiet system
//! still sees its last events. At end of input everything is flushed.
use audit_parse::{Event, Options, Parser};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static HUP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_term(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

extern "C" fn on_hup(_: libc::c_int) {
    HUP.store(true, Ordering::SeqCst);
}

fn install(sig: libc::c_int, handler: extern "C" fn(libc::c_int)) {
    // SAFETY: a zeroed sigaction is a valid value; the handler only stores to an
    // atomic, which is async-signal-safe; no SA_RESTART so a blocking poll/read returns
    // EINTR and the loop sees the flag.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Wait until stdin is readable or `timeout_ms` passes; true when readable.
fn wait_readable(fd: i32, timeout_ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    n > 0
}

fn print_event(out: &mut impl Write, ev: &Event) -> io::Result<()> {
    for rec in ev.records() {
        let name = rec
            .record_type()
            .and_then(|t| t.name())
            .unwrap_or("UNKNOWN");
        writeln!(
            out,
            "record type {}({}) has {} fields",
            rec.type_number(),
            name,
            rec.field_count()
        )?;
    }
    Ok(())
}

fn drain(parser: &mut Parser, out: &mut impl Write) -> io::Result<()> {
    while let Some(item) = parser.next_event() {
        match item {
            Ok(ev) => print_event(out, &ev)?,
            Err(e) => eprintln!("audisp-example: {e}"),
        }
    }
    out.flush()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn main() -> io::Result<()> {
    install(libc::SIGTERM, on_term);
    install(libc::SIGHUP, on_hup);
    let stdin = io::stdin();
    let fd = stdin.as_raw_fd();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut parser = Parser::new(Options::default());
    // Read as the C example does, in blocks of MAX_AUDIT_MESSAGE_LENGTH: the block
    // boundaries decide when events are handed out, and so their order.
    let mut buf = vec![0u8; 8970];
    while !STOP.load(Ordering::SeqCst) {
        if HUP.swap(false, Ordering::SeqCst) {
            eprintln!("audisp-example: reload requested (no configuration to reload)");
        }
        if parser.events_in_flight() > 0 && !wait_readable(fd, 1000) {
            // Idle (or interrupted) with events open: shake them loose by the clock.
            parser.age_events(now());
            drain(&mut parser, &mut out)?;
            continue;
        }
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                parser.feed(&buf[..n]);
                drain(&mut parser, &mut out)?;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    parser.flush();
    drain(&mut parser, &mut out)?;
    if STOP.load(Ordering::SeqCst) {
        writeln!(out, "audisp-example is exiting on stop request")?;
    } else {
        writeln!(out, "audisp-example is exiting on stdin EOF")?;
    }
    out.flush()
}
