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
            if self.current.is_none() {
                match self.open_next() {
                    Some(Ok(())) => {}
                    Some(Err(e)) => return Some(Err(e)),
                    None => {
                        self.parser.flush();
                        self.done = true;
                        continue;
                    }
                }
            }
            let Some((reader, path)) = self.current.as_mut() else {
                continue;
            };
            match reader.read(&mut self.buf) {
                Ok(0) => self.current = None,
                Ok(n) => self.parser.feed(&self.buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    let path = path.clone();
                    self.current = None;
                    return Some(Err(ReadError::Io { path, source }));
                }
            }
        }
    }
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
    fn buffer_source() {
        let n = EventReader::from_buffer(&b"type=USER msg=audit(2.000:2): u=1"[..]).count();
        assert_eq!(n, 1);
    }
}
