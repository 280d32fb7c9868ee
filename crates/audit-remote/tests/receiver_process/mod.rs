//! A receiver in a process of its own, for the tests that kill and restart it: the
//! test binary runs itself with `--receiver PORT LOG`, which calls [`run_receiver`].

use audit_remote::sender::SenderConfig;
use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use audit_testlock::process::Started;

/// Serves `port` on loopback into `log` until killed (the `--receiver` process).
pub fn run_receiver(port: u16, log: &Path) {
    let sink = Arc::new(FileSink::open(log).unwrap());
    let _server = Receiver::bind(("127.0.0.1", port), ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(60));
    }
}

/// A sender to the receiver on loopback `port` that outlasts its restarts: it
/// retries every 50 ms up to 400 times with no time limit, keeps 8 frames in
/// flight and spools up to `queue_depth` records.
pub fn patient_sender(port: u16, queue_depth: usize) -> SenderConfig {
    let mut config = SenderConfig::new(([127, 0, 0, 1], port).into());
    config.window = 8;
    config.retry_time = Duration::from_millis(50);
    config.max_tries = 400;
    config.max_time = None;
    config.reply_timeout = Duration::from_secs(5);
    config.queue_depth = queue_depth;
    config
}

/// Starts this test binary as a receiver on `port` and waits until it listens.
pub fn start_receiver(port: u16, log: &Path) -> Started {
    let mut child = Started(
        Command::new(std::env::current_exe().unwrap())
            .arg("--receiver")
            .arg(port.to_string())
            .arg(log)
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let deadline = Instant::now() + Duration::from_secs(20);
    // A probe connection is closed at once: the receiver takes it and moves on.
    while TcpStream::connect(addr).is_err() {
        assert!(child.0.try_wait().unwrap().is_none(), "receiver exited");
        assert!(Instant::now() < deadline, "receiver never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// How many lines the receiver's log holds (0 before it exists).
pub fn lines(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}
