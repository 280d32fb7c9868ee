//! Hostile search expressions (issue 16): each gives a result or a typed
//! error, on a thread with a small stack, where recursion that follows the
//! input's depth would overflow and abort the whole test binary.

use audit_interpret::Interpreter;
use audit_parse::{Event, Record};
use audit_search::Expr;

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
