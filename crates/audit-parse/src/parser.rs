//! The feed parser: bytes in, in any chunks; complete events out.
//!
//! # When an event is complete
//! As in libauparse: when its last record is a type that ends an event
//! ([`RecordType::is_single_record`]: `EOE`, `PROCTITLE`, one-record types); when a
//! record arrives whose time is at least [`Options::eoe_timeout`] seconds past the
//! event's own (log time, not wall time); on [`Parser::age_events`] with a wall-clock
//! time; on [`Parser::flush`]; and, unlike libauparse, when more than
//! [`Options::max_events_in_flight`] events are open, or their records hold more than
//! [`Options::max_bytes_in_flight`] bytes: the oldest is completed early and counted in
//! [`Stats::evicted`], so memory stays bounded whatever the input. (An event that alone
//! grows past the byte bound, as a log that repeats one record without end would make
//! it, is handed out in parts: each part is an event with the same id.)
//!
//! # In which order events come out
//! Exactly libauparse's order: an event is handed out only when it is complete *and* no
//! open event has an earlier (seconds, milliseconds, serial); delivery is attempted after
//! each record that opens a new event and at the end of each [`Parser::feed`] call. The
//! same input cut into the same chunks gives the same order as `auparse_feed`.
//!
//! # Cost
//! libauparse scans every open event for every record (quadratic when many events stay
//! open). Here a record finds its event through a hash map, completion by time uses an
//! ordered index, and delivery an ordered queue: O(log n) per record. These keep their
//! memory between events (an ordered set would allocate and free a node for nearly every
//! event of an in-order log, where one or two events are open at a time), and take keys
//! that arrive in order, as an in-order log's do, in a deque at O(1): only the others go
//! to a heap. An event that completes in order leaves nothing in the time index.
//!
//! # Deliberate differences from libauparse
//! - A last line without a newline is parsed on [`Parser::flush`] (libauparse drops it).
//! - A line that is not a record is reported as a [`ParseError`] (libauparse skips it
//!   silently, or, for some comment lines, makes a bogus event with time 0).
//! - An `EOE` for an event no longer open is counted in [`Stats::eoe_after_end`]
//!   (libauparse drops it without a trace).
//! - A trailing `\r` is removed from each line (libauparse keeps it in the last value).
//! - Open events are bounded in number and in bytes (see above); libauparse keeps every
//!   open event, and an event's records, however many there are.
//! - A NUL byte inside a line stays in its value (libauparse ends the record at it).
//! - A time stamp cut short (`msg=audit(1795307482.5`) is a [`ParseError`]
//!   (libauparse makes an event of it with serial 0).

use crate::error::{ErrorKind, ParseError};
use crate::event::Event;
use crate::record::{
    clear_buffers, Builder, EventId, Header, HeaderCache, Record, GROUP_SEPARATOR,
};
use audit_wire::RecordType;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Settings of a [`Parser`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Seconds of log time after which an open event is complete (auditd.conf's
    /// `end_of_event_timeout`; default 2, as in libauparse).
    pub eoe_timeout: u64,
    /// Most events open at once; past it the oldest is completed early. Default 65536.
    pub max_events_in_flight: usize,
    /// Most bytes the records of the open events may hold together; past it the oldest
    /// event is completed early. Default 256 MiB, at most 2 GiB (an event's records
    /// are addressed with 32-bit offsets).
    pub max_bytes_in_flight: usize,
    /// Longest line accepted, in bytes; a longer one is reported and skipped. Default 4 MiB.
    pub max_line_len: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            eoe_timeout: 2,
            max_events_in_flight: 65536,
            max_bytes_in_flight: 256 << 20,
            max_line_len: 4 << 20,
        }
    }
}

impl Options {
    /// Set [`Options::eoe_timeout`].
    pub fn eoe_timeout(mut self, secs: u64) -> Self {
        self.eoe_timeout = secs;
        self
    }

    /// Set [`Options::max_events_in_flight`] (at least 1).
    pub fn max_events_in_flight(mut self, n: usize) -> Self {
        self.max_events_in_flight = n.max(1);
        self
    }

    /// Set [`Options::max_bytes_in_flight`] (at least 1, at most 2 GiB).
    pub fn max_bytes_in_flight(mut self, n: usize) -> Self {
        self.max_bytes_in_flight = n.clamp(1, MAX_BYTES_IN_FLIGHT);
        self
    }

    /// Set [`Options::max_line_len`] (at most 1 GiB).
    pub fn max_line_len(mut self, n: usize) -> Self {
        self.max_line_len = n.min(MAX_LINE_LEN);
        self
    }
}

/// Upper bound of [`Options::max_bytes_in_flight`].
const MAX_BYTES_IN_FLIGHT: usize = 2 << 30;
/// Upper bound of [`Options::max_line_len`]: with the bound above, an event's records
/// stay below 4 GiB, the reach of their 32-bit offsets.
const MAX_LINE_LEN: usize = crate::record::MAX_RECORD_LEN;

impl Options {
    /// The limits in force: the fields are public, so a caller may have set them past
    /// their bounds without the setters.
    fn bounded(mut self) -> Self {
        self.max_events_in_flight = self.max_events_in_flight.max(1);
        self.max_bytes_in_flight = self.max_bytes_in_flight.clamp(1, MAX_BYTES_IN_FLIGHT);
        self.max_line_len = self.max_line_len.min(MAX_LINE_LEN);
        self
    }
}

/// Counters of what a parser has seen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lines read (newline-terminated, plus a final unterminated one at flush). After
    /// [`Parser::flush`], `lines == blank_lines + records + errors + eoe_after_end`:
    /// every line is in an event, blank, reported, or a counted empty `EOE`.
    pub lines: u64,
    /// Blank lines (empty or only spaces), skipped.
    pub blank_lines: u64,
    /// Records parsed and placed in events.
    pub records: u64,
    /// Events delivered.
    pub events: u64,
    /// Errors reported.
    pub errors: u64,
    /// `EOE` records that arrived after their event had ended (the kernel writes
    /// `PROCTITLE` then `EOE`, and `PROCTITLE` ends an event) or without any event:
    /// they carry no data and are counted here instead of being made events.
    pub eoe_after_end: u64,
    /// Events completed early because [`Options::max_events_in_flight`] or
    /// [`Options::max_bytes_in_flight`] was reached.
    pub evicted: u64,
}

/// What the parser hands out: a complete event, or a line it could not use.
pub type Item = Result<Event, ParseError>;

/// What [`Parser::feed_with_ref`] lends out: a complete event, borrowed for the call,
/// or a line it could not use.
pub type ItemRef<'a> = Result<&'a Event, ParseError>;

/// Where [`Parser::feed_lines`] hands ready items: nowhere (they wait for
/// [`Parser::next_event`]), or a caller's closure that takes them ([`Give`]) or
/// borrows them ([`Lend`]). A trait rather than an `Option<&mut F>`: that simpler form
/// compiled to 3% more instructions for a walk of every field (callgrind, 10 MB
/// in-order log).
trait Sink {
    /// Whether items go out now.
    fn wants(&self) -> bool;
    /// Whether events are lent (then [`Sink::lend`] is called) rather than given.
    const LENDS: bool;
    fn take(&mut self, item: Item);
    fn lend(&mut self, item: ItemRef<'_>);
}

struct NoSink;

impl Sink for NoSink {
    #[inline(always)]
    fn wants(&self) -> bool {
        false
    }
    const LENDS: bool = false;
    fn take(&mut self, _: Item) {}
    fn lend(&mut self, _: ItemRef<'_>) {}
}

/// A closure that takes items.
struct Give<F>(F);

impl<F: FnMut(Item)> Sink for Give<F> {
    #[inline(always)]
    fn wants(&self) -> bool {
        true
    }
    const LENDS: bool = false;
    #[inline(always)]
    fn take(&mut self, item: Item) {
        (self.0)(item)
    }
    fn lend(&mut self, _: ItemRef<'_>) {}
}

/// A closure that borrows events.
struct Lend<F>(F);

impl<F: FnMut(ItemRef<'_>)> Sink for Lend<F> {
    #[inline(always)]
    fn wants(&self) -> bool {
        true
    }
    const LENDS: bool = true;
    #[inline(always)]
    fn take(&mut self, item: Item) {
        // Only errors come this way.
        if let Err(e) = item {
            (self.0)(Err(e))
        }
    }
    #[inline(always)]
    fn lend(&mut self, item: ItemRef<'_>) {
        (self.0)(item)
    }
}

/// An item in delivery order.
#[derive(Debug)]
enum Ready {
    /// A complete event, still in its slot until it is lent out (while feeding with
    /// [`Parser::feed_with_ref`]).
    Slot(u32),
    /// A complete event, taken out of its slot when it became ready.
    Event(Event),
    /// A line that could not be used.
    Error(ParseError),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Empty,
    Building,
    Complete,
    /// Complete and in `ready`: waiting to be handed out.
    Ready,
}

const NONE: u32 = u32::MAX;

#[derive(Debug)]
struct Slot {
    state: State,
    id: EventId,
    node: Option<Box<[u8]>>,
    /// The event's records so far (its buffers are reused by the slot's next event).
    build: Builder,
    /// Next building slot with the same (sec, milli, serial) but another node.
    next_same: u32,
    /// Whether the slot is in `building` (the event opened last is put there only
    /// when another opens while it is still building: in an in-order log, never).
    in_map: bool,
}

/// A small multiplicative hasher: event ids are already well spread numbers.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

type IdMap = HashMap<EventId, u32, BuildHasherDefault<IdHasher>>;

/// Assembles events from audit log text fed in arbitrary chunks.
///
/// Pull events with [`Parser::next_event`] (or [`Parser::drain`]), push them to a
/// closure with [`Parser::feed_with`], or lend them to one with
/// [`Parser::feed_with_ref`]. All three give the same items in the same order. Pushing
/// is faster on large inputs (each event is walked while it is still in the cache, and
/// freed before the next is allocated); lending is the fastest (the parser reuses the
/// event's buffers: no copy, and mostly no allocation or free, per event).
#[derive(Debug)]
pub struct Parser {
    opts: Options,
    pending: Vec<u8>,
    discarding: bool,
    line_no: u64,
    /// Offset, within the current source, of the first byte not yet consumed.
    offset: u64,
    source: Option<u32>,
    slots: Vec<Slot>,
    free: BinaryHeap<Reverse<u32>>,
    building: IdMap,
    /// Every open event (building or complete but not delivered), by delivery order.
    order: MinQueue<(EventId, u32)>,
    /// Building events by seconds, for completion by time.
    /// (Entries of events completed otherwise stay until their time comes, or until
    /// [`Parser::compact_by_sec`] drops them.)
    by_sec: MinQueue<(u64, u32)>,
    in_flight: usize,
    /// Bytes held by the records of the events in flight.
    bytes_in_flight: usize,
    ready: VecDeque<Ready>,
    /// Slots of events that became ready while handing out and while `ready` was
    /// empty: they come out before the items of `ready`, which are all newer. (The
    /// common case, kept apart because a [`Ready`] is as large as an event.)
    ready_slots: VecDeque<u32>,
    /// The event lent to a [`Parser::feed_with_ref`] closure: it takes the buffers of
    /// the slot whose event it is, and gives the slot its own, empty.
    lent: Event,
    /// Whether `lent` is out with a closure: still set afterwards only if the closure
    /// panicked, and then `lent` holds that event's buffers.
    lent_out: bool,
    /// Whether ready items go to a closure after each line ([`Parser::feed_with`],
    /// [`Parser::feed_with_ref`]): then a ready event stays in its slot until it is
    /// handed out (moments later), instead of being taken out at once. It is off
    /// while items go to a closure, so that one that panics cannot leave it on.
    handing_out: bool,
    /// The slot of the event opened last: in an in-order log, the next record's event.
    last_opened: u32,
    headers: HeaderCache,
    line_search: LineSearch,
    stats: Stats,
    /// Where [`Parser::push_kernel`] writes a record's line, kept between records.
    kernel_line: Vec<u8>,
    /// The kernel record types seen last (by their number's low bits): each one's
    /// name and what a line with that name reads as.
    kernel_names: [Option<KernelName>; 16],
}

/// A kernel record type, its name and what a line's `type=NAME` reads as.
type KernelName = (RecordType, &'static str, Option<RecordType>);

/// The search for a line's end (or its 0x1D), prepared once: a search call per line
/// would otherwise set itself up again for every line.
#[derive(Clone, Copy, Debug)]
struct LineSearch {
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::Two>,
}

impl LineSearch {
    fn new() -> LineSearch {
        LineSearch {
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::Two::new(b'\n', GROUP_SEPARATOR),
        }
    }

    #[inline(always)]
    fn find(&self, haystack: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(two) = &self.avx2 {
            return two.find(haystack);
        }
        memchr::memchr2(b'\n', GROUP_SEPARATOR, haystack)
    }
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new(Options::default())
    }
}

impl Parser {
    /// A parser with these options.
    pub fn new(opts: Options) -> Parser {
        Parser {
            opts: opts.bounded(),
            pending: Vec::new(),
            discarding: false,
            line_no: 0,
            offset: 0,
            source: None,
            slots: Vec::new(),
            free: BinaryHeap::new(),
            building: IdMap::default(),
            order: MinQueue::default(),
            by_sec: MinQueue::default(),
            in_flight: 0,
            bytes_in_flight: 0,
            ready: VecDeque::new(),
            ready_slots: VecDeque::new(),
            lent: Event::from_parts(EventId::default(), None, (Vec::new(), Vec::new())),
            lent_out: false,
            handing_out: false,
            last_opened: NONE,
            headers: HeaderCache::default(),
            line_search: LineSearch::new(),
            stats: Stats::default(),
            kernel_line: Vec::new(),
            kernel_names: [None; 16],
        }
    }

    /// The options in force.
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// Counters so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Events open now (being built, or complete and waiting for an older one).
    pub fn events_in_flight(&self) -> usize {
        self.in_flight
    }

    /// Bytes the records of the events open now hold (bounded by
    /// [`Options::max_bytes_in_flight`] and one line).
    pub fn bytes_in_flight(&self) -> usize {
        self.bytes_in_flight
    }

    /// Start a new source (the next file of a list): line numbers and offsets restart,
    /// and records are tagged with `index`. A last unterminated line of the previous
    /// source is parsed first, as a file reader would.
    pub fn begin_source(&mut self, index: Option<u32>) {
        self.finish_partial_line();
        self.source = index;
        self.line_no = 0;
        self.offset = 0;
    }

    /// Feed bytes: any chunk, from one byte to megabytes, cut anywhere. Completed
    /// events wait in the parser for [`Parser::next_event`].
    pub fn feed(&mut self, data: &[u8]) {
        if self.feed_lines(data, &mut NoSink) {
            self.deliver_ready();
        }
    }

    /// Feed bytes and hand every event completed by them to `each`.
    ///
    /// Each item is handed out as soon as the parser would let [`Parser::next_event`]
    /// return it, while the rest of `data` is still to be read (as `auparse_feed`
    /// calls its callback): an event is walked while its bytes are still in the
    /// cache, and its memory is freed before the next is allocated. The items and
    /// their order are those of [`Parser::feed`] followed by draining.
    pub fn feed_with(&mut self, data: &[u8], each: impl FnMut(Item)) {
        let mut sink = Give(each);
        self.hand_out(&mut sink);
        self.handing_out = true;
        if self.feed_lines(data, &mut sink) {
            self.deliver_ready();
        }
        self.handing_out = false;
        self.hand_out(&mut sink);
    }

    /// As [`Parser::feed_with`], but each event is lent to `each` for the call rather
    /// than given (as libauparse's callback reads its state): the parser keeps the
    /// event's buffers for its next one, so an event is not copied, and an ordinary
    /// one costs no allocation or free (a `node=` name, an event over 8 KiB, and
    /// events beyond the 64th open at once still do). The fastest way to read a log;
    /// clone an event to keep it.
    ///
    /// If `each` panics, the rest of `data` is not read (as with
    /// [`Parser::feed_with`]); the parser stays usable.
    ///
    /// ```
    /// let mut p = audit_parse::Parser::default();
    /// let mut types = Vec::new();
    /// p.feed_with_ref(
    ///     b"type=SYSCALL msg=audit(1.000:1): syscall=59\n\
    ///       type=PROCTITLE msg=audit(1.000:1): proctitle=6C73\n",
    ///     |item| {
    ///         let ev = item.unwrap();
    ///         types.extend(ev.iter().map(|r| r.type_text().to_vec()));
    ///     },
    /// );
    /// assert_eq!(types, [&b"SYSCALL"[..], b"PROCTITLE"]);
    /// ```
    pub fn feed_with_ref(&mut self, data: &[u8], each: impl FnMut(ItemRef<'_>)) {
        let mut sink = Lend(each);
        self.hand_out(&mut sink);
        self.handing_out = true;
        if self.feed_lines(data, &mut sink) {
            self.deliver_ready();
        }
        self.handing_out = false;
        self.hand_out(&mut sink);
    }

    /// Lend every ready item to `each`: after [`Parser::flush`] or
    /// [`Parser::age_events`], say. (Events those complete are taken out of the
    /// parser's buffers when they become ready, so these are lent from their own.)
    pub fn lend_ready(&mut self, each: impl FnMut(ItemRef<'_>)) {
        self.hand_out(&mut Lend(each));
    }

    fn hand_out<S: Sink>(&mut self, sink: &mut S) {
        if !sink.wants() {
            return;
        }
        let handing_out = std::mem::replace(&mut self.handing_out, false);
        while let Some(slot) = self.ready_slots.pop_front() {
            if S::LENDS {
                self.lend_slot(slot, sink);
            } else {
                let ev = self.take_slot(slot);
                sink.take(Ok(ev));
            }
        }
        while let Some(r) = self.ready.pop_front() {
            match r {
                Ready::Error(e) => sink.take(Err(e)),
                Ready::Slot(slot) if S::LENDS => self.lend_slot(slot, sink),
                Ready::Slot(slot) => {
                    let ev = self.take_slot(slot);
                    sink.take(Ok(ev));
                }
                Ready::Event(ev) if S::LENDS => sink.lend(Ok(&ev)),
                Ready::Event(ev) => sink.take(Ok(ev)),
            }
        }
        self.handing_out = handing_out;
    }

    /// The event of a slot in `ready`, as an event of its own; the slot is free again.
    fn take_slot(&mut self, slot: u32) -> Event {
        let s = &mut self.slots[slot as usize];
        s.state = State::Empty;
        let ev = Event::from_parts(s.id, s.node.take(), s.build.finish());
        Self::release(s, slot);
        self.free.push(Reverse(slot));
        ev
    }

    /// Lend the event of a slot in `ready` to `sink`; the slot is free again.
    #[inline(always)]
    fn lend_slot(&mut self, slot: u32, sink: &mut impl Sink) {
        let s = &mut self.slots[slot as usize];
        s.state = State::Empty;
        self.free.push(Reverse(slot));
        let lent = &mut self.lent;
        // `lent` holds nothing here (its buffers are empty), unless a closure
        // panicked while it was lent: then it still holds that event, to be dropped
        // before its buffers go to the slot (already free, so a panic in this call
        // leaves it empty too).
        if self.lent_out {
            empty_lent(lent);
        }
        lent.id = s.id;
        lent.node = s.node.take();
        // The event's buffers go to `lent`, and its empty ones to the slot, for the
        // slot's next event: the two sets take turns.
        std::mem::swap(&mut lent.bytes, &mut s.build.bytes);
        std::mem::swap(&mut lent.entries, &mut s.build.entries);
        self.lent_out = true;
        sink.lend(Ok(lent));
        self.lent_out = false;
        // Nothing of the event is kept past the call: not its records, nor the name
        // and owned records the closure asked for.
        empty_lent(lent);
        Self::release(s, slot);
    }

    /// Only the first slots keep their buffers between events: the others are used
    /// when many events are open or many wait to be pulled, and would keep that
    /// burst's memory.
    #[inline(always)]
    fn release(s: &mut Slot, slot: u32) {
        const KEEPING: u32 = 64;
        if slot >= KEEPING {
            s.build = Builder::default();
        }
    }

    /// The lines of `data`; after each, what is ready goes to `sink`. False when
    /// `data` ended inside the line it began in (no line was read).
    fn feed_lines(&mut self, data: &[u8], sink: &mut impl Sink) -> bool {
        let mut rest = data;
        if self.discarding {
            match memchr::memchr(b'\n', rest) {
                None => {
                    self.offset += rest.len() as u64;
                    return false;
                }
                Some(i) => {
                    self.offset += i as u64 + 1;
                    rest = &rest[i + 1..];
                    self.discarding = false;
                }
            }
        }
        if !self.pending.is_empty() {
            match memchr::memchr(b'\n', rest) {
                None => {
                    self.hold_partial(rest);
                    return false;
                }
                Some(i) => {
                    if self.pending.len() + i > self.opts.max_line_len {
                        self.too_long_line(i);
                    } else {
                        let mut line = std::mem::take(&mut self.pending);
                        line.extend_from_slice(&rest[..i]);
                        let start = self.offset;
                        self.offset += line.len() as u64 + 1;
                        self.line(&line, start, None);
                        line.clear();
                        self.pending = line;
                    }
                    rest = &rest[i + 1..];
                    self.hand_out(sink);
                }
            }
        }
        // Lines end at a newline; a 0x1D found on the way is handed to the header
        // parser, which would otherwise search the line for it again.
        let search = self.line_search;
        while let Some(j) = search.find(rest) {
            let (i, separator) = if rest[j] == b'\n' {
                (j, usize::MAX)
            } else {
                match memchr::memchr(b'\n', &rest[j + 1..]) {
                    Some(k) => (j + 1 + k, j),
                    None => break,
                }
            };
            if i > self.opts.max_line_len {
                self.too_long_line(i);
            } else {
                let start = self.offset;
                self.offset += i as u64 + 1;
                self.line(&rest[..i], start, Some(separator));
            }
            rest = &rest[i + 1..];
            if sink.wants() && !(self.ready_slots.is_empty() && self.ready.is_empty()) {
                self.hand_out(sink);
            }
        }
        if !rest.is_empty() {
            self.hold_partial(rest);
        }
        true
    }

    /// Count a line of `len` bytes (without its newline) that the caller skipped
    /// instead of feeding it, for being longer than `limit` (a reader that bounds its
    /// lines before the parser, as the plugin runtime does). It is reported as
    /// [`ErrorKind::LineTooLong`] at its own line number and offset, with `start`
    /// (its first bytes) as the snippet, and the lines after it keep their true
    /// positions. Bytes fed before it that did not end a line are its start.
    pub fn skip_line(&mut self, len: u64, limit: usize, start: &[u8]) {
        if self.discarding {
            // Already reported as too long: this is the rest of it.
            self.discarding = false;
            self.offset += len + 1;
            return;
        }
        let held = self.pending.len() as u64;
        self.line_no += 1;
        self.stats.lines += 1;
        let snippet = if self.pending.is_empty() {
            start
        } else {
            &self.pending
        };
        let mut e = ParseError::new(
            ErrorKind::LineTooLong { limit },
            self.line_no,
            self.offset,
            snippet,
        );
        e.source_index = self.source;
        self.pending.clear();
        self.stats.errors += 1;
        self.ready.push_back(Ready::Error(e));
        self.offset += held + len + 1;
    }

    /// End of input: parse a last unterminated line, complete every open event and
    /// deliver them all.
    pub fn flush(&mut self) {
        self.finish_partial_line();
        self.complete_open();
    }

    /// Complete every open event and deliver them, as [`Parser::flush`] does, but
    /// keep an unterminated last line for the bytes that end it: for a live input
    /// that went quiet (see
    /// [`EventReader::live`](crate::source::EventReader::live)).
    /// Records of an event that arrive after it was completed make another event
    /// with the same id.
    pub fn complete_open(&mut self) {
        self.deliver_ready();
        let open = std::mem::take(&mut self.by_sec);
        for (_, slot) in open.into_iter() {
            self.complete(slot);
        }
        self.deliver_ready();
    }

    /// Complete the events whose time is `eoe_timeout` or more seconds before `now`
    /// (seconds since the epoch, usually the wall clock), for a live stream that went
    /// quiet, as `auparse_feed_age_events` does.
    pub fn age_events(&mut self, now: u64) {
        self.expire(now);
        self.deliver_ready();
    }

    /// The next complete event, or the next line that could not be used; `None` when
    /// nothing is ready yet.
    pub fn next_event(&mut self) -> Option<Item> {
        if let Some(slot) = self.ready_slots.pop_front() {
            return Some(Ok(self.take_slot(slot)));
        }
        match self.ready.pop_front()? {
            Ready::Error(e) => Some(Err(e)),
            Ready::Slot(slot) => Some(Ok(self.take_slot(slot))),
            Ready::Event(ev) => Some(Ok(ev)),
        }
    }

    /// Take every ready item.
    pub fn drain(&mut self) -> impl Iterator<Item = Item> + '_ {
        std::iter::from_fn(|| self.next_event())
    }

    /// Add a record that did not come from text fed to this parser (from netlink, say).
    /// It joins its event exactly as a fed line would.
    pub fn push_record(&mut self, record: Record) {
        self.place(record.id(), record.node(), record.record_type(), |b| {
            b.add_record(record.view())
        });
        self.deliver_ready();
    }

    /// Add a record in the kernel's form, the netlink message type and its payload
    /// (`audit(SEC.MSEC:SERIAL): fields`, trailing NULs and newlines dropped): it
    /// joins its event as the record [`Record::from_kernel`] builds would, the line
    /// `type=NAME msg=PAYLOAD` (line number and offset 0), but without building a
    /// record of its own first. A payload the header cannot be read from is an error
    /// item in [`Parser::next_event`]'s order (counted in [`Stats::errors`]).
    ///
    /// ```
    /// use audit_parse::{Parser, RecordType};
    /// let mut p = Parser::default();
    /// p.push_kernel(RecordType::SYSCALL, b"audit(1.000:7): arch=c000003e syscall=59\0");
    /// p.push_kernel(RecordType::PROCTITLE, b"audit(1.000:7): proctitle=6C73");
    /// let ev = p.next_event().unwrap().unwrap();
    /// assert_eq!(ev.len(), 2);
    /// assert_eq!(ev.iter().next().unwrap().text(),
    ///            b"type=SYSCALL msg=audit(1.000:7): arch=c000003e syscall=59");
    /// ```
    pub fn push_kernel(&mut self, record_type: RecordType, payload: &[u8]) {
        // The common case, a named type and a payload of the kernel's shape: the
        // header is read from the parts and the line written once, into its event.
        let payload = crate::record::trim_kernel_payload(payload);
        if let Some((name, read_as)) = self.kernel_name(record_type) {
            let name = name.as_bytes();
            if let Some(head) = Header::of_kernel(name, read_as, payload, &mut self.headers) {
                self.place(head.id, None, head.record_type, |b| {
                    b.add_kernel_line(name, payload, &head)
                });
                self.deliver_ready();
                return;
            }
        }
        let mut line = std::mem::take(&mut self.kernel_line);
        crate::record::write_kernel_line(&mut line, record_type, payload);
        if line.len() > crate::record::MAX_RECORD_LEN {
            let e = ParseError::new(
                ErrorKind::LineTooLong {
                    limit: crate::record::MAX_RECORD_LEN,
                },
                0,
                0,
                &line,
            );
            self.stats.errors += 1;
            self.ready.push_back(Ready::Error(e));
        } else {
            match Header::parse(&line, None, &mut self.headers) {
                Ok(head) => self.place(head.id, head.node(&line), head.record_type, |b| {
                    b.add_line(&line, &head, 0, 0, None)
                }),
                Err(kind) => {
                    self.stats.errors += 1;
                    let e = ParseError::new(kind, 0, 0, &line);
                    self.ready.push_back(Ready::Error(e));
                }
            }
        }
        // Keep the buffer unless one huge record grew it.
        if line.capacity() <= 1 << 16 {
            self.kernel_line = line;
        }
        self.deliver_ready();
    }

    /// The name of a kernel record type and what a line's `type=NAME` reads as
    /// (`None` for a type without a name), remembered for the types seen last.
    #[inline(always)]
    fn kernel_name(&mut self, t: RecordType) -> Option<(&'static str, Option<RecordType>)> {
        let slot = &mut self.kernel_names[(t.0 & 15) as usize];
        match *slot {
            Some((seen, name, read_as)) if seen == t => Some((name, read_as)),
            _ => {
                let name = t.name()?;
                let read_as = RecordType::from_log_name_bytes(name.as_bytes());
                *slot = Some((t, name, read_as));
                Some((name, read_as))
            }
        }
    }

    /// Report a datagram from the kernel that was cut off because it did not fit the
    /// reader's buffer (`len` bytes, `cap` read): its records cannot be read whole,
    /// so it becomes an error item ([`ErrorKind::DatagramTruncated`]) in
    /// [`Parser::next_event`]'s order, counted in [`Stats::errors`]. `record_type` and
    /// `head` (the start of its first payload, as far as it was read) name the record
    /// in the error's snippet.
    ///
    /// ```
    /// use audit_parse::{ErrorKind, Parser, RecordType};
    /// let mut p = Parser::default();
    /// p.push_kernel_truncated(RecordType::EXECVE, b"audit(1.000:9): argc=3 a0=", 100_016, 8_970);
    /// let e = p.next_event().unwrap().unwrap_err();
    /// assert_eq!(e.kind, ErrorKind::DatagramTruncated { len: 100_016, cap: 8_970 });
    /// assert!(e.snippet.starts_with(b"type=EXECVE msg=audit(1.000:9)"));
    /// ```
    pub fn push_kernel_truncated(
        &mut self,
        record_type: RecordType,
        head: &[u8],
        len: usize,
        cap: usize,
    ) {
        let mut line = Vec::new();
        crate::record::write_kernel_line(&mut line, record_type, &head[..head.len().min(80)]);
        self.stats.errors += 1;
        let e = ParseError::new(ErrorKind::DatagramTruncated { len, cap }, 0, 0, &line);
        self.ready.push_back(Ready::Error(e));
        self.deliver_ready();
    }

    fn hold_partial(&mut self, bytes: &[u8]) {
        if self.pending.len() + bytes.len() > self.opts.max_line_len {
            let held = self.pending.len();
            self.pending.clear();
            self.report(
                ErrorKind::LineTooLong {
                    limit: self.opts.max_line_len,
                },
                self.offset,
                bytes,
            );
            self.line_no += 1;
            self.stats.lines += 1;
            self.offset += (held + bytes.len()) as u64;
            self.discarding = true;
        } else {
            self.pending.extend_from_slice(bytes);
        }
    }

    fn too_long_line(&mut self, tail_len: usize) {
        let held = self.pending.len();
        self.pending.clear();
        self.line_no += 1;
        self.stats.lines += 1;
        let err_line = self.line_no;
        let mut e = ParseError::new(
            ErrorKind::LineTooLong {
                limit: self.opts.max_line_len,
            },
            err_line,
            self.offset,
            b"",
        );
        e.source_index = self.source;
        self.stats.errors += 1;
        self.ready.push_back(Ready::Error(e));
        self.offset += (held + tail_len) as u64 + 1;
    }

    fn report(&mut self, kind: ErrorKind, offset: u64, text: &[u8]) {
        let mut e = ParseError::new(kind, self.line_no + 1, offset, text);
        e.source_index = self.source;
        self.stats.errors += 1;
        self.ready.push_back(Ready::Error(e));
    }

    fn finish_partial_line(&mut self) {
        if self.discarding {
            self.discarding = false;
            return;
        }
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            let start = self.offset;
            self.offset += line.len() as u64;
            self.line(&line, start, None);
        }
    }

    /// A line, with where the feed saw its first 0x1D if it looked (see [`Header::parse`]).
    fn line(&mut self, line: &[u8], start: u64, separator: Option<usize>) {
        self.line_no += 1;
        self.stats.lines += 1;
        let body = match line {
            [once @ .., b'\r'] => {
                // Blank is judged with one '\r' taken off; a second goes too.
                if once.iter().all(|&b| b == b' ') {
                    self.stats.blank_lines += 1;
                    return;
                }
                once.strip_suffix(b"\r").unwrap_or(once)
            }
            _ => {
                if line.iter().all(|&b| b == b' ') {
                    self.stats.blank_lines += 1;
                    return;
                }
                line
            }
        };
        match Header::parse(body, separator, &mut self.headers) {
            Ok(head) => {
                let (line_no, source) = (self.line_no, self.source);
                self.place(head.id, head.node(body), head.record_type, |b| {
                    b.add_line(body, &head, line_no, start, source)
                });
            }
            Err(kind) => {
                let mut e = ParseError::new(kind, self.line_no, start, body);
                e.source_index = self.source;
                self.stats.errors += 1;
                self.ready.push_back(Ready::Error(e));
            }
        }
    }

    /// Put a record (stored by `add`) in its event, or open a new one.
    fn place(
        &mut self,
        id: EventId,
        node: Option<&[u8]>,
        record_type: Option<RecordType>,
        add: impl FnOnce(&mut Builder),
    ) {
        // A type libauparse cannot name counts as -1, which is below the event range.
        let ends = record_type.is_none_or(RecordType::is_single_record);
        if let Some(slot) = self.find_building(id, node) {
            self.stats.records += 1;
            let build = &mut self.slots[slot as usize].build;
            let before = build.bytes.len();
            add(build);
            self.bytes_in_flight += build.bytes.len() - before;
            if ends {
                self.complete(slot);
            }
            self.expire(id.sec);
            if self.bytes_in_flight > self.opts.max_bytes_in_flight {
                self.enforce_cap();
                self.deliver_ready();
            }
            return;
        }
        if record_type == Some(RecordType::EOE) {
            // The kernel writes PROCTITLE then EOE; PROCTITLE already ended the
            // event. The EOE carries nothing: count it, as libauparse drops it.
            self.stats.eoe_after_end += 1;
            return;
        }
        self.stats.records += 1;
        // The event opened last joins the index once another opens beside it.
        let prev = self.last_opened;
        if let Some(p) = self.slots.get(prev as usize) {
            if p.state == State::Building && !p.in_map {
                self.index_building(prev);
            }
        }
        let slot = self.alloc_slot();
        let s = &mut self.slots[slot as usize];
        // A free slot holds nothing and is out of the index: only these are set.
        debug_assert!(s.node.is_none() && s.build.bytes.is_empty());
        debug_assert!(!s.in_map && s.next_same == NONE);
        s.state = State::Building;
        s.id = id;
        if let Some(node) = node {
            s.node = Some(Box::from(node));
        }
        add(&mut s.build);
        self.bytes_in_flight += s.build.bytes.len();
        self.last_opened = slot;
        self.order.push((id, slot));
        self.by_sec.push((id.sec, slot));
        if self.by_sec.len() > 2 * self.in_flight + 64 {
            self.compact_by_sec();
        }
        self.in_flight += 1;
        if ends {
            self.complete(slot);
        }
        self.expire(id.sec);
        self.enforce_cap();
        self.deliver_ready_inline();
    }

    /// Put a building event in the id index.
    fn index_building(&mut self, slot: u32) {
        let id = self.slots[slot as usize].id;
        let head = self.building.insert(id, slot).unwrap_or(NONE);
        let s = &mut self.slots[slot as usize];
        s.next_same = head;
        s.in_map = true;
    }

    fn alloc_slot(&mut self) -> u32 {
        if let Some(Reverse(s)) = self.free.pop() {
            return s;
        }
        self.slots.push(Slot {
            state: State::Empty,
            id: EventId::default(),
            node: None,
            build: Builder::default(),
            next_same: NONE,
            in_map: false,
        });
        (self.slots.len() - 1) as u32
    }

    #[inline(always)]
    fn find_building(&self, id: EventId, node: Option<&[u8]>) -> Option<u32> {
        // In an in-order log the record belongs to the event opened last, and the
        // index is empty.
        if let Some(slot) = self.slots.get(self.last_opened as usize) {
            if slot.state == State::Building && slot.id == id && slot.node.as_deref() == node {
                return Some(self.last_opened);
            }
        }
        if self.building.is_empty() {
            return None;
        }
        self.find_indexed(id, node)
    }

    /// [`Parser::find_building`] among the events in the id index.
    #[inline(never)]
    fn find_indexed(&self, id: EventId, node: Option<&[u8]>) -> Option<u32> {
        let mut s = *self.building.get(&id)?;
        while s != NONE {
            let slot = &self.slots[s as usize];
            if slot.state == State::Building && slot.node.as_deref() == node {
                return Some(s);
            }
            s = slot.next_same;
        }
        None
    }

    /// Mark a building event complete and take it out of the building indexes.
    #[inline(always)]
    fn complete(&mut self, slot: u32) {
        let s = &mut self.slots[slot as usize];
        if s.state != State::Building {
            return;
        }
        s.state = State::Complete;
        // Its time entry is no longer needed; in an in-order log it is the last one
        // pushed, and dropping it here keeps the time index empty.
        self.by_sec.remove_if_last((s.id.sec, slot));
        if s.in_map {
            self.unindex(slot);
        }
    }

    /// Take a slot that completed out of the id index.
    #[inline(never)]
    fn unindex(&mut self, slot: u32) {
        let s = &mut self.slots[slot as usize];
        s.in_map = false;
        let next = std::mem::replace(&mut s.next_same, NONE);
        let id = s.id;
        // Unlink from the same-id chain.
        let Some(&head) = self.building.get(&id) else {
            return;
        };
        if head == slot {
            if next == NONE {
                self.building.remove(&id);
            } else {
                self.building.insert(id, next);
            }
            return;
        }
        let mut cur = head;
        while cur != NONE {
            let n = self.slots[cur as usize].next_same;
            if n == slot {
                self.slots[cur as usize].next_same = next;
                return;
            }
            cur = n;
        }
    }

    /// Complete the building events whose time is `eoe_timeout` or more before `now`.
    #[inline(always)]
    fn expire(&mut self, now: u64) {
        // Mostly nothing is due (in an in-order log the index is empty).
        if let Some((sec, _)) = self.by_sec.peek() {
            if sec.saturating_add(self.opts.eoe_timeout) <= now {
                self.expire_due(now);
            }
        }
    }

    #[inline(never)]
    fn expire_due(&mut self, now: u64) {
        while let Some((sec, slot)) = self.by_sec.peek() {
            if sec.saturating_add(self.opts.eoe_timeout) > now {
                break;
            }
            self.by_sec.pop();
            // Entries of events completed otherwise stay until their time comes.
            if self.slots[slot as usize].id.sec == sec {
                self.complete(slot);
            }
        }
    }

    /// Complete the oldest open events early while there are too many, or their records
    /// hold too many bytes.
    #[inline(always)]
    fn enforce_cap(&mut self) {
        if self.over_cap() {
            self.evict();
        }
    }

    #[inline(always)]
    fn over_cap(&self) -> bool {
        self.in_flight > self.opts.max_events_in_flight
            || self.bytes_in_flight > self.opts.max_bytes_in_flight
    }

    #[inline(never)]
    fn evict(&mut self) {
        while self.over_cap() {
            self.deliver_ready();
            if !self.over_cap() {
                break;
            }
            // After delivery the oldest open event is still building.
            match self.order.peek() {
                Some((_, slot)) => {
                    self.complete(slot);
                    self.stats.evicted += 1;
                }
                None => break,
            }
        }
    }

    /// Drop the entries of events no longer building from the time index (they are
    /// left there when an event completes otherwise), so that it stays within a small
    /// multiple of the events in flight.
    fn compact_by_sec(&mut self) {
        let slots = &self.slots;
        self.by_sec.retain_sorted(|(sec, slot)| {
            let s = &slots[slot as usize];
            s.state == State::Building && s.id.sec == sec
        });
    }

    /// Hand out events while the oldest open one is complete.
    fn deliver_ready(&mut self) {
        self.deliver_ready_inline();
    }

    /// [`Parser::deliver_ready`], inline where a record opens an event (once per
    /// event).
    #[inline(always)]
    fn deliver_ready_inline(&mut self) {
        while let Some((_, slot)) = self.order.peek() {
            let s = &mut self.slots[slot as usize];
            if s.state != State::Complete {
                break;
            }
            self.order.pop();
            self.stats.events += 1;
            self.in_flight -= 1;
            debug_assert!(self.bytes_in_flight >= s.build.bytes.len());
            self.bytes_in_flight = self.bytes_in_flight.saturating_sub(s.build.bytes.len());
            if self.handing_out {
                s.state = State::Ready;
                if self.ready.is_empty() {
                    self.ready_slots.push_back(slot);
                } else {
                    self.ready.push_back(Ready::Slot(slot));
                }
            } else {
                // Taken out at once: a caller that pulls may leave many waiting.
                let ev = self.take_slot(slot);
                self.ready.push_back(Ready::Event(ev));
            }
        }
    }
}

/// A queue that gives its least key first, cheap when keys come in increasing order
/// (as the events of an in-order log do): those are kept in a sorted deque, any other
/// in a heap, and the least of the two fronts comes out. So the order is the one a heap
/// alone gives, but an in-order log costs a deque push and pop per event instead of two
/// heap sifts.
#[derive(Debug)]
struct MinQueue<K> {
    sorted: VecDeque<K>,
    others: BinaryHeap<Reverse<K>>,
}

impl<K> Default for MinQueue<K> {
    fn default() -> Self {
        MinQueue {
            sorted: VecDeque::new(),
            others: BinaryHeap::new(),
        }
    }
}

impl<K: Ord + Copy> MinQueue<K> {
    #[inline(always)]
    fn push(&mut self, key: K) {
        match self.sorted.back() {
            Some(&last) if key <= last => self.others.push(Reverse(key)),
            _ => self.sorted.push_back(key),
        }
    }

    #[inline(always)]
    fn peek(&self) -> Option<K> {
        let first = self.sorted.front().copied();
        match self.others.peek() {
            Some(&Reverse(other)) if first.is_none_or(|f| other < f) => Some(other),
            _ => first,
        }
    }

    #[inline(always)]
    fn pop(&mut self) -> Option<K> {
        let first = self.sorted.front().copied();
        match self.others.peek() {
            Some(&Reverse(other)) if first.is_none_or(|f| other < f) => {
                self.others.pop();
                Some(other)
            }
            _ => self.sorted.pop_front(),
        }
    }

    /// Drop `key` if it is the last key pushed in order (a cheap removal for the
    /// common case; a key left in the queue otherwise is the caller's to skip).
    #[inline(always)]
    fn remove_if_last(&mut self, key: K) {
        if self.sorted.back() == Some(&key) {
            self.sorted.pop_back();
        }
    }

    fn len(&self) -> usize {
        self.sorted.len() + self.others.len()
    }

    fn into_iter(self) -> impl Iterator<Item = K> {
        self.sorted
            .into_iter()
            .chain(self.others.into_vec().into_iter().map(|Reverse(k)| k))
    }

    /// Keep the keys `keep` accepts, once each.
    fn retain_sorted(&mut self, keep: impl Fn(K) -> bool) {
        let mut live: Vec<K> = std::mem::take(self)
            .into_iter()
            .filter(|&k| keep(k))
            .collect();
        live.sort_unstable();
        live.dedup();
        self.sorted = live.into();
    }
}

/// Empty the event lent to closures: its buffers (kept while small), its name and
/// the owned records a closure may have asked for.
#[inline(always)]
fn empty_lent(lent: &mut Event) {
    clear_buffers(&mut lent.bytes, &mut lent.entries);
    lent.node = None;
    if lent.records.get().is_some() {
        lent.records = std::sync::OnceLock::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &mut Parser) -> Vec<String> {
        p.drain()
            .map(|i| match i {
                Ok(e) => format!("{}:{}", e.id(), e.records().len()),
                Err(e) => format!("err:{:?}", e.kind),
            })
            .collect()
    }

    #[test]
    fn carriage_returns_at_a_line_end() {
        let mut p = Parser::default();
        p.feed(b"  \r\n\r\n \r\r\ntype=CWD msg=audit(1.000:1): cwd=\"/\"\r\r\n");
        p.feed(b"type=CWD msg=audit(1.000:2): cwd=/\r\n");
        p.flush();
        // One '\r' is taken off before a line is judged blank, a second after.
        assert_eq!(p.stats().blank_lines, 2);
        let items: Vec<Item> = p.drain().collect();
        assert!(matches!(&items[0], Err(e) if e.kind == ErrorKind::MissingType));
        let values: Vec<Vec<u8>> = items[1..]
            .iter()
            .map(|i| {
                let ev = i.as_ref().unwrap();
                ev.find_field("cwd").unwrap().value().to_vec()
            })
            .collect();
        assert_eq!(values, [&b"\"/\""[..], b"/"]);
    }

    #[test]
    fn eoe_after_proctitle_is_counted_not_an_event() {
        let mut p = Parser::default();
        p.feed(b"type=SYSCALL msg=audit(1.000:1): a=1\ntype=PROCTITLE msg=audit(1.000:1): p=1\ntype=EOE msg=audit(1.000:1): \n");
        assert_eq!(ids(&mut p), ["1.000:1:2"]);
        assert_eq!(p.stats().eoe_after_end, 1);
    }

    #[test]
    fn delivery_waits_for_oldest_open_event() {
        let mut p = Parser::default();
        // event 1 open; event 2 is a one-record event but must wait for event 1
        p.feed(b"type=SYSCALL msg=audit(100.000:1): a=1\ntype=LOGIN msg=audit(100.000:2): b=2\n");
        assert_eq!(ids(&mut p), Vec::<String>::new());
        // a record 2 s later completes event 1 by time
        p.feed(b"type=SYSCALL msg=audit(102.000:3): a=1\n");
        assert_eq!(ids(&mut p), ["100.000:1:1", "100.000:2:1"]);
        p.flush();
        assert_eq!(ids(&mut p), ["102.000:3:1"]);
    }

    #[test]
    fn interleaved_events_group_by_id_and_node() {
        let mut p = Parser::default();
        p.feed(b"node=a type=SYSCALL msg=audit(1.000:1): x=1\nnode=b type=SYSCALL msg=audit(1.000:1): x=2\nnode=a type=CWD msg=audit(1.000:1): c=1\nnode=b type=EOE msg=audit(1.000:1): \nnode=a type=EOE msg=audit(1.000:1): \n");
        let evs: Vec<Event> = p.drain().map(|i| i.unwrap()).collect();
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].node(), Some(&b"a"[..]));
        assert_eq!(evs[0].records().len(), 3);
        assert_eq!(evs[1].records().len(), 2);
    }

    #[test]
    fn events_out_of_order_come_out_by_id_and_time_out_by_their_own_time() {
        let mut p = Parser::default();
        // Ids that do not increase take the queues' slow way; the least still comes
        // out first, and each event times out by its own time.
        p.feed(b"type=SYSCALL msg=audit(105.000:5): a=1\ntype=SYSCALL msg=audit(100.000:3): a=1\ntype=SYSCALL msg=audit(101.000:4): a=1\n");
        assert_eq!(ids(&mut p), Vec::<String>::new());
        p.feed(b"type=SYSCALL msg=audit(102.000:6): a=1\n");
        assert_eq!(ids(&mut p), ["100.000:3:1"]);
        p.feed(b"type=SYSCALL msg=audit(103.000:7): a=1\n");
        assert_eq!(ids(&mut p), ["101.000:4:1"]);
        p.flush();
        assert_eq!(ids(&mut p), ["102.000:6:1", "103.000:7:1", "105.000:5:1"]);
    }

    #[test]
    fn an_event_completed_in_order_leaves_the_others_timeouts() {
        let mut p = Parser::default();
        // 1, 2 and 3 open; 3 ends, 4 opens, then 2 ends while 4 is open: the time
        // entries of 1 and 4 must stay.
        p.feed(b"type=SYSCALL msg=audit(100.000:1): a=1\ntype=SYSCALL msg=audit(101.000:2): a=1\ntype=SYSCALL msg=audit(101.000:3): a=1\n");
        p.feed(
            b"type=PROCTITLE msg=audit(101.000:3): p=1\ntype=SYSCALL msg=audit(101.000:4): a=1\n",
        );
        p.feed(b"type=PROCTITLE msg=audit(101.000:2): p=1\n");
        p.feed(b"type=LOGIN msg=audit(102.000:5): a=1\n");
        assert_eq!(ids(&mut p), ["100.000:1:1", "101.000:2:2", "101.000:3:2"]);
        p.feed(b"type=LOGIN msg=audit(103.000:6): a=1\n");
        assert_eq!(ids(&mut p), ["101.000:4:1", "102.000:5:1", "103.000:6:1"]);
        assert_eq!(p.events_in_flight(), 0);
    }

    #[test]
    fn cap_bounds_open_events() {
        let mut p = Parser::new(Options::default().max_events_in_flight(10));
        for i in 0..1000u32 {
            p.feed(format!("type=SYSCALL msg=audit(1.000:{i}): a=1\n").as_bytes());
            assert!(p.events_in_flight() <= 10);
        }
        p.flush();
        assert_eq!(p.drain().count(), 1000);
        assert_eq!(p.stats().evicted, 990);
    }

    #[test]
    fn errors_come_out_when_found() {
        let mut p = Parser::default();
        p.feed(
            b"type=SYSCALL msg=audit(1.000:1): a=1\nnot a record\ntype=EOE msg=audit(1.000:1): \n",
        );
        // Errors come out when found; events when libauparse would hand them out.
        assert_eq!(ids(&mut p), ["err:MissingType", "1.000:1:2"]);
    }

    #[test]
    fn byte_cap_splits_an_endless_event_and_loses_no_record() {
        // One event id repeated without end (no EOE, no later time): without a
        // bound on bytes, it would grow with the input.
        const CAP: usize = 64 << 10;
        let line = "type=PATH msg=audit(1.000:7): item=0 name=\"/etc/passwd\" inode=1 dev=fd:00\n";
        for delivery in 0..3 {
            let mut p = Parser::new(Options::default().max_bytes_in_flight(CAP));
            let (mut events, mut records) = (0, 0);
            let mut count = |ev: &Event| {
                assert_eq!(ev.id().serial, 7);
                assert!(
                    ev.len() * line.len() <= CAP + 4 * line.len(),
                    "{}",
                    ev.len()
                );
                events += 1;
                records += ev.len();
            };
            for _ in 0..20_000 {
                match delivery {
                    0 => p.feed_with_ref(line.as_bytes(), |item| count(item.unwrap())),
                    1 => p.feed_with(line.as_bytes(), |item| count(&item.unwrap())),
                    _ => {
                        p.feed(line.as_bytes());
                        for item in p.drain() {
                            count(&item.unwrap());
                        }
                    }
                }
                assert!(p.bytes_in_flight() <= CAP + 2 * line.len());
            }
            p.flush();
            for item in p.drain() {
                count(&item.unwrap());
            }
            assert_eq!(records, 20_000, "delivery {delivery}");
            assert!(events > 20, "{events} events");
            assert_eq!(p.stats().evicted as usize, events - 1);
            assert_eq!(p.bytes_in_flight(), 0);
        }
    }

    #[test]
    fn byte_cap_bounds_many_open_events() {
        // Interleaved events with long records: the oldest are completed early once
        // their records hold more than the bound, in order.
        const CAP: usize = 1 << 20;
        let mut p = Parser::new(
            Options::default()
                .max_bytes_in_flight(CAP)
                .max_events_in_flight(1 << 20),
        );
        let long = "x".repeat(2000);
        let mut records = 0;
        for i in 0..5000u32 {
            for serial in [i, i + 100_000, i % 7] {
                let line = format!("type=PATH msg=audit(1.000:{serial}): name={long}\n");
                p.feed_with(line.as_bytes(), |item| records += item.unwrap().len());
                assert!(p.bytes_in_flight() <= CAP + 2100, "{}", p.bytes_in_flight());
            }
        }
        assert!(p.stats().evicted > 0);
        assert!(p.events_in_flight() < 1000);
        p.flush();
        records += p.drain().map(|item| item.unwrap().len()).sum::<usize>();
        assert_eq!(records, 15_000);
        // The bound is clamped to what 32-bit offsets reach.
        let o = Options::default()
            .max_bytes_in_flight(usize::MAX)
            .max_line_len(usize::MAX);
        assert_eq!((o.max_bytes_in_flight, o.max_line_len), (2 << 30, 1 << 30));
        let raw = Options {
            max_bytes_in_flight: 0,
            ..Options::default()
        };
        assert_eq!(Parser::new(raw).options().max_bytes_in_flight, 1);
    }

    #[test]
    fn bad_lines_are_reported_with_position_and_parsing_goes_on() {
        let mut p = Parser::default();
        p.feed(b"type=SYSCALL msg=audit(1.000:1): a=1\ngarbage here\n\ntype=EOE msg=audit(1.000:1): \n");
        let items: Vec<Item> = p.drain().collect();
        let err = items[0].as_ref().unwrap_err();
        assert_eq!((err.line, err.offset), (2, 37));
        assert_eq!(items[1].as_ref().unwrap().records().len(), 2);
        assert_eq!(p.stats().blank_lines, 1);
    }

    #[test]
    fn too_long_lines_are_skipped_and_reported() {
        let mut p = Parser::new(Options::default().max_line_len(64));
        let long = format!("type=SYSCALL msg=audit(1.000:1): a={}\n", "x".repeat(100));
        // fed in small pieces, so the line is held as a partial first
        for c in long.as_bytes().chunks(7) {
            p.feed(c);
        }
        p.feed(b"type=SYSCALL msg=audit(1.000:2): a=1\n");
        p.flush();
        let items: Vec<Item> = p.drain().collect();
        assert!(matches!(
            items[0],
            Err(ParseError {
                kind: ErrorKind::LineTooLong { .. },
                ..
            })
        ));
        assert_eq!(items[1].as_ref().unwrap().id().serial, 2);
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn final_line_without_newline_is_kept_on_flush() {
        let mut p = Parser::default();
        p.feed(b"type=USER_LOGIN msg=audit(1.000:1): a=1");
        assert_eq!(p.drain().count(), 0);
        p.flush();
        assert_eq!(ids(&mut p), ["1.000:1:1"]);
    }

    #[test]
    fn enriched_lines_split_alike_in_any_chunks() {
        let log: &[u8] =
            b"type=SYSCALL msg=audit(1.000:1): auid=0 uid=0\x1dAUID=\"root\" UID=\"root\"\n\
            type=CWD msg=audit(1.000:1): cwd=\"/\"\n\
            type=PATH msg=audit(1.000:1): name=x\x1d\n\
            type=EOE msg=audit(1.000:1): \n";
        let want: Vec<Record> = log
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| Record::parse(l).unwrap())
            .collect();
        for n in 1..log.len() {
            let mut p = Parser::default();
            for c in log.chunks(n) {
                p.feed(c);
            }
            p.flush();
            let ev = p.next_event().unwrap().unwrap();
            let got: Vec<_> = ev
                .records()
                .iter()
                .map(|r| {
                    (
                        r.text(),
                        r.fields()
                            .map(|f| (f.name(), f.value()))
                            .collect::<Vec<_>>(),
                        r.interpretations()
                            .map(|f| (f.name(), f.value()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            let exp: Vec<_> = want
                .iter()
                .map(|r| {
                    (
                        r.text(),
                        r.fields()
                            .map(|f| (f.name(), f.value()))
                            .collect::<Vec<_>>(),
                        r.interpretations()
                            .map(|f| (f.name(), f.value()))
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            assert_eq!(got, exp, "chunks of {n}");
            assert_eq!(
                ev.records()[0].field("auid").unwrap().interpreted(),
                Some(&b"\"root\""[..])
            );
        }
    }

    #[test]
    fn a_closure_that_panics_while_lent_leaves_the_parser_sound() {
        use std::panic::{catch_unwind, AssertUnwindSafe};
        let mut p = Parser::default();
        for i in 1..=3 {
            let line = format!("type=LOGIN msg=audit(1.000:{i}): panicked={i}\n");
            let r = catch_unwind(AssertUnwindSafe(|| {
                p.feed_with_ref(line.as_bytes(), |item| {
                    let ev = item.unwrap();
                    // Ask for everything a closure can keep in the lent event.
                    assert_eq!(ev.records().len(), 1);
                    assert_eq!(ev.iter().next().unwrap().field_count(), 2);
                    panic!("in the closure");
                })
            }));
            assert!(r.is_err());
        }
        // Every way out afterwards gives the next events alone and whole; a pull
        // takes each out of its slot at once (the panics left no handing out on).
        p.feed(b"type=LOGIN msg=audit(1.000:4): fresh=4\ntype=LOGIN msg=audit(1.000:9): a=1\n");
        assert_eq!(p.slots.len(), 1);
        let ev = p.next_event().unwrap().unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(
            ev.record(0).unwrap().text(),
            b"type=LOGIN msg=audit(1.000:4): fresh=4"
        );
        assert_eq!(p.next_event().unwrap().unwrap().id().serial, 9);
        let mut lent = Vec::new();
        p.feed_with_ref(b"type=LOGIN msg=audit(1.000:5): fresh=5\n", |item| {
            let ev = item.unwrap();
            let records = ev.records();
            lent.push((
                ev.id().serial,
                ev.len(),
                records.len(),
                records[0].text().to_vec(),
            ));
        });
        assert_eq!(
            lent,
            [(5, 1, 1, b"type=LOGIN msg=audit(1.000:5): fresh=5".to_vec())]
        );
        let mut given = Vec::new();
        p.feed_with(b"type=LOGIN msg=audit(1.000:6): fresh=6\n", |item| {
            given.push(item.unwrap().record(0).unwrap().to_record());
        });
        assert_eq!(given[0].text(), b"type=LOGIN msg=audit(1.000:6): fresh=6");
    }

    #[test]
    fn handed_out_items_keep_their_order_with_errors_and_leftovers() {
        use std::panic::{catch_unwind, AssertUnwindSafe};
        fn name(item: ItemRef<'_>) -> String {
            match item {
                Ok(ev) => ev.id().to_string(),
                Err(e) => format!("err:{:?}", e.kind),
            }
        }
        // A line found too long at the end of the data is reported before the event
        // that the end of the data delivers.
        let mut p = Parser::new(Options::default().max_line_len(64));
        let mut data =
            b"type=SYSCALL msg=audit(1.000:1): a=1\ntype=PROCTITLE msg=audit(1.000:1): p=1\n"
                .to_vec();
        data.extend_from_slice(&[b'x'; 100]);
        let mut seen = Vec::new();
        p.feed_with_ref(&data, |item| seen.push(name(item)));
        assert_eq!(seen, ["err:LineTooLong { limit: 64 }", "1.000:1"]);
        // Events left ready by a closure that panicked come before what is read later.
        const PANICKED_ON: &[u8] =
            b"type=SYSCALL msg=audit(1.000:1): a=1\ntype=LOGIN msg=audit(1.000:2): a=1\n\
              type=PROCTITLE msg=audit(1.000:1): p=1\ntype=LOGIN msg=audit(1.000:3): a=1\n";
        let mut p = Parser::default();
        let r = catch_unwind(AssertUnwindSafe(|| {
            p.feed_with_ref(PANICKED_ON, |_| panic!("in the closure"))
        }));
        assert!(r.is_err());
        p.feed(b"garbage\ntype=LOGIN msg=audit(1.000:4): a=1\n");
        p.flush();
        assert_eq!(
            ids(&mut p),
            ["1.000:2:1", "1.000:3:1", "err:MissingType", "1.000:4:1"]
        );
        // And the same when they are handed out.
        let mut p = Parser::default();
        let r = catch_unwind(AssertUnwindSafe(|| {
            p.feed_with(PANICKED_ON, |_| panic!("in the closure"))
        }));
        assert!(r.is_err());
        p.feed(b"garbage\n");
        let mut seen = Vec::new();
        p.feed_with_ref(b"type=LOGIN msg=audit(1.000:4): a=1\n", |item| {
            seen.push(name(item))
        });
        assert_eq!(seen, ["1.000:2", "1.000:3", "err:MissingType", "1.000:4"]);
    }

    #[test]
    fn age_events_uses_the_given_clock() {
        let mut p = Parser::default();
        p.feed(b"type=SYSCALL msg=audit(100.000:1): a=1\n");
        p.age_events(101);
        assert_eq!(p.drain().count(), 0);
        p.age_events(102);
        assert_eq!(ids(&mut p), ["100.000:1:1"]);
    }
}
