//! The PostgreSQL COPY TEXT row codec, lazy: only the fields a transform needs are ever decoded.
//!
//! A row is one line ending in `\n`; fields are separated by a tab; `\N` alone is NULL. Inside a
//! field, a backslash escapes: `\b \f \n \r \t \v \\`, octal `\NNN` (1-3 digits), hex `\xHH`
//! (1-2 digits), and a backslash before any other character stands for that character. PostgreSQL
//! writes tabs, newlines and backslashes in data only as escapes, so cutting a stream on raw `\n`
//! gives rows and cutting a row on raw tabs gives fields, exactly, without decoding anything.
//!
//! [`encode_field`] writes what `COPY TO` writes (the six control escapes and `\\`, everything else
//! raw), so `encode(decode(raw)) == raw` for rows PostgreSQL produced, and [`FieldEditor`] splices a
//! row whose untouched fields stay the source's bytes.
//!
//! Errors name the field position, never its content: field values are PII.

use std::borrow::Cow;

/// The field delimiter (COPY's default for the text format).
pub const DELIMITER: u8 = b'\t';
/// How NULL is written (COPY's default for the text format).
pub const NULL: &[u8] = b"\\N";

/// A row or field that is not valid COPY text. Positions are 0-based; no field content is kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CopyError {
    #[error("the row has {found} fields where {expected} columns were expected")]
    FieldCount { expected: usize, found: usize },
    #[error("field {field} is not valid UTF-8 once decoded")]
    InvalidUtf8 { field: usize },
    #[error("field {field} ends in a lone backslash")]
    DanglingBackslash { field: usize },
}

/// Decodes one raw field (no delimiter, no line end): `None` for NULL, borrowed when it holds no
/// escape. `field` is its position, for the error only.
pub fn decode_field(raw: &[u8], field: usize) -> Result<Option<Cow<'_, str>>, CopyError> {
    if raw == NULL {
        return Ok(None);
    }
    let Some(first) = raw.iter().position(|&b| b == b'\\') else {
        return std::str::from_utf8(raw)
            .map(|s| Some(Cow::Borrowed(s)))
            .map_err(|_| CopyError::InvalidUtf8 { field });
    };
    let mut out = Vec::with_capacity(raw.len());
    out.extend_from_slice(&raw[..first]);
    let mut i = first;
    while i < raw.len() {
        let b = raw[i];
        if b != b'\\' {
            out.push(b);
            i += 1;
            continue;
        }
        let Some(&c) = raw.get(i + 1) else {
            return Err(CopyError::DanglingBackslash { field });
        };
        i += 2;
        match c {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(0x0b),
            b'0'..=b'7' => {
                // Up to three octal digits; like PostgreSQL, keep the low byte of values over 0o377.
                let mut value = u32::from(c - b'0');
                for _ in 0..2 {
                    match raw.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((value & 0xff) as u8);
            }
            b'x' => {
                // `\x` takes one or two hex digits; without any it is a plain `x`, as in PostgreSQL.
                let mut value: Option<u8> = None;
                for _ in 0..2 {
                    match raw.get(i).and_then(|&d| (d as char).to_digit(16)) {
                        Some(d) => {
                            value = Some(value.unwrap_or(0) * 16 + d as u8);
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push(value.unwrap_or(b'x'));
            }
            other => out.push(other),
        }
    }
    String::from_utf8(out)
        .map(|s| Some(Cow::Owned(s)))
        .map_err(|_| CopyError::InvalidUtf8 { field })
}

/// Appends one field as `COPY TO` writes it: `\N` for NULL, otherwise the text with `\\`, `\b`,
/// `\f`, `\n`, `\r`, `\t` and `\v` escaped.
pub fn encode_field(value: Option<&str>, out: &mut Vec<u8>) {
    let Some(value) = value else {
        out.extend_from_slice(NULL);
        return;
    };
    let bytes = value.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x0b => b'v',
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.push(b'\\');
        out.push(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Decodes a whole row (without its `\n`) into its fields.
pub fn decode_row(line: &[u8]) -> Result<Vec<Option<Cow<'_, str>>>, CopyError> {
    line.split(|&b| b == DELIMITER)
        .enumerate()
        .map(|(i, raw)| decode_field(raw, i))
        .collect()
}

/// Appends a whole row, fields tab-separated, ending in `\n`.
pub fn encode_row<S: AsRef<str>>(fields: &[Option<S>], out: &mut Vec<u8>) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(DELIMITER);
        }
        encode_field(field.as_ref().map(AsRef::as_ref), out);
    }
    out.push(b'\n');
}

/// Edits selected fields of rows of a fixed width, splicing the rest through as raw bytes.
///
/// Built once per batch and reused for every row: the field bounds and value buffers are kept.
#[derive(Debug)]
pub struct FieldEditor {
    width: usize,
    columns: Vec<usize>,
    /// Start and end (exclusive) of each field of the current row.
    bounds: Vec<(usize, usize)>,
    /// The decoded values handed to the edit, in `columns` order.
    values: Vec<Option<String>>,
    /// The values as decoded, to tell which ones the edit changed.
    originals: Vec<Option<String>>,
}

/// Why [`FieldEditor::edit`] failed: the row was not valid COPY text, or the edit refused it.
#[derive(Debug, PartialEq, Eq)]
pub enum EditError<E> {
    Copy(CopyError),
    Edit(E),
}

impl FieldEditor {
    /// `columns`: the field positions to decode, strictly ascending and each below `width`.
    /// Returns `None` when they are not.
    pub fn new(width: usize, columns: &[usize]) -> Option<FieldEditor> {
        let ascending = columns.windows(2).all(|w| w[0] < w[1]);
        if !ascending || columns.last().is_some_and(|&c| c >= width) {
            return None;
        }
        Some(FieldEditor {
            width,
            columns: columns.to_vec(),
            bounds: Vec::with_capacity(width),
            values: vec![None; columns.len()],
            originals: vec![None; columns.len()],
        })
    }

    /// Decodes the selected fields of `line` (a row without its `\n`), lets `edit` change them
    /// (`values[k]` is field `columns[k]`), and appends the row with its `\n` to `out`. Fields the
    /// edit did not select, or selected but left equal, are copied byte for byte.
    pub fn edit<E>(
        &mut self,
        line: &[u8],
        out: &mut Vec<u8>,
        edit: impl FnOnce(&mut [Option<String>]) -> Result<(), E>,
    ) -> Result<(), EditError<E>> {
        self.bounds.clear();
        let mut start = 0;
        // memchr's SIMD search: rows are long (JSON, free text) and mostly not masked.
        for i in memchr::memchr_iter(DELIMITER, line) {
            self.bounds.push((start, i));
            start = i + 1;
        }
        self.bounds.push((start, line.len()));
        if self.bounds.len() != self.width {
            return Err(EditError::Copy(CopyError::FieldCount {
                expected: self.width,
                found: self.bounds.len(),
            }));
        }
        for (k, &column) in self.columns.iter().enumerate() {
            let (start, end) = self.bounds[column];
            let decoded = decode_field(&line[start..end], column).map_err(EditError::Copy)?;
            set_reusing(&mut self.originals[k], decoded.as_deref());
            set_reusing(&mut self.values[k], decoded.as_deref());
        }
        edit(&mut self.values).map_err(EditError::Edit)?;

        let mut copied_to = 0;
        for (k, &column) in self.columns.iter().enumerate() {
            if self.values[k] == self.originals[k] {
                continue;
            }
            let (start, end) = self.bounds[column];
            out.extend_from_slice(&line[copied_to..start]);
            encode_field(self.values[k].as_deref(), out);
            copied_to = end;
        }
        out.extend_from_slice(&line[copied_to..]);
        out.push(b'\n');
        Ok(())
    }
}

/// `slot = value`, keeping the slot's allocation when it has one.
fn set_reusing(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(buffer), Some(value)) => {
            buffer.clear();
            buffer.push_str(value);
        }
        (None, Some(value)) => *slot = Some(value.to_owned()),
        (_, None) => *slot = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(raw: &str) -> Option<String> {
        decode_field(raw.as_bytes(), 0)
            .unwrap()
            .map(Cow::into_owned)
    }

    fn encode(value: Option<&str>) -> String {
        let mut out = Vec::new();
        encode_field(value, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn decodes_every_escape() {
        let cases: &[(&str, Option<&str>)] = &[
            (r"\N", None),
            ("", Some("")),
            ("plain", Some("plain")),
            (r"a\tb\nc\rd", Some("a\tb\nc\rd")),
            (r"\\", Some("\\")),
            (r"\b\f\v", Some("\u{8}\u{c}\u{b}")),
            (r"\101\1010", Some("AA0")),
            (r"\7", Some("\u{7}")),
            (r"\x41\x4a\x4", Some("AJ\u{4}")),
            (r"\xg", Some("xg")),
            (r"\N\N", Some("NN")),
            (r"a\N", Some("aN")),
            (r"\.", Some(".")),
            (r"\q", Some("q")),
            (r"\303\251", Some("é")),
            ("żółw 🐢", Some("żółw 🐢")),
        ];
        for (raw, want) in cases {
            assert_eq!(decode(raw).as_deref(), *want, "decoding {raw:?}");
        }
    }

    #[test]
    fn borrows_fields_without_escapes() {
        let decoded = decode_field(b"no escapes here", 0).unwrap().unwrap();
        assert!(matches!(decoded, Cow::Borrowed(_)));
    }

    #[test]
    fn octal_over_a_byte_keeps_the_low_byte_like_postgres() {
        // 0o501 = 0x141, low byte 0x41.
        assert_eq!(decode(r"\501").as_deref(), Some("A"));
    }

    #[test]
    fn rejects_broken_fields_without_showing_them() {
        assert_eq!(
            decode_field(br"secret\", 3),
            Err(CopyError::DanglingBackslash { field: 3 })
        );
        let err = decode_field(br"secret\377", 2).unwrap_err();
        assert_eq!(err, CopyError::InvalidUtf8 { field: 2 });
        assert!(!err.to_string().contains("secret"));
        assert_eq!(
            decode_field(b"\xffsecret", 1),
            Err(CopyError::InvalidUtf8 { field: 1 })
        );
    }

    #[test]
    fn encodes_like_copy_to() {
        assert_eq!(encode(None), r"\N");
        assert_eq!(encode(Some("")), "");
        assert_eq!(encode(Some(r"\N")), r"\\N");
        assert_eq!(encode(Some("a\tb\nc\r\\")), r"a\tb\nc\r\\");
        assert_eq!(encode(Some("\u{8}\u{c}\u{b}\u{1}")), "\\b\\f\\v\u{1}");
    }

    /// A small deterministic generator (xorshift), so the property tests need no extra crate.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn value(&mut self) -> Option<String> {
            const PIECES: &[&str] = &[
                "\t", "\n", "\r", "\\", "\\N", "N", "\\.", ".", "\u{8}", "\u{b}", "\u{c}", "\u{0}",
                "x", "41", "7", " ", "é", "🐢", "日本", "\"", "'", ",", "{", "}", "a",
            ];
            match self.next() % 8 {
                0 => None,
                1 => Some(String::new()),
                _ => {
                    let len = self.next() % 12;
                    let pieces =
                        (0..len).map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize]);
                    Some(pieces.collect())
                }
            }
        }
    }

    #[test]
    fn decode_inverts_encode_for_every_value() {
        let mut generator = Gen(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let value = generator.value();
            let encoded = encode(value.as_deref());
            assert!(
                !encoded.contains(['\t', '\n']),
                "{encoded:?} holds a raw delimiter"
            );
            assert_eq!(
                decode(&encoded),
                value,
                "round trip of {value:?} via {encoded:?}"
            );
        }
    }

    #[test]
    fn rows_round_trip_and_encode_inverts_decode() {
        let mut generator = Gen(42);
        for _ in 0..2_000 {
            let width = 1 + (generator.next() % 6) as usize;
            let row: Vec<Option<String>> = (0..width).map(|_| generator.value()).collect();
            let mut line = Vec::new();
            encode_row(&row, &mut line);
            assert_eq!(line.iter().filter(|&&b| b == b'\n').count(), 1);
            let decoded = decode_row(&line[..line.len() - 1]).unwrap();
            let decoded: Vec<Option<String>> = decoded
                .into_iter()
                .map(|f| f.map(Cow::into_owned))
                .collect();
            assert_eq!(decoded, row);
            let mut again = Vec::new();
            encode_row(&decoded, &mut again);
            assert_eq!(again, line);
        }
    }

    fn edit_line(
        line: &str,
        width: usize,
        columns: &[usize],
        edit: impl FnOnce(&mut [Option<String>]) -> Result<(), &'static str>,
    ) -> Result<String, EditError<&'static str>> {
        let mut editor = FieldEditor::new(width, columns).unwrap();
        let mut out = Vec::new();
        editor.edit(line.as_bytes(), &mut out, edit)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn editor_rewrites_only_changed_fields() {
        let line = r"1	tab\there	\N	back\\slash	";
        let out = edit_line(line, 5, &[1, 2], |values| {
            assert_eq!(values[0].as_deref(), Some("tab\there"));
            assert_eq!(values[1], None);
            values[0] = Some(values[0].as_ref().unwrap().to_uppercase());
            values[1] = Some("new\nline".into());
            Ok(())
        })
        .unwrap();
        assert_eq!(out, "1\tTAB\\tHERE\tnew\\nline\tback\\\\slash\t\n");
    }

    #[test]
    fn editor_keeps_read_but_unchanged_fields_byte_identical() {
        // `\x41` is not how PostgreSQL writes `A`; re-encoding would canonicalise it.
        let line = r"\x41	b";
        let out = edit_line(line, 2, &[0, 1], |values| {
            values[1] = None;
            Ok(())
        })
        .unwrap();
        assert_eq!(out, "\\x41\t\\N\n");
    }

    #[test]
    fn editor_untouched_fields_are_byte_identical_over_random_rows() {
        let mut generator = Gen(7);
        for _ in 0..2_000 {
            let row: Vec<Option<String>> = (0..4).map(|_| generator.value()).collect();
            let mut line = Vec::new();
            encode_row(&row, &mut line);
            line.pop();
            let mut editor = FieldEditor::new(4, &[2]).unwrap();
            let mut out = Vec::new();
            editor
                .edit(&line, &mut out, |values| {
                    assert_eq!(values[0], row[2]);
                    values[0] = values[0].take().map(|v| format!("<{v}>"));
                    Ok::<(), ()>(())
                })
                .unwrap();
            out.pop();
            let before: Vec<&[u8]> = line.split(|&b| b == b'\t').collect();
            let after: Vec<&[u8]> = out.split(|&b| b == b'\t').collect();
            assert_eq!(after.len(), 4);
            for i in [0, 1, 3] {
                assert_eq!(after[i], before[i], "field {i} changed");
            }
            let edited = decode_field(after[2], 2).unwrap().map(Cow::into_owned);
            assert_eq!(edited, row[2].as_ref().map(|v| format!("<{v}>")));
        }
    }

    #[test]
    fn editor_reports_wrong_widths_and_edit_errors() {
        assert_eq!(
            edit_line("a\tb", 3, &[0], |_| Ok(())),
            Err(EditError::Copy(CopyError::FieldCount {
                expected: 3,
                found: 2
            }))
        );
        assert_eq!(
            edit_line("a\tb", 2, &[1], |_| Err("no")),
            Err(EditError::Edit("no"))
        );
        assert_eq!(
            edit_line("a\tsecret\\", 2, &[1], |_| Ok(())),
            Err(EditError::Copy(CopyError::DanglingBackslash { field: 1 }))
        );
    }

    #[test]
    fn editor_rejects_unordered_or_out_of_range_columns() {
        assert!(FieldEditor::new(3, &[1, 0]).is_none());
        assert!(FieldEditor::new(3, &[1, 1]).is_none());
        assert!(FieldEditor::new(3, &[3]).is_none());
        assert!(FieldEditor::new(3, &[]).is_some());
    }
}
