//! An audit dispatcher plugin that puts up a desktop notification on each login:
//! "NAME log in RESULT", sent over D-Bus (`org.freedesktop.Notifications`) to the
//! session bus of every user with one.
//!
//! `login-alert [--run-user-dir DIR] [--format binary] [runtime options]`. For each
//! event with a `USER_LOGIN` record, the name is the normalizer's subject: the account
//! that logged in. (A login record names it in `acct` when the login failed, in
//! `id`/`auid` when it worked, which a plugin that reads one field gets wrong half the
//! time; the normalizer picks the right one.) RESULT is the record's interpreted
//! result (`success`, `failed`); the body is the normalizer's sentence and the login
//! record's `addr` and `hostname` (where known), with `&`, `<`
//! and `>` escaped (a notification body may hold markup, and the audit data must not
//! add any).
//!
//! The sessions are the sockets `DIR/UID/bus` (DIR defaults to `/run/user`, where
//! logind puts each logged-in user's runtime directory), found again for every login.
//! A session bus admits only its own user, so the notification is sent by a child
//! process (this program again, with `--notify-child`) that runs as the directory's
//! owner, with its uid and group and no other groups; the plugin itself keeps its
//! privileges, and so keeps working for the next login. The children are not waited
//! for one by one: each has 3 seconds, at most 32 run at once, and those that fail,
//! time out or are not started for too many running are counted on stderr (a user
//! can put a socket that never answers in their own directory). See
//! `examples/plugins.d/login-alert.conf`.
use audit_normalize::format::text_event;
use audit_normalize::{NormalizeContext, NormalizeOptions};
use audit_plugin::{Event, Handler, HandlerResult, ItemRef, Plugin};
use audit_wire::RecordType;
use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a notifying child may take.
const CHILD_DEADLINE: Duration = Duration::from_secs(3);
/// The most notifying children running at once; past it a notification is counted
/// as failed rather than started.
const MAX_RUNNING: usize = 32;

/// A user's session bus.
#[derive(Debug)]
struct Session {
    uid: u32,
    gid: u32,
    bus: PathBuf,
}

/// The session buses under `dir`: `dir/UID/bus` sockets in directories UID owns.
fn sessions(dir: &Path) -> Vec<Session> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(uid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        let bus = entry.path().join("bus");
        let is_socket = std::fs::metadata(&bus).is_ok_and(|m| m.file_type().is_socket());
        // A directory someone else owns is not that user's session.
        if is_socket && meta.is_dir() && meta.uid() == uid {
            found.push(Session {
                uid,
                gid: meta.gid(),
                bus,
            });
        }
    }
    found.sort_by_key(|s| s.uid);
    found
}

/// The notification for a login event: (summary, body), or `None` for other events.
fn login_notice(normalizer: &mut NormalizeContext, event: &Event) -> Option<(String, String)> {
    if !event
        .iter()
        .any(|r| r.record_type() == Some(RecordType::USER_LOGIN))
    {
        return None;
    }
    let mut c = normalizer.cursor(event);
    let n = c.normalize(NormalizeOptions::NoAttributes);
    let mut text = |pos| {
        c.seek_to(pos)
            .then(|| c.interpret())
            .flatten()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    };
    let name = text(n.subject_primary).unwrap_or_else(|| "?".to_owned());
    let result = text(n.results).unwrap_or_else(|| "?".to_owned());
    let mut line = Vec::new();
    text_event(&mut normalizer.cursor(event), None, &mut line);
    let sentence = String::from_utf8_lossy(&line);
    let sentence = sentence.trim_end();
    let mut body = sentence
        .strip_prefix("At ? ")
        .unwrap_or(sentence)
        .to_owned();
    // Where the login came from: the sentence names the terminal only.
    let mut c = normalizer.cursor(event);
    while c.record_type() != Some(RecordType::USER_LOGIN) && c.next_record() {}
    for name in ["addr", "hostname"] {
        c.first_field();
        let value = c.find_field(name).and_then(|_| c.interpret());
        if let Some(v) = value.filter(|v| !v.is_empty() && v != b"?") {
            body.push_str(&format!("\n{name} {}", String::from_utf8_lossy(&v)));
        }
    }
    // The summary is plain text to the notification server; the body may hold
    // markup, so what the audit data says goes in escaped.
    Some((format!("{name} log in {result}"), escape_markup(&body)))
}

/// `text` with the characters that notification servers read as markup escaped.
fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// A notifier child still running.
struct Running {
    child: Child,
    uid: u32,
    summary: String,
    started: Instant,
}

struct LoginAlert {
    run_user_dir: PathBuf,
    normalizer: NormalizeContext,
    me: PathBuf,
    /// The notifiers started and not yet reaped: none is waited for while events
    /// come (a session bus that never answers must not hold up the next login).
    running: Vec<Running>,
    /// Notifications that failed, timed out or were not sent for too many running.
    failed: u64,
}

impl LoginAlert {
    fn notify(&mut self, session: &Session, summary: &str, body: &str) {
        if self.running.len() >= MAX_RUNNING {
            self.fail(
                session.uid,
                &format!("{MAX_RUNNING} notifiers running, not sent"),
            );
            return;
        }
        let started = Command::new(&self.me)
            .arg("--notify-child")
            .arg(&session.bus)
            .args([summary, body])
            .env_clear()
            .current_dir("/")
            .uid(session.uid)
            .gid(session.gid)
            .stdin(Stdio::null())
            .spawn();
        match started {
            Ok(child) => self.running.push(Running {
                child,
                uid: session.uid,
                summary: summary.to_owned(),
                started: Instant::now(),
            }),
            Err(e) => self.fail(session.uid, &format!("starting the notifier: {e}")),
        }
    }

    fn fail(&mut self, uid: u32, why: &str) {
        self.failed += 1;
        say(format_args!(
            "uid {uid}: {why} ({} failed so far)",
            self.failed
        ));
    }

    /// Reaps the notifiers that ended, and kills those past [`CHILD_DEADLINE`].
    fn reap(&mut self) {
        let mut i = 0;
        while i < self.running.len() {
            let r = &mut self.running[i];
            let outcome = match r.child.try_wait() {
                Ok(Some(status)) if status.success() => Some(Ok(())),
                Ok(Some(status)) => Some(Err(format!("notifier {status}"))),
                Ok(None) if r.started.elapsed() > CHILD_DEADLINE => {
                    let _ = r.child.kill();
                    let _ = r.child.wait();
                    Some(Err(format!("notifier took over {CHILD_DEADLINE:?}")))
                }
                Ok(None) => None,
                Err(e) => Some(Err(format!("waiting for the notifier: {e}"))),
            };
            let Some(outcome) = outcome else {
                i += 1;
                continue;
            };
            let done = self.running.swap_remove(i);
            match outcome {
                Ok(()) => say(format_args!("told uid {}: {}", done.uid, done.summary)),
                Err(e) => self.fail(done.uid, &e),
            }
        }
    }

    /// Waits for every notifier still running (at most [`CHILD_DEADLINE`]).
    fn reap_all(&mut self) {
        while !self.running.is_empty() {
            self.reap();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One line on stderr; nothing if stderr is gone (`eprintln!` would panic).
fn say(what: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "login-alert: {what}");
}

impl Handler for LoginAlert {
    fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
        self.reap();
        let event = match item {
            Ok(ev) => ev,
            Err(e) => {
                say(format_args!("{e}"));
                return Ok(());
            }
        };
        let Some((summary, body)) = login_notice(&mut self.normalizer, event) else {
            return Ok(());
        };
        for session in sessions(&self.run_user_dir) {
            self.notify(&session, &summary, &body);
        }
        Ok(())
    }

    fn timer(&mut self) -> HandlerResult {
        self.reap();
        Ok(())
    }
}

/// The child's work: one notification on the bus at `bus`, as whoever we are now.
fn notify_child(bus: &str, summary: &str, body: &str) -> zbus::Result<u32> {
    let connection =
        zbus::blocking::connection::Builder::address(format!("unix:path={bus}").as_str())?
            .build()?;
    let hints: HashMap<&str, zbus::zvariant::Value<'_>> = HashMap::new();
    let reply = connection.call_method(
        Some("org.freedesktop.Notifications"),
        "/org/freedesktop/Notifications",
        Some("org.freedesktop.Notifications"),
        "Notify",
        &(
            "login-alert",
            0u32,
            "",
            summary,
            body,
            Vec::<&str>::new(),
            hints,
            -1i32,
        ),
    )?;
    reply.body().deserialize::<u32>()
}

fn main() {
    let fail = |e: &dyn std::fmt::Display| -> ! {
        say(format_args!("{e}"));
        std::process::exit(1)
    };
    let args = std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string()
                .unwrap_or_else(|a| fail(&format!("argument {a:?} is not UTF-8")))
        })
        .collect::<Vec<_>>();
    if args.first().map(String::as_str) == Some("--notify-child") {
        let [_, bus, summary, body] = <[String; 4]>::try_from(args)
            .unwrap_or_else(|_| fail(&"--notify-child BUS SUMMARY BODY"));
        match notify_child(&bus, &summary, &body) {
            Ok(_) => return,
            Err(e) => fail(&format!("notifying on {bus}: {e}")),
        }
    }
    let (plugin, rest) = Plugin::split_args(args).unwrap_or_else(|e| fail(&e));
    let mut run_user_dir = PathBuf::from("/run/user");
    let mut rest = rest.into_iter();
    while let Some(a) = rest.next() {
        if let Some(d) = a.strip_prefix("--run-user-dir=") {
            run_user_dir = PathBuf::from(d);
        } else if a == "--run-user-dir" {
            run_user_dir = rest
                .next()
                .map(PathBuf::from)
                .unwrap_or_else(|| fail(&"--run-user-dir DIR"));
        } else {
            fail(&format!("unknown argument {a:?}"));
        }
    }
    let me = std::env::current_exe().unwrap_or_else(|e| fail(&format!("own path: {e}")));
    let mut alert = LoginAlert {
        run_user_dir,
        normalizer: NormalizeContext::default(),
        me,
        running: Vec::new(),
        failed: 0,
    };
    let result = plugin
        .timer_interval(Duration::from_millis(500))
        .run(&mut alert);
    alert.reap_all();
    if let Err(e) = result {
        fail(&e);
    }
}
