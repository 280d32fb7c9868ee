//! Who did what to what, how, with what result: libauparse's event
//! normalizer (`auparse_normalize`), the report lines of
//! `ausearch --format csv|text`, and (feature `serde`) events as JSON.
//!
//! ```
//! use audit_interpret::Interpreter;
//! use audit_normalize::NormalizeContext;
//! use audit_parse::Parser;
//!
//! // Events come from audit_parse: a log, a file set, a live source.
//! let mut parser = Parser::default();
//! parser.feed(b"type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e syscall=2 success=no exit=-13 a0=7ffd1 a1=80000 a2=0 a3=0 items=1 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"secrets\"\n\
//!     type=CWD msg=audit(1700000000.000:7): cwd=\"/root\"\n\
//!     type=PATH msg=audit(1700000000.000:7): item=0 name=\"/etc/shadow\" inode=5 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL\n\
//!     type=EOE msg=audit(1700000000.000:7): \n");
//! let event = parser.next_event().unwrap().unwrap();
//!
//! // The whole event, normalized, as interpreted text and a sentence. The
//! // context keeps the interpreter and its caches from event to event.
//! let mut norm = NormalizeContext::new(Interpreter::new());
//! let summary = norm.summarize(&event);
//! assert_eq!(summary.object.as_ref().unwrap(), "/etc/shadow");
//! assert_eq!(summary.success, Some(false));
//! println!("{summary}");
//! assert_eq!(summary.sentence, "root unsuccessfully opened-file /etc/shadow using /usr/bin/cat");
//! ```
//!
//! # Positions, as libauparse gives them
//!
//! The normalizer knows every record type libauparse's does. It does not
//! copy values: it points at fields ([`FieldPos`],
//! a record and field number as libauparse keeps them), and a consumer reads
//! and interprets those fields. Its choices depend on the exact moves of
//! libauparse's cursor (a search that runs off a record, a position that
//! names record 0 with a field number found in another record); they are
//! reproduced with [`EventCursor`], so the positions are the ones libauparse
//! gives, including the ones that do not resolve ([`SeekError`]).
//!
//! ```
//! use audit_normalize::{NormalizeContext, NormalizeOptions};
//! use audit_parse::{Options, Parser};
//!
//! let mut p = Parser::new(Options::default());
//! p.feed(b"type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"ls\" exe=\"/usr/bin/ls\" key=\"exec\"\n\
//! type=EXECVE msg=audit(1700000000.000:7): argc=1 a0=\"ls\"\n\
//! type=CWD msg=audit(1700000000.000:7): cwd=\"/root\"\n\
//! type=PATH msg=audit(1700000000.000:7): item=0 name=\"/usr/bin/ls\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n\
//! type=EOE msg=audit(1700000000.000:7): \n");
//! p.flush();
//! let event = p.next_event().unwrap().unwrap();
//! let mut ctx = NormalizeContext::default();
//! let n = ctx.normalize(&event, NormalizeOptions::All);
//! assert_eq!(n.event_kind, Some("audit-rule"));
//! assert_eq!(n.action.as_deref(), Some(&b"executed"[..]));
//! assert_eq!(n.object_kind.as_str(), "file");
//! let obj = n.object_primary.unwrap().field(&event).unwrap();
//! assert_eq!(obj.value(), b"\"/usr/bin/ls\"");
//! assert_eq!(n.how.as_deref(), Some(&b"/usr/bin/ls"[..]));
//! ```
//!
//! # Which entry point
//!
//! | you want | call |
//! | --- | --- |
//! | who did what, as text and a sentence | [`NormalizeContext::summarize`] ([`Summary`]) |
//! | the fields libauparse's normalizer points at | [`NormalizeContext::normalize`] ([`Normalized`], [`FieldPos`]) |
//! | libauparse's record and field moves over one event | [`NormalizeContext::cursor`] ([`EventCursor`]) |
//! | `ausearch --format csv` / `text` lines | [`format::csv_event`] / [`format::text_event`] |
//! | events as JSON and back (feature `serde`) | `json::JsonWriter`, `json::event_to_json`, `json::event_from_json` |
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cursor;
pub mod format;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod json;
mod normalizer;
mod summary;
mod tables;

pub use cursor::{EventCursor, NormalizeContext};
pub use normalizer::{FieldPos, NormalizeOptions, NormalizeStatus, Normalized, SeekError};
pub use summary::Summary;
pub use tables::ObjectKind;
