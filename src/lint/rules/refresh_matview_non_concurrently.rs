//! `refresh-matview-non-concurrently`: `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.
//!
//! A plain refresh recomputes the view's query into a new file under an ACCESS EXCLUSIVE lock on
//! the view: every read of the view waits until the query finishes. `CONCURRENTLY` (it needs a
//! unique index on the view) takes an EXCLUSIVE lock instead, which lets reads go on. A view
//! created earlier in the file has no readers yet, and `WITH NO DATA` computes nothing (and
//! cannot be combined with `CONCURRENTLY`): both are exempt.

use crate::lint::context::Context;
use crate::lint::diagnostic::Finding;
use crate::lint::ops::{LockMode, ObjectKind, Op};
use crate::lint::rules::Check;
use crate::lint::statement::Statement;

pub struct RefreshMatviewNonConcurrently;

impl Check for RefreshMatviewNonConcurrently {
    fn statement(&self, stmt: &Statement, ctx: &Context, out: &mut Vec<Finding>) {
        for op in &stmt.ops {
            let Op::RefreshMaterializedView {
                name,
                concurrently: false,
            } = op
            else {
                continue;
            };
            if ctx.is_new(ObjectKind::MaterializedView, name) || with_no_data(&stmt.text) {
                continue;
            }
            let mode = LockMode::AccessExclusive;
            out.push(
                Finding::new(
                    stmt.span.clone(),
                    format!(
                        "Refreshing {name} takes an {mode} lock on {name}: blocks reads of the \
                         view while its query is recomputed"
                    ),
                    format!(
                        "Use REFRESH MATERIALIZED VIEW CONCURRENTLY {name}; (EXCLUSIVE lock: \
                         reads go on). It needs a unique index on the view, built first with \
                         CREATE UNIQUE INDEX CONCURRENTLY {}_key ON {name} (<columns that identify \
                         a row>);",
                        name.name
                    ),
                )
                .lock(mode)
                .rewrites(true),
            );
        }
    }
}

/// `REFRESH MATERIALIZED VIEW v WITH NO DATA`: empties the view instead of computing it.
fn with_no_data(text: &str) -> bool {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.trim_end_matches(';').to_ascii_lowercase())
        .collect();
    words.ends_with(&["with".into(), "no".into(), "data".into()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::context::FileSettings;
    use crate::lint::ops::Name;
    use crate::lint::rules::helpers::run_check;

    fn refresh(concurrently: bool) -> Vec<Op> {
        vec![Op::RefreshMaterializedView {
            name: Name::bare("order_totals"),
            concurrently,
        }]
    }

    #[test]
    fn plain_refresh_fires() {
        let found = run_check(
            &RefreshMatviewNonConcurrently,
            &FileSettings::default(),
            &[("REFRESH MATERIALIZED VIEW order_totals", refresh(false))],
        );
        assert_eq!(found.len(), 1);
        let f = &found[0].1;
        assert_eq!(f.lock, Some(LockMode::AccessExclusive));
        assert!(f.message.contains("ACCESS EXCLUSIVE lock on order_totals"));
        assert!(
            f.help
                .contains("REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;")
        );
        assert!(f.help.contains("unique index"));
    }

    #[test]
    fn quiet_concurrently_with_no_data_and_for_new_views() {
        let create = vec![Op::Create {
            kind: ObjectKind::MaterializedView,
            name: Name::bare("order_totals"),
            on_table: None,
            or_replace: false,
        }];
        for stmts in [
            vec![(
                "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals",
                refresh(true),
            )],
            vec![(
                "REFRESH MATERIALIZED VIEW order_totals\n  WITH NO DATA",
                refresh(false),
            )],
            vec![
                ("CREATE MATERIALIZED VIEW order_totals AS ...", create),
                ("REFRESH MATERIALIZED VIEW order_totals", refresh(false)),
            ],
        ] {
            let found = run_check(
                &RefreshMatviewNonConcurrently,
                &FileSettings::default(),
                &stmts,
            );
            assert!(found.is_empty(), "{stmts:?}");
        }
    }
}
