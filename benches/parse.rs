//! Feed a realistic log to the parser and walk every field of every event.
//!
//! The log is synthesised in memory (about 8 MB): execve events of seven records, the
//! shape of most of a busy host's audit log, with PAM user records between them.
use audit_parse::{Options, Parser};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;

fn synth_log(target_bytes: usize) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(target_bytes + 4096);
    let mut serial = 1000u64;
    let mut events = 0;
    while out.len() < target_bytes {
        let sec = 1_700_000_000 + serial / 50;
        let ms = serial % 1000;
        let id = format!("{sec}.{ms:03}:{serial}");
        if serial.is_multiple_of(5) {
            out.extend_from_slice(format!(
                "type=USER_ACCT msg=audit({id}): pid=1234 uid=0 auid=4294967295 ses=4294967295 subj=unconfined msg='op=PAM:accounting grantors=pam_permit acct=\"root\" exe=\"/usr/sbin/cron\" hostname=? addr=? terminal=cron res=success'\n"
            ).as_bytes());
        } else {
            out.extend_from_slice(format!(
                "type=SYSCALL msg=audit({id}): arch=c000003e syscall=59 success=yes exit=0 a0=55d5c0a1b2c0 a1=55d5c0a1b330 a2=55d5c0a1b360 a3=8 items=2 ppid=4321 pid={p} auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm=\"ls\" exe=\"/usr/bin/ls\" subj=unconfined key=\"exec\"\n\
type=EXECVE msg=audit({id}): argc=3 a0=\"ls\" a1=\"-l\" a2=\"/tmp\"\n\
type=CWD msg=audit({id}): cwd=\"/home/user\"\n\
type=PATH msg=audit({id}): item=0 name=\"/usr/bin/ls\" inode=1835 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n\
type=PATH msg=audit({id}): item=1 name=\"/lib64/ld-linux-x86-64.so.2\" inode=1567 dev=fd:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0\n\
type=PROCTITLE msg=audit({id}): proctitle=6C73002D6C002F746D70\n\
type=EOE msg=audit({id}): \n",
                p = 5000 + serial % 30000
            ).as_bytes());
        }
        serial += 1;
        events += 1;
    }
    (out, events)
}

fn feed_and_walk(log: &[u8], chunk: usize) -> (u64, u64) {
    let mut parser = Parser::new(Options::default());
    let mut fields = 0u64;
    let mut bytes = 0u64;
    // Events lent to a closure as they complete (as libauparse's feed callback).
    let mut walk = |item: audit_parse::ItemRef<'_>| {
        let ev = item.expect("synthetic log has no bad lines");
        for rec in ev.iter() {
            for f in rec.fields() {
                fields += 1;
                bytes += (f.name().len() + f.value().len()) as u64;
            }
        }
    };
    for c in log.chunks(chunk) {
        parser.feed_with_ref(c, &mut walk);
    }
    parser.flush();
    parser.lend_ready(&mut walk);
    (fields, bytes)
}

fn bench(c: &mut Criterion) {
    let (log, events) = synth_log(8 << 20);
    let mut g = c.benchmark_group("feed_and_walk");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(log.len() as u64));
    for chunk in [4096usize, 65536] {
        g.bench_with_input(BenchmarkId::new("chunk", chunk), &chunk, |b, &chunk| {
            b.iter(|| black_box(feed_and_walk(&log, chunk)))
        });
    }
    g.finish();
    let mut g = c.benchmark_group("events");
    g.sample_size(10);
    g.throughput(Throughput::Elements(events));
    g.bench_function("feed_and_walk_64k", |b| {
        b.iter(|| black_box(feed_and_walk(&log, 65536)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
