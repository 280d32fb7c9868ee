//! Parser for Linux audit logs: records, event assembly, cursors. A replacement for
//! libauparse that is linear in its input, bounded in memory and never panics.
//!
//! ```
//! use audit_parse::{Options, Parser};
//!
//! let log = b"type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=59 success=yes\n\
//! type=EXECVE msg=audit(1700000000.123:42): argc=2 a0=\"ls\" a1=\"-l\"\n\
//! type=PROCTITLE msg=audit(1700000000.123:42): proctitle=6C73002D6C\n";
//!
//! let mut parser = Parser::new(Options::default());
//! // Input may be cut anywhere: here, one byte at a time.
//! for b in log.chunks(1) {
//!     parser.feed(b);
//! }
//! parser.flush();
//! let event = parser.next_event().unwrap().unwrap();
//! assert_eq!(event.id().serial, 42);
//! assert_eq!(event.len(), 3);
//! let execve = event.record(1).unwrap();
//! assert_eq!(execve.field("a1").unwrap().value(), b"\"-l\"");
//! ```
//!
//! A key-alert plugin (auditd's dispatcher writes the events to its stdin): each
//! event as soon as it is whole, even when the next one is long in coming.
//!
//! ```no_run
//! use audit_parse::source::EventReader;
//! use std::time::Duration;
//!
//! for item in EventReader::live(std::io::stdin(), Duration::from_millis(500)) {
//!     let Ok(event) = item else { continue };
//!     if event.keys().iter().any(|k| k.as_ref() == b"exec-watch") {
//!         let argv = event.argv().unwrap_or_default();
//!         let args: Vec<_> = argv.iter().map(|a| String::from_utf8_lossy(a)).collect();
//!         println!("{}: {}", event.id(), args.join(" "));
//!     }
//! }
//! ```
//!
//! # Concepts
//! - [`Record`]: one line, `[node=N ]type=T msg=audit(SEC.MSEC:SERIAL): fields`; values
//!   are bytes (logs hold invalid UTF-8), split into [`Field`]s as libauparse splits them.
//! - [`Event`]: the records that share one id and node, in one buffer the event owns.
//!   [`Event::iter`] lends them out as [`RecordRef`]s (no copy, no reference count:
//!   the fast way to walk); [`Event::records`] gives them as owned [`Record`]s.
//!   [`Cursor`] walks an event with libauparse's moves.
//! - [`Parser`]: the feed interface (`auparse_feed`): bytes in any chunks, events out
//!   pull-style ([`Parser::next_event`]), given to a closure ([`Parser::feed_with`]:
//!   each event is handed out while its bytes are still in the cache) or lent to one
//!   ([`Parser::feed_with_ref`], the fastest: the parser keeps the event's buffers for
//!   the next one), in libauparse's delivery order; see the [`parser`] module for the
//!   rules.
//! - [`source::EventReader`]: events from a reader, a buffer, files or the rotated log;
//!   [`source::EventReader::live`] for a live input (stdin, a pipe, a socket), which
//!   hands out the open events once the input has been quiet for a while.
//! - What an event says, ready to use: [`Event::keys`] (the rule keys, as `ausearch -k`
//!   matches them), [`Event::argv`] (the `execve` arguments, reassembled and decoded),
//!   [`Field::record`] (the record a found field came from, for an interpreter).
//! - Bad lines come out as [`ParseError`]s (line, byte offset, reason) in the same stream.
//!
//! # Which entry point, when
//! | you have | call | you get |
//! |---|---|---|
//! | a file, a directory of rotated logs, any reader | [`source::EventReader`] (iterator, or `for_each_ref` for speed) | events in order, errors in place |
//! | a live input that may go quiet (stdin of a plugin, a pipe) | [`source::EventReader::live`] | the same, with open events completed after the idle time |
//! | bytes in chunks of your own (your own loop, `auparse_feed`) | [`Parser::feed`] then [`Parser::next_event`] until `None`; at the end [`Parser::flush`] | owned events, pulled |
//! | the same, fastest | [`Parser::feed_with_ref`] (events lent to a closure), or [`Parser::feed_with`] (handed over) | no event copied, or owned events |
//! | records from the kernel (netlink) | [`Parser::push_kernel`] | the same events as from their log lines, without formatting them |
//! | records parsed already | [`Parser::push_record`] | |
//! | an input gone quiet in your own loop | [`Parser::complete_open`] (ages what is open, as `auparse_feed_age_events`) | |
//!
//! [`Parser::drain`] is `next_event` as an iterator.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod argv;
pub mod error;
pub mod event;
pub mod parser;
pub mod record;
pub mod source;

pub use argv::{ArgvError, ArgvErrorKind};
pub use audit_wire::RecordType;
pub use error::{ErrorKind, ParseError};
pub use event::{Cursor, Event, Records};
pub use parser::{Item, ItemRef, Options, Parser, Stats};
pub use record::{EventId, Field, Record, RecordRef};
