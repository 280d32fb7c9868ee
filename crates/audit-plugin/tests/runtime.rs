//! The runtime in a real process: the `record-sink` example fed through a pipe, with
//! signals, a slow handler, and a queue file across a SIGKILL.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The example, built with this test's profile and target directory.
fn sink_bin() -> PathBuf {
    audit_testlock::reference::example_bin("audit-plugin", "record-sink")
}

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("audit-plugin-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spawn(args: &[&str], stdin: Stdio) -> Child {
    Command::new(sink_bin())
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} failed");
}

fn lines_of(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// SIGUSR1's status file as name -> value.
fn status(child: &Child, file: &Path) -> std::collections::HashMap<String, u64> {
    let _ = std::fs::remove_file(file);
    signal(child, "USR1");
    wait_until("the status file", Duration::from_secs(10), || file.exists());
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.parse().unwrap()))
        .collect()
}

fn record(i: usize) -> String {
    format!(
        "type=USER_END msg=audit(1700000000.{:03}:{i}): pid=1 msg='n={i}'",
        i % 1000
    )
}

#[test]
fn crash_mid_burst_replays_every_record_at_least_once() {
    const N: usize = 3000;
    let dir = Dir::new("crash");
    let (out, queue, stat) = (dir.path("out"), dir.path("queue"), dir.path("status"));
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--delay-ms",
        "1",
        "--queue-file",
        queue.to_str().unwrap(),
        "--queue-file-max",
        "10000000",
        "--capacity",
        "100000",
        "--status-file",
        stat.to_str().unwrap(),
    ];
    let mut child = spawn(&args, Stdio::piped());
    let mut input = child.stdin.take().unwrap();
    let text: String = (0..N).map(|i| record(i) + "\n").collect();
    input.write_all(text.as_bytes()).unwrap();
    // All read and queued (so in the file), a part handled: kill it there.
    wait_until(
        "the reader to queue everything",
        Duration::from_secs(30),
        || {
            let s = status(&child, &stat);
            s["handled"] + s["depth"] >= N as u64 && s["handled"] >= 100
        },
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let before = lines_of(&out).len();
    assert!(
        before < N,
        "killed too late: {before} of {N} already handled"
    );

    // The next start hands out what was left, then sees the end of its input.
    let child = spawn(&args, Stdio::null());
    let done = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "restart failed: {err}");
    let replayed: usize = err
        .lines()
        .find_map(|l| l.strip_prefix("replayed="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        replayed >= N - before,
        "replayed {replayed}, {before} handled before"
    );
    let got = lines_of(&out);
    let seen: std::collections::HashSet<&str> = got.iter().map(String::as_str).collect();
    for i in 0..N {
        assert!(seen.contains(record(i).as_str()), "record {i} was lost");
    }
    // At least once, not many times: at most the batch in hand when killed repeats.
    assert!(got.len() < N + 100, "{} lines for {N} records", got.len());
    assert_eq!(
        std::fs::metadata(&queue).unwrap().len(),
        16,
        "queue file not emptied"
    );
}

#[test]
fn slow_handler_never_blocks_the_reader_and_overflow_is_counted() {
    const N: usize = 2000;
    let dir = Dir::new("slow");
    let (out, stat) = (dir.path("out"), dir.path("status"));
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--delay-ms",
        "20",
        "--capacity",
        "50",
        "--overflow",
        "drop-newest",
        "--status-file",
        stat.to_str().unwrap(),
    ];
    let mut child = spawn(&args, Stdio::piped());
    let mut input = child.stdin.take().unwrap();
    let start = Instant::now();
    for i in 0..N {
        input.write_all((record(i) + "\n").as_bytes()).unwrap();
        input.flush().unwrap();
    }
    // 2000 records at 20 ms each would take 40 s if the writer waited on the handler.
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "writing took {took:?}");
    wait_until("every record read", Duration::from_secs(10), || {
        let s = status(&child, &stat);
        s["handled"] + s["depth"] + s["overflowed"] == N as u64
    });
    let s = status(&child, &stat);
    assert!(s["overflowed"] > 0 && s["max_depth"] <= 50, "{s:?}");
    drop(input);
    let done = child.wait_with_output().unwrap();
    assert!(done.status.success());
    let err = String::from_utf8_lossy(&done.stderr);
    let handled = lines_of(&out).len() as u64;
    assert!(err.contains(&format!("handled={handled}\n")), "{err}");
    assert!(
        err.contains(&format!("overflowed={}\n", N as u64 - handled)),
        "{err}"
    );
    // Drop-newest keeps the first ones.
    assert_eq!(lines_of(&out)[0], record(0));
}

#[test]
fn sigterm_drains_sighup_reloads_timer_ticks() {
    let dir = Dir::new("term");
    let out = dir.path("out");
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--delay-ms",
        "5",
        "--timer-ms",
        "100",
    ];
    let mut child = spawn(&args, Stdio::piped());
    let mut input = child.stdin.take().unwrap();
    wait_until("a timer tick", Duration::from_secs(10), || {
        lines_of(&out).iter().any(|l| l == "tick")
    });
    signal(&child, "HUP");
    wait_until("reload", Duration::from_secs(10), || {
        lines_of(&out).iter().any(|l| l == "reload")
    });
    let text: String = (0..200).map(|i| record(i) + "\n").collect();
    input.write_all(text.as_bytes()).unwrap();
    input.flush().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    signal(&child, "TERM");
    // Input still open: the plugin stops on SIGTERM after draining its queue.
    let done = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{err}");
    assert!(err.starts_with("stopped: Terminated"), "{err}");
    let got: Vec<String> = lines_of(&out)
        .into_iter()
        .filter(|l| l.starts_with("type="))
        .collect();
    assert_eq!(got, (0..200).map(record).collect::<Vec<_>>());
    drop(input);
}

fn binary_frame(out: &mut Vec<u8>, rtype: u32, payload: &str, padded: bool) {
    for w in [0u32, 16, rtype, payload.len() as u32] {
        out.extend_from_slice(&w.to_ne_bytes());
    }
    out.extend_from_slice(payload.as_bytes());
    if padded {
        out.resize(out.len() + 8970 - payload.len(), 0xAB);
    }
}

#[test]
fn events_from_string_and_both_binary_layouts() {
    let events = [
        (
            1300,
            "audit(1700000001.000:10): arch=c000003e syscall=59 success=yes",
        ),
        (1302, "audit(1700000001.000:10): item=0 name=\"/bin/ls\""),
        (1320, "audit(1700000001.000:10): "),
        (1105, "audit(1700000002.500:11): pid=7 uid=0 msg='op=x'"),
    ];
    let string: String = events
        .iter()
        .map(|(t, p)| {
            let name = audit_wire::RecordType::from(*t).to_string();
            format!("type={name} msg={p}\n")
        })
        .collect();
    let mut inputs = vec![("string", string.into_bytes())];
    for padded in [true, false] {
        let mut b = Vec::new();
        for (t, p) in events {
            binary_frame(&mut b, t, p, padded);
        }
        inputs.push(("binary", b));
    }
    for (format, bytes) in inputs {
        let dir = Dir::new(&format!("events-{format}"));
        let out = dir.path("out");
        let mut child = spawn(
            &[
                "--out",
                out.to_str().unwrap(),
                "--events",
                "--format",
                format,
            ],
            Stdio::piped(),
        );
        let mut input = child.stdin.take().unwrap();
        // Chunks of odd sizes, apart in time.
        for c in bytes.chunks(777) {
            input.write_all(c).unwrap();
            input.flush().unwrap();
        }
        drop(input);
        let done = child.wait_with_output().unwrap();
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
        assert_eq!(
            lines_of(&out),
            ["event 1700000001.000:10 3", "event 1700000002.500:11 1"],
            "{format}"
        );
    }
}

#[test]
fn a_bad_binary_stream_is_an_error_after_what_came_before() {
    let dir = Dir::new("bad");
    let out = dir.path("out");
    let mut b = Vec::new();
    binary_frame(&mut b, 1105, "audit(1.000:1): pid=1", false);
    b.extend_from_slice(&[7, 0, 0, 0, 16, 0, 0, 0]);
    b.extend_from_slice(&[0; 8]);
    let mut child = spawn(
        &[
            "--out",
            out.to_str().unwrap(),
            "--format",
            "binary",
            "--binary-layout",
            "exact",
        ],
        Stdio::piped(),
    );
    child.stdin.take().unwrap().write_all(&b).unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(!done.status.success());
    let err = String::from_utf8_lossy(&done.stderr);
    assert!(err.contains("unknown protocol version 7"), "{err}");
    assert_eq!(
        lines_of(&out),
        ["type=USER_START msg=audit(1.000:1): pid=1"]
    );
}

#[test]
fn crash_mid_burst_replays_every_event_at_least_once() {
    const N: usize = 1500;
    let dir = Dir::new("crash-events");
    let (out, queue, stat) = (dir.path("out"), dir.path("queue"), dir.path("status"));
    let args = [
        "--out",
        out.to_str().unwrap(),
        "--events",
        "--delay-ms",
        "2",
        "--queue-file",
        queue.to_str().unwrap(),
        "--capacity",
        "100000",
        "--status-file",
        stat.to_str().unwrap(),
    ];
    let mut child = spawn(&args, Stdio::piped());
    let mut input = child.stdin.take().unwrap();
    let text: String = (0..N)
        .map(|i| {
            format!(
                "type=SYSCALL msg=audit(1700000000.000:{i}): syscall=59 success=yes\n\
                 type=PROCTITLE msg=audit(1700000000.000:{i}): proctitle=6C73\n"
            )
        })
        .collect();
    input.write_all(text.as_bytes()).unwrap();
    wait_until(
        "the reader to queue everything",
        Duration::from_secs(30),
        || {
            let s = status(&child, &stat);
            s["handled"] + s["depth"] >= 2 * N as u64 && lines_of(&out).len() >= 100
        },
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let before = lines_of(&out).len();
    assert!(
        before < N,
        "killed too late: {before} of {N} events already handled"
    );

    let child = spawn(&args, Stdio::null());
    let done = child.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let got = lines_of(&out);
    let seen: std::collections::HashSet<&str> = got.iter().map(String::as_str).collect();
    for i in 0..N {
        let whole = format!("event 1700000000.000:{i} 2");
        assert!(seen.contains(whole.as_str()), "event {i} lost or cut");
    }
    assert!(got.len() < N + 100, "{} lines for {N} events", got.len());
}
