//! What a rule reports, and the diagnostic the engine builds from it.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::ops::LockMode;
use super::rules::RuleId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What a rule found at one spot. The engine adds the rule id, severity and positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Byte range in the file; the statement's span when the rule has nothing narrower.
    pub span: Range<usize>,
    /// What happens here, in words a tired reviewer understands.
    pub message: String,
    /// The safe alternative, as concrete SQL where there is one.
    pub help: String,
    pub lock: Option<LockMode>,
    /// Whether the statement rewrites (or, for `Some(false)`, does not rewrite) the table.
    pub rewrites_table: Option<bool>,
    /// The one mechanical rewrite that makes this finding go away (`pgward lint --fix`).
    pub fix: Option<Fix>,
    /// Why a rule that has fixes offers none here ("inside a transaction block"), for `--fix`.
    pub no_fix: Option<String>,
}

impl Finding {
    pub fn new(span: Range<usize>, message: impl Into<String>, help: impl Into<String>) -> Finding {
        Finding {
            span,
            message: message.into(),
            help: help.into(),
            lock: None,
            rewrites_table: None,
            fix: None,
            no_fix: None,
        }
    }

    pub fn lock(mut self, mode: LockMode) -> Finding {
        self.lock = Some(mode);
        self
    }

    pub fn rewrites(mut self, rewrites: bool) -> Finding {
        self.rewrites_table = Some(rewrites);
        self
    }

    /// Offers `fix`, or, with `Err(reason)`, says why there is none here.
    pub fn fix(mut self, fix: Result<Fix, String>) -> Finding {
        match fix {
            Ok(fix) => self.fix = Some(fix),
            Err(reason) => self.no_fix = Some(reason),
        }
        self
    }
}

/// Replace the bytes `range` of the file with `replacement` (an insertion when `range` is empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            replacement: text.into(),
        }
    }
}

/// How far a fix can be trusted (ruff's applicability): `--fix` applies only safe fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps what the migration does, only how it locks changes.
    Safe,
    /// Changes what the migration does: shown, never applied.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// What the runner must do with the file for a fix's SQL to work as intended. The rule checks
/// what the file itself says ([`Context::in_transaction`](super::context::Context::in_transaction));
/// `fix.rs` checks the migration framework's transaction mode, which rules do not see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Nothing beyond what the file says.
    Nothing,
    /// The statement must run outside any transaction block (`CONCURRENTLY`): not in a runner's
    /// transaction, and not in a multi-statement query string (PostgreSQL's implicit block).
    NoTransactionBlock,
    /// The statements the fix adds must commit separately from the one it changes (`VALIDATE
    /// CONSTRAINT` after `ADD CONSTRAINT ... NOT VALID`): the runner sends statement by statement.
    SeparateCommits,
    /// The fix adds a statement: the file must run the same way with one more (a runner that
    /// sends a one-statement file as one query would wrap two in an implicit transaction).
    AnotherStatement,
}

/// A rule's fix: edits on the file, applied together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, imperative: "Add CONCURRENTLY".
    pub title: String,
    /// Non-overlapping, in any order.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
    pub needs: Needs,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>, needs: Needs) -> Fix {
        Fix {
            title: title.into(),
            edits,
            applicability: Applicability::Safe,
            needs,
        }
    }
}

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub severity: Severity,
    pub span: Range<usize>,
    pub start: Position,
    pub end: Position,
    pub message: String,
    pub help: String,
    pub lock: Option<LockMode>,
    pub rewrites_table: Option<bool>,
    /// For the rules that offer fixes: the fix `--fix` applies here, or why there is none.
    /// `None` for the other rules.
    pub fix: Option<FixVerdict>,
}

/// A fixable rule's word on one of its diagnostics, as the migration runner runs the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FixVerdict {
    /// `--fix` applies this (safe; its edits placed where they land in the file).
    Fix(Fix),
    /// Why not: the runner's transaction mode, an unsafe rewrite, nothing mechanical to do.
    NoFix(String),
}
