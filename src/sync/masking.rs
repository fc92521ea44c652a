//! One table's masking: the profile's transformers for its columns, as the pipeline's
//! [`RowTransform`]. Only the masked columns (and the columns a `template` reads) are decoded; the
//! others pass through as the source's bytes.

use std::sync::Arc;

use crate::anonymize::{RowLookup, Transformer};

use super::pipeline::{RowTransform, TransformError};

/// The transformers of one table, by column position in the table plan.
pub struct TableMasking {
    /// Positions the pipeline decodes, ascending: masked columns and those a template reads.
    decoded: Vec<usize>,
    /// Column names of `decoded`, for templates' row lookups.
    names: Vec<String>,
    /// `(index into decoded, column name, transformer)` of each masked column.
    masked: Vec<(usize, String, Arc<Transformer>)>,
    /// Whether a transformer reads other columns (then it must see the original row).
    reads_row: bool,
}

impl TableMasking {
    /// `columns` are the plan's columns in order; `rules` pairs a position with its transformer
    /// (`keep` rules are left out by the caller). Columns a template names that are not in
    /// `columns` are ignored here: the pre-flight reports them.
    pub fn new(columns: &[String], rules: Vec<(usize, Arc<Transformer>)>) -> TableMasking {
        let mut decoded: Vec<usize> = rules.iter().map(|(i, _)| *i).collect();
        let mut reads_row = false;
        for (_, t) in &rules {
            for name in t.row_columns() {
                reads_row = true;
                if let Some(i) = columns.iter().position(|c| *c == name) {
                    decoded.push(i);
                }
            }
        }
        decoded.sort_unstable();
        decoded.dedup();
        let names = decoded.iter().map(|&i| columns[i].clone()).collect();
        let masked = rules
            .into_iter()
            .map(|(i, t)| {
                let k = decoded
                    .binary_search(&i)
                    .expect("masked columns are decoded");
                (k, columns[i].clone(), t)
            })
            .collect();
        TableMasking {
            decoded,
            names,
            masked,
            reads_row,
        }
    }

    /// `(column, transformer)` of every masked column, in column order.
    pub fn masked_columns(&self) -> Vec<(String, &'static str)> {
        self.masked
            .iter()
            .map(|(_, name, t)| (name.clone(), t.kind()))
            .collect()
    }
}

/// The original values of the decoded columns, by name, for `template`.
struct Row<'a> {
    names: &'a [String],
    values: &'a [Option<String>],
}

impl RowLookup for Row<'_> {
    fn get(&self, column: &str) -> Option<Option<&str>> {
        let i = self.names.iter().position(|n| n == column)?;
        Some(self.values[i].as_deref())
    }
}

impl RowTransform for TableMasking {
    fn columns(&self) -> &[usize] {
        &self.decoded
    }

    fn apply(&self, fields: &mut [Option<String>]) -> Result<(), TransformError> {
        // Templates read the row as it came from the source, whatever order the columns are
        // masked in.
        let original = self.reads_row.then(|| fields.to_vec());
        let empty: [Option<String>; 0] = [];
        for (k, _, transformer) in &self.masked {
            let row = Row {
                names: if original.is_some() { &self.names } else { &[] },
                values: original.as_deref().unwrap_or(&empty),
            };
            let masked = transformer
                .apply(fields[*k].as_deref(), &row)
                .map_err(|e| TransformError::new(*k, e.transformer, e.message))?;
            fields[*k] = masked;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anonymize::{ColumnRule, Salt};

    fn transformer(rule: &str) -> Arc<Transformer> {
        let rule = ColumnRule::from_value(&rule.parse::<toml::Value>().unwrap_or_else(|_| {
            let table: toml::Table = format!("x = {rule}").parse().unwrap();
            table["x"].clone()
        }))
        .unwrap();
        Arc::new(Transformer::build(&rule, &Salt::new("s")).unwrap())
    }

    #[test]
    fn decodes_masked_and_template_columns_only() {
        let columns: Vec<String> = ["id", "email", "note", "full_name"]
            .map(String::from)
            .to_vec();
        let m = TableMasking::new(
            &columns,
            vec![
                (1, transformer("\"null\"")),
                (
                    3,
                    transformer("{ transform = \"template\", template = \"User {id} ({email})\" }"),
                ),
            ],
        );
        assert_eq!(m.columns(), &[0, 1, 3]);
        let mut fields = vec![
            Some("7".to_owned()),
            Some("a@b.c".to_owned()),
            Some("Ann".to_owned()),
        ];
        m.apply(&mut fields).unwrap();
        // The template saw the original email, not the masked NULL.
        assert_eq!(
            fields,
            vec![Some("7".into()), None, Some("User 7 (a@b.c)".into())]
        );
        assert_eq!(
            m.masked_columns(),
            vec![("email".into(), "null"), ("full_name".into(), "template")]
        );
    }
}
