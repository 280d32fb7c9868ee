//! Records received without their trailing newline, or with a newline inside,
//! go into the log as one line each, as auditd's listener writes them, and do
//! not cost the other records of their batch.

use audit_log::{LogConfig, LogWriter};
use audit_remote::log_append::LogAppender;
use audit_remote::server::Durability;

fn writer(dir: &std::path::Path) -> LogWriter {
    let text = format!(
        "log_file = {}/audit.log\nlog_format = RAW\nflush = incremental\nfreq = 1\n",
        dir.display()
    );
    LogWriter::open(LogConfig::parse(&text).unwrap().config).unwrap()
}

#[test]
fn a_record_without_its_newline_gets_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = writer(dir.path());
    // audisp-remote sends a record cut at its buffer's size without a newline.
    let batch: [&[u8]; 3] = [
        b"node=a type=USER msg=audit(1.000:1): x=1\n",
        b"node=a type=USER msg=audit(1.000:2): cut",
        b"node=a type=USER msg=audit(1.000:3): x=3\n",
    ];
    let got = LogAppender::new().append(&mut log, &batch);
    assert_eq!(got, Ok(Durability::Written));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("audit.log")).unwrap(),
        "node=a type=USER msg=audit(1.000:1): x=1\n\
         node=a type=USER msg=audit(1.000:2): cut\n\
         node=a type=USER msg=audit(1.000:3): x=3\n"
    );
    assert_eq!(log.records_on_disk(), 3);
}

#[test]
fn a_newline_inside_a_record_becomes_a_space() {
    let dir = tempfile::tempdir().unwrap();
    let mut log = writer(dir.path());
    let batch: [&[u8]; 3] = [
        b"type=USER msg=audit(1.000:1): a\nb\n",
        b"type=USER msg=audit(1.000:2): c\n\nd",
        b"\n",
    ];
    let got = LogAppender::new().append(&mut log, &batch);
    assert_eq!(got, Ok(Durability::Written));
    // Each record one line: nothing of a record can pass for a record of its own.
    assert_eq!(
        std::fs::read_to_string(dir.path().join("audit.log")).unwrap(),
        "type=USER msg=audit(1.000:1): a b\n\
         type=USER msg=audit(1.000:2): c  d\n\
         \n"
    );
}

#[test]
fn a_file_sink_writes_each_record_as_one_line() {
    use audit_remote::server::{FileSink, Sink};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.log");
    let sink = FileSink::open(&path).unwrap();
    let peer = "127.0.0.1:60".parse().unwrap();
    sink.write_all(peer, &[b"type=USER msg=audit(1.000:1): cut", b"a\nb\n"])
        .unwrap();
    sink.write(peer, b"type=USER msg=audit(1.000:3): x\n")
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "type=USER msg=audit(1.000:1): cut\na b\ntype=USER msg=audit(1.000:3): x\n"
    );
}

/// A sender that resends, after the receiver restarted, a record it sent without
/// its newline: the record's line in the log is recognised, not written again.
#[test]
fn a_resend_without_its_newline_matches_its_line_after_a_restart() {
    use audit_remote::frame::{decode_all, Frame, FrameType, HEADER_SIZE};
    use audit_remote::server::{FileSink, Receiver, ReceiverConfig};
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remote.log");
    let record = b"node=a type=USER msg=audit(1.000:7): cut".to_vec();
    std::fs::write(&path, [record.as_slice(), b"\n"].concat()).unwrap();
    let sink = std::sync::Arc::new(FileSink::open(&path).unwrap());
    let receiver = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), sink)
        .unwrap()
        .spawn()
        .unwrap();
    let mut peer = std::net::TcpStream::connect(receiver.local_addr()).unwrap();
    peer.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let message = Frame::new(FrameType::MESSAGE, 1, record.clone());
    peer.write_all(&message.encode().unwrap()).unwrap();
    let mut reply = [0u8; HEADER_SIZE];
    peer.read_exact(&mut reply).unwrap();
    let (frames, _) = decode_all(&reply).unwrap();
    assert_eq!(frames[0].kind, FrameType::ACK);
    let stats = receiver.shutdown();
    assert_eq!((stats.duplicates_dropped, stats.records_written), (1, 0));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [record.as_slice(), b"\n"].concat()
    );
}
