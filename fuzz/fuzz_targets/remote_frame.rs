//! Fuzz the audisp-remote frame decoder: the input is split into chunks at arbitrary
//! points; decoding never panics, consumes every byte until an error, and every frame
//! it yields encodes back to exactly the bytes it came from.
#![no_main]

use audit_remote::frame::Decoder;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the chunk size, the rest is the stream.
    let Some((&chunk, stream)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let mut decoder = Decoder::new();
    let mut consumed = 0usize;
    'outer: for piece in stream.chunks(chunk) {
        let mut rest = piece;
        while !rest.is_empty() {
            match decoder.decode(rest) {
                Ok((used, frame)) => {
                    assert!(used > 0 && used <= rest.len());
                    consumed += used;
                    assert_eq!(decoder.offset(), consumed as u64);
                    rest = &rest[used..];
                    if let Some(frame) = frame {
                        // The frame ends where the decoder stopped.
                        let bytes = frame.encode().expect("a decoded frame encodes");
                        assert_eq!(&stream[consumed - bytes.len()..consumed], &bytes[..]);
                    }
                }
                Err(_) => break 'outer,
            }
        }
    }
});
