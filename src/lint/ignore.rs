//! Suppression comments.
//!
//! `-- pgward-ignore: rule-a, rule-b -- why` in the comments directly above a
//! statement silences those rules for that statement; `-- pgward-ignore-file:
//! rule-a` anywhere silences them for the whole file. `squawk-ignore` and
//! `squawk-ignore-file` are read the same way so that teams can switch without
//! rewriting their migrations. A suppression that silences nothing is
//! reported by `unused-ignore`.

use std::ops::Range;

use super::rules::{RuleId, UnknownRule};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The statement that follows the comment.
    NextStatement,
    /// The whole file.
    File,
}

/// One rule named in one suppression comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub rule: RuleId,
    pub scope: Scope,
    /// Byte range of the rule id inside the comment (for `unused-ignore`).
    pub span: Range<usize>,
    /// The comment's byte range.
    pub comment: Range<usize>,
    /// The text after a second `--`, if any.
    pub reason: Option<String>,
}

/// A suppression comment naming a rule that does not exist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadSuppression {
    pub error: UnknownRule,
    pub span: Range<usize>,
}

/// Reads the suppressions from one comment (`--` or `/* */`), given its byte range in `src`.
pub fn parse_comment(
    src: &str,
    comment: Range<usize>,
    out: &mut Vec<Suppression>,
    bad: &mut Vec<BadSuppression>,
) {
    let text = &src[comment.clone()];
    let (body, body_offset) = if let Some(rest) = text.strip_prefix("--") {
        (rest, 2)
    } else if let Some(rest) = text.strip_prefix("/*") {
        (rest.strip_suffix("*/").unwrap_or(rest), 2)
    } else {
        return;
    };
    let trimmed = body.trim_start();
    let lead = body.len() - trimmed.len();
    let directives = [
        ("pgward-ignore-file", Scope::File),
        ("squawk-ignore-file", Scope::File),
        ("pgward-ignore", Scope::NextStatement),
        ("squawk-ignore", Scope::NextStatement),
    ];
    let Some((directive, scope)) = directives
        .iter()
        .find(|(d, _)| trimmed.starts_with(d))
        .copied()
    else {
        return;
    };
    let mut rest = &trimmed[directive.len()..];
    let mut rest_offset = comment.start + body_offset + lead + directive.len();
    // `pgward-ignore: a, b` and squawk's `squawk-ignore a, b` are both accepted.
    if let Some(r) = rest.strip_prefix(':') {
        rest = r;
        rest_offset += 1;
    } else if !rest.starts_with(char::is_whitespace) {
        return;
    }
    let (list, reason) = match rest.find("--") {
        Some(i) => (&rest[..i], Some(rest[i + 2..].trim().to_owned())),
        None => (rest, None),
    };
    let mut pos = 0;
    for part in list.split(',') {
        let start = pos + (part.len() - part.trim_start().len());
        pos += part.len() + 1;
        let id = part.trim();
        if id.is_empty() {
            continue;
        }
        let span = rest_offset + start..rest_offset + start + id.len();
        match id.parse::<RuleId>() {
            Ok(rule) => out.push(Suppression {
                rule,
                scope,
                span,
                comment: comment.clone(),
                reason: reason.clone().filter(|r| !r.is_empty()),
            }),
            Err(error) => bad.push(BadSuppression { error, span }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> (Vec<Suppression>, Vec<BadSuppression>) {
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        parse_comment(src, 0..src.len(), &mut out, &mut bad);
        (out, bad)
    }

    #[test]
    fn reads_rules_scope_and_reason() {
        let src = "-- pgward-ignore: ban-drop-column, renaming-table -- dropped in v2";
        let (s, bad) = parse(src);
        assert!(bad.is_empty());
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].rule, RuleId::BanDropColumn);
        assert_eq!(&src[s[1].span.clone()], "renaming-table");
        assert_eq!(s[0].reason.as_deref(), Some("dropped in v2"));
        assert_eq!(s[0].scope, Scope::NextStatement);
    }

    #[test]
    fn file_scope_and_squawk_spelling() {
        let (s, _) = parse("-- pgward-ignore-file: ban-drop-table");
        assert_eq!(s[0].scope, Scope::File);
        let (s, _) = parse("-- squawk-ignore adding-not-nullable-field");
        assert_eq!(s[0].rule, RuleId::SettingNotNull);
        let (s, _) = parse("/* pgward-ignore: ban-truncate */");
        assert_eq!(s[0].rule, RuleId::BanTruncate);
    }

    #[test]
    fn unknown_rules_are_reported_with_their_span() {
        let src = "-- pgward-ignore: ban-drop-colum";
        let (s, bad) = parse(src);
        assert!(s.is_empty());
        assert_eq!(&src[bad[0].span.clone()], "ban-drop-colum");
        assert!(bad[0].error.to_string().contains("ban-drop-column"));
    }

    #[test]
    fn other_comments_are_ignored() {
        assert_eq!(parse("-- pgward-ignored here").0.len(), 0);
        assert_eq!(parse("-- just a note").0.len(), 0);
    }
}
