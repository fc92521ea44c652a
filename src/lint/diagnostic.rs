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
}

impl Finding {
    pub fn new(span: Range<usize>, message: impl Into<String>, help: impl Into<String>) -> Finding {
        Finding {
            span,
            message: message.into(),
            help: help.into(),
            lock: None,
            rewrites_table: None,
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
}
