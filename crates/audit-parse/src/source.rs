//! Sources of audit text: any reader (a file, stdin, a descriptor, a socket), a byte
//! buffer, a list of files, and auditd's log directory with its rotations.
//!
//! ```no_run
//! use audit_parse::source::EventReader;
//! for item in EventReader::from_audit_log("/var/log/audit/audit.log").unwrap() {
//!     match item {
//!         Ok(event) => println!("{} records", event.len()),
//!         Err(e) => eprintln!("{e}"),
//!     }
//! }
//! ```

use crate::error::ParseError;
use crate::event::Event;
use crate::parser::{Options, Parser};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// What reading a source can give besides an event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A line that is not a record.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The source could not be opened or read.
    #[error("reading {}: {source}", path.as_deref().map_or_else(|| "input".into(), |p| p.display().to_string()))]
    Io {
        /// The file, when the source is one.
        path: Option<PathBuf>,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// [`EventReader::from_audit_log`] found neither the log nor a rotation of it.
    #[error("no audit log: neither {} nor {}.1 exists", looked_for.display(), looked_for.display())]
    NoLog {
        /// The log file looked for (its rotations are this name with `.1`, `.2`...).
        looked_for: PathBuf,
    },
}

/// Size of each read from a source.
const CHUNK: usize = 64 * 1024;

/// An iterator of events read from one or more sources through a [`Parser`].
///
/// Reading is done in 64 KiB chunks, so memory stays flat in the size of the input.
pub struct EventReader {
    parser: Parser,
    sources: VecDeque<Source>,
    current: Option<Current>,
    index: u32,
    multi: bool,
    buf: Vec<u8>,
    done: bool,
}

enum Source {
    Path(PathBuf),
    Reader(Box<dyn Read>),
    /// A live input, read on a thread of its own, and how long it may be idle before
    /// the open events are completed.
    Live(Box<dyn Read + Send>, Duration),
}

/// The source being read.
enum Current {
    Reader(Box<dyn Read>, Option<PathBuf>),
    /// The chunks a reader thread read; the channel closes at the input's end.
    Live(Receiver<io::Result<Vec<u8>>>, Duration),
}

/// Chunks a live input's thread may read ahead of the parser: bounds its memory.
const LIVE_CHUNKS_AHEAD: usize = 4;

impl std::fmt::Debug for EventReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventReader")
            .field("parser", &self.parser)
            .field("sources_left", &self.sources.len())
            .finish()
    }
}

impl EventReader {
    fn with_sources(sources: VecDeque<Source>, opts: Options) -> EventReader {
        let multi = sources.len() > 1;
        EventReader {
            parser: Parser::new(opts),
            sources,
            current: None,
            index: 0,
            multi,
            buf: vec![0; CHUNK],
            done: false,
        }
    }

    /// Events from any reader: a file, stdin, a pipe, a socket, a descriptor
    /// (`File::from(OwnedFd)`).
    pub fn new(reader: impl Read + 'static) -> EventReader {
        EventReader::with_options(reader, Options::default())
    }

    /// Events from a reader, with parser options.
    pub fn with_options(reader: impl Read + 'static, opts: Options) -> EventReader {
        EventReader::with_sources(VecDeque::from([Source::Reader(Box::new(reader))]), opts)
    }

    /// Events from a live input (stdin, a pipe, a socket) that can stay quiet between
    /// events: when nothing has arrived for `idle`, every open event is completed and
    /// handed out ([`Parser::complete_open`]), so that a consumer gets the last event
    /// without waiting for the next one, or for the end of the input. A record of an
    /// event that arrives after that makes another event with the same id; an
    /// unterminated line waits for the rest of its bytes.
    ///
    /// The input is read on a thread of its own (named `audit-event-reader`), which
    /// hands the parser chunks through a channel that holds at most 4 chunks of
    /// 64 KiB; the parser waits on the channel with a time-out. (This works for any
    /// reader, with no `unsafe`; polling a descriptor would need one.) A reader
    /// dropped while the thread waits in `read` leaves the thread waiting until the
    /// input gives something or ends; then it ends too.
    ///
    /// ```
    /// use audit_parse::source::EventReader;
    /// use std::io::Write;
    /// use std::time::Duration;
    /// let (rx, mut tx) = std::io::pipe().unwrap();
    /// tx.write_all(b"type=SYSCALL msg=audit(1.000:1): syscall=59\n").unwrap();
    /// let mut events = EventReader::live(rx, Duration::from_millis(50));
    /// // The writer stays open: the event comes out once the pipe was quiet 50 ms.
    /// let ev = events.next().unwrap().unwrap();
    /// assert_eq!(ev.id().serial, 1);
    /// drop(tx);
    /// assert!(events.next().is_none());
    /// ```
    pub fn live(reader: impl Read + Send + 'static, idle: Duration) -> EventReader {
        EventReader::live_with_options(reader, idle, Options::default())
    }

    /// [`EventReader::live`] with parser options.
    pub fn live_with_options(
        reader: impl Read + Send + 'static,
        idle: Duration,
        opts: Options,
    ) -> EventReader {
        EventReader::with_sources(VecDeque::from([Source::Live(Box::new(reader), idle)]), opts)
    }

    /// Events from a byte buffer.
    pub fn from_buffer(buf: impl Into<Vec<u8>>) -> EventReader {
        EventReader::new(io::Cursor::new(buf.into()))
    }

    /// Events from a list of files read one after another, as one stream (an event may
    /// span two files); records carry the index of their file.
    pub fn from_files<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
        opts: Options,
    ) -> EventReader {
        let sources = paths
            .into_iter()
            .map(|p| Source::Path(p.as_ref().to_path_buf()))
            .collect();
        EventReader::with_sources(sources, opts)
    }

    /// Events from auditd's log and its rotations, oldest first: `audit.log.N`, ...,
    /// `audit.log.1`, `audit.log`; see [`rotated_logs`] for which files are taken.
    /// `log_file` may name the log's directory, for its `audit.log`.
    ///
    /// ```
    /// use audit_parse::source::{EventReader, ReadError};
    /// let dir = std::env::temp_dir().join(format!("doc-rotated-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// // Only a rotated file, as right after a rotation with nothing logged since.
    /// std::fs::write(dir.join("audit.log.1"), b"type=USER msg=audit(1.000:1): u=1\n").unwrap();
    /// assert_eq!(EventReader::from_audit_log(&dir).unwrap().count(), 1);
    /// std::fs::remove_file(dir.join("audit.log.1")).unwrap();
    /// match EventReader::from_audit_log(&dir) {
    ///     Err(ReadError::NoLog { looked_for }) => assert_eq!(looked_for, dir.join("audit.log")),
    ///     other => panic!("{other:?}"),
    /// }
    /// # std::fs::remove_dir(&dir).unwrap();
    /// ```
    pub fn from_audit_log(log_file: impl AsRef<Path>) -> Result<EventReader, ReadError> {
        Ok(EventReader::from_files(
            rotated_logs(log_file.as_ref())?,
            Options::default(),
        ))
    }

    /// The parser, for its statistics.
    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// Reads what is left of the sources to the end, lending each event to `each` as
    /// it completes ([`Parser::feed_with_ref`]): the same items, in the same order, as
    /// the iterator gives, but no event is copied or allocated on the way, which
    /// makes it the fastest way through a file. An event that `each` wants to keep
    /// is [cloned](Clone::clone).
    ///
    /// ```
    /// use audit_parse::source::EventReader;
    /// let log = b"type=SYSCALL msg=audit(1.000:1): a=1\ntype=EOE msg=audit(1.000:1): \n\
    ///             type=USER msg=audit(2.000:2): u=1\nnot a record\n";
    /// let mut reader = EventReader::from_buffer(&log[..]);
    /// let (mut records, mut errors) = (0, 0);
    /// reader.for_each_ref(|item| match item {
    ///     Ok(event) => records += event.len(),
    ///     Err(_) => errors += 1,
    /// });
    /// assert_eq!((records, errors), (3, 1));
    /// ```
    pub fn for_each_ref(&mut self, mut each: impl FnMut(Result<&Event, ReadError>)) {
        // What the iterator left ready goes first, in order.
        while let Some(item) = self.parser.next_event() {
            match item {
                Ok(ev) => each(Ok(&ev)),
                Err(e) => each(Err(e.into())),
            }
        }
        while !self.done {
            match self.step() {
                Step::Read(n) => self
                    .parser
                    .feed_with_ref(&self.buf[..n], |item| each(item.map_err(ReadError::from))),
                // Opening a source can complete an event (the last line of the one
                // before, without a newline): what is ready goes before the error,
                // as the iterator gives it.
                Step::Failed(e) => {
                    self.parser
                        .lend_ready(|item| each(item.map_err(ReadError::from)));
                    each(Err(e));
                }
                Step::Idle => {
                    self.parser.complete_open();
                    self.parser
                        .lend_ready(|item| each(item.map_err(ReadError::from)))
                }
                Step::Flushed | Step::Nothing => self
                    .parser
                    .lend_ready(|item| each(item.map_err(ReadError::from))),
            }
        }
    }

    /// Reads the next chunk of the sources into `buf`, opening the next source where
    /// one ended; after the last, flushes the parser.
    fn step(&mut self) -> Step {
        if self.current.is_none() {
            match self.open_next() {
                Some(Ok(())) => {}
                Some(Err(e)) => return Step::Failed(e),
                None => {
                    self.parser.flush();
                    self.done = true;
                    return Step::Flushed;
                }
            }
        }
        let (reader, path) = match self.current.as_mut() {
            None => return Step::Nothing,
            Some(Current::Reader(reader, path)) => (reader, path),
            Some(Current::Live(chunks, idle)) => {
                // Wait with a time-out only while an event is open: with none, there
                // is nothing to hand out however long the input is quiet.
                let got = if self.parser.events_in_flight() > 0 {
                    match chunks.recv_timeout(*idle) {
                        Ok(got) => Some(got),
                        Err(RecvTimeoutError::Timeout) => return Step::Idle,
                        Err(RecvTimeoutError::Disconnected) => None,
                    }
                } else {
                    chunks.recv().ok()
                };
                return match got {
                    None => {
                        self.current = None;
                        Step::Nothing
                    }
                    Some(Ok(chunk)) => {
                        let n = chunk.len().min(self.buf.len());
                        self.buf[..n].copy_from_slice(&chunk[..n]);
                        Step::Read(n)
                    }
                    Some(Err(source)) => {
                        self.current = None;
                        Step::Failed(ReadError::Io { path: None, source })
                    }
                };
            }
        };
        match reader.read(&mut self.buf) {
            Ok(0) => {
                self.current = None;
                Step::Nothing
            }
            Ok(n) => Step::Read(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Step::Nothing,
            Err(source) => {
                let path = path.clone();
                self.current = None;
                Step::Failed(ReadError::Io { path, source })
            }
        }
    }

    fn open_next(&mut self) -> Option<Result<(), ReadError>> {
        let src = self.sources.pop_front()?;
        let current = match src {
            Source::Reader(r) => Current::Reader(r, None),
            Source::Path(p) => match File::open(&p) {
                Ok(f) => Current::Reader(Box::new(f), Some(p)),
                Err(source) => {
                    return Some(Err(ReadError::Io {
                        path: Some(p),
                        source,
                    }))
                }
            },
            Source::Live(reader, idle) => match spawn_reader(reader) {
                Ok(chunks) => Current::Live(chunks, idle),
                Err(source) => return Some(Err(ReadError::Io { path: None, source })),
            },
        };
        let idx = self.multi.then_some(self.index);
        self.index += 1;
        self.parser.begin_source(idx);
        self.current = Some(current);
        Some(Ok(()))
    }
}

/// Start the thread that reads a live input in chunks and sends them on; it ends at
/// the input's end (closing the channel), after sending a read error, or when the
/// receiving side is gone.
fn spawn_reader(mut reader: Box<dyn Read + Send>) -> io::Result<Receiver<io::Result<Vec<u8>>>> {
    let (tx, rx) = mpsc::sync_channel(LIVE_CHUNKS_AHEAD);
    std::thread::Builder::new()
        .name("audit-event-reader".into())
        .spawn(move || loop {
            let mut chunk = vec![0; CHUNK];
            match reader.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => {
                    chunk.truncate(n);
                    if tx.send(Ok(chunk)).is_err() {
                        return;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        })?;
    Ok(rx)
}

/// The rotation set of an auditd log, oldest first: `LOG.N`, ..., `LOG.1` (the
/// numbered files counting up from 1 while they exist), then `LOG` when it exists (it
/// may not, just after a rotation). `log_file` may name a directory, for its
/// `audit.log`. [`ReadError::NoLog`] when there is none of these.
pub fn rotated_logs(log_file: &Path) -> Result<Vec<PathBuf>, ReadError> {
    let log_file = if log_file.is_dir() {
        log_file.join("audit.log")
    } else {
        log_file.to_path_buf()
    };
    let log_file = log_file.as_path();
    let mut rotated = Vec::new();
    let mut n = 1;
    loop {
        let mut name = log_file.as_os_str().to_owned();
        name.push(format!(".{n}"));
        let p = PathBuf::from(name);
        if !p.exists() {
            break;
        }
        rotated.push(p);
        n += 1;
    }
    rotated.reverse();
    if log_file.exists() {
        rotated.push(log_file.to_path_buf());
    }
    if rotated.is_empty() {
        return Err(ReadError::NoLog {
            looked_for: log_file.to_path_buf(),
        });
    }
    Ok(rotated)
}

impl Iterator for EventReader {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.parser.next_event() {
                return Some(item.map_err(ReadError::from));
            }
            if self.done {
                return None;
            }
            match self.step() {
                Step::Read(n) => self.parser.feed(&self.buf[..n]),
                Step::Failed(e) => return Some(Err(e)),
                Step::Idle => self.parser.complete_open(),
                Step::Flushed | Step::Nothing => {}
            }
        }
    }
}

/// What one [`EventReader::step`] did.
enum Step {
    /// Read this many bytes into the buffer.
    Read(usize),
    /// A source could not be opened or read (reading goes on with the next).
    Failed(ReadError),
    /// The sources are done: the parser was flushed.
    Flushed,
    /// Nothing to hand on (a source ended, or a read was interrupted).
    Nothing,
    /// A live input was quiet for its idle time with events open.
    Idle,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotations_are_read_oldest_first_and_events_span_files() {
        let dir = std::env::temp_dir().join(format!("audit-parse-src-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("audit.log");
        std::fs::write(
            dir.join("audit.log.2"),
            b"type=SYSCALL msg=audit(1.000:1): a=1\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("audit.log.1"),
            b"type=CWD msg=audit(1.000:1): c=1\n",
        )
        .unwrap();
        std::fs::write(
            &log,
            b"type=EOE msg=audit(1.000:1): \ntype=USER msg=audit(2.000:2): u=1\n",
        )
        .unwrap();
        let files = rotated_logs(&log).unwrap();
        assert_eq!(files.last().unwrap(), &log);
        assert!(files[0].ends_with("audit.log.2"));
        let evs: Vec<Event> = EventReader::from_audit_log(&log)
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(evs.len(), 2);
        assert_eq!(evs[0].records().len(), 3);
        assert_eq!(evs[0].records()[1].source_index(), Some(1));
        assert_eq!(evs[0].records()[1].line(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_file_is_an_io_error_naming_it() {
        let mut r = EventReader::from_files(["/nonexistent/x.log"], Options::default());
        let err = r.next().unwrap().unwrap_err();
        assert!(err.to_string().contains("/nonexistent/x.log"), "{err}");
        assert!(r.next().is_none());
    }

    #[test]
    fn lending_gives_what_the_iterator_gives() {
        // Interleaved events, a bad line, an unterminated last line; whole, and
        // after the iterator took some items; and across files, one missing.
        let mut log = Vec::new();
        for i in 0..3000u32 {
            let (a, b) = (i, i + 5000);
            log.extend_from_slice(
                format!(
                    "type=SYSCALL msg=audit({}.000:{a}): a=1\n\
                     type=SYSCALL msg=audit({}.000:{b}): b=2\n\
                     type=CWD msg=audit({}.000:{a}): cwd=\"/\"\n",
                    i / 10,
                    i / 10,
                    i / 10
                )
                .as_bytes(),
            );
            if i % 700 == 0 {
                log.extend_from_slice(b"garbage line\n");
            }
        }
        log.extend_from_slice(b"type=USER msg=audit(9999.000:1): u=1");
        let event = |ev: &Event| {
            let texts: Vec<String> = ev
                .iter()
                .map(|r| String::from_utf8_lossy(r.text()).into_owned())
                .collect();
            format!("{} {texts:?}", ev.id())
        };
        let owned = |item: Result<Event, ReadError>| match item {
            Ok(ev) => event(&ev),
            Err(e) => e.to_string(),
        };
        let want: Vec<String> = EventReader::from_buffer(log.clone()).map(owned).collect();
        assert!(want.len() > 6000, "{}", want.len());
        for taken in [0, 1, 2500] {
            let mut reader = EventReader::from_buffer(log.clone());
            let mut got: Vec<String> = reader.by_ref().take(taken).map(owned).collect();
            reader.for_each_ref(|item| {
                got.push(match item {
                    Ok(ev) => event(ev),
                    Err(e) => e.to_string(),
                })
            });
            assert_eq!(got.len(), want.len(), "after {taken}");
            let differ = got.iter().zip(&want).position(|(a, b)| a != b);
            assert_eq!(differ, None, "after {taken}");
            assert_eq!(reader.parser().stats().errors, 5);
            assert!(reader.next().is_none());
        }
        let dir = std::env::temp_dir().join(format!("audit-parse-lend-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (one, two) = (dir.join("one.log"), dir.join("two.log"));
        std::fs::write(&one, b"type=SYSCALL msg=audit(1.000:1): a=1\n").unwrap();
        std::fs::write(&two, b"type=EOE msg=audit(1.000:1): \n").unwrap();
        let files = [one.clone(), dir.join("missing.log"), two.clone()];
        let mut got = Vec::new();
        EventReader::from_files(&files, Options::default()).for_each_ref(|item| {
            got.push(match item {
                Ok(ev) => format!("{} records", ev.len()),
                Err(e) => e.to_string(),
            })
        });
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains("missing.log"), "{got:?}");
        assert_eq!(got[1], "2 records");
        // A file whose last line has no newline, an empty one, then a missing one:
        // opening the empty file completes the event, which comes before the error
        // (as the iterator gives them).
        std::fs::write(&one, b"type=USER msg=audit(2.000:2): u=1").unwrap();
        std::fs::write(&two, b"").unwrap();
        let files = [one, two, dir.join("missing.log")];
        let show = |item: Result<&Event, ReadError>| match item {
            Ok(ev) => format!("{} records", ev.len()),
            Err(e) => e.to_string(),
        };
        let want: Vec<String> = EventReader::from_files(&files, Options::default())
            .map(|item| {
                show(item.as_ref().map_err(|e| ReadError::Io {
                    path: None,
                    source: io::Error::other(e.to_string()),
                }))
            })
            .collect();
        let mut got = Vec::new();
        EventReader::from_files(&files, Options::default())
            .for_each_ref(|item| got.push(show(item)));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], "1 records");
        assert_eq!(got[0], want[0]);
        assert!(got[1].contains("missing.log") && want[1].contains("missing.log"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_rotated_files_are_read_and_none_is_an_error_naming_the_log() {
        let dir = std::env::temp_dir().join(format!("audit-parse-rot1-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("audit.log");
        std::fs::write(
            dir.join("audit.log.2"),
            b"type=SYSCALL msg=audit(1.000:1): a=1\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("audit.log.1"),
            b"type=EOE msg=audit(1.000:1): \ntype=USER msg=audit(2.000:2): u=1\n",
        )
        .unwrap();
        // By the log's name and by its directory.
        for given in [&log, &dir] {
            assert_eq!(
                rotated_logs(given).unwrap(),
                [dir.join("audit.log.2"), dir.join("audit.log.1")]
            );
            let evs: Vec<Event> = EventReader::from_audit_log(given)
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            assert_eq!(evs.iter().map(Event::len).collect::<Vec<_>>(), [2, 1]);
        }
        std::fs::remove_file(dir.join("audit.log.1")).unwrap();
        std::fs::remove_file(dir.join("audit.log.2")).unwrap();
        for given in [&log, &dir] {
            let err = EventReader::from_audit_log(given).unwrap_err();
            assert!(
                matches!(&err, ReadError::NoLog { looked_for } if looked_for == &log),
                "{err:?}"
            );
            let msg = err.to_string();
            assert!(msg.contains(&log.display().to_string()), "{msg}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A live pipe whose writer stays open: the event comes out once the pipe was
    /// idle, not at the next event or at the end of the input.
    #[test]
    fn idle_live_input_completes_open_events() {
        use std::io::Write;
        use std::sync::mpsc::channel;
        use std::time::Instant;
        let (rx, mut tx) = io::pipe().unwrap();
        let idle = Duration::from_millis(200);
        // The reader runs on a thread of the test's, so that an event that never
        // comes fails the test instead of hanging it.
        let (events_tx, events) = channel();
        let consumer = std::thread::spawn(move || {
            let mut reader = EventReader::live(rx, idle);
            for item in reader.by_ref().take(2) {
                events_tx.send((item.unwrap(), Instant::now())).unwrap();
            }
            // The lending walk ages too.
            reader.for_each_ref(|item| {
                events_tx
                    .send((item.unwrap().clone(), Instant::now()))
                    .unwrap()
            });
        });
        let wait = Duration::from_secs(10);
        tx.write_all(
            b"type=SYSCALL msg=audit(1.000:7): syscall=59\n\
              type=CWD msg=audit(1.000:7): cwd=\"/\"\n\
              type=PATH msg=audit(1.000:7): item=0 name=\"/bin/ls\"\n\
              type=USER msg=audit(2.000:8): u=",
        )
        .unwrap();
        let start = Instant::now();
        let (ev, at) = events
            .recv_timeout(wait)
            .expect("the event after the idle time");
        assert_eq!(ev.id().serial, 7);
        assert_eq!(ev.len(), 3);
        assert!(at - start >= idle, "{:?}", at - start);
        // The unterminated line waited for its end, which completes it.
        tx.write_all(b"1\n").unwrap();
        let (ev, _) = events.recv_timeout(wait).expect("the second event");
        assert_eq!(ev.id().serial, 8);
        assert_eq!(ev.record(0).unwrap().field("u").unwrap().value(), b"1");
        tx.write_all(b"type=SYSCALL msg=audit(3.000:9): syscall=59\n")
            .unwrap();
        let (ev, _) = events.recv_timeout(wait).expect("the third event");
        assert_eq!(ev.id().serial, 9);
        // Still open: the writer. Closing it ends the reader.
        drop(tx);
        consumer.join().unwrap();
        assert!(events.recv().is_err());
    }

    #[test]
    fn buffer_source() {
        let n = EventReader::from_buffer(&b"type=USER msg=audit(2.000:2): u=1"[..]).count();
        assert_eq!(n, 1);
    }
}
