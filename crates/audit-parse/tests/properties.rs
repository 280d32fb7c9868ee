//! Property tests of the parser: chunking does not change the events, records
//! round-trip, and every line is accounted for.
use audit_parse::{Event, Item, Options, Parser, Record};
use proptest::prelude::*;

const TYPES: &[&str] = &[
    "SYSCALL",
    "EXECVE",
    "CWD",
    "PATH",
    "PROCTITLE",
    "EOE",
    "USER_LOGIN",
    "AVC",
    "SOCKADDR",
    "UNKNOWN[1999]",
    "LOGIN",
    "NOT_A_TYPE",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9/_.-]{1,12}",
        "\"[a-z0-9 /]{0,10}\"".prop_map(|s| s.replace(' ', "_")),
        "[0-9A-F]{2,16}",
        Just("?".to_string()),
        Just("(null)".to_string()),
    ]
}

#[derive(Debug, Clone)]
struct Rec {
    node: Option<String>,
    ty: &'static str,
    sec: u64,
    milli: u32,
    serial: u64,
    fields: Vec<(String, String)>,
}

impl Rec {
    fn line(&self) -> String {
        let mut s = String::new();
        if let Some(n) = &self.node {
            s.push_str(&format!("node={n} "));
        }
        s.push_str(&format!(
            "type={} msg=audit({}.{:03}:{}):",
            self.ty, self.sec, self.milli, self.serial
        ));
        for (k, v) in &self.fields {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }
}

fn rec() -> impl Strategy<Value = Rec> {
    (
        prop::option::of("[a-z]{1,6}"),
        prop::sample::select(TYPES),
        1_600_000_000u64..1_600_000_010,
        0u32..1000,
        1u64..40,
        prop::collection::vec(("[a-z][a-z0-9_]{0,8}", value()), 0..8),
    )
        .prop_map(|(node, ty, sec, milli, serial, fields)| Rec {
            node,
            ty,
            sec,
            milli,
            serial,
            fields: fields
                .into_iter()
                .filter(|(k, _)| k != "key" && k != "msg" && k != "node" && k != "type")
                .collect(),
        })
}

fn log_text(recs: &[Rec], junk: &[usize]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, r) in recs.iter().enumerate() {
        if junk.contains(&i) {
            out.extend_from_slice(b"this is not a record\n\n");
        }
        out.extend_from_slice(r.line().as_bytes());
        out.push(b'\n');
    }
    out
}

fn run(text: &[u8], cuts: &[usize], opts: Options) -> (Vec<Event>, usize, Parser) {
    let mut p = Parser::new(opts);
    let mut events = Vec::new();
    let mut errors = 0;
    let mut pos = 0;
    for &c in cuts {
        let end = (pos + c).min(text.len());
        p.feed(&text[pos..end]);
        pos = end;
        for item in p.drain() {
            match item {
                Ok(e) => events.push(e),
                Err(_) => errors += 1,
            }
        }
    }
    p.feed(&text[pos..]);
    p.flush();
    for item in p.drain() {
        match item {
            Ok(e) => events.push(e),
            Err(_) => errors += 1,
        }
    }
    (events, errors, p)
}

fn canonical(mut evs: Vec<Event>) -> Vec<(String, Vec<Vec<u8>>)> {
    let mut v: Vec<_> = evs
        .drain(..)
        .map(|e| {
            (
                format!("{} {:?}", e.id(), e.node()),
                e.records()
                    .iter()
                    .map(|r| r.text().to_vec())
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn any_chunking_gives_the_same_events(
        recs in prop::collection::vec(rec(), 1..60),
        junk in prop::collection::vec(0usize..60, 0..4),
        cuts in prop::collection::vec(1usize..200, 0..40),
    ) {
        let text = log_text(&recs, &junk);
        let (whole, e1, _) = run(&text, &[], Options::default());
        let (chunked, e2, _) = run(&text, &cuts, Options::default());
        let ones = vec![1usize; text.len()];
        let (bytewise, e3, _) = run(&text, &ones, Options::default());
        prop_assert_eq!(e1, e2);
        prop_assert_eq!(e1, e3);
        let c = canonical(whole);
        prop_assert_eq!(&c, &canonical(chunked));
        prop_assert_eq!(&c, &canonical(bytewise));
    }

    #[test]
    fn borrowed_and_owned_records_read_the_same(
        recs in prop::collection::vec(rec(), 1..40),
    ) {
        let text = log_text(&recs, &[]);
        let (events, _, _) = run(&text, &[], Options::default());
        for ev in events {
            let owned = ev.records();
            prop_assert_eq!(owned.len(), ev.len());
            for (i, r) in ev.iter().enumerate() {
                let o = &owned[i];
                prop_assert_eq!(r, o.view());
                prop_assert_eq!(Some(r), ev.record(i));
                prop_assert_eq!(r.text(), o.text());
                prop_assert_eq!(r.field_count(), o.field_count());
                let walked: Vec<_> = r.fields().map(|f| (f.name(), f.value())).collect();
                let owned_walk: Vec<_> = o.fields().map(|f| (f.name(), f.value())).collect();
                prop_assert_eq!(&walked, &owned_walk);
                let by_index: Vec<_> = (0..r.field_count())
                    .filter_map(|k| r.field_at(k))
                    .map(|f| (f.name(), f.value()))
                    .collect();
                prop_assert_eq!(&walked, &by_index);
                prop_assert_eq!(r.to_record(), o.clone());
            }
            prop_assert_eq!(ev.record(ev.len()), None);
            // An event rebuilt from its owned records equals it, and gives them back.
            let rebuilt = Event::from_records(owned.to_vec());
            prop_assert_eq!(&rebuilt, &ev);
            prop_assert_eq!(rebuilt.into_records(), ev.clone().into_records());
        }
    }

    #[test]
    fn push_and_pull_hand_out_the_same_items_in_the_same_order(
        recs in prop::collection::vec(rec(), 1..60),
        junk in prop::collection::vec(0usize..60, 0..4),
        cuts in prop::collection::vec(1usize..200, 0..40),
        cap in 1usize..8,
    ) {
        // Not canonicalised: the order of events and errors must be the same, whether
        // the events are pulled, given to a closure or lent to one.
        let text = log_text(&recs, &junk);
        let opts = Options::default().max_events_in_flight(cap);
        let describe = |e: &Event| {
            // Everything a reader sees, through both forms of the records, so that a
            // lent event whose buffers were reused would show.
            let borrowed: Vec<_> = e
                .iter()
                .map(|r| {
                    let fields: Vec<_> = r.fields().map(|f| (f.name().to_vec(), f.value().to_vec())).collect();
                    (r.text().to_vec(), r.field_count(), fields)
                })
                .collect();
            let owned: Vec<_> = e.records().iter().map(|r| r.text().to_vec()).collect();
            format!("{} {:?} {:?} {:?}", e.id(), e.node(), borrowed, owned)
        };
        let show = |item: Item| match item {
            Ok(e) => describe(&e),
            Err(e) => format!("error {e}"),
        };
        let (mut pull, mut push, mut lent) = (Vec::new(), Vec::new(), Vec::new());
        let mut pp = Parser::new(opts.clone());
        let mut ps = Parser::new(opts.clone());
        let mut pl = Parser::new(opts);
        let mut pos = 0;
        for end in cuts.iter().scan(0, |at, &c| { *at += c; Some(*at) }).chain([text.len()]) {
            let end = end.min(text.len()).max(pos);
            pp.feed(&text[pos..end]);
            pull.extend(pp.drain().map(show));
            ps.feed_with(&text[pos..end], |item| push.push(show(item)));
            pl.feed_with_ref(&text[pos..end], |item| lent.push(match item {
                Ok(e) => describe(e),
                Err(e) => format!("error {e}"),
            }));
            pos = end;
        }
        pp.flush();
        ps.flush();
        pl.flush();
        pull.extend(pp.drain().map(show));
        push.extend(ps.drain().map(show));
        pl.lend_ready(|item| lent.push(match item {
            Ok(e) => describe(e),
            Err(e) => format!("error {e}"),
        }));
        prop_assert_eq!(&pull, &push);
        prop_assert_eq!(&pull, &lent);
    }

    #[test]
    fn every_line_is_in_an_event_or_reported(
        recs in prop::collection::vec(rec(), 1..80),
        junk in prop::collection::vec(0usize..80, 0..6),
        cap in 1usize..8,
    ) {
        let text = log_text(&recs, &junk);
        let (events, errors, p) = run(&text, &[97], Options::default().max_events_in_flight(cap));
        let s = p.stats();
        let in_events: u64 = events.iter().map(|e| e.records().len() as u64).sum();
        prop_assert_eq!(in_events, s.records);
        prop_assert_eq!(errors as u64, s.errors);
        prop_assert_eq!(s.lines, s.blank_lines + s.records + s.errors + s.eoe_after_end);
        prop_assert_eq!(s.lines as usize, recs.len() + 2 * junk.iter().filter(|&&j| j < recs.len()).collect::<std::collections::HashSet<_>>().len());
    }

    #[test]
    fn record_round_trips(r in rec()) {
        let line = r.line();
        let parsed = Record::parse(line.as_bytes()).unwrap();
        prop_assert_eq!(parsed.text(), line.as_bytes());
        prop_assert_eq!(parsed.id().serial, r.serial);
        prop_assert_eq!(parsed.id().milli, r.milli);
        prop_assert_eq!(parsed.node(), r.node.as_deref().map(str::as_bytes));
        prop_assert_eq!(parsed.type_text(), r.ty.as_bytes());
        // Rebuild the line from what was parsed: it must be the same line.
        let fields: Vec<(Vec<u8>, Vec<u8>)> = parsed
            .fields()
            .map(|f| (f.name().to_vec(), f.value().to_vec()))
            .collect();
        let skip = 1 + usize::from(r.node.is_some());
        let mut rebuilt = String::new();
        if let Some(n) = &r.node {
            rebuilt.push_str(&format!("node={n} "));
        }
        rebuilt.push_str(&format!("type={} msg=audit({}):", r.ty, parsed.id()));
        for (k, v) in &fields[skip..] {
            rebuilt.push_str(&format!(" {}={}", String::from_utf8_lossy(k), String::from_utf8_lossy(v)));
        }
        prop_assert_eq!(rebuilt, line);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2000), cut in 1usize..64) {
        let (events, _, p) = run(&data, &[cut, cut, cut], Options::default().max_line_len(256));
        let s = p.stats();
        prop_assert_eq!(s.lines, s.blank_lines + s.records + s.errors + s.eoe_after_end);
        let in_events: u64 = events.iter().map(|e| e.records().len() as u64).sum();
        prop_assert_eq!(in_events, s.records);
    }
}

/// Tokens that exercise every splitting rule: quotes, trailing punctuation, `msg=`
/// forms, `(` names, hex keys (plain, several, broken), words without `=`, runs of
/// spaces, 0x1D, and bytes that are not UTF-8.
fn tricky_token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z0-9]{1,9}=[a-zA-Z0-9/_.-]{0,20}".prop_map(String::into_bytes),
        Just(b"msg=audit(1.002:3):".to_vec()),
        Just(b"msg='op=login".to_vec()),
        Just(b"res=success'".to_vec()),
        Just(b"(uid=0,".to_vec()),
        Just(b"tty=(none)".to_vec()),
        Just(b"key=(null)".to_vec()),
        Just(b"key=\"k\"".to_vec()),
        Just(b"key=6B31016B32".to_vec()),
        Just(b"key=6".to_vec()),
        Just(b"key=zz".to_vec()),
        Just(b"denied".to_vec()),
        Just(b"{ read write }".to_vec()),
        Just(b"a==b".to_vec()),
        Just(b"=x".to_vec()),
        Just(b"x=".to_vec()),
        Just(b"  ".to_vec()),
        Just(b"\x1dUID=\"root\"".to_vec()),
        Just(b"v=\xff\xfe".to_vec()),
        "[a-z=:,')( ]{1,12}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Walking a record's fields in order (which splits as it goes) gives exactly the
    /// fields its table gives by position (split once, on first use).
    #[test]
    fn walk_equals_table(
        node in prop::option::of("[a-z]{1,4}"),
        avc in any::<bool>(),
        toks in prop::collection::vec(tricky_token(), 0..24),
    ) {
        let mut line = Vec::new();
        if let Some(n) = &node {
            line.extend_from_slice(format!("node={n} ").as_bytes());
        }
        let ty = if avc { "AVC" } else { "USER_LOGIN" };
        line.extend_from_slice(format!("type={ty} msg=audit(1.002:3):").as_bytes());
        for t in &toks {
            line.push(b' ');
            line.extend_from_slice(t);
        }
        let walked_first = Record::parse(&line).unwrap();
        let walk: Vec<_> = walked_first
            .fields()
            .map(|f| (f.index(), f.name().to_vec(), f.value_opt().map(<[u8]>::to_vec)))
            .collect();
        let table_first = Record::parse(&line).unwrap();
        let table: Vec<_> = (0..table_first.field_count())
            .map(|i| {
                let f = table_first.field_at(i).unwrap();
                (f.index(), f.name().to_vec(), f.value_opt().map(<[u8]>::to_vec))
            })
            .collect();
        prop_assert_eq!(&walk, &table);
        // And the walk after the table exists gives the same again.
        let again: Vec<_> = table_first
            .fields()
            .map(|f| (f.index(), f.name().to_vec(), f.value_opt().map(<[u8]>::to_vec)))
            .collect();
        prop_assert_eq!(&again, &table);
        // Lookups by name agree with the walk.
        for (_, name, _) in &walk {
            let name = String::from_utf8_lossy(name);
            if let Some(f) = walked_first.field(&name) {
                let first = walk.iter().find(|(_, n, _)| n == f.name()).unwrap();
                prop_assert_eq!(&first.2, &f.value_opt().map(<[u8]>::to_vec));
            }
        }
    }
}

/// Log an argument list as the kernel does: each argument quoted, or in hex when it
/// holds a quote, a space or a byte outside printable ASCII; an argument longer than
/// `piece` logged as `aI_len` and pieces; a new EXECVE record every `per_record`
/// fields.
fn execve_records(args: &[Vec<u8>], piece: usize, per_record: usize) -> Vec<u8> {
    let mut fields = vec![format!("argc={}", args.len()).into_bytes()];
    for (i, arg) in args.iter().enumerate() {
        let hex = arg
            .iter()
            .any(|&b| b == b'"' || !(0x21..=0x7e).contains(&b));
        let logged: Vec<u8> = if hex {
            arg.iter()
                .flat_map(|b| format!("{b:02X}").into_bytes())
                .collect()
        } else {
            arg.clone()
        };
        let wrap = |v: &[u8]| -> Vec<u8> {
            if hex {
                v.to_vec()
            } else {
                [&b"\""[..], v, b"\""].concat()
            }
        };
        // Empty hex would be an empty value; the kernel quotes an empty argument.
        if arg.is_empty() {
            fields.push(format!("a{i}=\"\"").into_bytes());
        } else if logged.len() <= piece {
            fields.push([format!("a{i}=").into_bytes(), wrap(&logged)].concat());
        } else {
            fields.push(format!("a{i}_len={}", logged.len()).into_bytes());
            // Hex pieces hold whole bytes.
            let step = if hex { piece.max(2) & !1 } else { piece };
            for (p, part) in logged.chunks(step).enumerate() {
                fields.push([format!("a{i}[{p}]=").into_bytes(), wrap(part)].concat());
            }
        }
    }
    let mut log = b"type=SYSCALL msg=audit(1.000:9): syscall=59 key=\"k\"\n".to_vec();
    for chunk in fields.chunks(per_record.max(1)) {
        log.extend_from_slice(b"type=EXECVE msg=audit(1.000:9):");
        for f in chunk {
            log.push(b' ');
            log.extend_from_slice(f);
        }
        log.push(b'\n');
    }
    log.extend_from_slice(b"type=EOE msg=audit(1.000:9): \n");
    log
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever arguments a program had, `Event::argv` gives them back from the
    /// records the kernel would log, however they are split.
    #[test]
    fn argv_round_trips(
        args in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..40), 0..12),
        piece in 1usize..30,
        per_record in 1usize..8,
    ) {
        let log = execve_records(&args, piece, per_record);
        let (events, _, _) = run(&log, &[log.len()], Options::default());
        prop_assert_eq!(events.len(), 1);
        prop_assert_eq!(events[0].argv().unwrap(), args);
        prop_assert_eq!(events[0].keys(), [&b"k"[..]]);
    }

    /// `keys` and `argv` on records of arbitrary EXECVE-like and key tokens: no
    /// panic, and an error's partial arguments are fewer than `argc` says.
    #[test]
    fn keys_and_argv_never_panic(
        toks in prop::collection::vec(prop_oneof![
            tricky_token(),
            "argc=[0-9]{1,3}".prop_map(String::into_bytes),
            "a[0-3](_len)?=[0-9A-F\"]{0,8}".prop_map(String::into_bytes),
            "a[0-3]\\[[0-2]\\]=[0-9a-f\"x]{0,6}".prop_map(String::into_bytes),
            "key=[0-9A-F]{0,10}".prop_map(String::into_bytes),
        ], 0..24),
        ty in prop_oneof![Just("EXECVE"), Just("SYSCALL"), Just("CONFIG_CHANGE")],
    ) {
        let mut line = format!("type={ty} msg=audit(1.002:3):").into_bytes();
        for t in &toks {
            line.push(b' ');
            line.extend_from_slice(t);
        }
        line.push(b'\n');
        let (events, _, _) = run(&line, &[line.len()], Options::default());
        for ev in &events {
            let _ = ev.keys();
            if let Err(e) = ev.argv() {
                let _ = e.to_string();
                prop_assert!(e.partial.len() <= 1000);
            }
        }
    }
}
