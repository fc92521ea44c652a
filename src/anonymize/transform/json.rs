//! `json`: applies a rule per JSON path inside a json/jsonb value; everything else is kept.
//!
//! Paths: `$` is the root, `.key` or `["key with spaces"]` a member, `[N]` an element, `[*]`
//! every element (or every member value of an object). Example:
//! `{ transform = "json", paths = { "$.email" = "email", "$.contacts[*].phone" = "phone" } }`.
//! A path that does not exist in a value is skipped (documents vary). At a path, a string is
//! transformed as text; a JSON null stays null unless the rule is `null`/`constant`; a number or
//! boolean is transformed as its text and stays a number when the result is one (so
//! `number_noise` works); an object or array is transformed as its compact JSON text and stays
//! JSON when the result parses (so `keep`, `null` and nested `json` work).
//! Deterministic as the path rules are (the same email gets the same fake in a column and in
//! JSON). Object keys come out sorted and whitespace compact: jsonb does not keep either anyway,
//! json columns keep the same meaning. Numbers beyond f64 precision are rounded.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::{BuildCtx, PgType, RowLookup, Transform, Transformer};
use crate::anonymize::profile::ColumnRule;

pub(crate) const SUMMARY: &str = "apply a rule per JSON path ($.a.b, $.list[*].c).";

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Options {
    paths: toml::Table,
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
    All,
}

struct Json(Vec<(Vec<Segment>, Transformer)>);

pub(crate) fn build(rule: &ColumnRule, ctx: &BuildCtx) -> Result<Box<dyn Transform>, String> {
    let o: Options = ctx.options(rule)?;
    if o.paths.is_empty() {
        return Err("`paths` is empty: map at least one JSON path to a rule".into());
    }
    let mut paths = Vec::new();
    for (path, value) in &o.paths {
        let segments = parse_path(path).map_err(|e| format!("JSON path `{path}`: {e}"))?;
        let rule = ColumnRule::from_value(value).map_err(|e| format!("JSON path `{path}`: {e}"))?;
        let t = ctx
            .nested(&rule)
            .map_err(|e| format!("JSON path `{path}`: {e}"))?;
        paths.push((segments, t));
    }
    Ok(Box::new(Json(paths)))
}

/// Parses a JSON path as profiles write them (`$.a.b`, `$["a b"][*]`, `$.l[0]`); the error says
/// what is wrong. Coverage reads the same paths with it.
pub(crate) fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let rest = path
        .strip_prefix('$')
        .ok_or("a path starts with `$` (e.g. `$.email`)")?;
    let c: Vec<char> = rest.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < c.len() {
        match c[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < c.len() && c[i] != '.' && c[i] != '[' {
                    i += 1;
                }
                let key: String = c[start..i].iter().collect();
                if key.is_empty() {
                    return Err("empty key after `.`".into());
                }
                out.push(if key == "*" {
                    Segment::All
                } else {
                    Segment::Key(key)
                });
            }
            '[' => {
                i += 1;
                if c.get(i) == Some(&'"') {
                    i += 1;
                    let mut key = String::new();
                    loop {
                        match c.get(i) {
                            Some('\\') if i + 1 < c.len() => {
                                key.push(c[i + 1]);
                                i += 2;
                            }
                            Some('"') => break,
                            Some(&ch) => {
                                key.push(ch);
                                i += 1;
                            }
                            None => return Err("unterminated `[\"`".into()),
                        }
                    }
                    i += 1;
                    out.push(Segment::Key(key));
                } else {
                    let start = i;
                    while i < c.len() && c[i] != ']' {
                        i += 1;
                    }
                    let inner: String = c[start..i].iter().collect();
                    out.push(match inner.trim() {
                        "*" => Segment::All,
                        n => Segment::Index(
                            n.parse()
                                .map_err(|_| "expected `[*]`, `[N]` or `[\"key\"]`".to_owned())?,
                        ),
                    });
                }
                if c.get(i) != Some(&']') {
                    return Err("missing `]`".into());
                }
                i += 1;
            }
            _ => return Err("expected `.key` or `[...]` after `$`".into()),
        }
    }
    if out.is_empty() {
        return Err("the path names the whole value: use the rule on the column instead".into());
    }
    Ok(out)
}

/// A JSON document as serde_json's [`Value`] would hold it (same variants, same number
/// parsing, object members sorted by key with the last duplicate winning), except that keys and
/// strings without escapes borrow from the input instead of each getting an allocation. It
/// serialises exactly as the equivalent `Value` does (the same serializer calls in the same
/// order), so the output bytes are those of `Value`'s compact printing; the tests compare the two
/// over random documents.
#[derive(Debug, Clone, PartialEq)]
enum Node<'a> {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    Object(BTreeMap<Cow<'a, str>, Node<'a>>),
}

impl Node<'_> {
    /// Whether `v` is the same kind of JSON value (what `std::mem::discriminant` compared when the
    /// document was a `Value`).
    fn same_kind(&self, v: &Value) -> bool {
        matches!(
            (self, v),
            (Node::Null, Value::Null)
                | (Node::Bool(_), Value::Bool(_))
                | (Node::Number(_), Value::Number(_))
                | (Node::String(_), Value::String(_))
                | (Node::Array(_), Value::Array(_))
                | (Node::Object(_), Value::Object(_))
        )
    }

    /// Compact JSON text, as `Value`'s `to_string` prints it (`capacity`: the expected length).
    fn to_json(&self, capacity: usize) -> Result<String, String> {
        let mut out = Vec::with_capacity(capacity);
        serde_json::to_writer(&mut out, self).map_err(|_| "cannot print JSON".to_owned())?;
        String::from_utf8(out).map_err(|_| "cannot print JSON".to_owned())
    }
}

impl From<Value> for Node<'static> {
    fn from(v: Value) -> Self {
        match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Number(n),
            Value::String(s) => Node::String(Cow::Owned(s)),
            Value::Array(a) => Node::Array(a.into_iter().map(Node::from).collect()),
            Value::Object(m) => Node::Object(
                m.into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Node::from(v)))
                    .collect(),
            ),
        }
    }
}

/// Mirrors `Value`'s `Serialize`.
impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::Number(n) => n.serialize(serializer),
            Node::String(s) => serializer.serialize_str(s),
            Node::Array(a) => a.serialize(serializer),
            Node::Object(m) => {
                let mut map = serializer.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Mirrors `Value`'s `Deserialize` (serde_json's own parser decides what is valid and how
/// numbers read), borrowing what it can.
impl<'de: 'a, 'a> Deserialize<'de> for Node<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor(PhantomData))
    }
}

struct NodeVisitor<'a>(PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for NodeVisitor<'a> {
    type Value = Node<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }
    fn visit_bool<E>(self, b: bool) -> Result<Node<'a>, E> {
        Ok(Node::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Node<'a>, E> {
        Ok(Node::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Node<'a>, E> {
        Ok(Node::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Node<'a>, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Node::Null, Node::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node<'a>, E> {
        Ok(Node::String(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Node<'a>, E> {
        Ok(Node::String(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E>(self, s: String) -> Result<Node<'a>, E> {
        Ok(Node::String(Cow::Owned(s)))
    }
    fn visit_none<E>(self) -> Result<Node<'a>, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node<'a>, D::Error> {
        Deserialize::deserialize(d)
    }
    fn visit_unit<E>(self) -> Result<Node<'a>, E> {
        Ok(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'a>, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Node::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'a>, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(Key(k)) = map.next_key()? {
            let v: Node<'a> = map.next_value()?;
            out.insert(k, v);
        }
        Ok(Node::Object(out))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for KeyVisitor<'a> {
            type Value = Key<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E>(self, s: String) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(s)))
            }
        }
        deserializer.deserialize_str(KeyVisitor(PhantomData))
    }
}

fn visit(
    v: &mut Node,
    path: &[Segment],
    f: &Transformer,
    row: &dyn RowLookup,
) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return leaf(v, f, row);
    };
    match (first, v) {
        (Segment::Key(k), Node::Object(m)) => match m.get_mut(k.as_str()) {
            Some(child) => visit(child, rest, f, row),
            None => Ok(()),
        },
        (Segment::Index(n), Node::Array(a)) => match a.get_mut(*n) {
            Some(child) => visit(child, rest, f, row),
            None => Ok(()),
        },
        (Segment::All, Node::Array(a)) => a.iter_mut().try_for_each(|c| visit(c, rest, f, row)),
        (Segment::All, Node::Object(m)) => m.values_mut().try_for_each(|c| visit(c, rest, f, row)),
        _ => Ok(()),
    }
}

/// Transforms the value at a path: a string as its text, a number, boolean, object or array as
/// its compact JSON text (kept as that kind when the result parses as one), null as NULL.
fn leaf(v: &mut Node, f: &Transformer, row: &dyn RowLookup) -> Result<(), String> {
    let text = match &mut *v {
        Node::Null => None,
        Node::String(s) => Some(std::mem::take(s)),
        other => Some(Cow::Owned(other.to_json(16)?)),
    };
    let was_string = matches!(v, Node::String(_));
    let out = f
        .apply(text.as_deref(), row)
        .map_err(|e| format!("at a JSON path: {e}"))?;
    *v = match out {
        None => Node::Null,
        Some(s) if was_string => Node::String(Cow::Owned(s)),
        Some(s) => match serde_json::from_str::<Value>(&s) {
            Ok(parsed) if v.same_kind(&parsed) && !parsed.is_null() => Node::from(parsed),
            _ => Node::String(Cow::Owned(s)),
        },
    };
    Ok(())
}

impl Transform for Json {
    fn row_columns(&self) -> Vec<String> {
        self.0.iter().flat_map(|(_, t)| t.row_columns()).collect()
    }
    fn apply(&self, value: &str, row: &dyn RowLookup) -> Result<Option<String>, String> {
        let mut doc: Node =
            serde_json::from_str(value).map_err(|_| "input is not valid JSON".to_owned())?;
        for (path, f) in &self.0 {
            visit(&mut doc, path, f, row)?;
        }
        Ok(Some(doc.to_json(value.len())?))
    }
    fn fits_type(&self, ty: &PgType) -> Result<(), String> {
        if ty.is_json() {
            Ok(())
        } else {
            Err(format!(
                "`json` fits json and jsonb columns, not `{}`",
                ty.written
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::keyed::Salt;
    use crate::anonymize::transform::NoRow;

    /// The implementation before the borrowing `Node`: a full `Value` tree, printed by `Value`.
    fn reference_apply(
        paths: &[(Vec<Segment>, Transformer)],
        value: &str,
    ) -> Result<Option<String>, String> {
        fn visit(v: &mut Value, path: &[Segment], f: &Transformer) -> Result<(), String> {
            let Some((first, rest)) = path.split_first() else {
                return leaf(v, f);
            };
            match (first, v) {
                (Segment::Key(k), Value::Object(m)) => match m.get_mut(k) {
                    Some(child) => visit(child, rest, f),
                    None => Ok(()),
                },
                (Segment::Index(n), Value::Array(a)) => match a.get_mut(*n) {
                    Some(child) => visit(child, rest, f),
                    None => Ok(()),
                },
                (Segment::All, Value::Array(a)) => a.iter_mut().try_for_each(|c| visit(c, rest, f)),
                (Segment::All, Value::Object(m)) => {
                    m.values_mut().try_for_each(|c| visit(c, rest, f))
                }
                _ => Ok(()),
            }
        }
        fn leaf(v: &mut Value, f: &Transformer) -> Result<(), String> {
            let text = match &mut *v {
                Value::Null => None,
                Value::String(s) => Some(std::mem::take(s)),
                other => Some(other.to_string()),
            };
            let was_string = v.is_string();
            let out = f
                .apply(text.as_deref(), &NoRow)
                .map_err(|e| format!("at a JSON path: {e}"))?;
            *v = match out {
                None => Value::Null,
                Some(s) if was_string => Value::String(s),
                Some(s) => match serde_json::from_str::<Value>(&s) {
                    Ok(parsed)
                        if std::mem::discriminant(&parsed) == std::mem::discriminant(v)
                            && !matches!(parsed, Value::Null) =>
                    {
                        parsed
                    }
                    _ => Value::String(s),
                },
            };
            Ok(())
        }
        let mut doc: Value =
            serde_json::from_str(value).map_err(|_| "input is not valid JSON".to_owned())?;
        for (path, f) in paths {
            visit(&mut doc, path, f)?;
        }
        Ok(Some(doc.to_string()))
    }

    /// A small deterministic generator (xorshift64*), enough to vary documents.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len() as u64) as usize]
        }
        fn ws(&mut self) -> &'static str {
            self.pick(&["", "", " ", "\n  ", "\t"])
        }
        /// A JSON string literal: plain, escaped, non-ASCII, control characters.
        fn string(&mut self) -> String {
            let parts = [
                "a",
                "email",
                "zip",
                "name",
                "x y",
                "\\\"",
                "\\n",
                "\\u00e9",
                "é",
                "日本",
                "\\ud83d\\ude00",
                "😀",
                "\\/",
                "/",
                "\\u0001",
                "\\t",
                "<>&",
                "'",
                "alice@corp.com",
                "12",
                "true",
            ];
            let mut s = String::from("\"");
            for _ in 0..self.below(4) {
                s.push_str(self.pick(&parts));
            }
            s.push('"');
            s
        }
        fn number(&mut self) -> String {
            self.pick(&[
                "0",
                "-0",
                "1",
                "-1",
                "42",
                "1.0",
                "1.50",
                "-2.5e3",
                "1E2",
                "1e-7",
                "0.1",
                "3.141592653589793238462643383279",
                "18446744073709551615",
                "18446744073709551616",
                "-9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890",
                "5e-324",
                "1.7976931348623157e308",
                "2.2250738585072014e-308",
                "100000000000000000000.5",
            ])
            .to_owned()
        }
        fn value(&mut self, depth: u32) -> String {
            let kind = if depth >= 3 {
                self.below(5)
            } else {
                self.below(8)
            };
            match kind {
                0 => "null".to_owned(),
                1 => self.pick(&["true", "false"]).to_owned(),
                2 => self.number(),
                3 | 4 => self.string(),
                5 => {
                    let n = self.below(4);
                    let items: Vec<String> = (0..n).map(|_| self.value(depth + 1)).collect();
                    format!("[{}{}{}]", self.ws(), items.join(", "), self.ws())
                }
                _ => {
                    let n = self.below(6);
                    let keys = [
                        "a", "b", "email", "zip", "list", "n", "odd key", "é", "a\\u0062",
                    ];
                    let items: Vec<String> = (0..n)
                        .map(|_| {
                            let k = self.pick(&keys);
                            let ws = self.ws();
                            format!("\"{k}\"{ws}:{} {}", self.ws(), self.value(depth + 1))
                        })
                        .collect();
                    format!("{{{}{}}}", self.ws(), items.join(","))
                }
            }
        }
    }

    #[test]
    fn same_output_as_the_value_tree_over_random_documents() {
        let rules = [
            "\"email\"",
            "\"keep\"",
            "\"null\"",
            "\"hash\"",
            "\"zip\"",
            "\"name\"",
            "\"scrub\"",
            "{ transform = \"constant\", value = \"[1,2]\" }",
            "{ transform = \"constant\", value = \"7\" }",
            "{ transform = \"constant\", value = \"{\\\"k\\\": 1.50}\" }",
            "{ transform = \"number_noise\", percent = 5 }",
            "{ transform = \"json\", paths = { \"$.a\" = \"email\", \"$[*]\" = \"keep\" } }",
            "{ transform = \"regex_replace\", pattern = \"[0-9]\", replacement = \"x\" }",
        ];
        let paths = [
            "$.a",
            "$.b",
            "$.email",
            "$.list[*]",
            "$.list[0]",
            "$[*]",
            "$[*].a",
            "$[\"odd key\"]",
            "$.a.b",
            "$.é",
            "$.ab",
            "$[1]",
            "$[*][*]",
            "$.n",
            "$.list[*].zip",
        ];
        let salt = Salt::new("reference-salt");
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        let mut compared = 0;
        for round in 0..400 {
            let n = 1 + g.below(4) as usize;
            let mut table = toml::Table::new();
            for _ in 0..n {
                let rule = g.pick(&rules);
                let v: toml::Table = toml::from_str(&format!("r = {rule}")).unwrap();
                table.insert(g.pick(&paths).to_owned(), v["r"].clone());
            }
            let mut rule_table = toml::Table::new();
            rule_table.insert("transform".into(), "json".into());
            rule_table.insert("paths".into(), toml::Value::Table(table));
            let rule = ColumnRule::from_value(&toml::Value::Table(rule_table)).unwrap();
            let ctx = BuildCtx {
                salt: &salt,
                keyed: salt.keyed(),
            };
            let Ok(optimized) = build(&rule, &ctx) else {
                continue; // a rule that does not fit (e.g. nested json with a bad option)
            };
            let o: Options = ctx.options(&rule).unwrap();
            let reference: Vec<(Vec<Segment>, Transformer)> = o
                .paths
                .iter()
                .map(|(p, v)| {
                    let r = ColumnRule::from_value(v).unwrap();
                    (parse_path(p).unwrap(), ctx.nested(&r).unwrap())
                })
                .collect();
            for _ in 0..25 {
                let doc = format!("{}{}{}", g.ws(), g.value(0), g.ws());
                let cut = g.below(doc.len() as u64 + 1) as usize;
                let doc = if round % 10 == 0 && doc.is_char_boundary(cut) {
                    doc[..cut].to_owned() // mostly invalid JSON: the same error expected
                } else {
                    doc
                };
                let want = reference_apply(&reference, &doc);
                let got = optimized.apply(&doc, &NoRow);
                assert_eq!(got, want, "document {doc:?}");
                compared += 1;
            }
        }
        assert!(compared > 5000, "{compared}");
    }

    #[test]
    fn paths() {
        use Segment::*;
        assert_eq!(
            parse_path("$.a.b").unwrap(),
            [Key("a".into()), Key("b".into())]
        );
        assert_eq!(
            parse_path("$.list[*].c").unwrap(),
            [Key("list".into()), All, Key("c".into())]
        );
        assert_eq!(
            parse_path("$[\"a b\"][2]").unwrap(),
            [Key("a b".into()), Index(2)]
        );
        for bad in ["a.b", "$", "$..a", "$[x]", "$[1", "$.a[\"b"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }
}
