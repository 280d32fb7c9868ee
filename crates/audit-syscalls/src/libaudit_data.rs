//! Reads `data/libaudit-3.0.9-syscalls.txt`: how libaudit 3.0.9's syscall
//! tables differ from the kernel's (format in the file's header).
//!
//! Shared by `build.rs` (which includes this file as a module and generates
//! libaudit's tables from it, see [`crate::compat`]) and this crate's tests.

/// What the data says about one machine's table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Differences<'a> {
    /// libaudit names no number above this.
    pub(crate) max: u32,
    /// Inclusive ranges of numbers the kernel names and libaudit does not.
    pub(crate) lacks: Vec<(u32, u32)>,
    /// libaudit's own name for these numbers.
    pub(crate) names: Vec<(u32, &'a str)>,
}

/// A line of the data that does not parse (1-based line number).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadLine(pub(crate) usize);

fn parse_range(word: &str) -> Option<(u32, u32)> {
    let (lo, hi) = word.split_once('-').unwrap_or((word, word));
    let (lo, hi) = (lo.parse().ok()?, hi.parse().ok()?);
    (lo <= hi).then_some((lo, hi))
}

/// Parses the data into one entry per table of `labels` (libaudit's names
/// of its machines: its ARM table is `armeb`), `None` for one the data does
/// not mention. A line naming a machine outside `labels` is bad.
pub(crate) fn parse_data<'a>(
    text: &'a str,
    labels: &[&str],
) -> Result<Vec<Option<Differences<'a>>>, BadLine> {
    let mut out: Vec<Option<Differences<'a>>> = vec![None; labels.len()];
    for (index, line) in text.lines().enumerate() {
        let bad = || BadLine(index + 1);
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_ascii_whitespace();
        let (Some(label), Some(kind)) = (words.next(), words.next()) else {
            return Err(bad());
        };
        let at = labels.iter().position(|l| *l == label).ok_or_else(bad)?;
        let diff = out[at].get_or_insert_with(Differences::default);
        match kind {
            "max" => {
                diff.max = words.next().and_then(|w| w.parse().ok()).ok_or_else(bad)?;
                if words.next().is_some() {
                    return Err(bad());
                }
            }
            "lacks" => {
                for word in words {
                    diff.lacks.push(parse_range(word).ok_or_else(bad)?);
                }
            }
            "names" => {
                let (Some(nr), Some(name), None) = (words.next(), words.next(), words.next())
                else {
                    return Err(bad());
                };
                diff.names.push((nr.parse().map_err(|_| bad())?, name));
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}
