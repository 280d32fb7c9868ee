//! An audit dispatcher plugin that mails what happened whenever an event carries a
//! given rule key (`auditctl ... -k KEY`).
//!
//! `key-alert CONFIG [--format binary] [runtime options]`. CONFIG holds `name = value`
//! lines, each setting at most once; a line whose first non-blank character is `#` is
//! a comment (a `#` further on is part of the value: rule keys may hold one):
//!
//! | name | meaning |
//! |---|---|
//! | `key` | the rule key to watch |
//! | `smtp_server` | the SMTP server's host name or address (plain SMTP, no TLS: a local relay) |
//! | `smtp_port` | its port (default 25) |
//! | `mail_from` | the sender's address |
//! | `mail_to` | the recipients, comma-separated as in a `To:` header (`"Doe, J" <j@example.org>, k@example.org`) |
//! | `rate_limit` | most mails in any minute, 1 or more (default 10); events past it are counted, not mailed |
//! | `retry_after` | seconds to send nothing after a mail fails (default 60); events meanwhile are counted, not mailed |
//!
//! Each mail's subject names the key; its body is the normalizer's sentence for the
//! event (who did what to what, how, with what result: the sentence `ausearch --format
//! text` prints) and the event's id, and, when alerts were not mailed since the last
//! mail (over the rate limit, failed to send, or skipped after a failure), how many.
//! SIGHUP re-reads CONFIG (a bad file keeps the
//! configuration in force and says why on stderr). See
//! `examples/plugins.d/key-alert.conf`.
use audit_normalize::NormalizeContext;
use audit_plugin::{Event, Handler, HandlerResult, ItemRef, Plugin};
use lettre::message::{Mailbox, Mailboxes};
use lettre::{Message, SmtpTransport, Transport};
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The plugin's settings, from CONFIG.
#[derive(Debug, Clone)]
struct Config {
    key: String,
    smtp_server: String,
    smtp_port: u16,
    mail_from: Mailbox,
    mail_to: Vec<Mailbox>,
    rate_limit: usize,
    retry_after: Duration,
}

/// A configuration error: where and what.
fn bad(path: &Path, line: usize, what: impl std::fmt::Display) -> String {
    format!("{}:{line}: {what}", path.display())
}

impl Config {
    fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let (mut key, mut server, mut port, mut from, mut to, mut rate) =
            (None, None, 25u16, None, Vec::new(), 10usize);
        let mut retry_after = Duration::from_secs(60);
        // The line each setting was given on: a second one is an error, not a
        // silent replacement.
        let mut given: Vec<(String, usize)> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            // A comment is a whole line: keys and addresses may hold '#'.
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, value) = line
                .split_once('=')
                .map(|(a, b)| (a.trim(), b.trim()))
                .ok_or_else(|| bad(path, n, "expected `name = value`"))?;
            if let Some((_, first)) = given.iter().find(|(g, _)| g == name) {
                return Err(bad(
                    path,
                    n,
                    format!("`{name}` already set on line {first}"),
                ));
            }
            given.push((name.to_owned(), n));
            let mailbox = |v: &str| {
                v.parse::<Mailbox>()
                    .map_err(|e| bad(path, n, format!("address {v:?}: {e}")))
            };
            match name {
                "key" => key = Some(value.to_owned()),
                "smtp_server" => server = Some(value.to_owned()),
                "smtp_port" => {
                    port = value
                        .parse()
                        .map_err(|_| bad(path, n, format!("port {value:?}")))?
                }
                "mail_from" => from = Some(mailbox(value)?),
                "mail_to" => {
                    // An address list as in a To: header (`"Doe, J" <j@x>, k@y`).
                    to = value
                        .parse::<Mailboxes>()
                        .map_err(|e| bad(path, n, format!("addresses {value:?}: {e}")))?
                        .into_iter()
                        .collect()
                }
                "rate_limit" => {
                    rate = value.parse().ok().filter(|r| *r > 0).ok_or_else(|| {
                        bad(path, n, format!("rate_limit {value:?}: not 1 or more"))
                    })?
                }
                "retry_after" => {
                    retry_after = value
                        .parse()
                        .map(Duration::from_secs)
                        .map_err(|_| bad(path, n, format!("retry_after {value:?}")))?
                }
                other => return Err(bad(path, n, format!("unknown setting {other:?}"))),
            }
        }
        let missing = |what| format!("{}: no `{what}` setting", path.display());
        let config = Config {
            key: key.ok_or_else(|| missing("key"))?,
            smtp_server: server.ok_or_else(|| missing("smtp_server"))?,
            smtp_port: port,
            mail_from: from.ok_or_else(|| missing("mail_from"))?,
            mail_to: to,
            rate_limit: rate,
            retry_after,
        };
        if config.mail_to.is_empty() {
            return Err(missing("mail_to"));
        }
        Ok(config)
    }
}

struct KeyAlert {
    path: PathBuf,
    config: Config,
    mailer: SmtpTransport,
    normalizer: NormalizeContext,
    /// When the mails of the last minute went.
    sent: VecDeque<Instant>,
    /// Alerts not mailed since the last mail that went out: over the rate limit,
    /// failed to send, skipped while waiting after a failure.
    suppressed: u64,
    failed: u64,
    skipped: u64,
    /// After a failed mail, nothing is sent before this.
    retry_at: Option<Instant>,
}

/// One line on stderr; nothing if stderr is gone (`eprintln!` would panic).
fn say(what: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "key-alert: {what}");
}

fn mailer(c: &Config) -> SmtpTransport {
    // Plain SMTP to a relay the administrator names (usually on this host).
    SmtpTransport::builder_dangerous(&c.smtp_server)
        .port(c.smtp_port)
        .timeout(Some(Duration::from_secs(20)))
        .build()
}

impl KeyAlert {
    fn mail(&mut self, event: &Event, sentence: &str) -> HandlerResult {
        let now = Instant::now();
        while self
            .sent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.sent.pop_front();
        }
        if self.sent.len() >= self.config.rate_limit {
            self.suppressed += 1;
            say(format_args!(
                "rate limit ({} a minute): event {} not mailed ({} so far)",
                self.config.rate_limit,
                event.id(),
                self.suppressed
            ));
            return Ok(());
        }
        // A server that failed is given `retry_after` before the next try, so that
        // a down server costs one timeout, not one per event.
        if self.retry_at.is_some_and(|t| now < t) {
            self.skipped += 1;
            say(format_args!(
                "event {} not mailed: waiting after a failed mail ({} skipped)",
                event.id(),
                self.skipped
            ));
            return Ok(());
        }
        let mut builder = Message::builder()
            .from(self.config.mail_from.clone())
            .subject(format!("audit: key {} ({})", self.config.key, event.id()));
        for to in &self.config.mail_to {
            builder = builder.to(to.clone());
        }
        let mut body = format!("{sentence}\n\nevent {}\n", event.id());
        if self.suppressed + self.failed + self.skipped > 0 {
            body.push_str(&format!(
                "\nAlerts not mailed since the last mail: {} over the rate limit, \
                 {} failed to send, {} skipped after a failure.\n",
                self.suppressed, self.failed, self.skipped
            ));
        }
        let message = builder.body(body)?;
        match self.mailer.send(&message) {
            Ok(_) => {
                self.sent.push_back(now);
                self.retry_at = None;
                (self.suppressed, self.failed, self.skipped) = (0, 0, 0);
            }
            Err(e) => {
                self.failed += 1;
                self.retry_at = Some(Instant::now() + self.config.retry_after);
                say(format_args!(
                    "mailing event {}: {e} ({} failed; next try in {:?})",
                    event.id(),
                    self.failed,
                    self.config.retry_after
                ));
            }
        }
        Ok(())
    }
}

impl Handler for KeyAlert {
    fn event(&mut self, item: ItemRef<'_>) -> HandlerResult {
        let event = match item {
            Ok(ev) => ev,
            Err(e) => {
                say(format_args!("{e}"));
                return Ok(());
            }
        };
        if !event
            .keys()
            .iter()
            .any(|k| **k == *self.config.key.as_bytes())
        {
            return Ok(());
        }
        // The sentence, after the node's name when the event has one.
        let mut text = match event.node() {
            Some(node) => format!("{}: ", String::from_utf8_lossy(node)),
            None => String::new(),
        };
        text.push_str(&self.normalizer.summarize(event).sentence.to_str_lossy());
        self.mail(event, &text)
    }

    fn reload(&mut self) -> HandlerResult {
        match Config::read(&self.path) {
            Ok(config) => {
                self.mailer = mailer(&config);
                self.config = config;
                say(format_args!(
                    "configuration reloaded (key {})",
                    self.config.key
                ));
            }
            Err(e) => say(format_args!("reload failed, configuration unchanged: {e}")),
        }
        Ok(())
    }
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
    let (plugin, rest) = Plugin::split_args(args).unwrap_or_else(|e| fail(&e));
    let [path] = <[String; 1]>::try_from(rest)
        .unwrap_or_else(|_| fail(&"usage: key-alert CONFIG [--format string|binary]"));
    let path = PathBuf::from(path);
    let config = Config::read(&path).unwrap_or_else(|e| fail(&e));
    let mut alert = KeyAlert {
        mailer: mailer(&config),
        path,
        config,
        normalizer: NormalizeContext::default(),
        sent: VecDeque::new(),
        suppressed: 0,
        failed: 0,
        skipped: 0,
        retry_at: None,
    };
    if let Err(e) = plugin.run(&mut alert) {
        fail(&e);
    }
}
