//! Records to a syslog daemon as RFC 5424 messages, as an auditd plugin:
//! `audit-syslog [RUNTIME OPTIONS] TARGET`, TARGET `tcp:HOST:PORT` (octet-counted
//! framing, e.g. rsyslog's `imtcp`) or a local socket path such as `/dev/log`. See
//! `audit_remote::syslog_out`. A `plugins.d` file:
//!
//! ```text
//! active = yes
//! direction = out
//! path = /usr/local/sbin/audit-syslog
//! type = always
//! args = tcp:127.0.0.1:514
//! format = string
//! ```

use audit_plugin::{Delivery, Plugin};
use audit_remote::syslog_out::{SyslogForwarder, SyslogTarget};

fn main() -> std::process::ExitCode {
    let run = || -> Result<(), Box<dyn std::error::Error>> {
        let (plugin, rest) = Plugin::split_args(std::env::args().skip(1))?;
        let [target] = rest.as_slice() else {
            return Err("usage: audit-syslog [runtime options] tcp:HOST:PORT|SOCKET".into());
        };
        let target = match target.strip_prefix("tcp:") {
            Some(addr) => {
                let addr = std::net::ToSocketAddrs::to_socket_addrs(addr)?
                    .next()
                    .ok_or_else(|| format!("{addr} resolves to no address"))?;
                SyslogTarget::Tcp(addr)
            }
            None => SyslogTarget::Unix(target.into()),
        };
        let mut forwarder = SyslogForwarder::connect(target)?;
        plugin.delivery(Delivery::Records).run(&mut forwarder)?;
        Ok(())
    };
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("audit-syslog: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
