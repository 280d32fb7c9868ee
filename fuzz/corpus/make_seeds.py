#!/usr/bin/env python3
"""Make the checked-in seed corpora (fuzz/corpus/TARGET/) and dictionaries
(fuzz/dict/TARGET.dict) from the project's test data, so that short fuzz runs start
from real records, rules and kernel messages instead of from nothing.

Run from anywhere: python3 fuzz/corpus/make_seeds.py. It rewrites the seeds it makes
(names seed-*) and leaves other files (inputs a fuzzer found and someone kept) alone.
Deterministic: the same test data gives the same files.
"""
import hashlib
import os
import re
import struct

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(FUZZ)
DATA = os.path.join(ROOT, "tests", "data")
MAX_SEED = 4096  # bytes: small seeds keep the fuzzer's executions fast


def logs():
    """Audit logs of the test data, sorted."""
    out = []
    for d, _, files in os.walk(DATA):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                head = fh.read(5)
            if head in (b"type=", b"node="):
                out.append(p)
    return sorted(out)


def lines_of(path):
    with open(path, "rb") as fh:
        return [l for l in fh.read().split(b"\n") if l]


def record_type(line):
    m = re.search(rb"type=(\S+)", line)
    return m.group(1) if m else b""


def event_id(line):
    m = re.search(rb"msg=audit\(([^)]*)\)", line)
    return m.group(1) if m else b""


def events_of(lines):
    """Consecutive lines grouped by event id (the logs are mostly in order)."""
    groups, cur, cur_id = [], [], None
    for l in lines:
        i = event_id(l)
        if cur and i != cur_id:
            groups.append(cur)
            cur = []
        cur.append(l)
        cur_id = i
    if cur:
        groups.append(cur)
    return groups


def clear(target):
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    return d


def write(d, data, label):
    name = "seed-%s-%s" % (label, hashlib.sha1(data).hexdigest()[:12])
    with open(os.path.join(d, name), "wb") as fh:
        fh.write(data)


def pick_lines(all_lines, n):
    """One line of each record type (the shortest), then more kinds of SYSCALL/PATH."""
    by_type = {}
    for l in all_lines:
        if len(l) > MAX_SEED:
            continue
        t = record_type(l)
        if t not in by_type or len(l) < len(by_type[t]):
            by_type[t] = l
    chosen = [by_type[t] for t in sorted(by_type)]
    # Lines with what the splitter treats apart: ENRICHED 0x1D, hex keys, AVC words,
    # node=, user messages msg='...'.
    for marker in (b"\x1d", b"key=6", b"avc:", b"node=", b"msg='", b"a1_len=", b"saddr="):
        for l in all_lines:
            if marker in l and len(l) <= MAX_SEED and l not in chosen:
                chosen.append(l)
                break
    return chosen[:n]


def pick_events(all_events, n):
    """Whole events, of as many first record types as there are, small ones first."""
    by_first = {}
    for ev in all_events:
        text = b"\n".join(ev) + b"\n"
        if len(text) > MAX_SEED:
            continue
        key = (record_type(ev[0]), len(ev) > 1)
        if key not in by_first or len(text) < len(by_first[key]):
            by_first[key] = text
    return [by_first[k] for k in sorted(by_first)][:n]


def log_seeds():
    all_lines, all_events = [], []
    for p in logs():
        ls = lines_of(p)
        all_lines += ls
        all_events += events_of(ls)
    lines = pick_lines(all_lines, 60)
    events = pick_events(all_events, 50)
    # parse_record: one line each.
    d = clear("parse_record")
    for l in lines:
        write(d, l, "line")
    # parse_feed: 3 control bytes (event cap 16, byte cap 961, line cap 1025, EOE
    # timeout 2; and tight caps), then a few events, interleaved in some.
    d = clear("parse_feed")
    for i, ev in enumerate(events[:40]):
        ctl = b"\xff\x40\x02" if i % 2 == 0 else b"\x13\x08\x01"
        write(d, ctl + ev, "events")
    for i in range(0, min(len(events), 20) - 1, 2):
        a, b = events[i].split(b"\n"), events[i + 1].split(b"\n")
        mixed = [x for pair in zip(a, b) for x in pair if x]
        write(d, b"\xff\x40\x02" + b"\n".join(mixed) + b"\n", "interleaved")
    # normalize_json: whole events.
    d = clear("normalize_json")
    for ev in events[:45]:
        write(d, ev, "event")
    # interpret: byte 0 the escape mode, byte 1 the record type - 1300, bytes 2-3 a
    # syscall number; then NAME=VALUE=ENRICHMENT; and record lines after a newline.
    d = clear("interpret")
    fields = []
    for l in lines:
        for m in re.finditer(rb"(?:^| )([a-z_0-9]+)=(\"[^\"]*\"|[^ \x1d]+)", l):
            if len(fields) < 30 and m.group(1) not in [f[0] for f in fields]:
                fields.append((m.group(1), m.group(2)))
    for i, (name, value) in enumerate(fields):
        head = bytes([i % 4, i * 7 % 256]) + struct.pack("<H", 59 + i)
        write(d, head + name + b"=" + value, "field")
    for i, l in enumerate(lines[:20]):
        write(d, bytes([i % 4, 0, 59, 0]) + b"x=1\n" + l, "record")


def rules_seeds():
    d = clear("rule_parser")
    files = []
    for root in (os.path.join(DATA, "rules"), os.path.join(ROOT, "tests")):
        for dd, _, fs in os.walk(root):
            for f in fs:
                if f.endswith(".rules"):
                    files.append(os.path.join(dd, f))
    rule_lines = []
    for p in sorted(set(files)):
        with open(p, "rb") as fh:
            for l in fh.read().split(b"\n"):
                l = l.strip()
                if l and not l.startswith(b"#") and l not in rule_lines:
                    rule_lines.append(l)
    # Small files of a few rules each, covering every distinct rule line once.
    chunk = max(1, len(rule_lines) // 40 + 1)
    for i in range(0, len(rule_lines), chunk):
        write(d, b"\n".join(rule_lines[i:i + chunk]) + b"\n", "rules")
    # Binary struct audit_rule_data, as the kernel lists rules.
    for r in rule_structs():
        write(d, r, "struct")
    return rule_lines


AUDIT_EQUAL, AUDIT_NOT_EQUAL, AUDIT_GREATER_THAN = 0x40000000, 0x70000000, 0x20000000


def rule_struct(flags, action, fields, syscalls=(), buf=b""):
    """struct audit_rule_data: flags, action, field_count, mask[64], fields[64],
    values[64], fieldflags[64], buflen, buf."""
    mask = [0] * 64
    for s in syscalls:
        mask[s // 32] |= 1 << (s % 32)
    f = [x[0] for x in fields] + [0] * (64 - len(fields))
    v = [x[1] for x in fields] + [0] * (64 - len(fields))
    o = [x[2] for x in fields] + [0] * (64 - len(fields))
    return (struct.pack("<3I", flags, action, len(fields)) + struct.pack("<64I", *mask)
            + struct.pack("<64I", *f) + struct.pack("<64I", *v) + struct.pack("<64I", *o)
            + struct.pack("<I", len(buf)) + buf)


def rule_structs():
    ARCH, FILTERKEY, AUID, WATCH, PERM, EXIT, SUCCESS, UID = 11, 210, 9, 105, 106, 103, 104, 0
    return [
        # -a always,exit -F arch=b64 -S execve -k exec
        rule_struct(4, 2, [(ARCH, 0xC000003E, AUDIT_EQUAL), (FILTERKEY, 4, AUDIT_EQUAL)],
                    [59], b"exec"),
        # -w /etc/passwd -p wa -k passwd
        rule_struct(4, 2, [(WATCH, 11, AUDIT_EQUAL), (PERM, 6, AUDIT_EQUAL),
                           (FILTERKEY, 6, AUDIT_EQUAL)], range(0, 2048),
                    b"/etc/passwdpasswd"),
        # -a never,exit -F auid!=4294967295 -F exit=-13 -F success=0
        rule_struct(4, 0, [(AUID, 0xFFFFFFFF, AUDIT_NOT_EQUAL), (EXIT, (-13) & 0xFFFFFFFF,
                    AUDIT_EQUAL), (SUCCESS, 0, AUDIT_EQUAL)], [2, 257]),
        # -a always,exclude -F msgtype=CWD
        rule_struct(5, 2, [(12, 1307, AUDIT_EQUAL)]),
        # -a always,user -F uid>1000
        rule_struct(0, 2, [(UID, 1000, AUDIT_GREATER_THAN)]),
    ]


def nlmsg(ty, payload, flags=0, seq=1, pid=0, length=None):
    n = 16 + len(payload) if length is None else length
    pad = b"\0" * ((4 - len(payload) % 4) % 4)
    return struct.pack("<IHHII", n, ty, flags, seq, pid) + payload + pad


def wire_seeds():
    status = struct.pack("<11I", 0x3FF, 1, 1, 1234, 0, 8192, 3, 0, 0x7F, 60000, 12)
    features = struct.pack("<4I", 1, 1, 1, 0)
    tty = struct.pack("<2I", 1, 0)
    siginfo = struct.pack("<Ii", 0, 1) + b"unconfined\0"
    syscall = (b"audit(1700000000.123:42): arch=c000003e syscall=59 success=yes exit=0 "
               b"a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=2 auid=0 uid=0 comm=\"ls\" key=(null)")
    err = struct.pack("<i", -1) + struct.pack("<IHHII", 16, 1001, 5, 7, 0)
    ack = struct.pack("<i", 0) + struct.pack("<IHHII", 16, 1011, 5, 8, 0)
    d = clear("wire_netlink")
    msgs = [
        nlmsg(1000, status, seq=1),
        nlmsg(1019, features, seq=2),
        nlmsg(1016, tty, seq=3),
        nlmsg(1010, siginfo, seq=4),
        nlmsg(2, err, seq=7),
        nlmsg(2, ack, seq=8),
        nlmsg(3, struct.pack("<i", 0), flags=2),
        nlmsg(1, b""),
        # The audit unicast quirk: nlmsg_len is the payload's length.
        nlmsg(1300, syscall, length=len(syscall)),
        nlmsg(1300, syscall),
        nlmsg(1320, b"audit(1700000000.123:42): "),
        nlmsg(1013, rule_structs()[0], flags=2, seq=9),
    ]
    for m in msgs:
        write(d, m, "msg")
    write(d, b"".join(msgs[:4]), "multi")
    write(d, nlmsg(1013, rule_structs()[1], flags=2) + nlmsg(3, b"\0\0\0\0", flags=2),
          "dump")
    write(d, msgs[0][:10], "short")
    d = clear("wire_structs")
    for s in (status, status[:32], status[:40], features, tty, tty[:4], siginfo,
              siginfo[:8], *rule_structs()):
        write(d, s, "struct")


def dict_line(token):
    out = []
    for b in token:
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\x%02X" % b)
    return '"%s"' % "".join(out)


def write_dict(name, tokens):
    seen, out = set(), []
    for t in tokens:
        if t and t not in seen and len(t) <= 64:
            seen.add(t)
            out.append(dict_line(t))
    with open(os.path.join(FUZZ, "dict", name + ".dict"), "w") as fh:
        fh.write("# Made by fuzz/corpus/make_seeds.py from the test data.\n")
        fh.write("\n".join(out) + "\n")


def record_type_names():
    src = os.path.join(ROOT, "crates", "audit-wire", "src", "record_type.rs")
    with open(src) as fh:
        return [m.encode() for m in re.findall(r'\(\d+, "([A-Z0-9_]+)", Origin', fh.read())]


def dicts(rule_lines):
    names = {}
    for p in logs():
        for l in lines_of(p):
            for m in re.finditer(rb"(?:^| |')([A-Za-z_][A-Za-z0-9_\-]*(?:\[\d+\])?)=", l):
                names[m.group(1)] = names.get(m.group(1), 0) + 1
    common = [n for n, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))][:400]
    types = record_type_names()
    log_tokens = ([b"type=" + t + b" " for t in types] + [n + b"=" for n in common]
                  + [b"msg=audit(", b"node=", b"msg='", b"'", b"):", b"\x1d", b"(null)",
                     b"(none)", b"avc:  denied  {", b"} for ", b"\n", b"\"", b"a0_len=",
                     b"a0[0]=", b"unset", b"4294967295", b"c000003e", b"40000003",
                     b"c00000b7"])
    for target in ("parse_feed", "parse_record", "normalize_json", "interpret"):
        write_dict(target, log_tokens)
    rule_tokens = []
    for l in rule_lines:
        for t in l.split():
            if t.startswith(b"-"):
                rule_tokens.append(t + b" ")
            m = re.match(rb"([a-z_0-9]+)(=|!=|<=|>=|<|>|&=|&)", t)
            if m:
                rule_tokens += [m.group(1), m.group(2)]
            if b"," in t:
                rule_tokens += t.split(b",")
    rule_tokens += [b"-a ", b"-A ", b"-d ", b"-D", b"-w ", b"-W ", b"-p ", b"-k ", b"-F ",
                    b"-S ", b"-C ", b"-e ", b"-f ", b"-b ", b"-r ", b"-i", b"-c", b"-l",
                    b"--backlog_wait_time ", b"--reset-lost", b"--loginuid-immutable",
                    b"always,exit", b"never,exit", b"exit,always", b"always,task",
                    b"always,user", b"never,exclude", b"always,filesystem",
                    b"always,io_uring", b"arch=b64", b"arch=b32", b"all", b"unset",
                    b"\n", b"\\", b"\"", b"msgtype=", b"key=", b"dir=", b"path=",
                    b"exe=", b"perm=", b"filetype="]
    write_dict("rule_parser", rule_tokens)
    nl_tokens = [struct.pack("<H", t) for t in (1000, 1001, 1013, 1016, 1019, 1300, 2, 3)]
    nl_tokens += [struct.pack("<I", n) for n in (16, 44, 1040, 0x40000000, 0xC000003E)]
    write_dict("wire_netlink", nl_tokens)
    write_dict("wire_structs", nl_tokens)


if __name__ == "__main__":
    log_seeds()
    wire_seeds()
    dicts(rules_seeds())
    for t in sorted(os.listdir(os.path.join(FUZZ, "corpus"))):
        p = os.path.join(FUZZ, "corpus", t)
        if os.path.isdir(p):
            n = len(os.listdir(p))
            size = sum(os.path.getsize(os.path.join(p, f)) for f in os.listdir(p))
            print("%-16s %3d files %7d bytes" % (t, n, size))
