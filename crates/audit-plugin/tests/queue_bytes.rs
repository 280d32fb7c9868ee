//! The queue's byte budget: with a handler stuck while large records pour in, what the
//! queue holds stays under the budget for every overflow policy, and every record not
//! handled is counted as overflowed.

use audit_plugin::{
    Delivery, Handler, HandlerResult, Overflow, Plugin, DEFAULT_PARSER_BYTES, DEFAULT_QUEUE_BYTES,
    PADDED_PAYLOAD,
};
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const RECORDS: usize = 300;
const RECORD_LEN: usize = 8000;
const BUDGET: usize = 256 << 10;

/// One record of `RECORD_LEN` bytes per read, numbered; notes when the input ended.
struct BigRecords {
    next: usize,
    ended: Arc<AtomicBool>,
}

fn record(i: usize) -> Vec<u8> {
    let mut line = format!("type=USER_END msg=audit(1.000:{i}): msg='").into_bytes();
    line.resize(RECORD_LEN, b'x');
    line.push(b'\n');
    line
}

impl Read for BigRecords {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.next == RECORDS {
            self.ended.store(true, Ordering::SeqCst);
            return Ok(0);
        }
        let line = record(self.next);
        self.next += 1;
        buf[..line.len()].copy_from_slice(&line);
        Ok(line.len())
    }
}

/// Stuck on its first record until the input ended (or sleeping per record), then
/// notes the serial of each record it is given.
struct Stuck {
    ended: Arc<AtomicBool>,
    sleep: Duration,
    serials: Vec<usize>,
}

impl Handler for Stuck {
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        assert_eq!(line.len(), RECORD_LEN, "records arrive whole");
        let start = Instant::now();
        while self.serials.is_empty() && !self.ended.load(Ordering::SeqCst) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "input never ended"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(self.sleep);
        let text = String::from_utf8_lossy(line);
        let serial = text["type=USER_END msg=audit(1.000:".len()..]
            .split(')')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or("no serial")?;
        self.serials.push(serial);
        Ok(())
    }
}

fn run(policy: Overflow, wait_for_end: bool) -> (audit_plugin::Metrics, Vec<usize>) {
    let ended = Arc::new(AtomicBool::new(false));
    let input = BigRecords {
        next: 0,
        ended: Arc::clone(&ended),
    };
    let mut stuck = Stuck {
        // A handler that does not wait for the end sleeps instead (`Block` makes
        // the input wait for it).
        ended: Arc::new(AtomicBool::new(!wait_for_end)),
        sleep: if wait_for_end {
            Duration::ZERO
        } else {
            Duration::from_millis(2)
        },
        serials: Vec::new(),
    };
    if wait_for_end {
        stuck.ended = ended;
    }
    let outcome = Plugin::new()
        .input(input)
        .delivery(Delivery::Records)
        .queue_bytes(BUDGET)
        .overflow(policy)
        .run(&mut stuck)
        .unwrap();
    (outcome.metrics, stuck.serials)
}

#[test]
fn a_stuck_handler_holds_at_most_the_byte_budget() {
    for policy in [Overflow::DropNewest, Overflow::DropOldest] {
        let (m, serials) = run(policy, true);
        assert!(m.max_bytes <= BUDGET, "{policy:?}: {m:?}");
        assert_eq!(m.handled, serials.len() as u64, "{policy:?}: {m:?}");
        assert_eq!(
            m.handled + m.overflowed,
            RECORDS as u64,
            "{policy:?}: {m:?}"
        );
        // Every record handled was held at once when the input ended (the first by
        // the handler, the others queued): that is memory, whatever the counters say.
        assert!(
            serials.len() * RECORD_LEN <= BUDGET,
            "{policy:?}: {} records of {RECORD_LEN} bytes held at once",
            serials.len()
        );
        let n = serials.len();
        assert!(n > 1, "{policy:?}: the budget holds more than one record");
        let want: Vec<usize> = match policy {
            Overflow::DropNewest => (0..n).collect(),
            // The first the worker took was in the handler's hands (record 0, unless
            // a loaded machine let the reader drop some before the worker ran); the
            // newest stayed.
            _ => std::iter::once(serials[0])
                .chain(RECORDS - (n - 1)..RECORDS)
                .collect(),
        };
        assert_eq!(serials, want, "{policy:?}");
        assert!(serials[0] < RECORDS - (n - 1), "{policy:?}: {serials:?}");
    }
}

#[test]
fn block_keeps_every_record_within_the_budget() {
    let (m, serials) = run(Overflow::Block, false);
    assert!(m.max_bytes <= BUDGET, "{m:?}");
    assert!(m.max_bytes > 0, "{m:?}");
    assert_eq!(m.overflowed, 0, "{m:?}");
    assert_eq!(serials, (0..RECORDS).collect::<Vec<_>>());
    assert_eq!(m.bytes, 0, "everything handled is let go: {m:?}");
}

struct Count(Vec<usize>);
impl Handler for Count {
    fn record(&mut self, line: &[u8]) -> HandlerResult {
        self.0.push(line.len());
        Ok(())
    }
}

#[test]
fn the_default_record_limit_takes_what_auditd_sends_and_no_more() {
    // The longest line auditd's dispatcher writes: a full payload behind the longest
    // `type=NAME msg=` (an unknown type is written as a number).
    let mut longest = b"type=UNKNOWN[4294967295] msg=".to_vec();
    longest.resize(longest.len() + PADDED_PAYLOAD, b'a');
    let mut input = longest.clone();
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b'b', 17 << 10));
    input.extend_from_slice(b"\ntype=EOE msg=audit(1.000:1): \n");
    let mut count = Count(Vec::new());
    let out = Plugin::new()
        .input(io::Cursor::new(input))
        .delivery(Delivery::Records)
        .run(&mut count)
        .unwrap();
    assert_eq!(count.0, [longest.len(), 29]);
    assert_eq!(out.metrics.too_long, 1, "{:?}", out.metrics);
}

/// Records of `RECORD_LEN` bytes, each opening an event that nothing completes (same
/// second, no `EOE`); notes when the input ended.
struct OpenEvents {
    next: usize,
    total: usize,
    ended: Arc<AtomicBool>,
}

impl Read for OpenEvents {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.next == self.total {
            self.ended.store(true, Ordering::SeqCst);
            return Ok(0);
        }
        let mut line = format!("type=SYSCALL msg=audit(1.000:{}): key=\"", self.next).into_bytes();
        line.resize(RECORD_LEN, b'k');
        line.extend_from_slice(b"\"\n");
        self.next += 1;
        buf[..line.len()].copy_from_slice(&line);
        Ok(line.len())
    }
}

struct Events {
    ended: Arc<AtomicBool>,
    events: usize,
    before_end: usize,
}

impl Handler for Events {
    fn event(&mut self, item: audit_plugin::ItemRef<'_>) -> HandlerResult {
        assert_eq!(item?.len(), 1);
        self.events += 1;
        if !self.ended.load(Ordering::SeqCst) {
            self.before_end += 1;
        }
        Ok(())
    }
}

#[test]
fn open_events_are_bounded_by_default() {
    // 80 MB of records whose events stay open: the parser's own default would hold
    // them all until the end.
    const TOTAL: usize = 10_000;
    let ended = Arc::new(AtomicBool::new(false));
    let input = OpenEvents {
        next: 0,
        total: TOTAL,
        ended: Arc::clone(&ended),
    };
    let mut events = Events {
        ended,
        events: 0,
        before_end: 0,
    };
    let out = Plugin::new()
        .input(input)
        .overflow(Overflow::Block)
        .run(&mut events)
        .unwrap();
    let m = &out.metrics;
    assert_eq!((m.handled, m.overflowed), (TOTAL as u64, 0), "{m:?}");
    assert_eq!(events.events, TOTAL, "each record its own event, none lost");
    assert!(m.evicted > 0, "{m:?}");
    // When the input ended, what was not handed out was queued (at most the queue's
    // budget) or open in the parser (at most its bound).
    let held = (DEFAULT_QUEUE_BYTES + DEFAULT_PARSER_BYTES) / RECORD_LEN;
    assert!(
        events.before_end + held >= TOTAL,
        "{} events handed out before the end of the input",
        events.before_end
    );
}
