#!/usr/bin/env python3
"""One-off: derive libaudit-3.0.9-syscalls.txt (next to this script).

Compares, for every architecture ausyscall 3.0.9 knows, the (number, name)
pairs of `ausyscall ARCH --dump` with the kernel table `audit-syscalls` has
for that architecture, and writes only the differences. Needs the installed
ausyscall of audit 3.0.9 (Debian package `auditd`) and cargo; run from
anywhere:  python3 crates/audit-syscalls/data/derive-libaudit-3.0.9.py
The tests tests/rules_syscalls.rs and tests/syscalls_ausyscall_cli.rs
(workspace root) check the result against ausyscall again; audit-syscalls'
compat module reads the file with include_str!.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.normpath(os.path.join(HERE, ".."))
OUT = os.path.join(HERE, "libaudit-3.0.9-syscalls.txt")
# ausyscall's own names for its tables (`arm` is its `armeb` table).
ARCHES = ["i386", "x86_64", "armeb", "aarch64", "ppc", "ppc64", "ppc64le", "s390", "s390x"]

DUMPER = r"""
fn main() {
    for arch in std::env::args().skip(1) {
        let m = audit_syscalls::Machine::from_name(&arch).expect("known arch");
        let t = audit_syscalls::SyscallTable::for_audit_arch(m.audit_arch()).expect("table");
        for (nr, name) in t.iter() {
            println!("{arch}\t{nr}\t{name}");
        }
    }
}
"""


def kernel_tables():
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "src"))
        with open(os.path.join(tmp, "Cargo.toml"), "w") as f:
            f.write('[package]\nname = "dump"\nversion = "0.0.0"\nedition = "2021"\n'
                    '[workspace]\n[dependencies]\naudit-syscalls = { path = "%s" }\n' % CRATE)
        with open(os.path.join(tmp, "src", "main.rs"), "w") as f:
            f.write(DUMPER)
        out = subprocess.run(["cargo", "run", "-q", "--release", "--"] + ARCHES,
                             cwd=tmp, check=True, capture_output=True, text=True).stdout
    tables = {a: {} for a in ARCHES}
    for line in out.splitlines():
        arch, nr, name = line.split("\t")
        tables[arch][int(nr)] = name
    return tables


def ausyscall(arch):
    out = subprocess.run(["ausyscall", arch, "--dump"], check=True,
                         capture_output=True, text=True).stdout.splitlines()
    assert out[0] == "Using %s syscall table:" % arch, out[0]
    pairs = {}
    for line in out[1:]:
        nr, name = line.split("\t")
        pairs[int(nr)] = name
    return pairs


def ranges(numbers):
    out, start, prev = [], None, None
    for n in sorted(numbers):
        if start is not None and n == prev + 1:
            prev = n
            continue
        if start is not None:
            out.append(str(start) if start == prev else "%d-%d" % (start, prev))
        start = prev = n
    if start is not None:
        out.append(str(start) if start == prev else "%d-%d" % (start, prev))
    return out


def main():
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "auditd"],
                             capture_output=True, text=True).stdout or "unknown"
    kernel = kernel_tables()
    lines = [
        "# The syscalls libaudit 3.0.9 (auditctl, ausyscall) knows, as differences",
        "# from the kernel tables of crates/audit-syscalls (read by its compat module).",
        "# Derived by derive-libaudit-3.0.9.py from `ausyscall ARCH --dump` of",
        "# audit %s (Debian) on %s." % (version, os.uname().machine),
        "#",
        "# ARCH max N           libaudit names no number above N",
        "# ARCH lacks N|N-M ... numbers <= max the kernel names and libaudit does not",
        "# ARCH names N NAME    libaudit's name for N (kernel: another name or none)",
        "# Every other number <= max: libaudit uses the kernel's name.",
    ]
    for arch in ARCHES:
        lib, ker = ausyscall(arch), kernel[arch]
        top = max(lib)
        lines.append("%s max %d" % (arch, top))
        lacks = [n for n in ker if n <= top and n not in lib]
        if lacks:
            lines.append("%s lacks %s" % (arch, " ".join(ranges(lacks))))
        for n in sorted(lib):
            if ker.get(n) != lib[n]:
                lines.append("%s names %d %s" % (arch, n, lib[n]))
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
