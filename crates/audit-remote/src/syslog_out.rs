//! The other road out: each record to a syslog daemon as one RFC 5424 message,
//! over TCP (RFC 6587 octet counting) or a local datagram socket, from a plugin on
//! the `audit-plugin` runtime.
//!
//! The message is `<86>1 TIMESTAMP HOST audit PID TYPE - RECORD`: facility
//! authpriv, severity info, the record type (`SYSCALL`, or `-`) as MSGID and the
//! record line, whole, as MSG. A message is never cut: the receiver's size limit
//! must allow auditd's longest records (about 9 KiB; rsyslog's default is 8 KiB,
//! `global(maxMessageSize="64k")` raises it). A failed send is an error of the
//! handler: the plugin stops rather than drop a record.
//!
//! ```no_run
//! use audit_plugin::{Delivery, Plugin};
//! use audit_remote::syslog_out::{SyslogForwarder, SyslogTarget};
//! let mut forwarder = SyslogForwarder::connect(SyslogTarget::Tcp("127.0.0.1:514".parse()?))?;
//! Plugin::new().delivery(Delivery::Records).run(&mut forwarder)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use audit_plugin::{Handler, HandlerResult};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where messages go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyslogTarget {
    /// A syslog daemon's TCP port (rsyslog's `imtcp`), octet-counted framing.
    Tcp(SocketAddr),
    /// A local datagram socket (`/dev/log`, rsyslog's `imuxsock`), one message a
    /// datagram.
    Unix(PathBuf),
}

enum Connection {
    Tcp(TcpStream),
    Unix(UnixDatagram),
}

/// The plugin's [`Handler`]: each record as one RFC 5424 message.
pub struct SyslogForwarder {
    target: SyslogTarget,
    connection: Connection,
    hostname: String,
    pid: u32,
    message: Vec<u8>,
    /// Messages sent.
    pub sent: u64,
}

impl std::fmt::Debug for SyslogForwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyslogForwarder")
            .field("target", &self.target)
            .field("sent", &self.sent)
            .finish_non_exhaustive()
    }
}

impl SyslogForwarder {
    /// Connects to `target`.
    ///
    /// # Errors
    /// The error of connecting.
    pub fn connect(target: SyslogTarget) -> io::Result<Self> {
        let connection = open(&target)?;
        let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .ok()
            .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()))
            .unwrap_or_else(|| "-".into());
        Ok(Self {
            target,
            connection,
            hostname,
            pid: std::process::id(),
            message: Vec::new(),
            sent: 0,
        })
    }

    /// Sends one record (its line, without the newline) as one message; over TCP a
    /// broken connection is made again once and the message sent again.
    ///
    /// # Errors
    /// The error of sending.
    pub fn send(&mut self, record: &[u8]) -> io::Result<()> {
        self.format(record);
        if self.transmit().is_err() {
            self.connection = open(&self.target)?;
            self.transmit()?;
        }
        self.sent += 1;
        Ok(())
    }

    fn format(&mut self, record: &[u8]) {
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        let msgid = record_type(record).unwrap_or("-");
        self.message.clear();
        let _ = write!(
            self.message,
            "<86>1 {} {} audit {} {msgid} - ",
            rfc3339_now(),
            self.hostname,
            self.pid
        );
        self.message.extend_from_slice(record);
    }

    fn transmit(&mut self) -> io::Result<()> {
        match &mut self.connection {
            Connection::Tcp(stream) => {
                let mut framed = format!("{} ", self.message.len()).into_bytes();
                framed.extend_from_slice(&self.message);
                stream.write_all(&framed)
            }
            Connection::Unix(socket) => socket.send(&self.message).map(|_| ()),
        }
    }
}

impl Handler for SyslogForwarder {
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        self.send(line).map_err(Into::into)
    }
}

fn open(target: &SyslogTarget) -> io::Result<Connection> {
    Ok(match target {
        SyslogTarget::Tcp(addr) => {
            let stream = TcpStream::connect(addr)?;
            stream.set_nodelay(true)?;
            Connection::Tcp(stream)
        }
        SyslogTarget::Unix(path) => {
            let socket = UnixDatagram::unbound()?;
            socket.connect(path)?;
            Connection::Unix(socket)
        }
    })
}

/// `SYSCALL` of `[node=N ]type=SYSCALL msg=…`, when it is a plain name.
fn record_type(record: &[u8]) -> Option<&str> {
    let head = std::str::from_utf8(&record[..record.len().min(64)]).ok()?;
    let at = head.find("type=")?;
    let name = head[at + 5..].split(' ').next()?;
    // MSGID is 1 to 32 printable characters.
    (!name.is_empty() && name.len() <= 32 && name.bytes().all(|b| b.is_ascii_graphic()))
        .then_some(name)
}

/// Now as `YYYY-MM-DDThh:mm:ss.uuuuuuZ`.
fn rfc3339_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60,
        now.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_rfc5424_with_the_type_as_msgid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.sock");
        let server = UnixDatagram::bind(&path).unwrap();
        let mut forwarder = SyslogForwarder::connect(SyslogTarget::Unix(path)).unwrap();
        forwarder
            .send(b"node=web1 type=USER_LOGIN msg=audit(1.000:2): res=success\n")
            .unwrap();
        let mut buf = [0u8; 512];
        let n = server.recv(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let fields: Vec<&str> = text.splitn(8, ' ').collect();
        assert_eq!(fields[0], "<86>1");
        assert!(fields[1].ends_with('Z') && fields[1].len() == 27, "{text}");
        assert_eq!(
            fields[3..7],
            ["audit", &std::process::id().to_string(), "USER_LOGIN", "-"]
        );
        assert_eq!(
            fields[7],
            "node=web1 type=USER_LOGIN msg=audit(1.000:2): res=success"
        );
    }

    #[test]
    fn the_date_is_the_civil_date() {
        // 2026 is not before 2024 nor after 2100 on any machine running this.
        let now = rfc3339_now();
        let year: i64 = now[..4].parse().unwrap();
        assert!((2024..2100).contains(&year), "{now}");
        let out = std::process::Command::new("date")
            .args(["-u", "+%Y-%m-%dT%H:%M"])
            .output()
            .unwrap();
        let date = String::from_utf8_lossy(&out.stdout);
        let again = rfc3339_now();
        assert!(
            again.starts_with(date.trim()) || now.starts_with(date.trim()),
            "{now} / {again} against date(1): {date}"
        );
    }
}
