//! `struct audit_status` (AUDIT_GET / AUDIT_SET) and its mask bits.

/// `AUDIT_STATUS_ENABLED`: the `enabled` field is set.
pub const STATUS_ENABLED: u32 = 0x0001;
/// `AUDIT_STATUS_FAILURE`: the `failure` field is set.
pub const STATUS_FAILURE: u32 = 0x0002;
/// `AUDIT_STATUS_PID`: the `pid` field is set (register / unregister the daemon).
pub const STATUS_PID: u32 = 0x0004;
/// `AUDIT_STATUS_RATE_LIMIT`: the `rate_limit` field is set.
pub const STATUS_RATE_LIMIT: u32 = 0x0008;
/// `AUDIT_STATUS_BACKLOG_LIMIT`: the `backlog_limit` field is set.
pub const STATUS_BACKLOG_LIMIT: u32 = 0x0010;
/// `AUDIT_STATUS_BACKLOG_WAIT_TIME`: the `backlog_wait_time` field is set.
pub const STATUS_BACKLOG_WAIT_TIME: u32 = 0x0020;
/// `AUDIT_STATUS_LOST`: reset the `lost` counter (the ACK carries the old value).
pub const STATUS_LOST: u32 = 0x0040;
/// `AUDIT_STATUS_BACKLOG_WAIT_TIME_ACTUAL`: reset `backlog_wait_time_actual`.
pub const STATUS_BACKLOG_WAIT_TIME_ACTUAL: u32 = 0x0080;

/// `AUDIT_FEATURE_BITMAP_BACKLOG_LIMIT`.
pub const FEATURE_BITMAP_BACKLOG_LIMIT: u32 = 0x01;
/// `AUDIT_FEATURE_BITMAP_BACKLOG_WAIT_TIME`.
pub const FEATURE_BITMAP_BACKLOG_WAIT_TIME: u32 = 0x02;
/// `AUDIT_FEATURE_BITMAP_EXECUTABLE_PATH`.
pub const FEATURE_BITMAP_EXECUTABLE_PATH: u32 = 0x04;
/// `AUDIT_FEATURE_BITMAP_EXCLUDE_EXTEND`.
pub const FEATURE_BITMAP_EXCLUDE_EXTEND: u32 = 0x08;
/// `AUDIT_FEATURE_BITMAP_SESSIONID_FILTER`.
pub const FEATURE_BITMAP_SESSIONID_FILTER: u32 = 0x10;
/// `AUDIT_FEATURE_BITMAP_LOST_RESET`.
pub const FEATURE_BITMAP_LOST_RESET: u32 = 0x20;
/// `AUDIT_FEATURE_BITMAP_FILTER_FS`.
pub const FEATURE_BITMAP_FILTER_FS: u32 = 0x40;

/// `AUDIT_FAIL_SILENT`: failure mode 0.
pub const FAIL_SILENT: u32 = 0;
/// `AUDIT_FAIL_PRINTK`: failure mode 1.
pub const FAIL_PRINTK: u32 = 1;
/// `AUDIT_FAIL_PANIC`: failure mode 2.
pub const FAIL_PANIC: u32 = 2;

wire_struct! {
    /// `struct audit_status`, owned. Older kernels send only the first 8 fields
    /// (32 bytes), later ones 9, 10 and now 11; missing ones decode as 0.
    pub struct Status;
    /// `struct audit_status` as a typed view over bytes.
    pub struct StatusView;
    what = "audit_status";
    required {
        /// Bit mask of the fields a SET request carries (`STATUS_*`).
        mask, set_mask, MASK: u32 = 0..4;
        /// 0 = disabled, 1 = enabled, 2 = enabled and immutable.
        enabled, set_enabled, ENABLED: u32 = 4..8;
        /// Failure-to-log action (`FAIL_*`).
        failure, set_failure, FAILURE: u32 = 8..12;
        /// Pid of the registered audit daemon (0 = none).
        pid, set_pid, PID: u32 = 12..16;
        /// Messages-per-second limit (0 = none).
        rate_limit, set_rate_limit, RATE_LIMIT: u32 = 16..20;
        /// Limit of records queued for the daemon.
        backlog_limit, set_backlog_limit, BACKLOG_LIMIT: u32 = 20..24;
        /// Records lost since boot or the last reset.
        lost, set_lost, LOST: u32 = 24..28;
        /// Records waiting in the queue.
        backlog, set_backlog, BACKLOG: u32 = 28..32;
    }
    optional {
        /// Bitmap of kernel audit features (`FEATURE_BITMAP_*`; the old `version`).
        feature_bitmap, set_feature_bitmap, FEATURE_BITMAP: u32 = 32..36;
        /// How long (in jiffies) a task waits when the backlog is full.
        backlog_wait_time, set_backlog_wait_time, BACKLOG_WAIT_TIME: u32 = 36..40;
        /// Total time tasks actually waited for a full backlog.
        backlog_wait_time_actual, set_backlog_wait_time_actual, BACKLOG_WAIT_TIME_ACTUAL: u32 = 40..44;
    }
}
