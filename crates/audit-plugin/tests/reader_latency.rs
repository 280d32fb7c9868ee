//! The reader's enqueue never waits on the callback: with a handler that sleeps per
//! record and a small queue dropping the newest, the time between the reader's reads
//! stays as short as with no handler at all, and what did not fit is counted.

use audit_plugin::{Delivery, Handler, HandlerResult, Overflow, Plugin};
use std::io::{self, Read};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RECORDS: usize = 200;
const HANDLER_DELAY: Duration = Duration::from_millis(20);

/// Hands out one record per read and notes when each read was asked for.
struct TimedInput {
    next: usize,
    reads: Arc<Mutex<Vec<Instant>>>,
}

impl Read for TimedInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(Instant::now());
        if self.next == RECORDS {
            return Ok(0);
        }
        let line = format!(
            "type=USER_END msg=audit(1.000:{}): pid=1 uid=0\n",
            self.next
        );
        self.next += 1;
        buf[..line.len()].copy_from_slice(line.as_bytes());
        Ok(line.len())
    }
}

struct Sleeper {
    handled: u64,
}

impl Handler for Sleeper {
    fn record(&mut self, _line: &[u8]) -> HandlerResult {
        std::thread::sleep(HANDLER_DELAY);
        self.handled += 1;
        Ok(())
    }
}

#[test]
fn a_sleeping_handler_leaves_the_reader_flat_and_overflow_is_counted() {
    let reads = Arc::new(Mutex::new(Vec::new()));
    let input = TimedInput {
        next: 0,
        reads: Arc::clone(&reads),
    };
    let mut sleeper = Sleeper { handled: 0 };
    let outcome = Plugin::new()
        .input(input)
        .read_size(4096)
        .delivery(Delivery::Records)
        .capacity(8)
        .overflow(Overflow::DropNewest)
        .run(&mut sleeper)
        .unwrap();
    let reads = reads.lock().unwrap().clone();
    assert_eq!(reads.len(), RECORDS + 1, "one read per record, then EOF");
    let mut gaps: Vec<Duration> = reads.windows(2).map(|w| w[1] - w[0]).collect();
    let reading = reads[RECORDS] - reads[0];
    gaps.sort();
    let p90 = gaps[gaps.len() * 9 / 10];
    // A reader that waited for the handler would take HANDLER_DELAY per read after
    // the first few; the machine may be loaded, so only a tenth of that is asked.
    assert!(
        p90 < HANDLER_DELAY / 10,
        "90% of the reads within {p90:?} of the one before"
    );
    assert!(
        reading < HANDLER_DELAY * RECORDS as u32 / 10,
        "reading everything took {reading:?}"
    );
    let m = &outcome.metrics;
    assert_eq!(m.handled, sleeper.handled);
    assert!(m.overflowed > 0, "{m:?}");
    assert_eq!(m.handled + m.overflowed, RECORDS as u64, "{m:?}");
    assert!(m.max_depth <= 8, "{m:?}");
}
