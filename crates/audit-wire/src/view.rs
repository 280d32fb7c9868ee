//! The generator of typed byte views (`wire_struct!`) and its native-endian helpers.
//!
//! A structure is described once, as the kernel header writes it: each field is a
//! named byte range. The macro generates
//! - a view type `View<T: AsRef<[u8]>>` checked for length once, with a getter per
//!   field (and a setter when `T: AsMut<[u8]>`), plus one `pub const` range per field;
//! - an owned value type with public fields, `parse(&[u8])` and `to_bytes()`.
//!
//! Fields after the `optional` marker may be missing from a shorter buffer (older
//! kernels send shorter structures): their getters return `Option`, and the owned
//! value holds 0 for them.

/// Read a native-endian `u32` at `off`; the caller has checked the length.
#[inline]
pub(crate) fn get_u32(buf: &[u8], off: usize) -> u32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&buf[off..off + 4]);
    u32::from_ne_bytes(b)
}

/// Write a native-endian `u32` at `off`; the caller has checked the length.
#[inline]
pub(crate) fn put_u32(buf: &mut [u8], off: usize, v: u32) {
    buf[off..off + 4].copy_from_slice(&v.to_ne_bytes());
}

/// Read a native-endian `u16` at `off`; the caller has checked the length.
#[inline]
pub(crate) fn get_u16(buf: &[u8], off: usize) -> u16 {
    u16::from_ne_bytes([buf[off], buf[off + 1]])
}

/// Write a native-endian `u16` at `off`; the caller has checked the length.
#[inline]
pub(crate) fn put_u16(buf: &mut [u8], off: usize, v: u16) {
    buf[off..off + 2].copy_from_slice(&v.to_ne_bytes());
}

/// Read a native-endian `i32` at `off`; the caller has checked the length.
#[inline]
pub(crate) fn get_i32(buf: &[u8], off: usize) -> i32 {
    get_u32(buf, off) as i32
}

/// Write a native-endian `i32` at `off`; the caller has checked the length.
#[inline]
pub(crate) fn put_i32(buf: &mut [u8], off: usize, v: i32) {
    put_u32(buf, off, v as u32)
}

/// Read `N` native-endian `u32`s starting at `off`; the caller has checked the length.
#[inline]
pub(crate) fn get_u32_array<const N: usize>(buf: &[u8], off: usize) -> [u32; N] {
    let mut out = [0u32; N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = get_u32(buf, off + 4 * i);
    }
    out
}

/// Write `N` native-endian `u32`s starting at `off`; the caller has checked the length.
#[inline]
pub(crate) fn put_u32_array<const N: usize>(buf: &mut [u8], off: usize, v: &[u32; N]) {
    for (i, x) in v.iter().enumerate() {
        put_u32(buf, off + 4 * i, *x);
    }
}

/// Generates a view type and an owned value type for one kernel structure.
///
/// Field kinds: `u16`, `u32`, `i32`, `[u32; N]` (required fields) and `u32`
/// (optional fields). Each field is written `name, set_name, CONST: kind = start..end;`.
macro_rules! wire_struct {
    (
        $(#[$om:meta])*
        pub struct $owned:ident;
        $(#[$vm:meta])*
        pub struct $view:ident;
        what = $what:literal;
        required {
            $( $(#[$fm:meta])* $f:ident, $setf:ident, $fc:ident : $ft:tt = $fs:literal .. $fe:literal; )*
        }
        optional {
            $( $(#[$om2:meta])* $o:ident, $seto:ident, $oc:ident : u32 = $os:literal .. $oe:literal; )*
        }
    ) => {
        $(#[$vm])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $view<T: AsRef<[u8]>> {
            buf: T,
        }

        #[allow(clippy::len_without_is_empty)]
        impl<T: AsRef<[u8]>> $view<T> {
            $(
                #[doc = concat!("Byte range of `", stringify!($f), "`.")]
                pub const $fc: core::ops::Range<usize> = $fs..$fe;
            )*
            $(
                #[doc = concat!("Byte range of `", stringify!($o), "` (optional: absent from older kernels' replies).")]
                pub const $oc: core::ops::Range<usize> = $os..$oe;
            )*
            /// Length of the required part: shorter buffers are rejected.
            pub const MIN_LEN: usize = {
                let mut m = 0usize;
                $( if $fe > m { m = $fe; } )*
                m
            };
            /// Length with every optional field present.
            #[allow(unused_mut)]
            pub const FULL_LEN: usize = {
                let mut m = Self::MIN_LEN;
                $( if $oe > m { m = $oe; } )*
                m
            };

            /// Wrap `buf` after checking once that it holds every required field.
            pub fn new_checked(buf: T) -> Result<Self, $crate::WireError> {
                let got = buf.as_ref().len();
                if got < Self::MIN_LEN {
                    return Err($crate::WireError::Truncated {
                        what: $what,
                        need: Self::MIN_LEN,
                        got,
                    });
                }
                Ok(Self { buf })
            }

            /// The wrapped buffer.
            pub fn into_inner(self) -> T {
                self.buf
            }

            /// The wrapped bytes.
            pub fn as_bytes(&self) -> &[u8] {
                self.buf.as_ref()
            }

            $(
                $(#[$fm])*
                #[inline]
                pub fn $f(&self) -> $ft {
                    wire_struct!(@get $ft, self.buf.as_ref(), $fs)
                }
            )*
            $(
                $(#[$om2])*
                ///
                /// `None` when the buffer (from an older kernel) ends before it.
                #[inline]
                pub fn $o(&self) -> Option<u32> {
                    let b = self.buf.as_ref();
                    (b.len() >= $oe).then(|| $crate::view::get_u32(b, $os))
                }
            )*

            /// The owned value; optional fields missing from the buffer are 0.
            pub fn to_owned_value(&self) -> $owned {
                $owned {
                    $( $f: self.$f(), )*
                    $( $o: self.$o().unwrap_or(0), )*
                }
            }
        }

        impl<T: AsRef<[u8]> + AsMut<[u8]>> $view<T> {
            $(
                #[doc = concat!("Set `", stringify!($f), "`.")]
                #[inline]
                pub fn $setf(&mut self, v: $ft) {
                    wire_struct!(@put $ft, self.buf.as_mut(), $fs, v)
                }
            )*
            $(
                #[doc = concat!("Set `", stringify!($o), "`; an error when the buffer ends before it.")]
                #[inline]
                pub fn $seto(&mut self, v: u32) -> Result<(), $crate::WireError> {
                    let b = self.buf.as_mut();
                    let got = b.len();
                    if got < $oe {
                        return Err($crate::WireError::Truncated { what: $what, need: $oe, got });
                    }
                    $crate::view::put_u32(b, $os, v);
                    Ok(())
                }
            )*
        }

        $(#[$om])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $owned {
            $( $(#[$fm])* pub $f: $ft, )*
            $( $(#[$om2])* pub $o: u32, )*
        }

        impl Default for $owned {
            fn default() -> Self {
                Self {
                    $( $f: wire_struct!(@zero $ft), )*
                    $( $o: 0, )*
                }
            }
        }

        impl $owned {
            /// Encoded length (every field, optional ones included).
            pub const LEN: usize = $view::<&[u8]>::FULL_LEN;

            /// Decode from the kernel's bytes (bytes past the structure are ignored;
            /// optional fields missing from a shorter buffer are 0).
            pub fn parse(bytes: &[u8]) -> Result<Self, $crate::WireError> {
                Ok($view::new_checked(bytes)?.to_owned_value())
            }

            /// Encode into exactly [`Self::LEN`] bytes in host order.
            pub fn to_bytes(&self) -> Vec<u8> {
                let mut v = vec![0u8; Self::LEN];
                let mut view = $view { buf: &mut v[..] };
                $( view.$setf(self.$f); )*
                $( let _ = view.$seto(self.$o); )*
                v
            }
        }
    };

    (@get u32, $b:expr, $off:expr) => { $crate::view::get_u32($b, $off) };
    (@get u16, $b:expr, $off:expr) => { $crate::view::get_u16($b, $off) };
    (@get i32, $b:expr, $off:expr) => { $crate::view::get_i32($b, $off) };
    (@get [u32; $n:literal], $b:expr, $off:expr) => { $crate::view::get_u32_array::<$n>($b, $off) };
    (@put u32, $b:expr, $off:expr, $v:expr) => { $crate::view::put_u32($b, $off, $v) };
    (@put u16, $b:expr, $off:expr, $v:expr) => { $crate::view::put_u16($b, $off, $v) };
    (@put i32, $b:expr, $off:expr, $v:expr) => { $crate::view::put_i32($b, $off, $v) };
    (@put [u32; $n:literal], $b:expr, $off:expr, $v:expr) => { $crate::view::put_u32_array::<$n>($b, $off, &$v) };
    (@zero [u32; $n:literal]) => { [0u32; $n] };
    (@zero $t:tt) => { 0 };
}
