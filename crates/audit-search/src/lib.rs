//! Picking audit events: ausearch's search expressions
//! (`ausearch_add_expression`), compiled once and matched against events,
//! a typed builder for the same searches, and (in [`ausearch_group`])
//! ausearch's own grouping of log lines into events.
//!
//! ```
//! use audit_interpret::Interpreter;
//! use audit_parse::{Parser, RecordType};
//! use audit_search::Expr;
//!
//! // Events come from audit_parse: a log, a file set, a live source.
//! let mut parser = Parser::default();
//! parser.feed(b"type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=1000 uid=0 comm=\"ls\" key=\"exec\"\n\
//!     type=EOE msg=audit(1700000000.500:7): \n");
//! let event = parser.next_event().unwrap().unwrap();
//!
//! // A search as ausearch's text gives it, or built in code.
//! let typed = Expr::parse(r#"key i= exec && syscall i= execve && auid >= 1000"#).unwrap();
//! let built = Expr::key("exec").and(Expr::record_type(RecordType::SYSCALL));
//! let mut it = Interpreter::new(); // `i=` compares interpreted values
//! assert!(typed.matches_event(&event, &mut it));
//! assert!(built.matches_event(&event, &mut it));
//! assert!(!Expr::parse("auid < 1000").unwrap().matches_event(&event, &mut it));
//! ```
//!
//! # The language
//!
//! ```text
//! expr       := and ( "||" and )*
//! and        := primary ( "&&" primary )*
//! primary    := "!" primary | "(" expr ")" | comparison
//! comparison := field ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) value   (uid/gid fields, virtual fields)
//!             | field ( "r=" | "r!=" | "i=" | "i!=" ) value                (raw / interpreted text)
//!             | "\regexp" ( /regex/ | "regex" )                            (whole record text)
//! field      := name | "\timestamp" | "\timestamp_ex" | "\record_type"
//! value      := unquoted [A-Za-z0-9_-]+ | "quoted" | ts:SEC.MILLI[:SERIAL]
//! ```
//!
//! A record matches when the expression is true for it; an event matches
//! when one of its records does. A comparison with a field the record lacks
//! is false (so `!(uid == 0)` is true for a record without `uid`).
//!
//! ```
//! use audit_interpret::Interpreter;
//! use audit_search::Expr;
//! use audit_parse::{Event, Record};
//! let rec = Record::parse(b"type=USER_LOGIN msg=audit(1700000000.123:42): pid=1 uid=0 auid=1000 ses=2 msg='op=login acct=\"root\" res=success'").unwrap();
//! let ev = Event::from_records(vec![rec]);
//! let mut it = Interpreter::new();
//! let e = Expr::parse(r#"uid == 0 && \record_type == USER_LOGIN && acct r= "\"root\"""#).unwrap();
//! assert!(e.matches_event(&ev, &mut it));
//! assert!(!Expr::parse(r"\timestamp < ts:1700000000.123").unwrap().matches_event(&ev, &mut it));
//! // Errors say what is wrong and at which byte of the text.
//! let err = Expr::parse("uid ==").unwrap_err();
//! assert_eq!(err.offset, 6);
//! assert_eq!(err.to_string(), "Value expected, got `' (at byte 6)");
//! ```
//!
//! # Building a search in code
//!
//! The items libauparse adds with `ausearch_add_item` (raw value),
//! `ausearch_add_interpreted_item`, `ausearch_add_timestamp_item` and
//! `ausearch_add_regex` have typed constructors on [`Expr`], combined with
//! [`Expr::and`], [`Expr::or`], [`Expr::all`], [`Expr::any`] and
//! [`Expr::negate`] (libauparse's `AUSEARCH_RULE_AND` / `AUSEARCH_RULE_OR`),
//! and with [`Expr::key`] and [`Expr::record_type`] for the two searches
//! `ausearch -k` and `ausearch -m` make most:
//!
//! ```
//! use audit_interpret::Interpreter;
//! use audit_search::Expr;
//! use audit_parse::{Event, Record, RecordType};
//! let line = b"type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=1000 uid=0 comm=\"ls\" key=\"exec\"";
//! let ev = Event::from_records(vec![Record::parse(line).unwrap()]);
//! let search = Expr::key("exec")
//!     .and(Expr::record_type(RecordType::SYSCALL))
//!     .and(Expr::timestamp_range((1700000000, 0)..(1700000060, 0)))
//!     .and(Expr::interpreted_eq("syscall", "execve").or(Expr::field_eq("uid", "0")));
//! let mut it = Interpreter::new();
//! assert!(search.matches_event(&ev, &mut it));
//! assert!(!Expr::key("other").matches_event(&ev, &mut it));
//! ```
//!
//! # Bounds
//!
//! Any text gives an expression or an [`ExprError`]: groups nest at most
//! [`MAX_DEPTH`] deep ([`ExprErrorKind::TooDeep`] names the byte of the `(`
//! past the bound); runs of `!` and chains of `&&` or `||` of any length are
//! read without recursion (a chain is one flat [`Expr::And`] / [`Expr::Or`]
//! node, and `!!e` is `e`). Matching and dropping walk the tree with a stack
//! of their own, so trees built in code of any depth are matched and freed
//! without exhausting the thread's stack (`Clone`, `Debug` and `PartialEq`
//! of such a tree still recurse).
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod ausearch_group;
mod expr;
mod msg_type;

pub use expr::{Expr, ExprError, ExprErrorKind, Op, Regex, Virtual, MAX_DEPTH};
