//! Fuzz the netlink datagram splitter: no panic, payloads inside the datagram.
#![no_main]

use audit_wire::netlink::{messages, NlError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut total = 0usize;
    for m in messages(data) {
        let Ok(m) = m else { break };
        total += m.payload.len();
        assert!(total <= data.len());
        let _ = NlError::parse(m.payload);
    }
});
