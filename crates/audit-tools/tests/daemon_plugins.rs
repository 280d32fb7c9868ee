//! Debian's own plugins under `audit-daemon`'s dispatcher, on a real exec storm:
//! `audisp-syslog` (package auditd) into a real `rsyslogd` started here with its
//! own configuration (its socket a private path, which the plugin sees as
//! `/dev/log` in its own mount namespace), and `audisp-remote` (package
//! audispd-plugins, unpacked with `dpkg -x`, never installed) sending to our
//! `audit_remote` receiver in a private network namespace. Beside them: a plugin
//! killed with SIGKILL mid-storm (restarted, counted, no record lost), one that
//! never reads (its queue overflows, counted) and a plain reader. Every record
//! of the storm reaches the log and every plugin that reads.

mod daemon_support;

use audit_remote::server::{Durability, Receiver, ReceiverConfig, Sink, SinkError};
use audit_testlock::{audisp_remote, namespace};
use daemon_support::*;
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// Execs in each half of the storm (the SIGKILL falls between the halves).
const HALF: u32 = 300;

/// The records the receiver got, in memory.
#[derive(Default)]
struct Received(Mutex<Vec<u8>>);

impl Sink for Received {
    fn write(&self, _peer: SocketAddr, record: &[u8]) -> Result<Durability, SinkError> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.extend_from_slice(record);
        if !record.ends_with(b"\n") {
            all.push(b'\n');
        }
        Ok(Durability::Written)
    }
}

/// The SYSCALL records of `key` anywhere in a line (syslog puts a header first).
fn keyed_syscalls_anywhere(text: &str, key: &str) -> usize {
    let k = format!(" key=\"{key}\"");
    text.lines()
        .filter(|l| l.contains("type=SYSCALL ") && l.contains(&k))
        .count()
}

/// A process of the test's (rsyslogd), killed by pid at drop.
struct Helper(Child);

impl Drop for Helper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// rsyslogd in the foreground, reading only its socket `DIR/log.sock`,
/// writing `TAG MSG` lines to `DIR/messages`, without rate limits.
fn start_rsyslog(dir: &Path) -> (Helper, PathBuf, PathBuf) {
    let sock = dir.join("log.sock");
    let messages = dir.join("messages");
    let conf = dir.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{dir}\" maxMessageSize=\"64k\")\n\
             module(load=\"imuxsock\" SysSock.Use=\"off\")\n\
             input(type=\"imuxsock\" Socket=\"{sock}\" RateLimit.Interval=\"0\")\n\
             template(name=\"plain\" type=\"string\" string=\"%syslogtag%%msg%\\n\")\n\
             *.* action(type=\"omfile\" file=\"{messages}\" template=\"plain\")\n",
            dir = dir.display(),
            sock = sock.display(),
            messages = messages.display()
        ),
    )
    .unwrap();
    let child = Command::new("rsyslogd")
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rsyslogd");
    let mut helper = Helper(child);
    let up = wait_until(10, || {
        sock.exists() || !matches!(helper.0.try_wait(), Ok(None))
    });
    assert!(
        up && sock.exists(),
        "rsyslogd did not open {}",
        sock.display()
    );
    (helper, sock, messages)
}

/// Everything in a private network namespace (this thread's own: the
/// receiver, the daemon and its plugins see only its loopback).
fn in_private_network<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(move || {
        // SAFETY: unshare(2) with a namespace flag only; it changes the calling
        // thread's network namespace, which no other thread shares.
        let rc = unsafe { libc::unshare(libc::CLONE_NEWNET) };
        assert_eq!(
            rc,
            0,
            "unshare(CLONE_NEWNET): {}",
            std::io::Error::last_os_error()
        );
        namespace::loopback_up();
        f()
    })
    .join()
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[test]
fn debian_plugins_a_killed_one_and_a_stuck_one_under_the_daemon() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    if !namespace::tools_installed(&["/usr/sbin/rsyslogd", "/sbin/audisp-syslog"]) {
        return;
    }
    let Some(audisp_remote) = audisp_remote::fetch(Path::new(env!("CARGO_TARGET_TMPDIR"))) else {
        return;
    };
    in_private_network(move || run(&audisp_remote));
}

fn run(audisp_remote: &Path) {
    let mut kernel = KernelState::save_and_enable();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = write_config(
        dir,
        "log_format = RAW\nflush = INCREMENTAL_ASYNC\nfreq = 50\nnum_logs = 2\n\
         max_log_file = 100\nspace_left = 2\nadmin_space_left = 1\n\
         q_depth = 2000\noverflow_action = syslog\nmax_restarts = 5\n",
    );

    // audisp-syslog into rsyslogd: /dev/log, in the plugin's own mount
    // namespace, is rsyslogd's socket.
    let (_rsyslogd, sock, messages) = start_rsyslog(dir);
    let syslog = dir.join("syslog-plugin");
    script(
        &syslog,
        &format!(
            "exec unshare -m sh -c 'mount -t tmpfs none /dev && ln -s {} /dev/log && \
             exec /sbin/audisp-syslog LOG_INFO'",
            sock.display()
        ),
    );
    add_plugin(dir, "syslog", &syslog, "", "string");

    // audisp-remote to our receiver; its configuration is read from
    // /etc/audit, here a directory of the test's bound there.
    let received = Arc::new(Received::default());
    let receiver = Receiver::bind("127.0.0.1:0", ReceiverConfig::default(), received.clone())
        .unwrap()
        .spawn()
        .unwrap();
    let etc = dir.join("etc-audit");
    let port = receiver.local_addr().port();
    audisp_remote::write_conf(&etc, port, &dir.join("remote.queue"), 20000);
    let remote = dir.join("remote-plugin");
    script(
        &remote,
        &format!(
            "exec unshare -m sh -c 'mount --bind {} /etc/audit && exec {}'",
            etc.display(),
            audisp_remote.display()
        ),
    );
    add_plugin(dir, "remote", &remote, "", "string");

    // A plain reader, the one to be killed (its pid written where the test
    // finds it), and one that never reads.
    let witness_out = dir.join("witness.out");
    let witness = dir.join("witness");
    script(&witness, &format!("exec cat >> {}", witness_out.display()));
    add_plugin(dir, "witness", &witness, "", "string");
    let victim_out = dir.join("victim.out");
    let victim_pid = dir.join("victim.pid");
    let victim = dir.join("victim");
    script(
        &victim,
        &format!(
            "echo $$ > {}\nexec cat >> {}",
            victim_pid.display(),
            victim_out.display()
        ),
    );
    add_plugin(dir, "victim", &victim, "", "string");
    let stuck = dir.join("stuck");
    script(&stuck, "exec sleep 600");
    add_plugin(dir, "stuck", &stuck, "", "string");

    let daemon = start_ours(dir, &[]);
    let key = format!("hd2-plugins-{}", std::process::id());
    let n = HALF as usize;

    // First half; the victim has it all, then dies by SIGKILL.
    let storm = Storm::new(HALF);
    let rule = storm.rule(&key);
    kernel.add_rule(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    storm.run();
    assert!(
        wait_until(20, || keyed_syscalls(&read(&victim_out), &key) == n),
        "the victim got {} of {n} before the kill",
        keyed_syscalls(&read(&victim_out), &key)
    );
    let first: i32 = read(&victim_pid).trim().parse().unwrap();
    // SAFETY: kill(2) on the plugin's pid, which the test read from the
    // plugin itself; the daemon reaps it.
    assert_eq!(unsafe { libc::kill(first, libc::SIGKILL) }, 0);
    assert!(
        wait_until(15, || read(&victim_pid)
            .trim()
            .parse::<i32>()
            .is_ok_and(|p| p != first)),
        "the killed plugin was not restarted"
    );

    // Second half.
    let storm = Storm::new(HALF);
    let rule = storm.rule(&key);
    kernel.add_rule(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    storm.run();
    let all = 2 * n;
    let everywhere = wait_until(30, || {
        keyed_syscalls(&read(&log), &key) == all
            && keyed_syscalls(&read(&witness_out), &key) == all
            && keyed_syscalls(&read(&victim_out), &key) == all
            && keyed_syscalls_anywhere(&read(&messages), &key) == all
            && keyed_syscalls(&String::from_utf8_lossy(&received.0.lock().unwrap()), &key) == all
    });
    kernel.delete_rules();
    let (status, stderr) = daemon.stop();
    let remote_got = keyed_syscalls(&String::from_utf8_lossy(&received.0.lock().unwrap()), &key);
    receiver.shutdown();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(
        everywhere,
        "of {all} execs: log {}, witness {}, victim {}, audisp-syslog → rsyslogd {}, \
         audisp-remote → receiver {remote_got}\n{stderr}",
        keyed_syscalls(&read(&log), &key),
        keyed_syscalls(&read(&witness_out), &key),
        keyed_syscalls(&read(&victim_out), &key),
        keyed_syscalls_anywhere(&read(&messages), &key),
    );
    assert!(
        stderr.contains("plugin victim.conf terminated unexpectedly")
            && stderr.contains("(signal 9), restart 1"),
        "the kill was not told:\n{stderr}"
    );
    assert!(
        stderr.contains("queue to plugin stuck.conf is full, dropping events"),
        "the stuck plugin's queue never overflowed:\n{stderr}"
    );
    // At the end what was still queued for each is counted: all of the stuck
    // one's queue, nothing of the others'.
    let unsent = |plugin: &str| -> Option<u64> {
        let head = format!("plugin {plugin}.conf stopped, ");
        let line = stderr.lines().find_map(|l| l.split_once(&head))?.1;
        line.split(' ').next()?.parse().ok()
    };
    assert!(unsent("stuck").is_some_and(|n| n > 0), "{stderr}");
    for plugin in ["syslog", "remote", "witness", "victim"] {
        assert_eq!(unsent(plugin), Some(0), "{plugin}: {stderr}");
    }
    assert!(
        !stderr.contains("queue to plugin syslog.conf")
            && !stderr.contains("queue to plugin remote.conf")
            && !stderr.contains("queue to plugin witness.conf")
            && !stderr.contains("queue to plugin victim.conf"),
        "a reading plugin's queue overflowed:\n{stderr}"
    );
}

/// The serial of a log line's stamp, `msg=audit(SEC.MSEC:SERIAL)`.
fn stamp_serial(line: &str) -> Option<&str> {
    let stamp = line.split_once("msg=audit(")?.1.split_once(')')?.0;
    Some(stamp.split_once(':')?.1)
}

/// With `log_format = ENRICHED` and a node name, plugins get each record as the
/// line the log gets (protocol version 1, as auditd hands them on): `node=`
/// first, the interpretations after 0x1D, and the EOE records that the log
/// leaves out.
#[test]
fn plugins_get_the_logged_lines_with_node_and_interpretations() {
    let _lock = audit_testlock::live_lock();
    if !audit_testlock::daemon_slot_free() {
        return;
    }
    let mut kernel = KernelState::save_and_enable();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let log = write_config(
        dir,
        "log_format = ENRICHED\nname_format = user\nname = edge-7\nflush = none\n",
    );
    let out = dir.join("witness.out");
    let witness = dir.join("witness");
    script(&witness, &format!("exec cat >> {}", out.display()));
    add_plugin(dir, "witness", &witness, "", "string");
    let daemon = start_ours(dir, &[]);

    let key = format!("fmt-dispatch-{}", std::process::id());
    let storm = Storm::new(5);
    let rule = storm.rule(&key);
    kernel.add_rule(&rule.iter().map(String::as_str).collect::<Vec<_>>());
    storm.run();
    let keyed = |text: &str| -> Vec<String> {
        let k = format!(" key=\"{key}\"");
        text.lines()
            .filter(|l| l.starts_with("node=edge-7 type=SYSCALL ") && l.contains(&k))
            .filter_map(|l| stamp_serial(l).map(str::to_owned))
            .collect()
    };
    let both = wait_until(20, || {
        keyed(&read(&log)).len() == 5 && keyed(&read(&out)).len() == 5
    });
    kernel.delete_rules();
    let (status, stderr) = daemon.stop();
    assert!(status.success(), "{status:?}: {stderr}");
    let (logged, got) = (read(&log), read(&out));
    assert!(both, "log:\n{logged}\nplugin:\n{got}");
    let serials = keyed(&logged);
    let of_storm = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| stamp_serial(l).is_some_and(|s| serials.iter().any(|k| k == s)))
            .map(str::to_owned)
            .collect()
    };
    let (logged, got) = (of_storm(&logged), of_storm(&got));
    let not_eoe: Vec<&String> = got.iter().filter(|l| !l.contains(" type=EOE ")).collect();
    assert_eq!(
        not_eoe,
        logged.iter().collect::<Vec<_>>(),
        "the plugin's lines are the log's"
    );
    assert_eq!(
        got.len() - not_eoe.len(),
        5,
        "an EOE for each event: {got:#?}"
    );
    for line in &got {
        assert!(line.starts_with("node=edge-7 type="), "{line}");
    }
    let syscall = got.iter().find(|l| l.contains(" type=SYSCALL ")).unwrap();
    assert!(
        syscall.contains("\u{1d}ARCH=x86_64 SYSCALL=execve"),
        "{syscall}"
    );
    assert!(
        read(&out).contains("node=edge-7 type=DAEMON_START "),
        "{}",
        read(&out)
    );
}
