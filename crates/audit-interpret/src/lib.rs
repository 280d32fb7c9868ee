//! Interpretation of Linux audit fields, the event normalizer and ausearch
//! expressions: everything libauparse gives on top of raw fields.
//!
//! Raw audit fields are numbers and hex (`uid=0`, `syscall=59`,
//! `a1=80000`, `saddr=0200...`, `proctitle=6C73002D6C`); the [`Interpreter`]
//! turns them into what people read (`root`, `execve`, `O_RDONLY|O_CLOEXEC`,
//! `{ saddr_fam=inet laddr=... }`, `ls -l`) with the same results as
//! libauparse's `auparse_interpret_field`.
//!
//! ```
//! use audit_interpret::{Enriched, EscapeMode, Interpreter, SyscallContext};
//!
//! let fields: [(&[u8], &[u8]); 7] = [
//!     (b"type", b"SYSCALL"), (b"arch", b"c000003e"), (b"syscall", b"2"),
//!     (b"success", b"yes"), (b"exit", b"-13"), (b"a0", b"7ffd1000"), (b"a1", b"80000"),
//! ];
//! let ctx = SyscallContext::from_fields(fields);
//! let mut it = Interpreter::new();
//! it.set_escape_mode(EscapeMode::Tty);
//! let mut out = Vec::new();
//! it.interpret(1300, &ctx, Enriched::NONE, b"exit", b"-13", &mut out);
//! assert_eq!(out, b"EACCES(Permission denied)");
//! out.clear();
//! it.interpret(1300, &ctx, Enriched::NONE, b"proctitle", b"6C73002D6C", &mut out);
//! assert_eq!(out, b"ls -l");
//! ```
//!
//! # Features
//!
//! - `serde` (off by default): the `json` module, events and the normalizer's view
//!   as JSON.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod ausearch_group;
mod cnum;
mod decode;
mod escape;
mod ids;
mod interp;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod json;
mod machine;
mod memo;
pub mod normalize;
mod normalize_cursor;
mod normalize_tables;
mod record;
mod scan;
pub mod search;
mod syscalls;
mod tables;
mod types;

pub use decode::SyscallContext;
pub use escape::EscapeMode;
pub use ids::IdCache;
pub use interp::{Enriched, Interpreter};
pub use machine::{syscall_name, Machine};
pub use record::RecordContext;
pub use types::{field_type, type_of_name, FieldType};
