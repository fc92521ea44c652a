//! Before the swap: the new database must hold, table by table, the rows the source's snapshot
//! held (all of them, or those the profile's `rows` policy selects), and the same schema as the
//! source (owners and grants aside). Anything else and the old staging stays.

use tokio_postgres::Client;

use crate::anonymize::RowsPolicy;
use crate::pg::catalog;
use crate::pg::connect::describe_error;

use super::SyncError;
use super::pipeline::TableStats;
use super::plan::TableJob;

/// Counts each table's rows in the new database and compares with what the copy read from the
/// snapshot.
pub async fn row_counts(
    target: &Client,
    tables: &[TableJob],
    copied: &[(String, TableStats)],
) -> Result<(), SyncError> {
    let mut problems = Vec::new();
    for job in tables {
        let expected = match job.rows {
            RowsPolicy::None => 0,
            _ => copied
                .iter()
                .find(|(k, _)| *k == job.key)
                .map(|(_, s)| s.rows)
                .ok_or_else(|| SyncError::Internal(format!("{} was not copied", job.key)))?,
        };
        let sql = format!("SELECT count(*) FROM ONLY {}", job.plan.qualified_name());
        let found: i64 = target
            .query_one(&sql, &[])
            .await
            .map_err(|e| SyncError::Database {
                action: format!("count the rows of {} in the new database", job.key),
                reason: describe_error(&e),
            })?
            .get(0);
        if found as u64 != expected {
            problems.push(format!(
                "{}: the source's snapshot had {expected} rows to copy, the new database has {found}",
                job.key
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SyncError::Verify { problems })
    }
}

/// The source's schema, read in the snapshot's transaction before the copy (so the snapshot can
/// be released as soon as the data is in).
pub async fn source_schema(source: &Client) -> Result<Vec<String>, SyncError> {
    catalog::schema_fingerprint(source)
        .await
        .map_err(|e| SyncError::Database {
            action: "read the source's schema".to_owned(),
            reason: describe_error(&e),
        })
}

/// Compares the new database's schema with the source's.
pub async fn schema(expected: &[String], target: &Client) -> Result<(), SyncError> {
    let found = catalog::schema_fingerprint(target)
        .await
        .map_err(|e| SyncError::Database {
            action: "read the new database's schema".to_owned(),
            reason: describe_error(&e),
        })?;
    let problems = diff(expected, &found);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SyncError::Verify { problems })
    }
}

/// Lines only one side has, at most 20 of them.
fn diff(expected: &[String], found: &[String]) -> Vec<String> {
    let missing = expected
        .iter()
        .filter(|l| found.binary_search(l).is_err())
        .map(|l| format!("missing in the new database: {l}"));
    let extra = found
        .iter()
        .filter(|l| expected.binary_search(l).is_err())
        .map(|l| format!("not in the source: {l}"));
    missing.chain(extra).take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_both_sides_of_a_schema_difference() {
        let a = vec!["index x".to_owned(), "relation t".to_owned()];
        let b = vec!["relation t".to_owned(), "trigger y".to_owned()];
        assert_eq!(
            diff(&a, &b),
            vec![
                "missing in the new database: index x".to_owned(),
                "not in the source: trigger y".to_owned()
            ]
        );
        assert!(diff(&a, &a).is_empty());
    }
}
