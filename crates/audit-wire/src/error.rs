//! Typed decoding and encoding errors.

/// Why bytes could not be decoded as (or a value encoded into) a kernel structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The buffer ends before the structure's required part.
    #[error("{what}: truncated, need {need} bytes, got {got}")]
    Truncated {
        /// The structure being decoded.
        what: &'static str,
        /// Bytes needed.
        need: usize,
        /// Bytes available.
        got: usize,
    },
    /// A length field claims more bytes than the buffer holds.
    #[error("{what}: length field says {declared} bytes but only {available} follow")]
    LengthOverrun {
        /// The structure being decoded.
        what: &'static str,
        /// The length the structure declares.
        declared: u64,
        /// Bytes actually available.
        available: usize,
    },
    /// A netlink header whose `nlmsg_len` is smaller than the header itself.
    #[error(
        "netlink header at offset {offset}: nlmsg_len {len} is shorter than the 16-byte header"
    )]
    BadNetlinkLength {
        /// Offset of the header in the datagram.
        offset: usize,
        /// The declared length.
        len: u32,
    },
    /// `audit_rule_data.field_count` is above the kernel's limit of 64.
    #[error("audit_rule_data: field_count {0} exceeds the maximum of 64")]
    FieldCount(u32),
    /// A rule already holds 64 fields.
    #[error("audit_rule_data: cannot add field {field}: the rule already has 64 fields")]
    TooManyFields {
        /// The field id that did not fit.
        field: u32,
    },
    /// A syscall number outside the 2048 bits of the rule's mask.
    #[error("audit_rule_data: syscall number {0} does not fit in the 2048-bit mask")]
    SyscallOutOfRange(u32),
    /// The rule's string buffer would exceed `u32::MAX` bytes.
    #[error("audit_rule_data: string buffer too large ({0} bytes)")]
    BufferTooLarge(usize),
    /// A string field's length points past the end of the rule's string buffer.
    #[error(
        "audit_rule_data: string field #{index} (field id {field}) needs {len} bytes at offset {offset}, buffer has {buflen}"
    )]
    StringOverrun {
        /// Index of the field in the rule.
        index: usize,
        /// Field id.
        field: u32,
        /// Offset of the string in the buffer.
        offset: usize,
        /// Declared string length.
        len: u32,
        /// Size of the string buffer.
        buflen: usize,
    },
}
