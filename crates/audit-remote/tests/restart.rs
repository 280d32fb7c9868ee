//! Faults over loopback: the receiver process killed (SIGKILL) and restarted twice
//! mid-stream, then the sender process killed and restarted twice mid-stream; at the
//! end the receiver's log holds every record exactly once, in order.
//!
//! The test binary is its own helper: `--receiver PORT LOG` runs a receiver until
//! killed, `--sender PORT QUEUE FROM TO` spools and sends records FROM..TO, printing
//! `spooled I` once record I is in its queue file; with a sixth argument STALL it
//! stops (to be killed) once record STALL-1 is spooled, frames still in flight.

use audit_remote::sender::Sender;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod receiver_process;
use receiver_process::{lines, patient_sender, run_receiver, start_receiver, Started};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("--receiver") => run_receiver(args[2].parse().unwrap(), Path::new(&args[3])),
        Some("--sender") => run_sender(
            args[2].parse().unwrap(),
            Path::new(&args[3]),
            args[4].parse().unwrap(),
            args[5].parse().unwrap(),
            args.get(6).map(|a| a.parse().unwrap()),
        ),
        _ => {
            receiver_killed_twice();
            sender_killed_twice();
        }
    }
}

fn record(i: usize) -> String {
    format!(
        "type=SYSCALL msg=audit(1700000{:03}.{:03}:{i}): arch=c000003e syscall=59 success=yes exit=0 pid={i} comm=\"true\"\n",
        i / 1000,
        i % 1000
    )
}

fn run_sender(port: u16, queue: &Path, from: usize, to: usize, stall: Option<usize>) {
    let mut sender = Sender::open(patient_sender(port, 100_000), queue).unwrap();
    let mut out = std::io::stdout();
    for i in from..to {
        // Spooling happens before sending: report once the record is in the queue.
        sender.send(record(i).as_bytes()).unwrap();
        writeln!(out, "spooled {i}").unwrap();
        if stall == Some(i + 1) {
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
    }
    sender.flush().unwrap();
    writeln!(out, "done").unwrap();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn assert_exactly_once(log: &Path, count: usize) {
    let text = std::fs::read_to_string(log).unwrap();
    let got: Vec<&str> = text.split_inclusive('\n').collect();
    let expected: Vec<String> = (0..count).map(record).collect();
    let missing = expected
        .iter()
        .filter(|r| !got.contains(&r.as_str()))
        .count();
    let mut seen = std::collections::HashSet::new();
    for (at, line) in got.iter().enumerate() {
        if !seen.insert(*line) {
            eprintln!("line {at} repeats: {}", line.trim_end());
        }
    }
    assert_eq!(
        (got.len(), missing),
        (count, 0),
        "records logged and records missing"
    );
    assert!(got == expected, "records out of order");
}

fn receiver_killed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("remote.log");
    let port = free_port();
    let mut receiver = start_receiver(port, &log);
    let count = 3000;
    let queue = dir.path().join("queue");
    let sending = std::thread::spawn(move || {
        let mut sender = Sender::open(patient_sender(port, 100_000), &queue).unwrap();
        for i in 0..count {
            sender.send(record(i).as_bytes()).unwrap();
        }
        sender.flush().unwrap();
        sender.stats().clone()
    });
    for kill_at in [800, 1800] {
        let deadline = Instant::now() + Duration::from_secs(60);
        while lines(&log) < kill_at {
            assert!(Instant::now() < deadline, "no progress to {kill_at}");
            std::thread::sleep(Duration::from_millis(5));
        }
        receiver.0.kill().unwrap();
        receiver.0.wait().unwrap();
        std::thread::sleep(Duration::from_millis(300));
        receiver = start_receiver(port, &log);
    }
    let stats = sending.join().unwrap();
    receiver.0.kill().unwrap();
    receiver.0.wait().unwrap();
    assert!(stats.connections >= 3, "{stats:?}");
    assert!(
        stats.resent > 0,
        "nothing was in flight at a kill: {stats:?}"
    );
    assert_exactly_once(&log, count);
    println!("receiver killed twice: {count} records once each ({stats:?})");
}

fn sender_killed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("remote.log");
    let port = free_port();
    let mut receiver = start_receiver(port, &log);
    let queue = dir.path().join("queue");
    let count = 2000;
    let mut from = 0;
    for round in 0..3 {
        let stop_after = if round < 2 { from + 600 } else { usize::MAX };
        let mut command = Command::new(std::env::current_exe().unwrap());
        command
            .arg("--sender")
            .arg(port.to_string())
            .arg(&queue)
            .arg(from.to_string())
            .arg(count.to_string());
        if round < 2 {
            command.arg(stop_after.to_string());
        }
        let mut sender = Started(command.stdout(Stdio::piped()).spawn().unwrap());
        let sender = &mut sender.0;
        let mut out = BufReader::new(sender.stdout.take().unwrap());
        let mut line = String::new();
        loop {
            line.clear();
            if out.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(i) = line.trim().strip_prefix("spooled ") {
                from = i.parse::<usize>().unwrap() + 1;
                if from >= stop_after {
                    sender.kill().unwrap();
                    break;
                }
            }
        }
        let status = sender.wait().unwrap();
        if round == 2 {
            assert!(status.success(), "the last sender failed: {status}");
        }
    }
    assert_eq!(from, count);
    receiver.0.kill().unwrap();
    receiver.0.wait().unwrap();
    assert_exactly_once(&log, count);
    println!("sender killed twice: {count} records once each");
}
