//! Reading the installed `ausyscall` (Debian's auditd 3.0.9), shared by the tests that
//! compare syscall tables with it.
use std::process::Command;

/// Path of the reference tool.
pub const AUSYSCALL: &str = "/usr/bin/ausyscall";

/// `ausyscall ARCH --dump`: the table named in its header and its (number, name) pairs.
pub fn dump(arch: &str) -> (String, Vec<(u32, String)>) {
    let out = Command::new(AUSYSCALL)
        .args([arch, "--dump"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {AUSYSCALL} ({e}); install the auditd package"));
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("");
    let table = header
        .strip_prefix("Using ")
        .and_then(|h| h.strip_suffix(" syscall table:"))
        .unwrap_or("")
        .to_owned();
    let pairs = lines
        .map(|line| {
            let (nr, name) = line.split_once('\t').expect("number<TAB>name");
            (nr.parse().expect("number"), name.to_owned())
        })
        .collect();
    (table, pairs)
}
