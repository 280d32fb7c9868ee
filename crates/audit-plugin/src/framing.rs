//! The two formats the audit dispatcher writes to a plugin, cut into records.

use audit_wire::RecordType;

/// The format of the dispatcher's stream (a plugin's `format` in `plugins.d`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// `format = string`: one record a line, `type=NAME msg=audit(...): ...\n`.
    #[default]
    String,
    /// `format = binary`: each record is a 16-byte header `{u32 version, u32 header
    /// length (16), u32 type, u32 size}` in host byte order, then its payload.
    Binary,
}

/// How the payloads of the `binary` format are laid out.
///
/// auditd 3.0.9 (its dispatcher's `write_to_plugin` writes the header and the whole
/// `MAX_AUDIT_MESSAGE_LENGTH` data buffer with one `writev`) pads every payload to
/// [`PADDED_PAYLOAD`] bytes, whatever `size` says; the bytes past `size` are whatever
/// the buffer held. auditd 4.1 and later write exactly `size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum BinaryLayout {
    /// Decide from the stream: after the first record whose `size` is below
    /// [`PADDED_PAYLOAD`], the 8 bytes following its payload are a valid header start
    /// (version 0 or 1, header length 16) in the exact layout; otherwise they are
    /// padding. The record itself is handed out at once; only the next waits for
    /// those bytes.
    #[default]
    Auto,
    /// Every payload takes [`PADDED_PAYLOAD`] bytes (auditd 3.0.x).
    Padded,
    /// Every payload takes exactly `size` bytes (auditd 4.1+).
    Exact,
}

/// Bytes a payload takes in the padded layout (libaudit's `MAX_AUDIT_MESSAGE_LENGTH`).
pub const PADDED_PAYLOAD: usize = 8970;
/// Length of a binary record's header.
pub const HEADER_LEN: usize = 16;
/// Protocol version whose payload is the kernel's text without `type=... msg=`.
const VERSION_RAW: u32 = 0;
/// Protocol version whose payload is the record already formatted as a line.
const VERSION_FORMATTED: u32 = 1;

/// What is wrong with a `binary` stream; reading cannot go on after it (nothing tells
/// where the next record starts).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The header's version is neither 0 nor 1.
    #[error("binary record at byte {offset}: unknown protocol version {version}")]
    UnknownVersion {
        /// Offset of the header in the stream.
        offset: u64,
        /// The version read.
        version: u32,
    },
    /// The header's length field is not 16.
    #[error("binary record at byte {offset}: header length {len}, expected 16")]
    HeaderLength {
        /// Offset of the header in the stream.
        offset: u64,
        /// The length read.
        len: u32,
    },
    /// The payload is longer than the layout or the limit allows.
    #[error("binary record at byte {offset}: payload size {size} over the limit {limit}")]
    PayloadTooLong {
        /// Offset of the header in the stream.
        offset: u64,
        /// The size read.
        size: u32,
        /// The largest size accepted.
        limit: usize,
    },
    /// The stream ended inside a record.
    #[error("binary stream ended at byte {offset}, inside a record")]
    Truncated {
        /// Where the stream ended.
        offset: u64,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Undecided,
    /// Decide from the next 8 bytes; skip `pad` bytes when they are padding.
    Deciding {
        pad: usize,
    },
    Padded,
    Exact,
}

/// A `string` line a [`Deframer`] skipped for being longer than its limit: where it
/// was and how long, for a report that names it (the line itself is not kept, so
/// memory stays bounded whatever its length).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedLine {
    /// Its line number in the stream, from 1.
    pub line: u64,
    /// Stream offset of its first byte.
    pub offset: u64,
    /// Its length in bytes, without the newline that ended it.
    pub len: u64,
    /// The limit it went over ([`Deframer::new`]'s `max_record_len`).
    pub limit: usize,
    /// Its first bytes (at most [`SkippedLine::START_LEN`]).
    pub start: Vec<u8>,
}

impl SkippedLine {
    /// The most bytes of a skipped line's start kept in [`SkippedLine::start`].
    pub const START_LEN: usize = 80;

    /// `more` bytes of the line went by: count them, and keep what `start` has room for.
    fn extend(&mut self, more: &[u8]) {
        self.len += more.len() as u64;
        let room = Self::START_LEN.saturating_sub(self.start.len());
        self.start.extend_from_slice(&more[..more.len().min(room)]);
    }
}

impl std::fmt::Display for SkippedLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, byte {}: a {}-byte line, longer than {} bytes, skipped: \"{}\"",
            self.line,
            self.offset,
            self.len,
            self.limit,
            String::from_utf8_lossy(&self.start).escape_debug()
        )
    }
}

/// Where a [`Deframer`] puts the records it cuts.
///
/// `Vec<Vec<u8>>` takes each line as its own vector; the runtime's queue keeps the
/// records of one read in one buffer instead (a copy, no allocation, per record).
pub trait RecordSink {
    /// One record: its line without the newline (a `\r` before the newline stays, the
    /// parser removes it).
    fn push_record(&mut self, line: &[u8]);

    /// A `string` line skipped for being too long, in its place among the records.
    /// By default it is only counted ([`Deframer::too_long`]).
    fn skip_record(&mut self, skipped: SkippedLine) {
        let _ = skipped;
    }
}

impl RecordSink for Vec<Vec<u8>> {
    fn push_record(&mut self, line: &[u8]) {
        self.push(line.to_vec());
    }
}

/// Cuts a stream of bytes, in any chunks, into records (lines without their newline).
#[derive(Debug)]
pub struct Deframer {
    format: Format,
    layout: Layout,
    /// Bytes received and not yet used.
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    offset: u64,
    /// Padding still to skip.
    skip: usize,
    max_record_len: usize,
    /// `string`: the line being read is too long and is being skipped to its end;
    /// what is known of it so far (its `len` grows as its bytes go by).
    discarding: Option<SkippedLine>,
    too_long: u64,
    /// `string`: lines cut so far (records and skipped lines).
    lines: u64,
}

impl Deframer {
    /// A deframer for `format`; string lines longer than `max_record_len` bytes are
    /// skipped, counted ([`Deframer::too_long`]) and told to the sink
    /// ([`RecordSink::skip_record`]), binary payloads longer than it are an error.
    pub fn new(format: Format, layout: BinaryLayout, max_record_len: usize) -> Deframer {
        Deframer {
            format,
            layout: match layout {
                BinaryLayout::Auto => Layout::Undecided,
                BinaryLayout::Padded => Layout::Padded,
                BinaryLayout::Exact => Layout::Exact,
            },
            buf: Vec::new(),
            offset: 0,
            skip: 0,
            max_record_len: max_record_len.max(1),
            discarding: None,
            too_long: 0,
            lines: 0,
        }
    }

    /// String lines skipped for being longer than the limit.
    pub fn too_long(&self) -> u64 {
        self.too_long
    }

    /// The binary layout found so far: `None` while undecided (or for `string`).
    pub fn layout(&self) -> Option<BinaryLayout> {
        match self.layout {
            Layout::Padded => Some(BinaryLayout::Padded),
            Layout::Exact => Some(BinaryLayout::Exact),
            _ => None,
        }
    }

    /// Add `data` and append every record it completes to `out`.
    pub fn push<S: RecordSink + ?Sized>(
        &mut self,
        data: &[u8],
        out: &mut S,
    ) -> Result<(), FrameError> {
        match self.format {
            Format::String => {
                self.push_string(data, out);
                Ok(())
            }
            Format::Binary => {
                self.buf.extend_from_slice(data);
                let used = self.cut_binary(out);
                self.consume(used.0);
                used.1
            }
        }
    }

    /// End of the stream: a last line without newline is a record; a binary stream
    /// must end between records (padding of the last one may be missing).
    pub fn finish<S: RecordSink + ?Sized>(&mut self, out: &mut S) -> Result<(), FrameError> {
        match self.format {
            Format::String => {
                if let Some(skipped) = self.discarding.take() {
                    out.skip_record(skipped);
                } else if !self.buf.is_empty() {
                    self.lines += 1;
                    out.push_record(&self.buf);
                }
                self.offset += self.buf.len() as u64;
                self.buf.clear();
                Ok(())
            }
            Format::Binary if self.buf.is_empty() => Ok(()),
            Format::Binary => Err(FrameError::Truncated {
                offset: self.offset + self.buf.len() as u64,
            }),
        }
    }

    /// For `string`, `offset` is the stream offset of the line being read (its
    /// start in `buf`, or of the line being skipped).
    fn push_string<S: RecordSink + ?Sized>(&mut self, mut data: &[u8], out: &mut S) {
        while let Some(i) = memchr::memchr(b'\n', data) {
            if let Some(mut skipped) = self.discarding.take() {
                skipped.extend(&data[..i]);
                self.offset += skipped.len + 1;
                out.skip_record(skipped);
            } else if self.buf.len() + i > self.max_record_len {
                let skipped = self.start_skipping(&data[..i]);
                self.offset += skipped.len + 1;
                out.skip_record(skipped);
            } else {
                self.lines += 1;
                self.offset += (self.buf.len() + i) as u64 + 1;
                if self.buf.is_empty() {
                    out.push_record(&data[..i]);
                } else {
                    self.buf.extend_from_slice(&data[..i]);
                    out.push_record(&self.buf);
                    self.buf.clear();
                }
            }
            data = &data[i + 1..];
        }
        if let Some(skipped) = &mut self.discarding {
            skipped.extend(data);
        } else if self.buf.len() + data.len() > self.max_record_len {
            self.discarding = Some(self.start_skipping(data));
        } else {
            self.buf.extend_from_slice(data);
        }
    }

    /// The line held in `buf` and going on with `more` is too long: count it, keep
    /// its start and let go of the rest.
    fn start_skipping(&mut self, more: &[u8]) -> SkippedLine {
        self.too_long += 1;
        self.lines += 1;
        let mut skipped = SkippedLine {
            line: self.lines,
            offset: self.offset,
            len: 0,
            limit: self.max_record_len,
            start: Vec::with_capacity(SkippedLine::START_LEN),
        };
        skipped.extend(&self.buf);
        skipped.extend(more);
        self.buf.clear();
        skipped
    }

    /// Cut the records `buf` holds: (bytes used, result).
    fn cut_binary<S: RecordSink + ?Sized>(
        &mut self,
        out: &mut S,
    ) -> (usize, Result<(), FrameError>) {
        let mut at = 0;
        loop {
            let rest = &self.buf[at..];
            if self.skip > 0 {
                let n = self.skip.min(rest.len());
                self.skip -= n;
                at += n;
                if self.skip > 0 {
                    return (at, Ok(()));
                }
                continue;
            }
            if let Layout::Deciding { pad } = self.layout {
                if rest.len() < 8 {
                    return (at, Ok(()));
                }
                let (v, h) = (word(rest, 0), word(rest, 4));
                if (v == VERSION_RAW || v == VERSION_FORMATTED) && h == HEADER_LEN as u32 {
                    self.layout = Layout::Exact;
                } else {
                    self.layout = Layout::Padded;
                    self.skip = pad;
                }
                continue;
            }
            if rest.len() < HEADER_LEN {
                return (at, Ok(()));
            }
            let offset = self.offset + at as u64;
            let (version, hlen, rtype, size) =
                (word(rest, 0), word(rest, 4), word(rest, 8), word(rest, 12));
            if version != VERSION_RAW && version != VERSION_FORMATTED {
                return (at, Err(FrameError::UnknownVersion { offset, version }));
            }
            if hlen != HEADER_LEN as u32 {
                return (at, Err(FrameError::HeaderLength { offset, len: hlen }));
            }
            let limit = match self.layout {
                Layout::Exact => self.max_record_len,
                _ => PADDED_PAYLOAD,
            };
            if size as usize > limit {
                return (
                    at,
                    Err(FrameError::PayloadTooLong {
                        offset,
                        size,
                        limit,
                    }),
                );
            }
            let size = size as usize;
            if rest.len() < HEADER_LEN + size {
                return (at, Ok(()));
            }
            let payload = &rest[HEADER_LEN..HEADER_LEN + size];
            out.push_record(&binary_line(version, rtype, payload));
            at += HEADER_LEN + size;
            let pad = PADDED_PAYLOAD - size.min(PADDED_PAYLOAD);
            match self.layout {
                Layout::Padded => self.skip = pad,
                Layout::Undecided if pad > 0 => self.layout = Layout::Deciding { pad },
                _ => {}
            }
        }
    }

    fn consume(&mut self, n: usize) {
        self.buf.drain(..n);
        self.offset += n as u64;
    }
}

fn word(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The line of a binary record: the payload ends at its first NUL (it is a C string)
/// and loses trailing newlines; version 0 payloads get the `type=NAME msg=` prefix the
/// dispatcher's string format would have given them.
fn binary_line(version: u32, rtype: u32, payload: &[u8]) -> Vec<u8> {
    let text = match memchr::memchr(0, payload) {
        Some(i) => &payload[..i],
        None => payload,
    };
    let mut end = text.len();
    while end > 0 && text[end - 1] == b'\n' {
        end -= 1;
    }
    let text = &text[..end];
    if version == VERSION_FORMATTED {
        return text.to_vec();
    }
    let mut line = format!("type={} msg=", RecordType::from(rtype)).into_bytes();
    line.extend_from_slice(text);
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(version: u32, rtype: u32, payload: &[u8], padded: bool) -> Vec<u8> {
        let mut b = Vec::new();
        for w in [version, 16, rtype, payload.len() as u32] {
            b.extend_from_slice(&w.to_ne_bytes());
        }
        b.extend_from_slice(payload);
        if padded {
            // Garbage, as the dispatcher's uninitialised buffer holds.
            b.extend((payload.len()..PADDED_PAYLOAD).map(|i| (i % 251) as u8 | 1));
        }
        b
    }

    fn stream(padded: bool) -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut s = Vec::new();
        s.extend(frame(
            0,
            1300,
            b"audit(1.000:1): arch=c000003e syscall=59",
            padded,
        ));
        s.extend(frame(0, 1320, b"audit(1.000:1): \0junk", padded));
        s.extend(frame(
            1,
            1105,
            b"type=USER_END msg=audit(2.000:2): pid=1\n",
            padded,
        ));
        s.extend(frame(0, 9999, b"audit(3.000:3): x=1", padded));
        let want = vec![
            b"type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59".to_vec(),
            b"type=EOE msg=audit(1.000:1): ".to_vec(),
            b"type=USER_END msg=audit(2.000:2): pid=1".to_vec(),
            b"type=UNKNOWN[9999] msg=audit(3.000:3): x=1".to_vec(),
        ];
        (s, want)
    }

    fn cut(d: &mut Deframer, s: &[u8], chunk: usize) -> Result<Vec<Vec<u8>>, FrameError> {
        let mut out = Vec::new();
        for c in s.chunks(chunk) {
            d.push(c, &mut out)?;
        }
        d.finish(&mut out)?;
        Ok(out)
    }

    #[test]
    fn binary_both_layouts_any_chunking() {
        for padded in [false, true] {
            let (s, want) = stream(padded);
            for layout in [
                BinaryLayout::Auto,
                BinaryLayout::Padded,
                BinaryLayout::Exact,
            ] {
                if (layout == BinaryLayout::Padded && !padded)
                    || (layout == BinaryLayout::Exact && padded)
                {
                    continue;
                }
                for chunk in [1, 3, 7, 16, 17, 100, 8970, 8986, 100_000] {
                    let mut d = Deframer::new(Format::Binary, layout, 1 << 20);
                    let got = cut(&mut d, &s, chunk).unwrap();
                    assert_eq!(got, want, "padded={padded} {layout:?} chunk={chunk}");
                    let found = if padded {
                        BinaryLayout::Padded
                    } else {
                        BinaryLayout::Exact
                    };
                    assert_eq!(d.layout(), Some(found));
                }
            }
        }
    }

    #[test]
    fn binary_padded_read_as_exact_fails() {
        let (s, _) = stream(true);
        let mut d = Deframer::new(Format::Binary, BinaryLayout::Exact, 1 << 20);
        let got = cut(&mut d, &s, 4096);
        assert!(
            matches!(got, Err(FrameError::UnknownVersion { offset: 56, .. })),
            "{got:?}"
        );
    }

    #[test]
    fn binary_bad_headers_and_truncation() {
        let mut d = Deframer::new(Format::Binary, BinaryLayout::Auto, 1 << 20);
        let mut b = frame(0, 1300, b"x", false);
        b[4] = 12;
        assert_eq!(
            cut(&mut d, &b, 5),
            Err(FrameError::HeaderLength { offset: 0, len: 12 })
        );
        let mut d = Deframer::new(Format::Binary, BinaryLayout::Padded, 1 << 20);
        let b = frame(0, 1300, &[b'a'; 9000], false);
        assert!(matches!(
            cut(&mut d, &b, 5),
            Err(FrameError::PayloadTooLong { size: 9000, .. })
        ));
        let mut d = Deframer::new(Format::Binary, BinaryLayout::Exact, 1 << 20);
        let b = frame(0, 1300, b"abc", false);
        assert_eq!(
            cut(&mut d, &b[..b.len() - 1], 5),
            Err(FrameError::Truncated { offset: 18 })
        );
    }

    #[test]
    fn string_any_chunking() {
        let s = b"type=A msg=1\ntype=B msg=2\r\n\ntype=C msg=3";
        let want: Vec<Vec<u8>> = vec![
            b"type=A msg=1".to_vec(),
            b"type=B msg=2\r".to_vec(),
            b"".to_vec(),
            b"type=C msg=3".to_vec(),
        ];
        for chunk in 1..s.len() + 1 {
            let mut d = Deframer::new(Format::String, BinaryLayout::Auto, 1 << 20);
            assert_eq!(cut(&mut d, s, chunk).unwrap(), want, "chunk={chunk}");
        }
    }

    #[test]
    fn string_too_long_lines_are_counted() {
        let s = b"short\nthis line is too long\nok\nanother very long line";
        for chunk in 1..s.len() + 1 {
            let mut d = Deframer::new(Format::String, BinaryLayout::Auto, 8);
            let got = cut(&mut d, s, chunk).unwrap();
            assert_eq!(
                got,
                vec![b"short".to_vec(), b"ok".to_vec()],
                "chunk={chunk}"
            );
            assert_eq!(d.too_long(), 2, "chunk={chunk}");
        }
    }

    /// Records and skipped lines, in order.
    #[derive(Default)]
    struct Both(Vec<Result<Vec<u8>, SkippedLine>>);

    impl RecordSink for Both {
        fn push_record(&mut self, line: &[u8]) {
            self.0.push(Ok(line.to_vec()));
        }
        fn skip_record(&mut self, skipped: SkippedLine) {
            self.0.push(Err(skipped));
        }
    }

    #[test]
    fn string_too_long_lines_are_told_with_their_place() {
        let long = format!("{}\n", "L".repeat(200));
        let s = format!("short\n{long}ok\n{long}{long}end\n{}", "T".repeat(30));
        let skipped = |line, offset| SkippedLine {
            line,
            offset,
            len: 200,
            limit: 8,
            start: vec![b'L'; SkippedLine::START_LEN],
        };
        let want = vec![
            Ok(b"short".to_vec()),
            Err(skipped(2, 6)),
            Ok(b"ok".to_vec()),
            Err(skipped(4, 210)),
            Err(skipped(5, 411)),
            Ok(b"end".to_vec()),
            Err(SkippedLine {
                line: 7,
                offset: 616,
                len: 30,
                limit: 8,
                start: vec![b'T'; 30],
            }),
        ];
        for chunk in [1, 2, 5, 9, 64, 199, 200, 201, 1000] {
            let mut d = Deframer::new(Format::String, BinaryLayout::Auto, 8);
            let mut out = Both::default();
            for c in s.as_bytes().chunks(chunk) {
                d.push(c, &mut out).unwrap();
            }
            d.finish(&mut out).unwrap();
            assert_eq!(out.0, want, "chunk={chunk}");
            assert_eq!(d.too_long(), 4, "chunk={chunk}");
            // Never more than the limit held, however long the line.
            assert!(d.buf.capacity() <= 8 + chunk, "chunk={chunk}");
        }
    }
}
