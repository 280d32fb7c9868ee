//! `struct audit_features` (AUDIT_GET_FEATURE / AUDIT_SET_FEATURE).

/// `AUDIT_FEATURE_VERSION`: the only `vers` value the kernel accepts.
pub const FEATURE_VERSION: u32 = 1;
/// `AUDIT_FEATURE_ONLY_UNSET_LOGINUID` (feature number 0).
pub const FEATURE_ONLY_UNSET_LOGINUID: u32 = 0;
/// `AUDIT_FEATURE_LOGINUID_IMMUTABLE` (feature number 1).
pub const FEATURE_LOGINUID_IMMUTABLE: u32 = 1;

/// `AUDIT_FEATURE_TO_MASK`: the bit of feature number `feature`.
pub const fn feature_to_mask(feature: u32) -> u32 {
    1 << (feature & 31)
}

wire_struct! {
    /// `struct audit_features`, owned.
    pub struct Features;
    /// `struct audit_features` as a typed view over bytes.
    pub struct FeaturesView;
    what = "audit_features";
    required {
        /// Structure version ([`FEATURE_VERSION`]).
        vers, set_vers, VERS: u32 = 0..4;
        /// Which feature bits a SET request changes.
        mask, set_mask, MASK: u32 = 4..8;
        /// Feature bits that are on.
        features, set_features, FEATURES: u32 = 8..12;
        /// Feature bits that are locked (until reboot).
        lock, set_lock, LOCK: u32 = 12..16;
    }
    optional {}
}
