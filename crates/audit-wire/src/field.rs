//! Rule field ids (`AUDIT_UID`, `AUDIT_ARCH`, ...), operators and comparisons of `audit_rule_data`.
