//! A record longer than a frame can carry, among others in one batch of the plugin:
//! none of them is lost. audisp-remote reads its input with `audit_fgets`, which
//! hands an over-long line on in pieces; the plugin does the same.

use audit_plugin::Handler;
use audit_remote::actions::{Level, Log};
use audit_remote::config::RemoteConfig;
use audit_remote::frame::MAX_RECEIVABLE_PAYLOAD;
use audit_remote::plugin::RemoteHandler;
use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
use std::sync::{Arc, Mutex};

/// Keeps what the actions log.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<(Level, String)>>>);

impl Log for Collect {
    fn log(&mut self, level: Level, message: &str) {
        self.0.lock().unwrap().push((level, message.to_owned()));
    }
}

#[test]
fn records_around_a_long_one_all_reach_the_receiver() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("remote.log");
    let sink = Arc::new(FileSink::open(&log_path).unwrap());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let config = RemoteConfig::parse(&format!(
        "remote_server = 127.0.0.1\nport = {}\nqueue_file = {}\n\
         queue_error_action = syslog\n",
        server.local_addr().port(),
        dir.path().join("queue").display()
    ))
    .unwrap();
    let logged = Collect::default();
    let mut handler = RemoteHandler::new(config, Box::new(logged.clone())).unwrap();
    handler.start().unwrap();

    let first = b"type=USER msg=audit(1700000000.001:1): n=1".to_vec();
    // As long as auditd's own lines can be: a 8970-byte buffer and a node name.
    let mut long = b"type=EXECVE msg=audit(1700000000.002:2): argc=1 a0=".to_vec();
    long.resize(8970 + 255, b'x');
    let third = b"type=USER msg=audit(1700000000.003:3): n=3".to_vec();
    for line in [&first, &long, &third] {
        handler.record(line).unwrap();
    }
    handler.finish().unwrap();

    let written = std::fs::read(&log_path).unwrap();
    let lines: Vec<&[u8]> = written.split_inclusive(|&b| b == b'\n').collect();
    assert!(lines.len() >= 4, "{} lines: {:?}", lines.len(), logged.0);
    assert_eq!(lines[0], [first.as_slice(), b"\n"].concat());
    assert_eq!(*lines.last().unwrap(), [third.as_slice(), b"\n"].concat());
    // The long record arrives whole, in pieces that each fit a frame.
    let pieces = &lines[1..lines.len() - 1];
    for piece in pieces {
        assert!(piece.len() <= MAX_RECEIVABLE_PAYLOAD, "{}", piece.len());
    }
    let rejoined: Vec<u8> = pieces
        .iter()
        .flat_map(|p| p.strip_suffix(b"\n").unwrap().iter().copied())
        .collect();
    assert_eq!(rejoined, long);
    // And the split is reported, not silent.
    let logged = logged.0.lock().unwrap();
    assert!(
        logged
            .iter()
            .any(|(_, m)| m.contains(&format!("{} bytes", long.len() + 1))),
        "{logged:?}"
    );
    assert_eq!(handler.sender().pending(), 0);
    server.shutdown();
}
