//! Rule files (`auditctl -R`, `/etc/audit/rules.d/*.rules`): one auditctl
//! command per line, `#` comments, blank lines, `\ ` for a space inside a word.

use crate::env::Environment;
use crate::error::{RuleError, RuleErrorKind, RuleFileError};
use crate::parse::{parse_args, Parsed};

/// Split one rule-file line into words as auditctl does: words are separated by
/// spaces (only spaces: a tab is part of a word), `\ ` is a space inside a word
/// and `\\` a backslash (except in the first word, which auditctl leaves as
/// written). Returns `None` for a blank line or a comment.
pub fn split_line(line: &str) -> Option<Vec<String>> {
    if line.bytes().all(|b| b == b' ') {
        return None;
    }
    // Mark escapes as auditctl's preprocess does: `\ ` and `\\` become two marker bytes.
    let mut bytes = line.as_bytes().to_vec();
    let mut esc = false;
    for i in 0..bytes.len() {
        if bytes[i] == b'\\' && !esc {
            esc = true;
        } else if esc {
            if bytes[i] == b' ' {
                bytes[i] = 0x07;
                bytes[i - 1] = 0x07;
            } else if bytes[i] == b'\\' {
                bytes[i] = 0x04;
                bytes[i - 1] = 0x04;
            }
            esc = false;
        }
    }
    let words: Vec<&[u8]> = bytes
        .split(|b| *b == b' ')
        .filter(|w| !w.is_empty())
        .collect();
    let first = words.first()?;
    if first.first() == Some(&b'#') {
        return None;
    }
    // auditctl's argument array holds strlen/3 + 3 entries, the program name included.
    let max_words = line.len() / 3 + 2 - 1;
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate().take(max_words.max(1)) {
        let word = if i == 0 {
            w.to_vec()
        } else {
            let mut o = Vec::with_capacity(w.len());
            let mut j = 0;
            while j < w.len() {
                match w[j] {
                    0x07 => {
                        o.push(b' ');
                        j += 2;
                    }
                    0x04 => {
                        o.push(b'\\');
                        j += 2;
                    }
                    b => {
                        o.push(b);
                        j += 1;
                    }
                }
            }
            o
        };
        out.push(String::from_utf8_lossy(&word).into_owned());
    }
    Some(out)
}

/// The words of each line of a rule file given as bytes, numbered from 1;
/// blank and comment lines are skipped ([`split_line`]). A line that is not
/// UTF-8 gives an error ([`RuleErrorKind::NotUtf8`], with the line number and
/// the offset of the first bad byte) instead of words decoded lossily, which
/// would name another path or key; a comment may hold any bytes.
///
/// ```
/// use audit_rules::{rule_file_words, RuleErrorKind};
/// let file = b"# caf\xe9\n-w /srv/caf\xe9 -p wa\n-w /srv/cafe -p wa\n";
/// let lines: Vec<_> = rule_file_words(file).collect();
/// assert_eq!(lines.len(), 2);
/// let (line, bad) = &lines[0];
/// assert_eq!(*line, 2);
/// assert_eq!(bad.as_ref().unwrap_err().kind, RuleErrorKind::NotUtf8 { offset: 11 });
/// assert_eq!(lines[1].1.as_ref().unwrap()[1], "/srv/cafe");
/// ```
pub fn rule_file_words(
    bytes: &[u8],
) -> impl Iterator<Item = (usize, Result<Vec<String>, RuleError>)> + '_ {
    bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = i + 1;
            // The same test as split_line's for blank and comment lines.
            let first = raw.split(|b| *b == b' ').find(|w| !w.is_empty());
            if first.is_none_or(|w| w.first() == Some(&b'#')) {
                return None;
            }
            let words = match std::str::from_utf8(raw) {
                Ok(text) => Ok(split_line(text)?),
                Err(e) => Err(RuleError {
                    line: Some(line),
                    token: String::from_utf8_lossy(raw).into_owned(),
                    kind: RuleErrorKind::NotUtf8 {
                        offset: e.valid_up_to(),
                    },
                    warnings: Vec::new(),
                    names_rule_list: false,
                }),
            };
            Some((line, words))
        })
}

/// One non-blank, non-comment line of a rule file and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleLine {
    /// 1-based line number.
    pub line: usize,
    /// The words of the line.
    pub words: Vec<String>,
    /// The commands and warnings of the line.
    pub parsed: Parsed,
}

/// Parse every line of a rule file. All lines are read; when some are wrong the
/// error lists every bad line (auditctl stops at the first).
///
/// ```
/// use audit_rules::{parse_rules, SystemEnv};
/// let text = "# base\n-D\n-b 8192\n\n-w /etc/passwd -p wa -k identity\n";
/// let lines = parse_rules("audit.rules", text, &SystemEnv::new()).unwrap();
/// assert_eq!(lines.len(), 3);
/// let bad = parse_rules("x.rules", "-a always,exit -F bogus=1\n-w etc\n", &SystemEnv::new())
///     .unwrap_err();
/// assert_eq!(bad.errors.len(), 2);
/// assert_eq!(bad.errors[0].message(), "-F unknown field: bogus");
/// assert_eq!(bad.errors[1].line, Some(2));
/// ```
pub fn parse_rules(
    file: &str,
    text: &str,
    env: &dyn Environment,
) -> Result<Vec<RuleLine>, RuleFileError> {
    parse_rule_bytes(file, text.as_bytes(), env)
}

/// [`parse_rules`] for a file read as bytes: a line that is not UTF-8 is one
/// of the errors, with its number ([`rule_file_words`]).
///
/// ```
/// use audit_rules::{parse_rule_bytes, SystemEnv};
/// let bad = parse_rule_bytes("x.rules", b"-D\n-w /srv/caf\xe9\n", &SystemEnv::new()).unwrap_err();
/// assert_eq!(bad.errors[0].line, Some(2));
/// assert!(bad.to_string().contains("not valid UTF-8 at byte 11"));
/// ```
pub fn parse_rule_bytes(
    file: &str,
    bytes: &[u8],
    env: &dyn Environment,
) -> Result<Vec<RuleLine>, RuleFileError> {
    let mut lines = Vec::new();
    let mut errors: Vec<RuleError> = Vec::new();
    for (lineno, words) in rule_file_words(bytes) {
        let parsed = words.and_then(|words| {
            parse_args(&words, Some(lineno), env).map(|parsed| RuleLine {
                line: lineno,
                words,
                parsed,
            })
        });
        match parsed {
            Ok(line) => lines.push(line),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(RuleFileError {
            file: file.to_string(),
            errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitting() {
        assert_eq!(split_line("   "), None);
        assert_eq!(split_line(""), None);
        assert_eq!(split_line("  # c"), None);
        assert_eq!(
            split_line("-w /a\\ b  -k x\\\\y"),
            Some(vec!["-w".into(), "/a b".into(), "-k".into(), "x\\y".into()])
        );
        assert_eq!(
            split_line("-a\tb c"),
            Some(vec!["-a\tb".into(), "c".into()])
        );
        // Short words: auditctl's argument array is only strlen/3 + 3 long.
        assert_eq!(split_line("a b c d e f").map(|w| w.len()), Some(4));
    }
}
