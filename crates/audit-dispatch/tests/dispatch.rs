//! The dispatcher with real plugin processes (shell scripts reading stdin into files).
//! Plugins must be root's (auditd's rule): these tests run as root, as the VM does.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use audit_dispatch::{
    Dispatcher, Notice, OverflowAction, Payload, PluginConfigError, Record, Settings,
    PADDED_PAYLOAD,
};
use audit_wire::RecordType;

struct Fixture {
    dir: tempfile::TempDir,
    plugins: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins.d");
        std::fs::create_dir(&plugins).unwrap();
        Fixture { dir, plugins }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A plugin program: `body` after a shebang, mode 0750. Written to a new file
    /// and renamed into place, so a rewrite is a new inode.
    fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.path(name);
        let tmp = self.path(&format!("{name}.new"));
        std::fs::write(&tmp, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o750)).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        path
    }

    /// The plugin file `name` for `program` (path) with `extra` lines.
    fn plugin(&self, name: &str, program: &Path, extra: &str) {
        let text = format!(
            "# test plugin\nactive = yes\ndirection = out\npath = {}\ntype = always\n{extra}",
            program.display()
        );
        std::fs::write(self.plugins.join(name), text).unwrap();
    }

    /// A plugin `name` copying its input to the file `name.out`.
    fn to_file(&self, name: &str, extra: &str) -> PathBuf {
        let out = self.path(&format!("{name}.out"));
        let prog = self.script(name, &format!("exec cat >> {}", out.display()));
        self.plugin(&format!("{name}.conf"), &prog, extra);
        out
    }

    fn settings(&self) -> Settings {
        Settings {
            plugin_dir: self.plugins.clone(),
            ..Settings::default()
        }
    }
}

fn record(i: usize) -> Record {
    let text = format!(
        "audit(1700000000.{:03}:{i}): pid={i} comm=\"test\" msg=hello",
        i % 1000
    );
    Record::new(RecordType(1300), Payload::Raw, text.as_bytes()).unwrap()
}

fn line(i: usize) -> String {
    format!(
        "type=SYSCALL msg=audit(1700000000.{:03}:{i}): pid={i} comm=\"test\" msg=hello\n",
        i % 1000
    )
}

fn lines(range: std::ops::Range<usize>) -> String {
    range.map(line).collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

fn wait_for(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let end = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stat(d: &Dispatcher, name: &str) -> audit_dispatch::PluginStats {
    d.stats().into_iter().find(|s| s.name == name).unwrap()
}

/// The bytes of one binary record as written: header in host order, then the
/// payload, padded with zeros to 8970 bytes or not.
fn binary(version: u32, rtype: u32, payload: &[u8], padded: bool) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&version.to_ne_bytes());
    v.extend_from_slice(&16u32.to_ne_bytes());
    v.extend_from_slice(&rtype.to_ne_bytes());
    v.extend_from_slice(&(payload.len() as u32).to_ne_bytes());
    v.extend_from_slice(payload);
    if padded {
        v.resize(16 + 8970, 0);
    }
    v
}

#[test]
fn formats_reach_each_plugin_whole_and_bad_files_are_named() {
    let f = Fixture::new();
    let string = f.to_file("string", "format = string\n");
    let padded = f.to_file("padded", "format = binary\n");
    let exact = f.to_file("exact", "format = binary\nbinary_layout = exact\n");
    // What a plugin starts with: environment, ignored and blocked signals.
    let env = f.path("env.out");
    let prog = f.script(
        "env",
        &format!(
            "grep -E '^Sig(Ign|Blk)' /proc/self/status > {e}\nenv >> {e}\nexec cat > /dev/null",
            e = env.display()
        ),
    );
    f.plugin("env", &prog, "");
    // Bad files: each skipped alone, named with its line.
    std::fs::write(f.plugins.join("bad.conf"), "active = yes\nbogus = 1\n").unwrap();
    let ww = f.plugins.join("ww.conf");
    std::fs::write(&ww, "active = no\n").unwrap();
    std::fs::set_permissions(&ww, std::fs::Permissions::from_mode(0o666)).unwrap();
    std::fs::write(f.plugins.join("x.conf.rpmsave"), "garbage\n").unwrap();
    std::fs::write(f.plugins.join(".hidden"), "garbage\n").unwrap();

    // An ignored signal in the caller must not be ignored in the plugin.
    // SAFETY: sets SIGUSR1's disposition to ignore in this test process; no handler.
    unsafe { libc::signal(libc::SIGUSR1, libc::SIG_IGN) };
    let d = Dispatcher::start(f.settings()).unwrap();
    let mut errors: Vec<String> = d
        .notices()
        .into_iter()
        .filter_map(|n| match n {
            Notice::ConfigError(e @ PluginConfigError::Line { line: 2, .. }) => {
                Some(format!("line {e}"))
            }
            Notice::ConfigError(e @ PluginConfigError::Unsafe { .. }) => {
                Some(format!("unsafe {e}"))
            }
            _ => None,
        })
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors[0].starts_with("line ") && errors[0].contains("bad.conf:2"),
        "{errors:?}"
    );
    assert!(
        errors[1].contains("ww.conf") && errors[1].contains("world writable"),
        "{errors:?}"
    );
    let names: Vec<String> = d.stats().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["env", "exact.conf", "padded.conf", "string.conf"]);

    let raw = record(1);
    let newline = Record::new(RecordType(1305), Payload::Raw, b"audit(1.000:2): a\nb\n").unwrap();
    let unknown = Record::new(RecordType(9876), Payload::Raw, b"audit(1.000:3): x=1").unwrap();
    let formatted = Record::new(
        RecordType(1300),
        Payload::Formatted,
        b"type=SYSCALL msg=audit(1.000:4): y=2",
    )
    .unwrap();
    let long = vec![b'z'; PADDED_PAYLOAD];
    let full = Record::new(RecordType(1302), Payload::Raw, &long).unwrap();
    for r in [&raw, &newline, &unknown, &formatted, &full] {
        d.dispatch(r);
    }
    let notices = d.shutdown(Duration::from_secs(10));
    assert!(
        notices
            .iter()
            .all(|n| !matches!(n, Notice::Stopped { unsent, .. } if *unsent > 0)),
        "{notices:?}"
    );

    let want_string = format!(
        "{}type=CONFIG_CHANGE msg=audit(1.000:2): a b\ntype=UNKNOWN[9876] msg=audit(1.000:3): x=1\n\
         type=SYSCALL msg=audit(1.000:4): y=2\ntype=PATH msg={}\n",
        line(1),
        String::from_utf8(long.clone()).unwrap()
    );
    assert_eq!(read(&string), want_string);
    for (path, pad) in [(&padded, true), (&exact, false)] {
        let mut want = Vec::new();
        want.extend(binary(0, 1300, raw.data(), pad));
        want.extend(binary(0, 1305, b"audit(1.000:2): a\nb", pad));
        want.extend(binary(0, 9876, b"audit(1.000:3): x=1", pad));
        want.extend(binary(
            1,
            1300,
            b"type=SYSCALL msg=audit(1.000:4): y=2",
            pad,
        ));
        want.extend(binary(0, 1302, &long, pad));
        let got = std::fs::read(path).unwrap();
        assert_eq!(got.len(), want.len(), "{}", path.display());
        assert!(got == want, "{} differs", path.display());
    }
    // The padded stream reads back with the plugin runtime's own deframer.
    let mut deframer = audit_plugin::Deframer::new(
        audit_plugin::Format::Binary,
        audit_plugin::BinaryLayout::Padded,
        PADDED_PAYLOAD,
    );
    let mut out = Vec::new();
    deframer
        .push(&std::fs::read(&padded).unwrap(), &mut out)
        .unwrap();
    deframer.finish(&mut out).unwrap();
    assert_eq!(out.len(), 5);
    let mut deframer = audit_plugin::Deframer::new(
        audit_plugin::Format::Binary,
        audit_plugin::BinaryLayout::Exact,
        PADDED_PAYLOAD,
    );
    let mut out = Vec::new();
    deframer
        .push(&std::fs::read(&exact).unwrap(), &mut out)
        .unwrap();
    deframer.finish(&mut out).unwrap();
    assert_eq!(out.len(), 5);

    let env = read(&env);
    let mut env_lines = env.lines();
    assert_eq!(env_lines.next(), Some("SigBlk:\t0000000000000000"), "{env}");
    assert_eq!(env_lines.next(), Some("SigIgn:\t0000000000000000"), "{env}");
    // sh itself exports PWD; nothing of ours is there.
    let vars: Vec<&str> = env_lines.filter(|l| !l.starts_with("PWD=")).collect();
    assert!(vars.is_empty(), "{vars:?}");
}

#[test]
fn killed_plugin_is_restarted_and_resent_others_lose_nothing() {
    let f = Fixture::new();
    let victim = f.to_file("victim", "");
    let other = f.to_file("other", "");
    let d = Dispatcher::start(f.settings()).unwrap();
    for i in 0..200 {
        d.dispatch(&record(i));
    }
    wait_for("first batch", Duration::from_secs(10), || {
        read(&victim) == lines(0..200) && read(&other) == lines(0..200)
    });
    let pid = stat(&d, "victim.conf").pid.unwrap();
    // `cat` was exec'd by the script: the pid is the reader itself.
    rustix::process::kill_process(
        rustix::process::Pid::from_raw(pid as i32).unwrap(),
        rustix::process::Signal::KILL,
    )
    .unwrap();
    wait_for("restart", Duration::from_secs(10), || {
        let s = stat(&d, "victim.conf");
        s.restarts == 1 && s.pid.is_some_and(|p| p != pid)
    });
    for i in 200..400 {
        d.dispatch(&record(i));
    }
    let notices = d.shutdown(Duration::from_secs(10));
    assert_eq!(read(&other), lines(0..400));
    assert_eq!(read(&victim), lines(0..400));
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::Died { plugin, restarts: 1, how }
            if plugin == "victim.conf" && how.contains("signal 9"))),
        "{notices:?}"
    );
}

#[test]
fn plugin_past_max_restarts_stays_down() {
    let f = Fixture::new();
    let prog = f.script("crasher", "exit 3");
    f.plugin("crasher.conf", &prog, "");
    let other = f.to_file("other", "");
    let settings = Settings {
        max_restarts: 2,
        ..f.settings()
    };
    let d = Dispatcher::start(settings).unwrap();
    wait_for("give up", Duration::from_secs(10), || {
        stat(&d, "crasher.conf").down
    });
    let s = stat(&d, "crasher.conf");
    assert_eq!(s.restarts, 3);
    d.dispatch(&record(1));
    assert_eq!(stat(&d, "crasher.conf").dropped, 1);
    let notices = d.shutdown(Duration::from_secs(5));
    assert_eq!(read(&other), lines(1..2));
    let died = notices
        .iter()
        .filter(|n| matches!(n, Notice::Died { how, .. } if how == "exit status 3"))
        .count();
    assert_eq!(died, 3, "{notices:?}");
    assert!(notices
        .iter()
        .any(|n| matches!(n, Notice::GaveUp { restarts: 3, .. })));
}

/// A reload's `max_restarts` holds for a plugin already running, as auditd's one
/// setting does: a plugin that dies every 0.3 s under a limit of 100 is given up
/// soon after a reload lowers the limit to 1.
#[test]
fn a_reload_lowers_max_restarts_of_a_running_plugin() {
    let f = Fixture::new();
    let starts = f.path("starts");
    let prog = f.script(
        "flaky",
        &format!("echo x >> {}\nsleep 0.3\nexit 3", starts.display()),
    );
    f.plugin("flaky.conf", &prog, "");
    let settings = Settings {
        max_restarts: 100,
        restarts_forgotten_after: None,
        ..f.settings()
    };
    let mut d = Dispatcher::start(settings.clone()).unwrap();
    let started = || std::fs::read_to_string(&starts).map_or(0, |t| t.lines().count());
    wait_for("a second start", Duration::from_secs(10), || started() >= 2);
    d.reload_with(Settings {
        max_restarts: 1,
        ..settings
    })
    .unwrap();
    wait_for("give up", Duration::from_secs(10), || {
        stat(&d, "flaky.conf").down
    });
    assert!(started() <= 4, "{} starts", started());
    d.shutdown(Duration::from_secs(5));
}

/// A plugin that works for a while between deaths (one per network outage, say) is
/// never given up: each good run makes its restarts count afresh. With the count kept
/// for ever (`None`, auditd 3.0.9's way) the same plugin stays down.
#[test]
fn a_plugin_that_runs_well_between_deaths_is_not_given_up() {
    for forget in [Some(Duration::from_millis(200)), None] {
        let f = Fixture::new();
        let starts = f.path("starts");
        let prog = f.script(
            "flaky",
            &format!("echo x >> {}\nsleep 0.4\nexit 3", starts.display()),
        );
        f.plugin("flaky.conf", &prog, "");
        let settings = Settings {
            max_restarts: 2,
            restarts_forgotten_after: forget,
            ..f.settings()
        };
        let d = Dispatcher::start(settings).unwrap();
        let started = || std::fs::read_to_string(&starts).map_or(0, |t| t.lines().count());
        if forget.is_some() {
            // Twice as many starts as max_restarts allows a crash loop.
            wait_for("six starts", Duration::from_secs(20), || started() >= 6);
            let s = stat(&d, "flaky.conf");
            assert!(!s.down, "given up after {} starts: {s:?}", started());
            assert_eq!(s.restarts, 1, "{s:?}");
        } else {
            wait_for("give up", Duration::from_secs(20), || {
                stat(&d, "flaky.conf").down
            });
            assert_eq!(started(), 3);
        }
        d.shutdown(Duration::from_secs(5));
    }
}

#[test]
fn stuck_plugin_overflows_alone() {
    let f = Fixture::new();
    // Reads nothing until the test opens its gate, then everything.
    let slow_out = f.path("slow.out");
    let gate = f.path("gate");
    assert!(Command::new("mkfifo")
        .arg(&gate)
        .status()
        .unwrap()
        .success());
    let prog = f.script(
        "slow",
        &format!(
            "read go < {}\nexec cat > {}",
            gate.display(),
            slow_out.display()
        ),
    );
    f.plugin("slow.conf", &prog, "");
    let other = f.to_file("other", "");
    let settings = Settings {
        q_depth: 500,
        overflow_action: OverflowAction::Syslog,
        ..f.settings()
    };
    let d = Dispatcher::start(settings).unwrap();
    let n = 20_000;
    let mut in_dispatch = Duration::ZERO;
    for i in 0..n {
        let t = Instant::now();
        d.dispatch(&record(i));
        in_dispatch += t.elapsed();
        if i % 100 == 0 {
            // The test paces itself on the reading plugin, never on the stuck one.
            wait_for("other keeps up", Duration::from_secs(20), || {
                stat(&d, "other.conf").queued < 200
            });
        }
    }
    // The caller never waits for a plugin: 20000 calls in well under a second.
    assert!(in_dispatch < Duration::from_secs(2), "{in_dispatch:?}");
    let dropped = stat(&d, "slow.conf").dropped;
    assert!(dropped > 0, "the slow plugin's queue never overflowed");
    wait_for("other", Duration::from_secs(20), || {
        read(&other).len() == lines(0..n).len()
    });
    assert_eq!(stat(&d, "other.conf").dropped, 0);
    std::fs::write(&gate, "go\n").unwrap();
    // Once it reads again, its queue empties and the next record ends the run.
    wait_for("slow drains", Duration::from_secs(20), || {
        stat(&d, "slow.conf").queued == 0
    });
    d.dispatch(&record(n));
    let notices = d.notices();
    let started: Vec<_> = notices
        .iter()
        .filter(|n| matches!(n, Notice::DroppingStarted { plugin, .. } if plugin == "slow.conf"))
        .collect();
    assert_eq!(started.len(), 1, "{notices:?}");
    assert!(
        notices.iter().any(
            |n| matches!(n, Notice::DroppingStopped { plugin, dropped: k }
            if plugin == "slow.conf" && *k == dropped)
        ),
        "{notices:?}"
    );
    wait_for("slow sends the last", Duration::from_secs(20), || {
        stat(&d, "slow.conf").queued == 0
    });
    let stats = stat(&d, "slow.conf");
    d.shutdown(Duration::from_secs(10));
    assert_eq!(read(&other), lines(0..n + 1));
    // What the slow one got is whole lines, in order, and exactly what was not dropped.
    let got = read(&slow_out);
    assert_eq!(got.lines().count() as u64, stats.sent, "sent");
    assert_eq!(stats.sent + stats.dropped, n as u64 + 1);
    assert!(got.ends_with(&line(n)));
}

#[test]
fn reload_adds_changes_removes_and_reactivates() {
    let f = Fixture::new();
    // Keeps running: notes its SIGHUPs.
    let hups = f.path("keep.hup");
    let prog = f.script(
        "keep",
        &format!(
            "trap 'echo hup >> {}' HUP\nwhile :; do sleep 0.05; done",
            hups.display()
        ),
    );
    f.plugin("keep.conf", &prog, "");
    let changed_out = f.to_file("changed", "");
    let removed_out = f.to_file("removed", "");
    let deactivated_out = f.to_file("deactivated", "");
    let prog = f.script("revived", "exit 1");
    f.plugin("revived.conf", &prog, "");
    let settings = Settings {
        max_restarts: 0,
        ..f.settings()
    };
    let mut d = Dispatcher::start(settings).unwrap();
    wait_for("revived gives up", Duration::from_secs(10), || {
        stat(&d, "revived.conf").down
    });
    wait_for("all started", Duration::from_secs(10), || {
        d.stats().iter().filter(|s| s.pid.is_some()).count() == 4
    });
    let pid_of = |d: &Dispatcher, n: &str| stat(d, n).pid.unwrap();
    let keep_pid = pid_of(&d, "keep.conf");
    let changed_pid = pid_of(&d, "changed.conf");
    let removed_pid = pid_of(&d, "removed.conf");
    let deactivated_pid = pid_of(&d, "deactivated.conf");
    d.dispatch(&record(0));
    wait_for("first", Duration::from_secs(10), || {
        read(&removed_out) == lines(0..1)
    });

    // The new state of the directory.
    let added_out = f.to_file("added", "");
    let old_inode = std::fs::metadata(f.path("changed")).unwrap().ino();
    let new_changed_out = f.path("changed2.out");
    f.script(
        "changed",
        &format!("exec cat >> {}", new_changed_out.display()),
    );
    assert_ne!(
        std::fs::metadata(f.path("changed")).unwrap().ino(),
        old_inode
    );
    std::fs::remove_file(f.plugins.join("removed.conf")).unwrap();
    let text = read(&f.plugins.join("deactivated.conf")).replace("active = yes", "active = no");
    std::fs::write(f.plugins.join("deactivated.conf"), text).unwrap();
    let revived_out = f.path("revived.out");
    f.script("revived", &format!("exec cat >> {}", revived_out.display()));
    d.notices();
    d.reload().unwrap();

    wait_for("SIGHUP", Duration::from_secs(10), || read(&hups) == "hup\n");
    assert_eq!(pid_of(&d, "keep.conf"), keep_pid);
    let names: Vec<String> = d.stats().into_iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        ["added.conf", "changed.conf", "keep.conf", "revived.conf"]
    );
    wait_for("new starts", Duration::from_secs(10), || {
        d.stats().iter().all(|s| s.pid.is_some())
    });
    assert_ne!(pid_of(&d, "changed.conf"), changed_pid);
    assert_eq!(stat(&d, "revived.conf").restarts, 0);
    // Removed and deactivated plugins are gone (reaped).
    for pid in [removed_pid, deactivated_pid] {
        wait_for("stopped plugin exits", Duration::from_secs(10), || {
            !Path::new(&format!("/proc/{pid}")).exists()
        });
    }
    d.dispatch(&record(1));
    let notices = d.shutdown(Duration::from_secs(10));
    assert_eq!(read(&added_out), lines(1..2));
    assert_eq!(read(&changed_out), lines(0..1));
    assert_eq!(read(&new_changed_out), lines(1..2));
    assert_eq!(read(&revived_out), lines(1..2));
    assert_eq!(read(&removed_out), lines(0..1));
    assert_eq!(read(&deactivated_out), lines(0..1));
    let has = |want: &dyn Fn(&Notice) -> bool| notices.iter().any(want);
    assert!(has(
        &|n| matches!(n, Notice::BinaryChanged { plugin } if plugin == "changed.conf")
    ));
    assert!(has(
        &|n| matches!(n, Notice::Reconfigured { plugin } if plugin == "keep.conf")
    ));
    for p in ["removed.conf", "deactivated.conf", "changed.conf"] {
        assert!(
            has(&|n| matches!(n, Notice::Stopped { plugin, .. } if plugin == p)),
            "{p}: {notices:?}"
        );
    }
}

#[test]
fn shutdown_drains_queues() {
    let f = Fixture::new();
    // A reader slower than the dispatcher, so records wait in the queue.
    let out = f.path("slow.out");
    let prog = f.script(
        "slow",
        &format!("while read -r l; do echo \"$l\" >> {}; done", out.display()),
    );
    f.plugin("slow.conf", &prog, "");
    let settings = Settings {
        q_depth: 5000,
        ..f.settings()
    };
    let d = Dispatcher::start(settings).unwrap();
    for i in 0..2000 {
        d.dispatch(&record(i));
    }
    assert!(stat(&d, "slow.conf").queued > 0, "nothing left to drain");
    let notices = d.shutdown(Duration::from_secs(60));
    assert_eq!(read(&out), lines(0..2000));
    assert!(
        notices.iter().any(|n| matches!(
            n,
            Notice::Stopped {
                unsent: 0,
                killed: false,
                ..
            }
        )),
        "{notices:?}"
    );
}

#[test]
fn af_unix_serves_several_readers_each_with_its_own_queue() {
    let f = Fixture::new();
    let sock = f.path("events.sock");
    std::fs::write(
        f.plugins.join("af_unix.conf"),
        format!(
            "active = yes\ndirection = out\npath = builtin_af_unix\ntype = builtin\nargs = 0660 {}\nformat = string\n",
            sock.display()
        ),
    )
    .unwrap();
    let settings = Settings {
        q_depth: 1000,
        ..f.settings()
    };
    let d = Dispatcher::start(settings).unwrap();
    wait_for("socket", Duration::from_secs(5), || sock.exists());
    assert_eq!(std::fs::metadata(&sock).unwrap().mode() & 0o7777, 0o660);
    let n = 5000;
    let expected = lines(0..n);
    let want = expected.len();
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let mut s = UnixStream::connect(&sock).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                let mut buf = [0u8; 65536];
                while got.len() < want {
                    let k = s.read(&mut buf).expect("reader starved");
                    assert!(k > 0, "eof after {}", got.len());
                    got.extend_from_slice(&buf[..k]);
                }
                String::from_utf8(got).unwrap()
            })
        })
        .collect();
    // One more that never reads.
    let _stuck = UnixStream::connect(&sock).unwrap();
    wait_for("readers", Duration::from_secs(5), || {
        stat(&d, "af_unix.conf").readers == 4
    });
    for i in 0..n {
        d.dispatch(&record(i));
        if i % 50 == 0 {
            // Paced on the reading readers: all queued records but the stuck
            // one's (at most 1000) are few.
            wait_for("readers keep up", Duration::from_secs(20), || {
                stat(&d, "af_unix.conf").queued < 1000 + 150
            });
        }
    }
    for r in readers {
        assert!(r.join().unwrap() == expected, "a reader lost records");
    }
    let s = stat(&d, "af_unix.conf");
    assert!(s.dropped > 0, "the stuck reader never overflowed: {s:?}");
    let notices = d.shutdown(Duration::from_secs(2));
    assert!(
        notices
            .iter()
            .filter(|n| matches!(n, Notice::ReaderConnected { .. }))
            .count()
            == 4,
        "{notices:?}"
    );
    assert!(!sock.exists());
}

#[test]
fn debian_audisp_syslog_runs_under_the_dispatcher() {
    let f = Fixture::new();
    // syslog(3) writes to /dev/log: the plugin gets a private /dev whose `log` is
    // the test's socket; the plugin itself is Debian's binary, reading our stdin.
    let log = f.path("log.sock");
    let syslog = std::os::unix::net::UnixDatagram::bind(&log).unwrap();
    syslog
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let prog = f.script(
        "syslog-wrapper",
        &format!(
            "exec /usr/bin/unshare -m /bin/sh -c '/bin/mount -t tmpfs none /dev && \
             /bin/ln -s {} /dev/log && exec /sbin/audisp-syslog LOG_INFO'",
            log.display()
        ),
    );
    f.plugin("syslog.conf", &prog, "format = string\n");
    let d = Dispatcher::start(f.settings()).unwrap();
    let n = 20;
    for i in 0..n {
        d.dispatch(&record(i));
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while got.len() < n {
        let k = syslog
            .recv(&mut buf)
            .expect("audisp-syslog sent too few messages");
        let msg = String::from_utf8_lossy(&buf[..k]).into_owned();
        // Its own start message is not a record.
        if msg.contains("type=") {
            got.push(msg);
        }
    }
    d.shutdown(Duration::from_secs(5));
    for (i, msg) in got.iter().enumerate() {
        assert!(msg.starts_with("<14>"), "LOG_INFO|LOG_USER: {msg}");
        assert!(msg.contains("audisp-syslog: "), "{msg}");
        assert!(msg.trim_end().ends_with(line(i).trim_end()), "{msg}");
    }
}

#[test]
fn our_audisp_example_runs_under_the_dispatcher() {
    // The project's own example plugin (`examples/audisp-example.rs`, on the
    // audit-plugin runtime), built for this test's profile.
    let example = audit_testlock::reference::example_bin("linux-audit", "audisp-example");
    let f = Fixture::new();
    // A root-owned 0750 copy: the build directory may not pass auditd's checks.
    let bin = f.path("audisp-example");
    std::fs::copy(&example, &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o750)).unwrap();
    let out = f.path("example.out");
    let prog = f.script(
        "example",
        &format!("exec {} > {}", bin.display(), out.display()),
    );
    f.plugin("example.conf", &prog, "format = string\n");
    let d = Dispatcher::start(f.settings()).unwrap();
    let n = 50;
    for i in 0..n {
        d.dispatch(&record(i));
        let eoe = format!("audit(1700000000.{:03}:{i}): ", i % 1000);
        d.dispatch(&Record::new(RecordType(1320), Payload::Raw, eoe.as_bytes()).unwrap());
    }
    d.shutdown(Duration::from_secs(10));
    let text = read(&out);
    // Each event whole: its SYSCALL record with its 4 fields (type, pid, comm, msg).
    let syscalls = text
        .lines()
        .filter(|l| *l == "record type 1300(SYSCALL) has 4 fields")
        .count();
    assert_eq!(syscalls, n, "{text}");
}

/// `overflow_action = suspend`: a plugin whose queue overflowed gets nothing
/// more until `resume` (auditd's SIGUSR2), then records again.
#[test]
fn suspended_plugin_resumes() {
    let f = Fixture::new();
    let out = f.path("slow.out");
    let gate = f.path("gate");
    assert!(Command::new("mkfifo")
        .arg(&gate)
        .status()
        .unwrap()
        .success());
    let prog = f.script(
        "slow",
        &format!("read go < {}\nexec cat > {}", gate.display(), out.display()),
    );
    f.plugin("slow.conf", &prog, "");
    let d = Dispatcher::start(Settings {
        q_depth: 10,
        overflow_action: OverflowAction::Suspend,
        ..f.settings()
    })
    .unwrap();
    // The plugin's socket buffer takes some records before the queue fills.
    let mut n = 0;
    while stat(&d, "slow.conf").dropped == 0 {
        d.dispatch(&record(n));
        n += 1;
        assert!(n < 1_000_000, "the queue never overflowed");
    }
    std::fs::write(&gate, "go\n").unwrap();
    wait_for("the queue drains", Duration::from_secs(20), || {
        stat(&d, "slow.conf").queued == 0
    });
    // Suspended: a record after the queue emptied is dropped all the same.
    d.dispatch(&record(n));
    assert_eq!(stat(&d, "slow.conf").queued, 0);
    assert!(!read(&out).contains(&line(n)));
    assert_eq!(d.resume(), 1);
    assert_eq!(d.resume(), 0, "nothing left to resume");
    d.dispatch(&record(n + 1));
    wait_for("the record after resume", Duration::from_secs(20), || {
        read(&out).contains(&line(n + 1))
    });
    d.shutdown(Duration::from_secs(10));
}

/// A plugin_dir that cannot be read (not a directory, missing) is a notice
/// naming it: the dispatcher runs with no plugins, as auditd does, a reload
/// still takes the new settings, and a later reload that reads the
/// directory starts its plugins.
#[test]
fn unreadable_plugin_dir_is_a_notice_and_no_plugins() {
    let f = Fixture::new();
    let out = f.to_file("late", "");
    let file = f.path("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let dir_errors = |d: &Dispatcher, want: &Path| {
        let notices = d.notices();
        let found: Vec<_> = notices
            .iter()
            .filter_map(|n| match n {
                Notice::DirError { dir, error } => Some((dir.clone(), error.kind())),
                _ => None,
            })
            .collect();
        assert_eq!(found.len(), 1, "{notices:?}");
        assert_eq!(found[0].0, want, "{notices:?}");
        assert!(notices
            .iter()
            .any(|n| n.to_string().contains(&*want.to_string_lossy())));
        found[0].1
    };
    let mut d = Dispatcher::start(Settings {
        plugin_dir: file.clone(),
        ..f.settings()
    })
    .expect("started with no plugins");
    assert_eq!(dir_errors(&d, &file), std::io::ErrorKind::NotADirectory);
    assert!(d.stats().is_empty());
    d.dispatch(&record(0));

    let missing = f.path("missing");
    d.reload_with(Settings {
        plugin_dir: missing.clone(),
        q_depth: 7,
        overflow_action: OverflowAction::Ignore,
        ..f.settings()
    })
    .expect("reloaded with no plugins");
    assert_eq!(dir_errors(&d, &missing), std::io::ErrorKind::NotFound);
    assert_eq!(d.settings().q_depth, 7);
    assert_eq!(d.settings().overflow_action, OverflowAction::Ignore);
    assert!(d.stats().is_empty());

    d.reload_with(Settings {
        q_depth: 7,
        ..f.settings()
    })
    .unwrap();
    let names: Vec<String> = d.stats().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["late.conf"]);
    d.dispatch(&record(1));
    d.shutdown(Duration::from_secs(10));
    assert_eq!(read(&out), line(1));
}

/// A reload that finds a plugin's program replaced restarts only its
/// process: the records still queued for it go to the new program, in
/// order, before the records dispatched after the reload (auditd keeps them
/// in its queue). Those the old process was given are its own, as in auditd.
#[test]
fn a_changed_binary_gets_the_records_queued_for_the_old_one() {
    let f = Fixture::new();
    // Reads nothing: its socket fills, then its queue.
    let prog = f.script("swapped", "exec sleep 600");
    f.plugin("swapped.conf", &prog, "");
    let settings = Settings {
        q_depth: 50_000,
        ..f.settings()
    };
    let mut d = Dispatcher::start(settings).unwrap();
    wait_for("start", Duration::from_secs(10), || {
        stat(&d, "swapped.conf").pid.is_some()
    });
    let old_pid = stat(&d, "swapped.conf").pid.unwrap();
    let n = 20_000;
    let records: Vec<Record> = (0..n).map(record).collect();
    d.dispatch_all(&records);
    // The socket is full: what was sent stays sent.
    let mut last = None;
    wait_for("socket full", Duration::from_secs(10), || {
        std::thread::sleep(Duration::from_millis(200));
        let s = stat(&d, "swapped.conf");
        let now = (s.sent, s.queued);
        last.replace(now) == Some(now)
    });
    let (sent, queued) = last.unwrap();
    assert!(queued > 0 && sent as usize + queued == n, "{last:?}");

    let out = f.path("swapped.out");
    f.script("swapped", &format!("exec cat >> {}", out.display()));
    d.notices();
    d.reload().unwrap();
    d.dispatch(&record(n));
    wait_for("new process", Duration::from_secs(10), || {
        stat(&d, "swapped.conf").pid.is_some_and(|p| p != old_pid)
    });
    let notices = d.shutdown(Duration::from_secs(20));
    let (got, want) = (read(&out), lines(sent as usize..n + 1));
    assert!(
        got == want,
        "got {} lines from {:?}, want {} from {:?}",
        got.lines().count(),
        got.lines().next(),
        want.lines().count(),
        want.lines().next()
    );
    assert!(
        notices
            .iter()
            .any(|n| matches!(n, Notice::BinaryChanged { plugin } if plugin == "swapped.conf")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .all(|n| !matches!(n, Notice::Stopped { unsent, .. } if *unsent > 0)),
        "{notices:?}"
    );
    assert!(!Path::new(&format!("/proc/{old_pid}")).exists());
}
