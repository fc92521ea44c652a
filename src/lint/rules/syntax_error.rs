//! `syntax-error`: a statement that neither the parser nor the token fallback understands.
//!
//! Such a statement is not linted by any other rule, so its locks and rewrites go unchecked; the
//! rest of the file still is. The engine also reports an unterminated quote, dollar quote or
//! comment under this rule (`lint_file` in `src/lint/mod.rs`): everything after it is one
//! unfinished string, and nothing there is linted. Statements found inside `DO` bodies are not
//! reported: they are picked out of PL/pgSQL, which extends SQL.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct SyntaxError;

impl Check for SyntaxError {
    fn statement(&self, stmt: &Statement, _ctx: &Context, out: &mut Vec<Finding>) {
        // SQL found inside a `DO` body is picked out of PL/pgSQL by a heuristic, and PL/pgSQL
        // extends SQL (`INSERT ... RETURNING id INTO v`): a statement there that does not parse
        // is not evidence of an error, and PostgreSQL checks the body when it runs it.
        if stmt.in_do_block {
            return;
        }
        let Some(err) = &stmt.syntax_error else {
            return;
        };
        out.push(Finding::new(
            err.span.clone(),
            format!("This statement could not be parsed, so no rule checked it: {}", err.message),
            "Fix the statement: PostgreSQL most likely rejects it too. If PostgreSQL accepts it, \
             please report it to pgward and silence this with `-- pgward-ignore: syntax-error` \
             above it; the rest of the file is linted either way",
        ));
    }
}
