//! The lossless schema written straight to a [`Sink`]: the same text
//! `serde_json` gives for [`event_to_json`](super::event_to_json)'s tree
//! (members in the sorted order of its maps), without building the tree.

use super::sink::Sink;
use super::JsonOptions;
use crate::{EventCursor, FieldPos, NormalizeContext, Normalized};
use audit_parse::{Event, RecordRef, RecordType};
use std::io::Write;

/// Writes `event` as one JSON object (no newline).
pub(super) fn write_event<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    event: &Event,
    ctx: &mut NormalizeContext,
    opts: &JsonOptions,
    scratch: &mut Vec<u8>,
) {
    let id = event.id();
    s.raw(b"{\"id\":{\"milli\":");
    s.uint(u64::from(id.milli));
    s.raw(b",\"sec\":");
    s.uint(id.sec);
    s.raw(b",\"serial\":");
    s.uint(id.serial);
    s.raw(b"},\"node\":");
    match event.node() {
        Some(n) => s.bytes(n),
        None => s.raw(b"null"),
    }
    if let Some(nopt) = opts.normalized {
        let mut c = ctx.cursor(event);
        let n = c.normalize(nopt);
        s.raw(b",\"normalized\":");
        write_normalized(s, &mut c, &n);
    }
    s.raw(b",\"records\":[");
    for (i, rec) in event.iter().enumerate() {
        if i > 0 {
            s.byte(b',');
        }
        write_record(s, rec, ctx, opts, scratch);
        if s.error.is_some() {
            return;
        }
    }
    s.raw(b"]}");
}

fn write_record<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    rec: RecordRef<'_>,
    ctx: &mut NormalizeContext,
    opts: &JsonOptions,
    scratch: &mut Vec<u8>,
) {
    s.byte(b'{');
    if rec.interpretation_text().is_some() {
        s.raw(b"\"enriched\":[");
        for (i, f) in rec.interpretations().enumerate() {
            if i > 0 {
                s.byte(b',');
            }
            s.raw(b"{\"name\":");
            s.bytes(f.name());
            s.raw(b",\"value\":");
            s.bytes(f.value());
            s.byte(b'}');
            s.check();
        }
        s.raw(b"],");
    }
    s.raw(b"\"fields\":[");
    let mut first = true;
    if opts.interpretations {
        let rtype = rec.record_type().unwrap_or(RecordType(0));
        ctx.interpreter_mut()
            .interpret_record(rec, scratch, |f, ty, text| {
                if s.error.is_some() {
                    return;
                }
                if !first {
                    s.byte(b',');
                }
                first = false;
                // Where there is no interpretation the walk gives no type:
                // the field's own, as every field has one.
                let has_interp = ty.is_some();
                let ty =
                    ty.unwrap_or_else(|| audit_interpret::field_type(rtype, f.name(), f.value()));
                s.raw(b"{\"ftype\":");
                s.uint(u64::from(ty.as_u32()));
                if has_interp {
                    s.raw(b",\"interp\":");
                    let cut = memchr::memchr(0, text).map_or(text, |z| &text[..z]);
                    s.bytes(cut);
                }
                s.raw(b",\"name\":");
                s.bytes(f.name());
                s.raw(b",\"value\":");
                match f.value_opt() {
                    Some(v) => s.value(v),
                    None => s.raw(b"null"),
                }
                s.byte(b'}');
                s.check();
            });
    } else {
        for f in rec.fields() {
            if !first {
                s.byte(b',');
            }
            first = false;
            s.raw(b"{\"name\":");
            s.bytes(f.name());
            s.raw(b",\"value\":");
            match f.value_opt() {
                Some(v) => s.value(v),
                None => s.raw(b"null"),
            }
            s.byte(b'}');
            s.check();
        }
    }
    s.raw(b"],\"line\":");
    s.uint(rec.line());
    s.raw(b",\"offset\":");
    s.uint(rec.offset());
    if let Some(source) = rec.source_index() {
        s.raw(b",\"source\":");
        s.uint(u64::from(source));
    }
    s.raw(b",\"text\":");
    s.bytes(rec.text());
    s.raw(b",\"type\":");
    match rec.record_type() {
        Some(t) => s.uint(u64::from(t.0)),
        None => s.raw(b"null"),
    }
    s.raw(b",\"type_name\":");
    s.bytes(rec.type_text());
    s.byte(b'}');
    s.check();
}

fn write_pos<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    c: &mut EventCursor<'_>,
    pos: Option<FieldPos>,
) {
    let Some(p) = pos else {
        s.raw(b"null");
        return;
    };
    if let Err(e) = c.seek(p) {
        let e = e.to_string();
        s.raw(b"{\"error\":");
        s.str_utf8(e.as_bytes());
        s.raw(b",\"field\":");
        s.uint(u64::from(p.field));
        s.raw(b",\"record\":");
        s.uint(u64::from(p.record));
        s.byte(b'}');
        return;
    }
    s.raw(b"{\"field\":");
    s.uint(u64::from(p.field));
    if let Some(mut v) = c.interpret() {
        if let Some(z) = memchr::memchr(0, &v) {
            v.truncate(z);
        }
        s.raw(b",\"interp\":");
        s.bytes(&v);
    }
    s.raw(b",\"name\":");
    match c.field_name() {
        Some(n) => s.bytes(n),
        None => s.raw(b"null"),
    }
    s.raw(b",\"record\":");
    s.uint(u64::from(p.record));
    s.raw(b",\"value\":");
    match c.field_str() {
        Some(v) => s.value(v),
        None => s.raw(b"null"),
    }
    s.byte(b'}');
    s.check();
}

fn write_opt_str<W: Write + ?Sized>(s: &mut Sink<'_, W>, v: Option<&str>) {
    match v {
        Some(v) => s.str_utf8(v.as_bytes()),
        None => s.raw(b"null"),
    }
}

fn write_opt_bytes<W: Write + ?Sized>(s: &mut Sink<'_, W>, v: Option<&[u8]>) {
    match v {
        Some(v) => s.bytes(v),
        None => s.raw(b"null"),
    }
}

fn write_pos_list<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    c: &mut EventCursor<'_>,
    list: &[FieldPos],
) {
    s.byte(b'[');
    for (i, p) in list.iter().enumerate() {
        if i > 0 {
            s.byte(b',');
        }
        write_pos(s, c, Some(*p));
    }
    s.byte(b']');
}

/// The normalizer's view, members sorted as in
/// [`normalized_to_json`](super::normalized_to_json)'s tree.
fn write_normalized<W: Write + ?Sized>(
    s: &mut Sink<'_, W>,
    c: &mut EventCursor<'_>,
    n: &Normalized,
) {
    s.raw(b"{\"action\":");
    write_opt_bytes(s, n.action.as_deref());
    s.raw(b",\"event_kind\":");
    write_opt_str(s, n.event_kind);
    s.raw(b",\"how\":");
    write_opt_bytes(s, n.how.as_deref());
    s.raw(b",\"key\":");
    write_pos(s, c, n.key);
    s.raw(b",\"object\":{\"attributes\":");
    write_pos_list(s, c, &n.object_attributes);
    s.raw(b",\"kind\":");
    s.str_utf8(n.object_kind.as_str().as_bytes());
    s.raw(b",\"primary\":");
    write_pos(s, c, n.object_primary);
    s.raw(b",\"primary2\":");
    write_pos(s, c, n.object_primary2);
    s.raw(b",\"secondary\":");
    write_pos(s, c, n.object_secondary);
    s.raw(b"},\"results\":");
    write_pos(s, c, n.results);
    s.raw(b",\"session\":");
    write_pos(s, c, n.session);
    s.raw(b",\"status\":");
    s.int(i64::from(n.status.code()));
    s.raw(b",\"subject\":{\"attributes\":");
    write_pos_list(s, c, &n.subject_attributes);
    s.raw(b",\"kind\":");
    write_opt_str(s, n.subject_kind);
    s.raw(b",\"primary\":");
    write_pos(s, c, n.subject_primary);
    s.raw(b",\"secondary\":");
    write_pos(s, c, n.subject_secondary);
    s.raw(b"}}");
}
