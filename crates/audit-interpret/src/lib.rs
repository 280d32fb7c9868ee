//! Interpretation of Linux audit fields: what libauparse's
//! `auparse_interpret_field` gives on top of raw fields.
//!
//! Raw audit fields are numbers and hex (`uid=0`, `syscall=59`,
//! `a1=80000`, `saddr=0200...`, `proctitle=6C73002D6C`); the [`Interpreter`]
//! turns them into what people read (`root`, `execve`, `O_RDONLY|O_CLOEXEC`,
//! `{ saddr_fam=inet laddr=... }`, `ls -l`) with the same results as
//! libauparse's `auparse_interpret_field`. The normalizer that says who did
//! what to what is the `audit-normalize` crate; search expressions that pick
//! events are the `audit-search` crate's.
//!
//! ```
//! use audit_interpret::{EventInterpret, Interpreter};
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
//! // One field, interpreted in its own record.
//! let mut it = Interpreter::new();
//! assert_eq!(event.interpret(&mut it, "syscall").unwrap(), "open");
//! assert_eq!(event.interpret(&mut it, "exit").unwrap(), "EACCES(Permission denied)");
//! assert_eq!(event.interpret(&mut it, "a1").unwrap(), "O_RDONLY|O_CLOEXEC");
//! ```
//!
//! # Which entry point
//!
//! | you have | call | notes |
//! | --- | --- | --- |
//! | an [`Event`](audit_parse::Event) and a field name | [`EventInterpret::interpret`] / [`Interpreter::interpret_event_field`] | the first field of that name, in its own record; owned [`Text`] |
//! | a field [`Event::find_field`](audit_parse::Event::find_field) or a cursor gave | [`Interpreter::interpret_found`] | finds the field's record for you |
//! | a record and one of its fields | [`Interpreter::interpret_field`] | appends to your buffer; [`Interpreter::interpret_field_to_vec`] returns a new one |
//! | a record, several of its fields | [`Interpreter::interpret_field_in`] with a [`RecordContext`] | works the syscall context out once, only if needed |
//! | a record, every field (the fast path) | [`Interpreter::interpret_record`] | one walk, no copies where none are needed |
//! | a record and a context you computed ([`SyscallContext::of_record`]) | [`Interpreter::interpret_field_with`] | |
//! | a name and value without a parsed record | [`Interpreter::interpret`] (type looked up) / [`Interpreter::interpret_as`] (type given) | the building block; you give the record type, context and enrichment |
//! | a value and a [`FieldType`], no escaping, no enrichment | [`Interpreter::decode`] | the pure decoder |
//! | an event, who did what | `audit_normalize::NormalizeContext::summarize` (crate `audit-normalize`) | |
//! | events to pick | `audit_search::Expr` (crate `audit-search`) | |
//!
//! Interpretations are escaped by the interpreter's [`EscapeMode`]:
//! [`EscapeMode::Tty`] by default, as libauparse.
//!
//! Without a parsed record, from names and values:
//!
//! ```
//! use audit_interpret::{Enriched, EscapeMode, Interpreter, SyscallContext};
//! use audit_parse::RecordType;
//!
//! let fields: [(&[u8], &[u8]); 7] = [
//!     (b"type", b"SYSCALL"), (b"arch", b"c000003e"), (b"syscall", b"2"),
//!     (b"success", b"yes"), (b"exit", b"-13"), (b"a0", b"7ffd1000"), (b"a1", b"80000"),
//! ];
//! let ctx = SyscallContext::from_fields(fields);
//! let mut it = Interpreter::new();
//! it.set_escape_mode(EscapeMode::Tty);
//! let mut out = Vec::new();
//! it.interpret(RecordType::SYSCALL, &ctx, Enriched::NONE, b"exit", b"-13", &mut out);
//! assert_eq!(out, b"EACCES(Permission denied)");
//! out.clear();
//! it.interpret(RecordType::SYSCALL, &ctx, Enriched::NONE, b"proctitle", b"6C73002D6C", &mut out);
//! assert_eq!(out, b"ls -l");
//! ```
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod cnum;
mod decode;
mod escape;
mod event_interp;
mod ids;
mod interp;
mod machine;
mod memo;
mod record;
mod scan;
mod syscalls;
mod tables;
mod text;
mod types;

pub use decode::SyscallContext;
pub use escape::EscapeMode;
pub use event_interp::EventInterpret;
pub use ids::IdCache;
pub use interp::{Enriched, Interpreter};
pub use machine::{syscall_name, Machine};
pub use record::RecordContext;
pub use text::Text;
pub use types::{field_type, type_of_name, FieldType};
