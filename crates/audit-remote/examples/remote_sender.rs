//! A sender, usable as an auditd plugin: `remote_sender SERVER QUEUE_FILE [WINDOW]`.
//!
//! Reads records, one per line, from standard input (what auditd gives a plugin of
//! `format = string`), spools them (those already read together, with one sync) in
//! QUEUE_FILE and sends it to SERVER (such as
//! `aggregator.example:60`); a record leaves the queue only once acknowledged. At the
//! end of input it waits for every ACK. Records still queued from an earlier run are
//! sent first.
//!
//! ```text
//! # /etc/audit/plugins.d/remote-rs.conf
//! active = yes
//! direction = out
//! path = /usr/local/sbin/remote_sender
//! type = always
//! args = aggregator.example:60 /var/spool/audit/remote-rs.queue 16
//! format = string
//! ```

use audit_remote::sender::{Sender, SenderConfig};
use std::io::BufRead;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: remote_sender SERVER QUEUE_FILE [WINDOW]".into());
    }
    let mut config = SenderConfig::new(Sender::resolve(&args[1])?);
    config.window = args.get(3).map_or(Ok(1), |w| w.parse())?;
    // Keep trying through a receiver's restart rather than give up after three tries.
    config.max_tries = 60;
    config.max_time = Some(std::time::Duration::from_secs(60));
    let mut sender = Sender::open(config, Path::new(&args[2]))?;
    let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
    let mut batch: Vec<Vec<u8>> = Vec::new();
    loop {
        // Spool the lines already read in one batch (one sync), up to 100.
        batch.clear();
        loop {
            let mut line = Vec::new();
            if input.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            if !line.ends_with(b"\n") {
                line.push(b'\n');
            }
            batch.push(line);
            if batch.len() == 100 || input.buffer().is_empty() {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        sender.send_all(batch.iter().map(Vec::as_slice))?;
    }
    sender.flush()?;
    eprintln!("{:?}", sender.stats());
    Ok(())
}
