//! A central log receiver: `remote_receiver ADDR LOG_FILE [MAX_IDLE_SECS]`.
//!
//! Listens on ADDR (such as `0.0.0.0:60`, auditd's `tcp_listen_port`), appends each
//! record received to LOG_FILE, synced, before acknowledging it; one connection per
//! sender address; connections silent for MAX_IDLE_SECS are closed. Stops on EOF of
//! standard input (or Ctrl-D), sending ENDING to the senders.

use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: remote_receiver ADDR LOG_FILE [MAX_IDLE_SECS]".into());
    }
    let config = ReceiverConfig {
        client_max_idle: match args.get(3) {
            Some(secs) => Some(Duration::from_secs(secs.parse()?)),
            None => None,
        },
        ..ReceiverConfig::default()
    };
    let sink = Arc::new(FileSink::open(Path::new(&args[2]))?);
    let server = Receiver::bind(args[1].as_str(), config, sink)?.spawn()?;
    eprintln!("receiving on {}", server.local_addr());
    // Block until standard input ends: a simple, signal-free stop.
    std::io::stdin().read_to_end(&mut Vec::new())?;
    let stats = server.shutdown();
    eprintln!("{stats:?}");
    Ok(())
}
