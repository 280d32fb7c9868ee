//! [`Summary`]: the normalizer's answers as interpreted text.

use super::format::{cut, succeeded, text_event};
use super::{FieldPos, NormalizeContext, NormalizeOptions, ObjectKind};
use audit_interpret::FieldType;
use audit_interpret::Text;
use audit_parse::Event;

/// What the normalizer found in one event, as interpreted text: who
/// (`subject`), acting as whom, did what (`action`) to what (`object`), how,
/// with what result, under which rule key, and the sentence
/// `ausearch --format text` prints for it. Made by
/// [`NormalizeContext::summarize`].
///
/// Each text is the interpretation of the field the normalizer points at
/// ([`Normalized`](super::Normalized) gives the positions), the way
/// `ausearch --format text` shows it: a file object as its full path
/// (`auparse_interpret_realpath`), a socket object as its address. `None`
/// where the normalizer found no such field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The kind of event (`user-login`, `audit-rule`, ...).
    pub event_kind: Option<&'static str>,
    /// The session (`ses`), interpreted.
    pub session: Option<Text>,
    /// Who did it (usually the login user, `auid`): `root`, `unset`, ...
    pub subject: Option<Text>,
    /// The identity the subject acted as (usually `uid`).
    pub acting_as: Option<Text>,
    /// What kind of account the subject is (`privileged-acct`, ...).
    pub subject_kind: Option<&'static str>,
    /// What was done (`executed`, `opened-file`, ...).
    pub action: Option<Text>,
    /// What it was done to.
    pub object: Option<Text>,
    /// More about the object (an inode, a port, ...).
    pub object_secondary: Option<Text>,
    /// A second object (the new name of a rename, ...).
    pub object2: Option<Text>,
    /// What kind of thing the object is.
    pub object_kind: ObjectKind,
    /// The interpreted result field (`yes`, `success`, `failed`, ...).
    pub results: Option<Text>,
    /// Whether it worked, by `results` (`None` without a result field).
    pub success: Option<bool>,
    /// How it was done: a program, a signal, a syscall name.
    pub how: Option<Text>,
    /// The rule key (`key`), interpreted.
    pub key: Option<Text>,
    /// The sentence `ausearch --format text` prints, without its leading
    /// time (`At 22:13:20 11/14/23 `) or node and time (`On host at ... `)
    /// and without the newline or trailing spaces: `root successfully executed
    /// /usr/bin/ls`.
    pub sentence: Text,
}

impl std::fmt::Display for Summary {
    /// The sentence.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.sentence.fmt(f)
    }
}

impl NormalizeContext {
    /// Normalizes `event` and gives the answers as text ([`Summary`]).
    ///
    /// ```
    /// use audit_normalize::NormalizeContext;
    /// use audit_parse::Parser;
    /// let mut p = Parser::default();
    /// p.feed(b"type=SYSCALL msg=audit(1700000000.000:7): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=2 ppid=1 pid=2 auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=3 comm=\"ls\" exe=\"/usr/bin/ls\" key=\"exec\"\n\
    ///          type=EXECVE msg=audit(1700000000.000:7): argc=1 a0=\"ls\"\n\
    ///          type=CWD msg=audit(1700000000.000:7): cwd=\"/root\"\n\
    ///          type=PATH msg=audit(1700000000.000:7): item=0 name=\"/usr/bin/ls\" inode=5 dev=08:01 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL\n\
    ///          type=EOE msg=audit(1700000000.000:7): \n");
    /// let event = p.next_event().unwrap().unwrap();
    /// let s = NormalizeContext::default().summarize(&event);
    /// assert_eq!(s.subject.unwrap(), "root");
    /// assert_eq!(s.action.unwrap(), "executed");
    /// assert_eq!(s.object.unwrap(), "/usr/bin/ls");
    /// assert_eq!((s.results.unwrap(), s.success), ("yes".into(), Some(true)));
    /// assert_eq!(s.key.unwrap(), "exec");
    /// assert_eq!(s.sentence, "root successfully executed /usr/bin/ls");
    /// ```
    pub fn summarize(&mut self, event: &Event) -> Summary {
        let mut line = Vec::new();
        text_event(&mut self.cursor(event), None, &mut line);
        let mut c = self.cursor(event);
        let n = c.normalize(NormalizeOptions::NoAttributes);
        let mut text =
            |pos: Option<FieldPos>, how: fn(&mut super::EventCursor<'_>) -> Option<Vec<u8>>| {
                c.seek_to(pos)
                    .then(|| cut(how(&mut c)))
                    .flatten()
                    .map(Text::from)
            };
        let plain = |c: &mut super::EventCursor<'_>| c.interpret();
        let file_or_plain = |c: &mut super::EventCursor<'_>| {
            match c.field_type() {
                FieldType::EscapedFile => c.interpret_realpath(),
                FieldType::Sockaddr => c
                    .interpret_sock_address()
                    .or_else(|| c.interpret_sock_family()),
                _ => None,
            }
            .or_else(|| c.interpret())
        };
        let session = text(n.session, plain);
        let subject = text(n.subject_primary, plain);
        let acting_as = text(n.subject_secondary, plain);
        let object = text(n.object_primary, file_or_plain);
        let object_secondary = text(n.object_secondary, plain);
        let object2 = text(n.object_primary2, file_or_plain);
        let key = text(n.key, plain);
        let (results, success) = if c.seek_to(n.results) {
            let r = cut(c.interpret());
            let ok = succeeded(&mut c, r.as_deref());
            (r.map(Text::from), Some(ok))
        } else {
            (None, None)
        };
        Summary {
            event_kind: n.event_kind,
            session,
            subject,
            acting_as,
            subject_kind: n.subject_kind,
            action: n.action.map(Text::from),
            object,
            object_secondary,
            object2,
            object_kind: n.object_kind,
            results,
            success,
            how: n.how.map(Text::from),
            key,
            sentence: Text::from(sentence_of(&line, event.node().is_some())),
        }
    }
}

/// The sentence of a `text_event` line printed without a time: what follows
/// `At ? ` or `On NODE at ? `, without the newline and trailing spaces.
fn sentence_of(line: &[u8], node: bool) -> Vec<u8> {
    let end = line
        .iter()
        .rposition(|&b| b != b'\n' && b != b' ')
        .map_or(0, |p| p + 1);
    let line = &line[..end];
    let start = if node {
        memchr::memmem::find(line, b" at ? ").map_or(0, |p| p + 6)
    } else {
        line.strip_prefix(b"At ? ").map_or(0, |_| 5)
    };
    line[start..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use audit_parse::Parser;

    fn event(text: &[u8]) -> Event {
        let mut p = Parser::default();
        p.feed(text);
        p.flush();
        p.next_event().unwrap().unwrap()
    }

    #[test]
    fn texts_of_a_failed_login_on_a_node() {
        let ev = event(b"node=web1 type=USER_LOGIN msg=audit(1700000000.000:9): pid=5 uid=0 auid=4294967295 ses=4294967295 msg='op=login acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.9 terminal=ssh res=failed'\n");
        let s = NormalizeContext::default().summarize(&ev);
        assert_eq!(s.event_kind, Some("user-login"));
        assert_eq!(s.subject.as_ref().unwrap(), "root");
        assert_eq!(s.action.as_ref().unwrap(), "logged-in");
        assert_eq!(s.results.as_ref().unwrap(), "failed");
        assert_eq!(s.success, Some(false));
        assert_eq!(s.how.as_ref().unwrap(), "/usr/sbin/sshd");
        assert_eq!(s.key, None);
        // The node and time are cut from the sentence, and it matches what
        // the report prints after them.
        let mut line = Vec::new();
        crate::format::text_event(
            &mut NormalizeContext::default().cursor(&ev),
            None,
            &mut line,
        );
        assert!(
            line.starts_with(b"On web1 at ? "),
            "{:?}",
            String::from_utf8_lossy(&line)
        );
        assert_eq!(format!("{s}"), s.sentence.to_str_lossy());
        assert!(!s.sentence.as_bytes().starts_with(b"On "), "{s}");
        assert!(
            line.ends_with(format!("{s}\n").as_bytes())
                || line.ends_with(format!("{s} \n").as_bytes())
        );
        assert!(s.sentence.to_str_lossy().contains("unsuccessfully"), "{s}");
    }

    #[test]
    fn sentence_without_time() {
        assert_eq!(sentence_of(b"At ? a b c \n", false), b"a b c");
        assert_eq!(sentence_of(b"On n at ? a b\n", true), b"a b");
        assert_eq!(sentence_of(b"", false), b"");
    }
}
