//! Hostile search expressions (issue 16): each gives a result or a typed
//! error, on a thread with a small stack, where recursion that follows the
//! input's depth would overflow and abort the whole test binary.

use audit_interpret::Interpreter;
use audit_parse::{Event, Record};
use audit_search::{Expr, ExprErrorKind, MAX_DEPTH};

fn event() -> Event {
    let line = b"type=SYSCALL msg=audit(1700000000.500:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=1000 uid=0 comm=\"ls\" key=\"k1\"";
    Event::from_records(vec![Record::parse(line).unwrap()])
}

fn small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn nine_thousand_nested_groups_give_an_error_with_its_position() {
    small_stack(|| {
        let text = format!("{}uid == 0{}", "(".repeat(9000), ")".repeat(9000));
        let err = Expr::parse(&text).unwrap_err();
        assert!(err.offset > 0 && err.offset < 9000, "{err}");
        assert!(
            err.to_string().contains(&format!("byte {}", err.offset)),
            "{err}"
        );
    });
}

#[test]
fn fifty_thousand_nots_match() {
    small_stack(|| {
        let mut it = Interpreter::new();
        let e = Expr::parse(&format!("{}uid == 0", "!".repeat(50_000))).unwrap();
        assert!(e.matches_event(&event(), &mut it));
        let e = Expr::parse(&format!("{}(uid == 0)", "!".repeat(49_999))).unwrap();
        assert!(!e.matches_event(&event(), &mut it));
    });
}

#[test]
fn hundred_thousand_term_chain_matches_and_drops() {
    small_stack(|| {
        let mut it = Interpreter::new();
        let mut text = "uid == 1 || ".repeat(100_000);
        text.push_str("auid == 1000");
        let e = Expr::parse(&text).unwrap();
        assert!(e.matches_event(&event(), &mut it));
        drop(e);
        // Built in code, one term at a time.
        let mut e = Expr::parse("uid == 1").unwrap();
        for _ in 0..100_000 {
            e = e.or(Expr::parse("uid == 2").unwrap());
        }
        assert!(!e.matches_event(&event(), &mut it));
        e = e.or(Expr::parse("comm i= ls").unwrap());
        assert!(e.matches_event(&event(), &mut it));
    });
}

#[test]
fn deep_nesting_is_refused_with_its_position() {
    small_stack(|| {
        let text = format!("{}a r= b{}", "(".repeat(9000), ")".repeat(9000));
        let err = Expr::parse(&text).unwrap_err();
        assert_eq!(err.kind(), ExprErrorKind::TooDeep);
        assert_eq!(err.offset, MAX_DEPTH);
        assert!(err.to_string().contains("at byte 256"), "{err}");
        // As deep as allowed parses and matches.
        let ok = format!(
            "{}uid == 0{}",
            "(!".repeat(MAX_DEPTH),
            ")".repeat(MAX_DEPTH)
        );
        let e = event();
        assert!(Expr::parse(&ok)
            .unwrap()
            .matches_event(&e, &mut Interpreter::new()));
    });
}

#[test]
fn long_runs_of_not_and_long_chains() {
    small_stack(|| {
        let e = event();
        let mut it = Interpreter::new();
        let nots = format!("{}uid == 0", "!".repeat(50_000));
        assert!(Expr::parse(&nots).unwrap().matches_event(&e, &mut it));
        let nots = format!("{}uid == 0", "!".repeat(50_001));
        assert!(!Expr::parse(&nots).unwrap().matches_event(&e, &mut it));
        // A 100k-term chain: the last term decides.
        let mut chain = "uid == 1 || ".repeat(100_000);
        chain.push_str("auid == 1000");
        let x = Expr::parse(&chain).unwrap();
        assert!(matches!(&x, Expr::Or(v) if v.len() == 100_001));
        assert!(x.matches_event(&e, &mut it));
        let mut chain = "uid == 0 && ".repeat(100_000);
        chain.push_str("auid == 1");
        assert!(!Expr::parse(&chain).unwrap().matches_event(&e, &mut it));
    });
}

#[test]
fn deep_trees_built_in_code_match_and_drop() {
    small_stack(|| {
        let e = event();
        let mut it = Interpreter::new();
        // Alternating And/Or nodes do not flatten: a tree 200k deep.
        let mut x = Expr::field_eq("uid", "0");
        for i in 0..200_000 {
            x = if i % 2 == 0 {
                Expr::And(vec![Expr::exists("uid"), x])
            } else {
                Expr::Or(vec![Expr::exists("nosuch"), x])
            };
        }
        assert!(x.matches_event(&e, &mut it));
        let mut n = Expr::exists("uid");
        for _ in 0..100_001 {
            n = Expr::Not(Box::new(n));
        }
        assert!(!n.matches_event(&e, &mut it));
        drop(x);
        drop(n);
    });
}
