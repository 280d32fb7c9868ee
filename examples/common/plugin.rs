//! The input loop of an audispd plugin, shared by the plugin examples: read records
//! from stdin for as long as it stays open, age open events by the wall clock when
//! stdin is idle for a second, flush at end of input; SIGTERM stops the loop (after a
//! flush), SIGHUP only notes a reload request (the examples have no configuration).
use audit_parse::{Options, Parser};
use std::io::{self, Read};
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
    // atomic, which is async-signal-safe; without SA_RESTART a blocking poll or read
    // returns EINTR and the loop sees the flag.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = handler as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(sig, &sa, std::ptr::null_mut());
    }
}

/// Wait until `fd` is readable or `timeout_ms` passes; true when readable.
fn wait_readable(fd: i32, timeout_ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call.
    unsafe { libc::poll(&mut pfd, 1, timeout_ms) > 0 }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Run the plugin loop on stdin, reading `block` bytes at a time, calling `drain`
/// after every change to the parser so that the caller hands out what is ready.
/// Returns true when it was stopped by SIGTERM, false at end of input.
pub fn run(
    name: &str,
    block: usize,
    mut drain: impl FnMut(&mut Parser) -> io::Result<()>,
) -> io::Result<bool> {
    install(libc::SIGTERM, on_term);
    install(libc::SIGHUP, on_hup);
    let stdin = io::stdin();
    let fd = stdin.as_raw_fd();
    let mut input = stdin.lock();
    let mut parser = Parser::new(Options::default());
    let mut buf = vec![0u8; block];
    while !STOP.load(Ordering::SeqCst) {
        if HUP.swap(false, Ordering::SeqCst) {
            eprintln!("{name}: reload requested (no configuration to reload)");
        }
        if parser.events_in_flight() > 0 && !wait_readable(fd, 1000) {
            // Idle (or interrupted) with events open: shake them loose by the clock.
            parser.age_events(now());
            drain(&mut parser)?;
            continue;
        }
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                parser.feed(&buf[..n]);
                drain(&mut parser)?;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    parser.flush();
    drain(&mut parser)?;
    Ok(STOP.load(Ordering::SeqCst))
}
