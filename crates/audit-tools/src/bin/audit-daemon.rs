//! `audit-daemon`: an audit daemon composed of the project's crates, run in place
//! of auditd: registers as the kernel's audit daemon (audit-netlink), writes the
//! log (audit-log) and hands every record to the plugins (audit-dispatch).
//!
//! Options as auditd's: `-c DIR` (configuration directory, `DIR/auditd.conf`,
//! default `/etc/audit`), `-f` (foreground, messages on stderr), `-n` (no fork),
//! `-s enable|disable|nochange` (what to set `enabled` to at start, default enable;
//! with enable it is disabled again at exit).
//!
//! Signals: SIGTERM/SIGINT stop (after a grace period draining the socket, so the
//! kill's own record reaches the log); SIGHUP re-reads `auditd.conf`'s dispatcher
//! keys and `plugins.d`; SIGUSR1 rotates the logs. Each writes a DAEMON_* record
//! naming the sender as the kernel reports it (AUDIT_SIGNAL_INFO).
//!
//! Not done yet (see the project's issue 18): the writer's settings are not
//! re-read on SIGHUP; DAEMON_ABORT and DAEMON_RESUME are not written; in the
//! background (without `-f`) messages are discarded rather than sent to syslog;
//! a dead daemon's registration is not taken over.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use audit_dispatch::{Dispatcher, Payload, Record, Settings};
use audit_log::{LogConfig, LogWriter};
use audit_netlink::audit_wire::RecordType;
use audit_netlink::{AuditSocket, Incoming};

/// How long records are still read after SIGTERM.
const GRACE: Duration = Duration::from_millis(500);
/// How long plugins have to take what is queued for them at exit.
const DRAIN: Duration = Duration::from_secs(5);
/// Records read before they are written with one `write`.
const BATCH: usize = 256;
const EOE: u16 = 1320;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetEnabled {
    Enable,
    Disable,
    NoChange,
}

#[derive(Debug)]
struct Options {
    config_dir: PathBuf,
    foreground: bool,
    no_fork: bool,
    set_enabled: SetEnabled,
}

fn usage() -> String {
    "usage: audit-daemon [-f] [-n] [-c CONFIG_DIR] [-s enable|disable|nochange]".into()
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut o = Options {
        config_dir: PathBuf::from("/etc/audit"),
        foreground: false,
        no_fork: false,
        set_enabled: SetEnabled::Enable,
    };
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-f" => o.foreground = true,
            "-n" => o.no_fork = true,
            "-c" => o.config_dir = args.next().ok_or_else(usage)?.into(),
            "-s" => {
                o.set_enabled = match args.next().as_deref() {
                    Some("enable") => SetEnabled::Enable,
                    Some("disable") => SetEnabled::Disable,
                    Some("nochange") => SetEnabled::NoChange,
                    _ => return Err(usage()),
                }
            }
            _ => return Err(usage()),
        }
    }
    Ok(o)
}

/// The writer's and the dispatcher's settings from `DIR/auditd.conf`; unknown
/// keys are warned about, a bad value is an error naming its line.
fn read_config(dir: &Path, say: &dyn Fn(&str)) -> Result<(LogConfig, Settings), String> {
    let path = dir.join("auditd.conf");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parsed = LogConfig::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut settings = Settings::default();
    for k in &parsed.others {
        let taken = settings
            .apply(k.line, &k.key, &k.value)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if !taken && !k.known_to_auditd {
            say(&format!(
                "{}:{}: unknown key {:?} ignored",
                path.display(),
                k.line,
                k.key
            ));
        }
    }
    Ok((parsed.config, settings))
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

fn proc_text(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

/// The uid and session id of a process, `?` once it is gone (as auditd writes).
fn sender_ids(pid: i32) -> (String, String) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next())
        .unwrap_or("?")
        .to_string();
    (uid, proc_text(&format!("/proc/{pid}/sessionid")))
}

struct Daemon {
    sock: AuditSocket,
    log: LogWriter,
    dispatcher: Dispatcher,
    last_serial: u64,
    foreground: bool,
}

impl Daemon {
    fn say(&self, msg: &str) {
        if self.foreground {
            eprintln!("audit-daemon: {msg}");
        }
    }

    fn collect_notices(&mut self) {
        let notices: Vec<String> = self
            .log
            .take_notices()
            .into_iter()
            .map(|n| format!("log: {n:?}"))
            .chain(self.dispatcher.notices().into_iter().map(|n| n.to_string()))
            .collect();
        for n in notices {
            self.say(&n);
        }
    }

    /// Writes one of the daemon's own records and hands it to the plugins.
    fn own_record(&mut self, name: &str, text: &str) {
        self.last_serial += 1;
        let rtype = RecordType::from_name(name).map_or(0, |t| t.0);
        let payload = format!("{}: {text}", stamp(self.last_serial));
        if let Err(e) = self.log.write_record(rtype, payload.as_bytes()) {
            self.say(&format!("{name} not logged: {e}"));
        }
        if let Ok(r) = Record::new(RecordType(rtype), Payload::Raw, payload.as_bytes()) {
            self.dispatcher.dispatch(&r);
        }
    }

    /// The sender of the last signal, as `auid=… uid=… ses=… pid=… [subj=…]`.
    fn sender(&mut self) -> String {
        match self.sock.signal_info() {
            Ok(info) => {
                let (uid, ses) = sender_ids(info.pid);
                let subj = info
                    .context()
                    .map(|c| format!(" subj={c}"))
                    .unwrap_or_default();
                format!(
                    "auid={} uid={uid} ses={ses} pid={}{subj}",
                    info.uid, info.pid
                )
            }
            Err(_) => "auid=4294967295 uid=? ses=? pid=?".into(),
        }
    }

    /// Logs (except EOE, which auditd leaves out of the log) and dispatches a
    /// batch of records.
    fn handle(&mut self, batch: &mut Vec<audit_netlink::RawRecord>) {
        if batch.is_empty() {
            return;
        }
        let logged = batch
            .iter()
            .filter(|r| r.msg_type != EOE)
            .map(|r| (u32::from(r.msg_type), r.payload.as_slice()));
        if let Err(e) = self.log.write_records(logged) {
            self.say(&format!("records not logged: {e}"));
        }
        for r in batch.iter() {
            if let Some(s) = r.serial() {
                self.last_serial = self.last_serial.max(s);
            }
            match Record::new(RecordType(u32::from(r.msg_type)), Payload::Raw, &r.payload) {
                Ok(rec) => self.dispatcher.dispatch(&rec),
                Err(e) => self.say(&format!("record not dispatched: {e}")),
            }
        }
        batch.clear();
    }

    /// Reads what the kernel sends until `until` says stop (or `deadline`).
    fn receive(
        &mut self,
        deadline: Option<Instant>,
        until: &dyn Fn() -> bool,
    ) -> Result<(), String> {
        let mut batch = Vec::with_capacity(BATCH);
        while !until() {
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) => left.min(Duration::from_millis(100)),
                    None => break,
                },
                None => Duration::from_millis(200),
            };
            // Once the socket is drained, write what was read with one write.
            let timeout = if batch.is_empty() {
                wait
            } else {
                Duration::ZERO
            };
            match self.sock.recv(Some(timeout)).map_err(|e| e.to_string())? {
                Some(Incoming::Record(r)) => {
                    batch.push(r);
                    if batch.len() >= BATCH {
                        self.handle(&mut batch);
                    }
                }
                Some(Incoming::Overrun { total }) => {
                    self.say(&format!("receive queue overflowed ({total} times)"))
                }
                Some(Incoming::Truncated { len, cap, .. }) => self.say(&format!(
                    "dropped a {len}-byte datagram from the kernel: larger than the {cap}-byte buffer"
                )),
                None => {
                    self.handle(&mut batch);
                    self.collect_notices();
                    if deadline.is_some() && batch.is_empty() {
                        break;
                    }
                }
            }
        }
        self.handle(&mut batch);
        Ok(())
    }
}

fn run(o: &Options) -> Result<(), String> {
    let say = |m: &str| {
        if o.foreground {
            eprintln!("audit-daemon: {m}")
        }
    };
    let (log_config, settings) = read_config(&o.config_dir, &say)?;
    let format = format!("{:?}", log_config.log_format).to_lowercase();

    let stop = Arc::new(AtomicBool::new(false));
    let hup = Arc::new(AtomicBool::new(false));
    let usr1 = Arc::new(AtomicBool::new(false));
    for (sig, flag) in [
        (signal_hook::consts::SIGTERM, &stop),
        (signal_hook::consts::SIGINT, &stop),
        (signal_hook::consts::SIGHUP, &hup),
        (signal_hook::consts::SIGUSR1, &usr1),
    ] {
        signal_hook::flag::register(sig, flag.clone()).map_err(|e| e.to_string())?;
    }

    let mut sock = AuditSocket::open().map_err(|e| e.to_string())?;
    sock.register_daemon()
        .map_err(|e| format!("cannot register as the audit daemon: {e}"))?;
    // A large queue: the kernel waits, rather than losing records, when it is full.
    if sock.set_recv_buffer_size(8 << 20, true).is_err() {
        let _ = sock.set_recv_buffer_size(8 << 20, false);
    }
    let log = LogWriter::open(log_config).map_err(|e| e.to_string())?;
    let dispatcher = Dispatcher::start(settings.clone())
        .map_err(|e| format!("{}: {e}", settings.plugin_dir.display()))?;
    let mut d = Daemon {
        sock,
        log,
        dispatcher,
        last_serial: 0,
        foreground: o.foreground,
    };
    if o.set_enabled != SetEnabled::NoChange {
        if let Err(e) = d.sock.set_enabled(o.set_enabled == SetEnabled::Enable) {
            d.say(&format!("cannot set enabled: {e}"));
        }
    }
    let start = format!(
        "op=start ver={} format={format} kernel={} auid={} pid={} uid={} ses={} res=success",
        env!("CARGO_PKG_VERSION"),
        proc_text("/proc/sys/kernel/osrelease"),
        proc_text("/proc/self/loginuid"),
        std::process::id(),
        rustix::process::getuid().as_raw(),
        proc_text("/proc/self/sessionid"),
    );
    d.own_record("DAEMON_START", &start);
    d.collect_notices();

    loop {
        d.receive(None, &|| {
            stop.load(Ordering::Relaxed)
                || hup.load(Ordering::Relaxed)
                || usr1.load(Ordering::Relaxed)
        })?;
        if hup.swap(false, Ordering::Relaxed) {
            let who = d.sender();
            let state = match read_config(&o.config_dir, &say) {
                Ok((_, settings)) => match d.dispatcher.reload_with(settings) {
                    Ok(()) => "changed",
                    Err(e) => {
                        d.say(&format!("plugins not reloaded: {e}"));
                        "no-change"
                    }
                },
                Err(e) => {
                    d.say(&format!("configuration not reloaded: {e}"));
                    "no-change"
                }
            };
            d.own_record(
                "DAEMON_CONFIG",
                &format!("op=reconfigure state={state} {who} res=success"),
            );
        }
        if usr1.swap(false, Ordering::Relaxed) {
            let who = d.sender();
            d.log.rotate_now();
            d.own_record(
                "DAEMON_ROTATE",
                &format!("op=rotate-logs {who} res=success"),
            );
        }
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    // The records of the kill itself are still on their way.
    d.receive(Some(Instant::now() + GRACE), &|| false)?;
    let who = d.sender();
    d.own_record("DAEMON_END", &format!("op=terminate {who} res=success"));
    if o.set_enabled == SetEnabled::Enable {
        if let Err(e) = d.sock.set_enabled(false) {
            d.say(&format!("cannot disable: {e}"));
        }
    }
    let _ = d.sock.unregister_daemon();
    let Daemon {
        dispatcher,
        log,
        foreground,
        ..
    } = d;
    for n in dispatcher.shutdown(DRAIN) {
        if foreground {
            eprintln!("audit-daemon: {n}");
        }
    }
    log.close().map_err(|e| e.to_string())?;
    Ok(())
}

/// Without `-f` or `-n`: runs itself again with `-n` in a new process group,
/// detached from the terminal, and returns.
fn background() -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let child = std::process::Command::new(exe)
        .args(std::env::args().skip(1))
        .arg("-n")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|e| e.to_string())?;
    drop(child);
    Ok(())
}

fn main() -> ExitCode {
    let o = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = if o.foreground || o.no_fork {
        run(&o)
    } else {
        background()
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("audit-daemon: {e}");
            ExitCode::FAILURE
        }
    }
}
