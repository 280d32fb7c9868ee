//! The frames of the audisp-remote protocol and their codec.
//!
//! Every frame is a 16-byte header and a payload. The C sources (`lib/private.h` of
//! auditd 3.0.9) call the byte order "network order" in a comment, but the macros that
//! pack and unpack the header put the least significant byte first: on the wire every
//! integer is **little-endian**, whatever the host.
//!
//! | offset | size | field                                   |
//! |-------:|-----:|-----------------------------------------|
//! | 0      | 4    | magic `0xff0000fe`                      |
//! | 4      | 1    | header version, 0                       |
//! | 5      | 1    | message version, normally 0             |
//! | 6      | 4    | type ([`FrameType`])                    |
//! | 10     | 2    | payload length                          |
//! | 12     | 4    | sequence (a reply copies the request's) |
//!
//! [`Decoder`] is driven by its caller: give it bytes as they arrive, take frames as
//! they complete. Incomplete input is not an error, and it buffers at most one frame.

use std::fmt;

/// Size of the frame header in bytes.
pub const HEADER_SIZE: usize = 16;

/// The magic number that opens every frame (it has no `\n` byte, which lets auditd tell
/// frames from the older plain-text lines).
pub const MAGIC: u32 = 0xff00_00fe;

/// The only header layout there is.
pub const HEADER_VERSION: u8 = 0;

/// Largest payload length the header allows (`MAX_AUDIT_MESSAGE_LENGTH` of libaudit).
pub const MAX_PAYLOAD: usize = 8970;

/// Largest payload auditd 3.0.9's listener can take: it reads a frame, header
/// included, into a buffer of [`MAX_PAYLOAD`] bytes, so a longer frame never completes
/// there and stalls the connection. Senders keep records within this.
pub const MAX_RECEIVABLE_PAYLOAD: usize = MAX_PAYLOAD - HEADER_SIZE;

/// The type word of a frame: one of the named types or any other value a newer peer
/// may send. The masks classify replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameType(pub u32);

impl FrameType {
    /// A record, sender to receiver.
    pub const MESSAGE: Self = Self(0x0000_0000);
    /// A keep-alive, sender to receiver; answered at once with an [`ACK`](Self::ACK).
    pub const HEARTBEAT: Self = Self(0x0000_0001);
    /// The record with this sequence is written (or the heartbeat heard).
    pub const ACK: Self = Self(0x4000_0000);
    /// The receiver is shutting down (sequence 0).
    pub const ENDING: Self = Self(0x4000_0001);
    /// The record is written, but the receiver's disk space is low.
    pub const DISK_LOW: Self = Self(0x5000_0001);
    /// The receiver's disk is full: the record is not written.
    pub const DISK_FULL: Self = Self(0x6000_0001);
    /// The receiver could not write: the record is not written.
    pub const DISK_ERROR: Self = Self(0x6000_0002);

    /// Set on every reply, receiver to sender.
    pub const REPLY_MASK: u32 = 0x4000_0000;
    /// Set on a reply reporting a failure: the record was not written.
    pub const FATAL_MASK: u32 = 0x2000_0000;
    /// Set on a reply reporting success with a warning.
    pub const WARN_MASK: u32 = 0x1000_0000;
    /// The detail bits below the masks.
    pub const DETAIL_MASK: u32 = 0x000F_FFFF;

    /// Whether this is a reply (receiver to sender).
    pub fn is_reply(self) -> bool {
        self.0 & Self::REPLY_MASK != 0
    }

    /// Whether this reply reports a failure.
    pub fn is_fatal(self) -> bool {
        self.0 & Self::FATAL_MASK != 0
    }

    /// Whether this reply reports success with a warning.
    pub fn is_warning(self) -> bool {
        self.0 & Self::WARN_MASK != 0
    }

    /// The name of a known type, such as `ACK`.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            Self::MESSAGE => "MESSAGE",
            Self::HEARTBEAT => "HEARTBEAT",
            Self::ACK => "ACK",
            Self::ENDING => "ENDING",
            Self::DISK_LOW => "DISKLOW",
            Self::DISK_FULL => "DISKFULL",
            Self::DISK_ERROR => "DISKERROR",
            _ => return None,
        })
    }
}

impl fmt::Display for FrameType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#010x}", self.0),
        }
    }
}

/// One frame: header fields and payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The message version (the minimum support a reader needs); 0 in auditd 3.0.9.
    pub message_version: u8,
    /// What the frame is.
    pub kind: FrameType,
    /// The sequence number; a reply carries the one of the frame it answers.
    pub sequence: u32,
    /// A record line with its `\n` (MESSAGE), reply text, or nothing.
    pub payload: Vec<u8>,
}

impl Frame {
    /// A record to send.
    pub fn message(sequence: u32, record: impl Into<Vec<u8>>) -> Self {
        Self::new(FrameType::MESSAGE, sequence, record)
    }

    /// A frame of version 0 with this type, sequence and payload.
    pub fn new(kind: FrameType, sequence: u32, payload: impl Into<Vec<u8>>) -> Self {
        Self {
            message_version: 0,
            kind,
            sequence,
            payload: payload.into(),
        }
    }

    /// The frame's bytes on the wire.
    ///
    /// # Errors
    /// [`EncodeError::PayloadTooLong`] when the payload exceeds [`MAX_PAYLOAD`].
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::with_capacity(HEADER_SIZE + self.payload.len());
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Appends the frame's bytes to `out`.
    ///
    /// # Errors
    /// [`EncodeError::PayloadTooLong`] when the payload exceeds [`MAX_PAYLOAD`]; `out`
    /// is then unchanged.
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let len = self.payload.len();
        if len > MAX_PAYLOAD {
            return Err(EncodeError::PayloadTooLong { len });
        }
        out.extend_from_slice(&MAGIC.to_le_bytes());
        out.push(HEADER_VERSION);
        out.push(self.message_version);
        out.extend_from_slice(&self.kind.0.to_le_bytes());
        // Fits: len <= MAX_PAYLOAD < 65536.
        out.extend_from_slice(&(len as u16).to_le_bytes());
        out.extend_from_slice(&self.sequence.to_le_bytes());
        out.extend_from_slice(&self.payload);
        Ok(())
    }
}

/// Why a frame cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The payload is longer than the header can describe.
    #[error("payload of {len} bytes exceeds the protocol's maximum of {MAX_PAYLOAD}")]
    PayloadTooLong {
        /// The payload's length.
        len: usize,
    },
}

/// Why the byte stream is not a stream of frames. `offset` counts bytes from the
/// start of the stream (all bytes ever given to the decoder) and names the first byte
/// of the bad field. The stream cannot be resynchronised after one: close it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The four bytes at `offset` are not [`MAGIC`].
    #[error("bad frame magic {found:#010x} at byte {offset} (expected {MAGIC:#010x})")]
    BadMagic {
        /// Stream offset of the magic.
        offset: u64,
        /// The value found there (little-endian).
        found: u32,
    },
    /// The header version at `offset` is not [`HEADER_VERSION`].
    #[error(
        "unsupported frame header version {found} at byte {offset} (expected {HEADER_VERSION})"
    )]
    BadVersion {
        /// Stream offset of the version byte.
        offset: u64,
        /// The version found.
        found: u8,
    },
    /// The payload length at `offset` exceeds [`MAX_PAYLOAD`].
    #[error("frame payload length {found} at byte {offset} exceeds the maximum of {MAX_PAYLOAD}")]
    BadLength {
        /// Stream offset of the length field.
        offset: u64,
        /// The length found.
        found: u16,
    },
}

/// A caller-driven frame decoder: feed bytes, get frames.
///
/// ```
/// use audit_remote::frame::{Decoder, Frame};
/// let bytes = Frame::message(2, "type=USER msg=audit(1.000:1): x\n").encode().unwrap();
/// let mut decoder = Decoder::new();
/// // The first five bytes make no frame yet: incomplete input is not an error.
/// let (used, frame) = decoder.decode(&bytes[..5]).unwrap();
/// assert_eq!((used, frame), (5, None));
/// let (used, frame) = decoder.decode(&bytes[5..]).unwrap();
/// assert_eq!(used, bytes.len() - 5);
/// assert_eq!(frame.unwrap().sequence, 2);
/// ```
#[derive(Debug, Default)]
pub struct Decoder {
    /// The bytes of the frame being assembled (at most one frame).
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    frame_start: u64,
    /// The payload length, once the header is complete and checked.
    payload_len: Option<usize>,
}

impl Decoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a frame is partly received (a stream that ends now ends mid-frame).
    pub fn is_mid_frame(&self) -> bool {
        !self.buf.is_empty()
    }

    /// The stream offset of the next byte the decoder expects.
    pub fn offset(&self) -> u64 {
        self.frame_start + self.buf.len() as u64
    }

    /// Consumes bytes of `input` up to the end of the next frame and returns how many
    /// it used, and the frame when one completed. Call again with the rest of `input`
    /// until it is used up; a frame spread over several calls is assembled inside.
    ///
    /// # Errors
    /// A [`DecodeError`] naming the stream offset of a bad magic, header version or
    /// payload length, as soon as the bytes of that field have arrived.
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, Option<Frame>), DecodeError> {
        let mut used = 0;
        if self.buf.len() < HEADER_SIZE {
            let take = (HEADER_SIZE - self.buf.len()).min(input.len());
            let before = self.buf.len();
            self.buf.extend_from_slice(&input[..take]);
            used = take;
            self.check_header(before)?;
            if self.buf.len() < HEADER_SIZE {
                return Ok((used, None));
            }
        }
        let payload_len = self.payload_len.unwrap_or(0);
        let want = HEADER_SIZE + payload_len - self.buf.len();
        let take = want.min(input.len() - used);
        self.buf.extend_from_slice(&input[used..used + take]);
        used += take;
        if self.buf.len() < HEADER_SIZE + payload_len {
            return Ok((used, None));
        }
        let h = &self.buf;
        let frame = Frame {
            message_version: h[5],
            kind: FrameType(u32::from_le_bytes([h[6], h[7], h[8], h[9]])),
            sequence: u32::from_le_bytes([h[12], h[13], h[14], h[15]]),
            payload: h[HEADER_SIZE..].to_vec(),
        };
        self.frame_start += self.buf.len() as u64;
        self.buf.clear();
        self.payload_len = None;
        Ok((used, Some(frame)))
    }

    /// Checks each header field whose bytes completed since `before` bytes were held.
    fn check_header(&mut self, before: usize) -> Result<(), DecodeError> {
        let h = &self.buf;
        let start = self.frame_start;
        if before < 4 && h.len() >= 4 {
            let found = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            if found != MAGIC {
                return Err(DecodeError::BadMagic {
                    offset: start,
                    found,
                });
            }
        }
        if before < 5 && h.len() >= 5 && h[4] != HEADER_VERSION {
            return Err(DecodeError::BadVersion {
                offset: start + 4,
                found: h[4],
            });
        }
        if before < 12 && h.len() >= 12 {
            let found = u16::from_le_bytes([h[10], h[11]]);
            if usize::from(found) > MAX_PAYLOAD {
                return Err(DecodeError::BadLength {
                    offset: start + 10,
                    found,
                });
            }
            self.payload_len = Some(usize::from(found));
        }
        Ok(())
    }
}

/// Decodes every complete frame in `input`, for tests and one-shot buffers: the frames
/// and the number of trailing bytes of an incomplete frame.
///
/// # Errors
/// The first [`DecodeError`].
pub fn decode_all(input: &[u8]) -> Result<(Vec<Frame>, usize), DecodeError> {
    let mut decoder = Decoder::new();
    let mut frames = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let (used, frame) = decoder.decode(rest)?;
        rest = &rest[used..];
        frames.extend(frame);
    }
    Ok((frames, decoder.buf.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A MESSAGE of sequence 2 as audisp-remote 3.0.9 packs it, byte for byte.
    #[test]
    fn message_frame_is_little_endian_byte_for_byte() {
        let bytes = Frame::message(2, "ab\n").encode().unwrap();
        assert_eq!(
            bytes,
            [
                0xfe, 0x00, 0x00, 0xff, // magic 0xff0000fe, LSB first
                0x00, 0x00, // header and message version
                0x00, 0x00, 0x00, 0x00, // MESSAGE
                0x03, 0x00, // length 3
                0x02, 0x00, 0x00, 0x00, // sequence 2
                b'a', b'b', b'\n',
            ]
        );
    }

    #[test]
    fn reply_frames_byte_for_byte() {
        let ack = Frame::new(FrameType::ACK, 0x0102_0304, Vec::new());
        assert_eq!(
            ack.encode().unwrap(),
            [0xfe, 0, 0, 0xff, 0, 0, 0, 0, 0, 0x40, 0, 0, 4, 3, 2, 1]
        );
        let low = Frame::new(FrameType::DISK_LOW, 7, "low");
        assert_eq!(
            low.encode().unwrap(),
            [0xfe, 0, 0, 0xff, 0, 0, 1, 0, 0, 0x50, 3, 0, 7, 0, 0, 0, b'l', b'o', b'w']
        );
        let ending = Frame::new(FrameType::ENDING, 0, Vec::new())
            .encode()
            .unwrap();
        assert_eq!(&ending[6..10], &[1, 0, 0, 0x40]);
        assert_eq!(&ending[12..], &[0, 0, 0, 0]);
    }

    #[test]
    fn type_masks_classify_replies() {
        assert!(FrameType::ACK.is_reply() && !FrameType::ACK.is_fatal());
        assert!(FrameType::DISK_LOW.is_warning() && !FrameType::DISK_LOW.is_fatal());
        assert!(FrameType::DISK_FULL.is_fatal() && FrameType::DISK_ERROR.is_fatal());
        assert!(!FrameType::MESSAGE.is_reply() && !FrameType::HEARTBEAT.is_reply());
        assert_eq!(FrameType::DISK_FULL.to_string(), "DISKFULL");
        assert_eq!(FrameType(0x4000_0007).to_string(), "0x40000007");
    }

    #[test]
    fn longest_payload_encodes_and_one_more_byte_does_not() {
        let max = Frame::message(1, vec![b'x'; MAX_PAYLOAD]);
        let bytes = max.encode().unwrap();
        assert_eq!(decode_all(&bytes).unwrap(), (vec![max], 0));
        let over = Frame::message(1, vec![b'x'; MAX_PAYLOAD + 1]);
        assert_eq!(
            over.encode(),
            Err(EncodeError::PayloadTooLong {
                len: MAX_PAYLOAD + 1
            })
        );
    }

    #[test]
    fn bad_magic_names_the_offset_of_the_frame() {
        let mut bytes = Frame::message(2, "a\n").encode().unwrap();
        bytes.extend_from_slice(b"type=SYSCALL plain text\n");
        let mut decoder = Decoder::new();
        let (used, frame) = decoder.decode(&bytes).unwrap();
        assert!(frame.is_some());
        assert_eq!(used, 18);
        assert_eq!(
            decoder.decode(&bytes[used..]),
            Err(DecodeError::BadMagic {
                offset: 18,
                found: u32::from_le_bytes(*b"type"),
            })
        );
    }

    #[test]
    fn bad_version_and_length_name_their_field() {
        let mut bytes = Frame::message(2, "a\n").encode().unwrap();
        bytes[4] = 1;
        assert_eq!(
            decode_all(&bytes),
            Err(DecodeError::BadVersion {
                offset: 4,
                found: 1
            })
        );
        let mut bytes = Frame::message(2, "a\n").encode().unwrap();
        bytes[10..12].copy_from_slice(&8971u16.to_le_bytes());
        // The error comes as soon as the length's bytes arrive, before any payload.
        let mut decoder = Decoder::new();
        assert_eq!(decoder.decode(&bytes[..11]).unwrap(), (11, None));
        assert_eq!(
            decoder.decode(&bytes[11..12]),
            Err(DecodeError::BadLength {
                offset: 10,
                found: 8971
            })
        );
    }

    #[test]
    fn byte_at_a_time_gives_the_same_frames() {
        let mut stream = Vec::new();
        let frames = vec![
            Frame::message(2, "first\n"),
            Frame::new(FrameType::HEARTBEAT, 3, Vec::new()),
            Frame::message(4, "third\n"),
        ];
        for f in &frames {
            f.encode_into(&mut stream).unwrap();
        }
        let mut decoder = Decoder::new();
        let mut got = Vec::new();
        for b in &stream {
            let (used, frame) = decoder.decode(std::slice::from_ref(b)).unwrap();
            assert_eq!(used, 1);
            got.extend(frame);
        }
        assert_eq!(got, frames);
        assert!(!decoder.is_mid_frame());
        assert_eq!(decoder.offset(), stream.len() as u64);
        assert_eq!(decode_all(&stream[..stream.len() - 1]).unwrap().1, 21);
    }

    fn any_frame() -> impl Strategy<Value = Frame> {
        (
            any::<u8>(),
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec(any::<u8>(), 0..600),
        )
            .prop_map(|(message_version, kind, sequence, payload)| Frame {
                message_version,
                kind: FrameType(kind),
                sequence,
                payload,
            })
    }

    proptest! {
        #[test]
        fn round_trip_under_any_chunking(
            frames in proptest::collection::vec(any_frame(), 0..8),
            chunk in 1usize..64,
        ) {
            let mut stream = Vec::new();
            for f in &frames {
                f.encode_into(&mut stream).unwrap();
            }
            let mut decoder = Decoder::new();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                let mut rest = piece;
                while !rest.is_empty() {
                    let (used, frame) = decoder.decode(rest).unwrap();
                    prop_assert!(used > 0);
                    rest = &rest[used..];
                    got.extend(frame);
                }
            }
            prop_assert_eq!(&got, &frames);
            let mut again = Vec::new();
            for f in &got {
                f.encode_into(&mut again).unwrap();
            }
            prop_assert_eq!(again, stream);
        }
    }
}
