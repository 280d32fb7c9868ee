//! The receiver's settings from `auditd.conf`, as auditd 3.0.9 reads them:
//! `tcp_listen_port`, `tcp_listen_queue`, `tcp_max_per_addr`, `tcp_client_ports`,
//! `tcp_client_max_idle`, `local_events`, `distribute_network` and `use_libwrap`.
//!
//! The log writer's keys are audit-log's ([`audit_log::LogConfig::parse`]); it hands
//! every other line on as an [`OtherKey`], and [`ListenConfig::from_keys`] takes the
//! ones above from those, with auditd's ranges and defaults. A bad value is an error
//! naming its line.
//!
//! ```
//! use audit_remote::listen::ListenConfig;
//! let text = "log_file = /var/log/audit/audit.log\nlocal_events = no\n\
//!             tcp_listen_port = 60\ntcp_max_per_addr = 1\n\
//!             tcp_client_ports = 1-1023\ntcp_client_max_idle = 120\n";
//! let listen = ListenConfig::from_auditd_conf(text)?;
//! assert_eq!(listen.port, Some(60));
//! assert!(!listen.local_events);
//! assert_eq!(listen.client_ports, 1..=1023);
//! let receiver = listen.receiver_config();
//! assert_eq!(receiver.client_max_idle, Some(std::time::Duration::from_secs(120)));
//!
//! let err = ListenConfig::from_auditd_conf("flush = none\ntcp_client_ports = 9-2\n").unwrap_err();
//! assert_eq!(err.to_string(), "line 2: tcp_client_ports = \"9-2\": the range is reversed");
//! # Ok::<(), audit_remote::listen::ListenConfigError>(())
//! ```
//!
//! Differences from auditd 3.0.9: `use_libwrap = yes` (its default) has no effect,
//! as this build has no TCP wrappers: filter with `tcp_client_ports`, a firewall, or
//! TLS client certificates. Keys are matched without regard to case, as auditd does.

use crate::server::ReceiverConfig;
use audit_log::{LogConfig, OtherKey};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpListener};
use std::ops::RangeInclusive;
use std::time::Duration;

/// Most `tcp_max_per_addr` auditd allows.
pub const MAX_PER_ADDR_LIMIT: u16 = 1024;

/// The listener's settings of an `auditd.conf`, each defaulting as in auditd 3.0.9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListenConfig {
    /// `tcp_listen_port` (1..=65535; `None`, the default: no listener).
    pub port: Option<u16>,
    /// `tcp_listen_queue`: the listening socket's backlog (1..=65535, default 5).
    pub queue: u16,
    /// `tcp_max_per_addr`: connections at once from one address (1..=1024,
    /// default 1).
    pub max_per_addr: u16,
    /// `tcp_client_ports`: source ports senders may connect from, `N` or `N-M`
    /// (default `0-65535`, any).
    pub client_ports: RangeInclusive<u16>,
    /// `tcp_client_max_idle`: seconds of silence after which a connection is
    /// closed (0, the default: never).
    pub client_max_idle: u32,
    /// `local_events` (default `yes`): `no` makes a pure aggregator, which neither
    /// registers with its kernel nor changes its audit state.
    pub local_events: bool,
    /// `distribute_network` (default `no`): `yes` hands received records to the
    /// plugins too.
    pub distribute_network: bool,
    /// `use_libwrap` as read (default `yes`); it has no effect here.
    pub use_libwrap: bool,
}

impl Default for ListenConfig {
    fn default() -> Self {
        Self {
            port: None,
            queue: 5,
            max_per_addr: 1,
            client_ports: 0..=u16::MAX,
            client_max_idle: 0,
            local_events: true,
            distribute_network: false,
            use_libwrap: true,
        }
    }
}

/// Why the listener's settings were refused.
#[derive(Debug, thiserror::Error)]
pub enum ListenConfigError {
    /// A listener key has a bad value.
    #[error("line {line}: {key} = {value:?}: {why}")]
    BadValue {
        /// The line (from 1).
        line: usize,
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// What it should be.
        why: &'static str,
    },
    /// A listener key has a second word after its value.
    #[error("line {line}: {key} takes no option, got {option:?}")]
    UnexpectedOption {
        /// The line (from 1).
        line: usize,
        /// The key.
        key: String,
        /// The extra word.
        option: String,
    },
    /// The rest of the file was refused by the log writer's parser.
    #[error(transparent)]
    Log(#[from] audit_log::ConfigError),
}

impl ListenConfig {
    /// Parses the listener's keys of `auditd.conf` text; the rest of the file must
    /// be valid for the log writer too ([`LogConfig::parse`]).
    ///
    /// # Errors
    /// [`ListenConfigError`], naming the line.
    pub fn from_auditd_conf(text: &str) -> Result<Self, ListenConfigError> {
        let parsed = LogConfig::parse(text)?;
        Self::from_keys(&parsed.others)
    }

    /// Takes the listener's keys from the lines the log writer's parser did not
    /// take ([`audit_log::ParsedConfig::others`]); other keys are left alone. A key
    /// given twice keeps its last value.
    ///
    /// # Errors
    /// [`ListenConfigError::BadValue`] or [`ListenConfigError::UnexpectedOption`],
    /// naming the line.
    pub fn from_keys(keys: &[OtherKey]) -> Result<Self, ListenConfigError> {
        let mut config = Self::default();
        for k in keys {
            config.apply(k)?;
        }
        Ok(config)
    }

    fn apply(&mut self, k: &OtherKey) -> Result<(), ListenConfigError> {
        let key = k.key.to_ascii_lowercase();
        let listener_key = matches!(
            key.as_str(),
            "tcp_listen_port"
                | "tcp_listen_queue"
                | "tcp_max_per_addr"
                | "tcp_client_ports"
                | "tcp_client_max_idle"
                | "local_events"
                | "distribute_network"
                | "use_libwrap"
        );
        if !listener_key {
            return Ok(());
        }
        if let Some(option) = &k.option {
            return Err(ListenConfigError::UnexpectedOption {
                line: k.line,
                key: k.key.clone(),
                option: option.clone(),
            });
        }
        let bad = |why: &'static str| ListenConfigError::BadValue {
            line: k.line,
            key: k.key.clone(),
            value: k.value.clone(),
            why,
        };
        let number = |min: u64, max: u64, why: &'static str| {
            digits(&k.value)
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| bad(why))
        };
        let yes_no = || match k.value.to_ascii_lowercase().as_str() {
            "yes" => Ok(true),
            "no" => Ok(false),
            _ => Err(bad("yes or no")),
        };
        match key.as_str() {
            "tcp_listen_port" => {
                let port = number(1, 65535, "a port number of 1..=65535")?;
                self.port = Some(port as u16);
            }
            "tcp_listen_queue" => {
                self.queue = number(1, 65535, "a number of 1..=65535")? as u16;
            }
            "tcp_max_per_addr" => {
                self.max_per_addr = number(1, 1024, "a number of 1..=1024")? as u16;
            }
            "tcp_client_max_idle" => {
                let max = u64::from(i32::MAX.unsigned_abs());
                self.client_max_idle = number(0, max, "seconds, 0..=2147483647")? as u32;
            }
            "tcp_client_ports" => self.client_ports = client_ports(&k.value).map_err(bad)?,
            "local_events" => self.local_events = yes_no()?,
            "distribute_network" => self.distribute_network = yes_no()?,
            _ => self.use_libwrap = yes_no()?,
        }
        Ok(())
    }

    /// The [`ReceiverConfig`] these settings give (TLS off, the rest at its
    /// defaults).
    pub fn receiver_config(&self) -> ReceiverConfig {
        let any_port = self.client_ports == (0..=u16::MAX);
        ReceiverConfig {
            max_per_addr: usize::from(self.max_per_addr),
            client_max_idle: (self.client_max_idle > 0)
                .then(|| Duration::from_secs(u64::from(self.client_max_idle))),
            client_ports: (!any_port).then(|| self.client_ports.clone()),
            ..ReceiverConfig::default()
        }
    }

    /// Binds the listening socket on every address (IPv6 and IPv4 when the host
    /// has IPv6, IPv4 only otherwise) at `tcp_listen_port`, with `tcp_listen_queue`
    /// as its backlog and `SO_REUSEADDR` so that a restarted receiver gets its port
    /// back while old connections linger. `None` when no port is configured.
    ///
    /// # Errors
    /// The error of creating, binding or listening.
    pub fn bind(&self) -> std::io::Result<Option<TcpListener>> {
        let Some(port) = self.port else {
            return Ok(None);
        };
        let any6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port);
        match self.bind_to(any6) {
            Ok(listener) => Ok(Some(listener)),
            Err(_) => {
                let any4 = SocketAddr::new(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), port);
                self.bind_to(any4).map(Some)
            }
        }
    }

    /// Binds the listening socket on `addr` (any port in `addr` is used, not
    /// `tcp_listen_port`), with `tcp_listen_queue` as its backlog.
    ///
    /// # Errors
    /// The error of creating, binding or listening.
    pub fn bind_to(&self, addr: SocketAddr) -> std::io::Result<TcpListener> {
        use socket2::{Domain, Protocol, Socket, Type};
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
        socket.set_reuse_address(true)?;
        if addr.is_ipv6() {
            // One socket for both families, as auditd listens on both.
            socket.set_only_v6(false)?;
        }
        socket.bind(&addr.into())?;
        socket.listen(i32::from(self.queue))?;
        Ok(socket.into())
    }
}

fn digits(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// `N` or `N-M`, ports of 0..=65535, `N <= M`.
fn client_ports(value: &str) -> Result<RangeInclusive<u16>, &'static str> {
    const SHAPE: &str = "a port or two ports separated by a dash";
    let (low, high) = match value.split_once('-') {
        Some((low, high)) => (low, high),
        None => (value, value),
    };
    let port = |s: &str| {
        digits(s)
            .ok_or(SHAPE)
            .and_then(|n| u16::try_from(n).map_err(|_| "a port is above 65535"))
    };
    let (low, high) = (port(low)?, port(high)?);
    if low > high {
        return Err("the range is reversed");
    }
    Ok(low..=high)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        ListenConfig::from_auditd_conf(text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn defaults_are_auditds() {
        let c = ListenConfig::from_auditd_conf("flush = none\n").unwrap();
        assert_eq!(c, ListenConfig::default());
        assert_eq!(c.port, None);
        assert_eq!((c.queue, c.max_per_addr, c.client_max_idle), (5, 1, 0));
        let r = c.receiver_config();
        assert_eq!(r.client_ports, None);
        assert_eq!(r.client_max_idle, None);
        assert_eq!(r.max_per_addr, 1);
    }

    #[test]
    fn every_key_read() {
        let c = ListenConfig::from_auditd_conf(
            "TCP_LISTEN_PORT = 6000\ntcp_listen_queue = 64\ntcp_max_per_addr = 1024\n\
             tcp_client_ports = 1024\ntcp_client_max_idle = 2147483647\nlocal_events = NO\n\
             distribute_network = yes\nuse_libwrap = no\n",
        )
        .unwrap();
        assert_eq!(c.port, Some(6000));
        assert_eq!((c.queue, c.max_per_addr), (64, 1024));
        assert_eq!(c.client_ports, 1024..=1024);
        assert_eq!(c.client_max_idle, 2_147_483_647);
        assert!(!c.local_events && c.distribute_network && !c.use_libwrap);
        assert_eq!(c.receiver_config().client_ports, Some(1024..=1024));
    }

    #[test]
    fn bad_values_name_their_line() {
        assert_eq!(
            err("\ntcp_listen_port = 0\n"),
            "line 2: tcp_listen_port = \"0\": a port number of 1..=65535"
        );
        assert!(err("tcp_listen_port = 65536\n").starts_with("line 1: "));
        assert!(err("tcp_listen_queue = -1\n").contains("1..=65535"));
        assert!(err("tcp_max_per_addr = 1025\n").contains("1..=1024"));
        assert!(err("tcp_client_max_idle = 2147483648\n").contains("seconds"));
        assert!(err("tcp_client_ports = 1-70000\n").contains("above 65535"));
        assert!(err("tcp_client_ports = -5\n").contains("dash"));
        assert!(err("tcp_client_ports = 5-\n").contains("dash"));
        assert!(err("local_events = maybe\n").contains("yes or no"));
        assert_eq!(
            err("tcp_listen_port = 60 61\n"),
            "line 1: tcp_listen_port takes no option, got \"61\""
        );
        // The writer's keys are checked too.
        assert!(err("flush = sometimes\n").starts_with("line 1: flush"));
    }

    #[test]
    fn the_backlog_is_tcp_listen_queue() {
        let c = ListenConfig {
            queue: 7,
            ..ListenConfig::default()
        };
        let listener = c.bind_to("127.0.0.1:0".parse().unwrap()).unwrap();
        let port = listener.local_addr().unwrap().port();
        // A listening socket's Send-Q in `ss` is its backlog.
        let out = std::process::Command::new("ss")
            .args(["-ltnH", &format!("sport = :{port}")])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let send_q: Vec<&str> = text.split_whitespace().collect();
        assert_eq!(send_q.get(2), Some(&"7"), "ss said {text:?}");
    }
}
