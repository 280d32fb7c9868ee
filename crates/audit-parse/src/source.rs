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

/// What reading a source can give besides an event.
#[derive(Debug, thiserror::Error)]
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
}

/// Size of each read from a source.
const CHUNK: usize = 64 * 1024;

/// An iterator of events read from one or more sources through a [`Parser`].
///
/// Reading is done in 64 KiB chunks, so memory stays flat in the size of the input.
pub struct EventReader {
    parser: Parser,
    sources: VecDeque<Source>,
    current: Option<(Box<dyn Read>, Option<PathBuf>)>,
    index: u32,
    multi: bool,
    buf: Vec<u8>,
    done: bool,
}

enum Source {
    Path(PathBuf),
    Reader(Box<dyn Read>),
}

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
    /// `audit.log.1`, `audit.log` (the numbered files are taken while they exist).
    pub fn from_audit_log(log_file: impl AsRef<Path>) -> io::Result<EventReader> {
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
        let Some((reader, path)) = self.current.as_mut() else {
            return Step::Nothing;
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
        let (reader, path): (Box<dyn Read>, Option<PathBuf>) = match src {
            Source::Reader(r) => (r, None),
            Source::Path(p) => match File::open(&p) {
                Ok(f) => (Box::new(f), Some(p)),
                Err(source) => {
                    return Some(Err(ReadError::Io {
                        path: Some(p),
                        source,
                    }))
                }
            },
        };
        let idx = self.multi.then_some(self.index);
        self.index += 1;
        self.parser.begin_source(idx);
        self.current = Some((reader, path));
        Some(Ok(()))
    }
}

/// The rotation set of an auditd log, oldest first.
pub fn rotated_logs(log_file: &Path) -> io::Result<Vec<PathBuf>> {
    if !log_file.exists() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no log file {}", log_file.display()),
        ));
    }
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
    rotated.push(log_file.to_path_buf());
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
    fn buffer_source() {
        let n = EventReader::from_buffer(&b"type=USER msg=audit(2.000:2): u=1"[..]).count();
        assert_eq!(n, 1);
    }
}
