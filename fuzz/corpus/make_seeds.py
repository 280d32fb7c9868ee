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


def clear(target, prefix="seed-"):
    """The target's corpus directory, without the seeds named `prefix`* (so that
    hand-made seeds under another prefix stay)."""
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith(prefix):
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


def all_log_lines():
    out = []
    for p in logs():
        out += lines_of(p)
    return out


def field_names(lines, n):
    """The `n` field names most used in `lines`, most used first."""
    names = {}
    for l in lines:
        for m in re.finditer(rb"(?:^| |')([A-Za-z_][A-Za-z0-9_\-]*)=", l):
            names[m.group(1)] = names.get(m.group(1), 0) + 1
    return [k for k, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))][:n]


# Search expressions (fuzz_targets/search.rs): byte 0 the shape (top two bits:
# 0 as is, 1 wrapped in groups, 2 in `!(`s, 3 an `||` chain of copies; low six bits
# n, n*n*8 repetitions), then the expression, then record lines after a newline.
SEARCH_EXPRS = [
    b"syscall i= execve", b"syscall r= 59", b"comm r= \"\\\"ls\\\"\"", b"comm i= ls",
    b"auid >= 1000 && uid == 0", b"auid < 1000", b"uid != 0", b"gid <= 0",
    b"ouid > 5", b"!(nosuch r= x)", b"!!(nosuch r= x)", b"nosuch r!= x",
    b"\\record_type == CWD", b"\\record_type == 1307 || uid == 5",
    b"\\record_type != SYSCALL", b"\\timestamp >= ts:1700000000.500",
    b"\\timestamp > ts:1700000000.500", b"\\timestamp_ex == ts:1700000000.500:7",
    b"\\timestamp_ex < ts:1700000000.500", b"\\regexp /cwd=.*root/",
    b"\\regexp \"^type=PATH\"", b"key i= k1", b"key r= \"\\\"k1\\\"\"",
    b"(uid == 5 || (auid == 1000 && !(uid == 1))) && comm i= ls",
    b"name i= /usr/bin/ls && nametype r= NORMAL", b"OUID i= root", b"uid i= root",
    b"a r= 1 || b r= 2 || (c r= 3 || d r= 4)", b"a r= 1 && (b r= 2 && c r= 3)",
    b"((a r= 1))", b"!!!a r= 1", b"exe i!= \"/usr/bin/ls\"",
    # Errors, one of each kind.
    b"", b"comm == x", b"uid", b"uid ==", b"uid == x y", b"(uid == 1", b"\\nope == 1",
    b"\\timestamp == 5", b"\\record_type == NOPE", b"a r= \"x", b"a r= \"\\x\"",
    b"&& x", b"\\regexp /(/", b"uid == 99999999999999999999", b"a r= b || (",
]


def search_seeds():
    d = clear("search")
    for e in SEARCH_EXPRS:
        write(d, b"\0" + e, "expr")
    # The depth cases: 200 groups (within the bound of 256) and 288 (past it), runs
    # of `!(`, and `||` chains.
    for shape, e in ((0x40 | 5, b"uid == 0"), (0x40 | 6, b"uid == 0"),
                     (0x80 | 5, b"comm i= ls"), (0x80 | 6, b"comm i= ls"),
                     (0xC0 | 5, b"uid == 1"), (0xC0 | 3, b"syscall i= execve")):
        write(d, bytes([shape]) + e, "deep")
    # Against other records: lines of the test data that have what the expression
    # asks about, after it.
    all_lines = [l for l in all_log_lines() if len(l) < 600]
    for e, marker in ((b"uid == 0", b" uid=0 "), (b"auid > 1000 && uid != 0", b"auid=1"),
                      (b"\\record_type == USER_LOGIN", b"type=USER_LOGIN "),
                      (b"res i= success", b"res=success"), (b"\\regexp /avc:/", b"avc:"),
                      (b"key i= exec", b"key=\""), (b"node r= localhost", b"node="),
                      (b"\\timestamp >= ts:1600000000.000", b"type=SYSCALL "),
                      (b"acct i= root || hostname r= ?", b"acct="),
                      (b"syscall i= openat && success r= no", b"syscall=257"),
                      (b"name i= /etc/passwd", b"type=PATH "),
                      (b"UID i= root", b"\x1d")):
        found = [l for l in all_lines if marker in l][:3]
        write(d, b"\0" + e + b"\n" + b"\n".join(found), "records")
    tokens = [b"==", b"!=", b"<", b"<=", b">", b">=", b"r=", b"r!=", b"i=", b"i!=",
              b"&&", b"||", b"!", b"(", b")", b"\\regexp ", b"\\timestamp",
              b"\\timestamp_ex", b"\\record_type", b"ts:", b"ts:1700000000.500",
              b"ts:1700000000.500:7", b"\"", b"/", b"\\\"", b"\\\\", b" ", b"\n",
              b"uid", b"gid", b"auid", b"ouid", b"ogid", b"euid", b"root", b"execve"]
    tokens += record_type_names()
    tokens += field_names(all_log_lines(), 150)
    write_dict("search", tokens)


class Arbitrary:
    """Builds an input that `arbitrary::Unstructured` (1.x) reads back as the values
    given, in order: integers from the front (little-endian), byte and text lengths
    from the back (one byte each while the input is at most 256 bytes)."""

    def __init__(self):
        self.front, self.back = bytearray(), bytearray()

    def u8(self, v):
        self.front.append(v)

    def u16(self, v):
        self.front += struct.pack("<H", v)

    def u32(self, v):
        self.front += struct.pack("<I", v)

    def boolean(self, v):
        self.u8(1 if v else 0)

    def text(self, v):
        if isinstance(v, str):
            v = v.encode()
        self.back.append(len(v))
        self.front += v

    def opt(self, v):
        self.boolean(v is not None)
        if v is not None:
            self.text(v)

    def account(self, v):
        self.boolean(isinstance(v, str))
        if isinstance(v, str):
            self.text(v)
        else:
            self.u32(v)

    def bytes(self):
        # Two spare bytes keep a length read from ever meeting a 1-byte rest.
        data = bytes(self.front) + b"\0\0" + bytes(reversed(self.back))
        assert len(data) <= 256, len(data)
        return data


def user_message_seeds():
    """fuzz_targets/user_message.rs: raw bytes for encode_untrusted, repetitions,
    the form (0 user, 1 comm, 2 acct, 3 avc, 4 semanage, 5 command), the type,
    success, then each form's values with the origin (hostname, addr, terminal)."""
    d = clear("user_message")
    raws = [b"plain", b"with space", b"quote\"d", b"\x00\x01\xff", b"", b"caf\xc3\xa9",
            b"tab\there", b"/usr/bin/ls"]

    def origin(a, host, addr, term):
        a.opt(host)
        a.text(addr)
        a.opt(term)

    seeds = []
    for k in range(24):
        # Every form four times, each time with other values.
        form, i = k % 6, k * 5 % len(raws) + k // 12
        raw = raws[i % len(raws)]
        a = Arbitrary()
        a.text(raw)
        times = (0, 3, 0, 120)[k // 6]
        a.u8(times)
        a.u8(form)
        a.u16((1100, 1112, 1124, 1107, 1130, 1123, 2300, 1005)[k % 8])
        a.boolean(k % 3 != 0)
        host = (None, "host.example", "h o s t", "")[i % 4]
        term = (None, "pts/0", "ssh", "/dev/tty1")[(i + 1) % 4]
        addr = ("127.0.0.1", "::1", "10.0.0.1", "")[i % 4]
        if form == 0:
            a.text("op=login acct=\"root\" exe=\"/bin/login\"")
            origin(a, host, addr, term)
        elif form == 1:
            a.text("op=run cmd=ls")
            a.opt(("sudo", None, "a b", "x\"y")[i % 4])
            origin(a, host, addr, term)
        elif form == 2:
            a.opt(("useradd", None, "/usr/sbin/x")[i % 3])
            a.text(("adding-user", "changing password", "op")[i % 3])
            a.account(("alice", 1001, "bob smith", 0xFFFFFFFF)[k // 6])
            origin(a, host, addr, term)
        elif form == 3:
            a.text("avc:  denied  { read } for scontext=u:r:t:s0")
            a.u32((0, 1000, 0xFFFFFFFF)[i % 3])
            origin(a, host, addr, term)
        elif form == 4:
            a.opt("semanage")
            a.text("login")
            a.account(("alice", 1001)[k // 6 % 2])
            for v in ("user_u", None, "s0", "staff_u", "staff_r", None):
                a.opt(v)
            origin(a, host, addr, term)
        else:
            a.text(("ls -l", "rm \"x\"", "echo \x01")[i % 3])
            a.opt(term)
        seeds.append((form, a.bytes()))
    for form, s in seeds:
        write(d, s, "form%d" % form)
    write_dict("user_message", [
        b"op=", b"acct=", b"exe=", b"hostname=", b"addr=", b"terminal=", b"res=success",
        b"res=failed", b"id=", b"cmd=", b"\"", b" ", b"\x00", b"\x7f", b"\xc3\xa9",
        b"127.0.0.1", b"::1", b"pts/0", b"root", b"avc:  denied  { read }",
        struct.pack("<H", 1100), struct.pack("<H", 1112), struct.pack("<H", 1123),
        struct.pack("<H", 1107), struct.pack("<H", 2300), struct.pack("<I", 0xFFFFFFFF),
        b"\xff\xff"])


def ausearch_group_seeds():
    """fuzz_targets/ausearch_group.rs: log lines as ausearch reads them, events
    whole, interleaved, out of order, across seconds (which completes the older),
    with and without node= and EOE."""
    d = clear("ausearch_group")
    events = [e for e in pick_events(events_of(all_log_lines()), 60)
              if len(e) < 1200]
    for ev in events[:20]:
        write(d, ev, "event")
    for i in range(0, min(len(events), 16) - 1, 2):
        a, b = events[i].split(b"\n"), events[i + 1].split(b"\n")
        mixed = [x for pair in zip(a, b) for x in pair if x]
        write(d, b"\n".join(mixed) + b"\n", "interleaved")
    for i in range(0, min(len(events), 10), 2):
        ls = [x for x in events[i].split(b"\n") if x]
        write(d, b"\n".join(reversed(ls)) + b"\n", "reversed")
    stamp = lambda s, m, n: b"msg=audit(%d.%03d:%d): " % (s, m, n)
    made = [
        # Same stamp on two nodes; EOE closing one; a later second completing both.
        b"node=a type=SYSCALL " + stamp(100, 1, 5) + b"syscall=59\n"
        b"node=b type=SYSCALL " + stamp(100, 1, 5) + b"syscall=2\n"
        b"node=a type=EOE " + stamp(100, 1, 5) + b"\n"
        b"type=CWD " + stamp(102, 0, 6) + b"cwd=\"/\"\n",
        # A lone EOE (dropped), one-record types, a line without a stamp.
        b"type=EOE " + stamp(5, 0, 1) + b"\n"
        b"type=USER_LOGIN " + stamp(5, 0, 2) + b"pid=1 res=success\n"
        b"type=DAEMON_START " + stamp(5, 0, 3) + b"op=start\n"
        b"no stamp here\n"
        b"type=PROCTITLE " + stamp(5, 0, 4) + b"proctitle=6C73\n",
        # Serials out of order within one second, then a jump back in time.
        b"type=SYSCALL " + stamp(50, 9, 9) + b"x=1\n"
        b"type=SYSCALL " + stamp(50, 9, 8) + b"x=2\n"
        b"type=PATH " + stamp(50, 9, 9) + b"item=0\n"
        b"type=SYSCALL " + stamp(40, 0, 1) + b"x=3\n"
        b"type=PATH " + stamp(50, 9, 8) + b"item=0\n",
        # No final newline; a CR; a bare msg=audit with huge numbers.
        b"type=SYSCALL " + stamp(1, 0, 1) + b"a=1\r\n"
        b"type=SYSCALL msg=audit(18446744073709551615.999:18446744073709551615): x=1",
    ]
    for m in made:
        write(d, m, "made")
    tokens = [b"type=" + t + b" " for t in record_type_names()]
    tokens += [b"msg=audit(", b"): ", b"node=", b"\n", b"type=EOE ",
               b"msg=audit(1700000000.500:7): ", b".000:", b"18446744073709551615"]
    write_dict("ausearch_group", tokens)


MAGIC = struct.pack("<I", 0xFF0000FE)
FRAME_TYPES = (0, 1, 0x40000000, 0x40000001, 0x50000001, 0x60000001, 0x60000002)


def frame(kind, seq, payload, version=0, header_version=0, length=None):
    n = len(payload) if length is None else length
    return (MAGIC + bytes([header_version, version]) + struct.pack("<IHI", kind, n, seq)
            + payload)


def remote_frame_seeds():
    """fuzz_targets/remote_frame.rs: byte 0 the chunk size the stream is fed in,
    then audisp-remote frames (16-byte little-endian header, payload)."""
    d = clear("remote_frame")
    lines = [l for l in pick_lines(all_log_lines(), 60) if len(l) < 300][:8]
    for i, l in enumerate(lines):
        write(d, bytes([(255, 1, 7, 16)[i % 4]]) + frame(0, i + 1, l + b"\n"), "message")
    for i, t in enumerate(FRAME_TYPES):
        write(d, bytes([(255, 3)[i % 2]]) + frame(t, i, b"" if t < 0x40000000 else
                                                  b"disk low" * (i % 2)), "type")
    stream = b"".join(frame(FRAME_TYPES[i % 7], i, l + b"\n" if i % 7 == 0 else b"")
                      for i, l in enumerate(lines[:7]))
    for chunk in (255, 1, 5, 16, 17):
        write(d, bytes([chunk]) + stream, "stream")
    whole = frame(0, 9, b"type=EOE msg=audit(1.0:1): \n")
    bad = [
        frame(0, 1, b"x", version=1),              # a newer message version
        frame(0x12345, 2, b"", version=7),         # an unknown type
        frame(0, 3, b"", header_version=1),        # bad header version
        b"type=SYSCALL msg=audit(1.0:1): x=1\n",  # an old plain-text line
        whole[:10],                               # cut in the header
        whole[:20],                               # cut in the payload
        whole + whole[:1] + b"\0\0\0",            # bad magic after a good frame
        frame(0, 4, b"", length=0xFFFF),          # longer than the maximum
        frame(0, 5, b"", length=8970),            # the maximum, not sent
        frame(0, 6, b"\0" * 40),                  # NULs
        b"",
    ]
    for i, b in enumerate(bad):
        write(d, bytes([(255, 2, 16)[i % 3]]) + b, "edge")
    tokens = [MAGIC, b"\x00\x00", b"\x00\x01"]
    tokens += [struct.pack("<I", t) for t in FRAME_TYPES]
    tokens += [struct.pack("<H", n) for n in (0, 1, 8954, 8970, 8971, 0xFFFF)]
    tokens += [b"\n", b"type=SYSCALL msg=audit(", b"type=EOE "]
    write_dict("remote_frame", tokens)


MACHINES = [  # (name, AUDIT_ARCH_* value, a syscall number)
    (b"i386", 0x40000003, 11), (b"x86_64", 0xC000003E, 59), (b"arm", 0x40000028, 11),
    (b"armeb", 0x00000028, 11), (b"aarch64", 0xC00000B7, 221), (b"ppc", 0x14, 11),
    (b"ppc64", 0x80000015, 11), (b"ppc64le", 0xC0000015, 11), (b"s390", 0x16, 11),
    (b"s390x", 0x80000016, 11), (b"riscv32", 0x400000F3, 221),
    (b"riscv64", 0xC00000F3, 221), (b"loongarch32", 0x40000102, 221),
    (b"loongarch64", 0xC0000102, 221), (b"mips", 0x8, 4011), (b"mipsel", 0x40000008, 4011),
    (b"mips64", 0x80000008, 5057), (b"mips64el", 0xC0000008, 5057),
    (b"mipsn32", 0xA0000008, 6057), (b"mipsn32el", 0xE0000008, 6057),
]
UNAME_NAMES = [b"i486", b"i586", b"i686", b"armv5tejl", b"armv5tel", b"armv6l",
               b"armv7l", b"armv8l", b"mips64n32", b"mips64eln32"]
SYSCALL_NAMES = [b"execve", b"open", b"openat", b"read", b"write", b"clone", b"mmap2",
                 b"socketcall", b"ipc", b"newfstatat", b"_llseek", b"pread64",
                 b"all", b"b32", b"b64"]


def machine_seeds():
    """fuzz_targets/machine.rs: an arch value and a syscall number (4 bytes each,
    little-endian), then a name. The hand-made seed-* files stay; these are seed-gen-*."""
    d = clear("machine", prefix="seed-gen-")
    for i, (name, arch, nr) in enumerate(MACHINES):
        # A machine's name, or (every other one) a syscall name, or its arch in hex.
        text = (name, SYSCALL_NAMES[i % len(SYSCALL_NAMES)], b"%x" % arch)[i % 3]
        write(d, struct.pack("<II", arch, nr) + text, "gen")
    for i, name in enumerate(UNAME_NAMES):
        write(d, struct.pack("<II", MACHINES[i][1], i) + name, "gen")
    for text in (b"B64", b"X86_64", b"0xc000003e", b"vax", b"", b"c000003e\0",
                 b"\xff\xfe", b"EXECVE"):
        write(d, struct.pack("<II", 0xFFFFFFFF, 0xFFFFFFFF) + text, "gen")
    tokens = [m[0] for m in MACHINES] + UNAME_NAMES + SYSCALL_NAMES
    tokens += [b"%x" % m[1] for m in MACHINES] + [struct.pack("<I", m[1]) for m in MACHINES]
    tokens += [struct.pack("<I", m[2]) for m in MACHINES]
    write_dict("machine", tokens)


if __name__ == "__main__":
    log_seeds()
    wire_seeds()
    dicts(rules_seeds())
    search_seeds()
    user_message_seeds()
    ausearch_group_seeds()
    remote_frame_seeds()
    machine_seeds()
    for t in sorted(os.listdir(os.path.join(FUZZ, "corpus"))):
        p = os.path.join(FUZZ, "corpus", t)
        if os.path.isdir(p):
            n = len(os.listdir(p))
            size = sum(os.path.getsize(os.path.join(p, f)) for f in os.listdir(p))
            print("%-16s %3d files %7d bytes" % (t, n, size))
