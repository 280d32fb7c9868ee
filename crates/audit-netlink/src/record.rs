//! What the kernel sends a reader: audit records, in their netlink form.

use audit_wire::RecordType;

/// One audit record as the kernel sends it: the message type and the text payload
/// `audit(SEC.MSEC:SERIAL): fields` (trailing NULs and newlines removed).
#[derive(Clone, PartialEq, Eq)]
pub struct RawRecord {
    /// The record type (the netlink message type).
    pub record_type: RecordType,
    /// The payload text.
    pub payload: Vec<u8>,
}

impl std::fmt::Debug for RawRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRecord")
            .field("record_type", &self.record_type)
            .field("payload", &String::from_utf8_lossy(&self.payload))
            .finish()
    }
}

impl RawRecord {
    /// A record from its type and payload (trailing NULs and newlines are removed).
    pub fn new(record_type: RecordType, payload: &[u8]) -> Self {
        Self {
            record_type,
            payload: audit_parse::record::trim_kernel_payload(payload).to_vec(),
        }
    }

    /// Write the line as auditd writes a RAW record, `type=NAME msg=PAYLOAD` (with
    /// `UNKNOWN[n]` for a type without a name), without the newline.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        use std::io::Write;
        let _ = write!(out, "type={} msg=", self.record_type);
        out.extend_from_slice(&self.payload);
    }

    /// The auditd RAW line, `type=NAME msg=PAYLOAD`, without the newline.
    pub fn to_line(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.payload.len() + 32);
        self.write_line(&mut v);
        v
    }

    /// The serial number of the event, read from `audit(SEC.MSEC:SERIAL)`.
    pub fn serial(&self) -> Option<u64> {
        audit_parse::record::payload_serial(&self.payload)
    }

    /// Parse into the parser crate's record.
    pub fn to_record(&self) -> Result<audit_parse::Record, audit_parse::ParseError> {
        audit_parse::Record::from_kernel(self.record_type, &self.payload)
    }
}

/// What a reader receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// An audit record.
    Record(RawRecord),
    /// The socket's receive queue overflowed (`ENOBUFS`): records were dropped
    /// between the previous item and the next, how many is not told.
    Overrun {
        /// Overflow episodes this socket has seen so far, this one included: not
        /// records (one episode may lose thousands). Once the next record has come,
        /// [`AuditSocket::missed_serials`](crate::AuditSocket::missed_serials)
        /// estimates the events missed.
        total: u64,
    },
    /// A datagram from the kernel longer than the receive buffer: its records were
    /// cut off, so it was dropped. It comes out at its place among the records and
    /// the socket reads on; [`EventStream`](crate::EventStream) turns it into a
    /// [`StreamItem::BadRecord`](crate::StreamItem::BadRecord).
    Truncated {
        /// The datagram's length.
        len: usize,
        /// The receive buffer's size (the bytes that were read).
        cap: usize,
        /// The record type of its first message, when its header was read whole.
        record_type: Option<RecordType>,
        /// The start of that message's payload (at most 80 bytes), to say which
        /// record it was.
        head: Vec<u8>,
    },
}
