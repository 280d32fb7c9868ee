//! A `remote_server` that does not resolve at start: audisp-remote looks the name up
//! on every connection attempt, runs `startup_failure_action` (default
//! `warn_once_continue`) while it never connected, and keeps queuing. The plugin
//! does the same; the queued records go out once a working server is configured.

use audit_plugin::Handler;
use audit_remote::actions::{Level, Log};
use audit_remote::config::RemoteConfig;
use audit_remote::plugin::RemoteHandler;
use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Keeps what the actions log.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<(Level, String)>>>);

impl Log for Collect {
    fn log(&mut self, level: Level, message: &str) {
        self.0.lock().unwrap().push((level, message.to_owned()));
    }
}

fn config(server: &str, port: u16, queue: &Path) -> RemoteConfig {
    RemoteConfig::parse(&format!(
        "remote_server = {server}\nport = {port}\nqueue_file = {}\n\
         max_tries_per_record = 1\n",
        queue.display()
    ))
    .unwrap()
}

fn record(i: usize) -> Vec<u8> {
    format!("type=USER msg=audit(1700000000.{i:03}:{i}): n={i}").into_bytes()
}

#[test]
fn an_unresolvable_server_queues_records_until_one_works() {
    let dir = tempfile::tempdir().unwrap();
    let queue = dir.path().join("queue");
    let log_path = dir.path().join("remote.log");
    let sink = Arc::new(FileSink::open(&log_path).unwrap());
    let server = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let port = server.local_addr().port();

    let logged = Collect::default();
    let mut handler = RemoteHandler::new(
        config("aggregator.invalid", port, &queue),
        Box::new(logged.clone()),
    )
    .unwrap();
    handler.start().unwrap();
    for i in 1..=3 {
        handler.record(&record(i)).unwrap();
        handler.timer().unwrap();
    }
    handler.finish().unwrap();
    assert_eq!(handler.sender().pending(), 3);
    {
        let logged = logged.0.lock().unwrap();
        // warn_once_continue: one warning, naming the server.
        assert_eq!(logged.len(), 1, "{logged:?}");
        let (_, message) = &logged[0];
        assert!(
            message.starts_with("startup network failure")
                && message.contains("aggregator.invalid"),
            "{message}"
        );
    }
    drop(handler);
    assert!(std::fs::read(&log_path).unwrap().is_empty());

    // Configured with a name that resolves (looked up when connecting): the queued
    // records are sent first.
    let mut handler = RemoteHandler::new(
        config("localhost", port, &queue),
        Box::new(Collect::default()),
    )
    .unwrap();
    handler.start().unwrap();
    handler.record(&record(4)).unwrap();
    handler.finish().unwrap();
    assert_eq!(handler.sender().pending(), 0);
    let expected: String = (1..=4)
        .map(|i| format!("{}\n", String::from_utf8(record(i)).unwrap()))
        .collect();
    assert_eq!(std::fs::read_to_string(&log_path).unwrap(), expected);
    server.shutdown();
}
