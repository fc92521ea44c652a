//! How often a default expression's value can change ([`Volatility`]).
//!
//! Literals and casts of literals are constants; the built-in functions listed in
//! `non_volatile_functions.txt` (immutable or stable: `now()`, `lower(...)`) are evaluated once;
//! those in `volatile_functions.txt` (`random()`, `nextval(...)`) once per row; any other function
//! is unknown (its volatility is in the database, not the migration). A composite expression is
//! as volatile as its worst part, and an operator or function applied to constants is no longer a
//! constant but non-volatile.

use std::collections::HashSet;
use std::sync::LazyLock;

use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, UnaryOperator,
};

use super::ident;
use crate::lint::ops::Volatility;

static NON_VOLATILE: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| names(include_str!("non_volatile_functions.txt")));
static VOLATILE: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| names(include_str!("volatile_functions.txt")));

/// The names in a function list: one a line, `#` comments and blank lines skipped.
fn names(list: &'static str) -> HashSet<&'static str> {
    list.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Worse of two: `Volatile` > `Unknown` > `NonVolatile` > `Constant`.
fn worst(a: Volatility, b: Volatility) -> Volatility {
    fn rank(v: Volatility) -> u8 {
        match v {
            Volatility::Constant => 0,
            Volatility::NonVolatile => 1,
            Volatility::Unknown => 2,
            Volatility::Volatile => 3,
        }
    }
    if rank(a) >= rank(b) { a } else { b }
}

/// Volatility of a function called by this (folded, unqualified) name: `Unknown` when it is in
/// neither list.
pub(crate) fn function_volatility(name: &str) -> Volatility {
    if VOLATILE.contains(name) {
        Volatility::Volatile
    } else if NON_VOLATILE.contains(name) {
        Volatility::NonVolatile
    } else {
        Volatility::Unknown
    }
}

/// The volatility of an expression used as a column default.
pub(super) fn volatility(expr: &Expr) -> Volatility {
    use Volatility::{Constant, NonVolatile, Unknown};
    let all = |exprs: &mut dyn Iterator<Item = &Expr>, floor: Volatility| {
        exprs.fold(floor, |acc, e| worst(acc, volatility(e)))
    };
    match expr {
        Expr::Value(_) | Expr::TypedString(_) => Constant,
        Expr::Interval(i) => worst(Constant, volatility(&i.value)),
        Expr::Nested(e) | Expr::Collate { expr: e, .. } => volatility(e),
        // A cast of a constant is a constant (`'a'::text`, `CAST(0 AS bigint)`, `'{}'::jsonb`).
        Expr::Cast { expr, .. } => volatility(expr),
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            expr,
        } => volatility(expr),
        Expr::UnaryOp { expr, .. } => worst(NonVolatile, volatility(expr)),
        Expr::Array(a) => all(&mut a.elem.iter(), Constant),
        Expr::Tuple(items) => all(&mut items.iter(), Constant),
        Expr::Function(f) => call_volatility(f),
        // Keyword-like values that sqlparser may read as a bare identifier (`current_schema`).
        Expr::Identifier(i) => function_volatility(&ident(i)),
        Expr::BinaryOp { left, right, .. } => {
            all(&mut [&**left, &**right].into_iter(), NonVolatile)
        }
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
            all(&mut [&**a, &**b].into_iter(), NonVolatile)
        }
        Expr::AnyOp { left, right, .. } | Expr::AllOp { left, right, .. } => {
            all(&mut [&**left, &**right].into_iter(), NonVolatile)
        }
        Expr::IsFalse(e)
        | Expr::IsNotFalse(e)
        | Expr::IsTrue(e)
        | Expr::IsNotTrue(e)
        | Expr::IsNull(e)
        | Expr::IsNotNull(e)
        | Expr::IsUnknown(e)
        | Expr::IsNotUnknown(e)
        | Expr::Extract { expr: e, .. }
        | Expr::Ceil { expr: e, .. }
        | Expr::Floor { expr: e, .. } => worst(NonVolatile, volatility(e)),
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => all(&mut [&**timestamp, &**time_zone].into_iter(), NonVolatile),
        Expr::Position { expr, r#in } => all(&mut [&**expr, &**r#in].into_iter(), NonVolatile),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => all(
            &mut std::iter::once(&**expr)
                .chain(substring_from.as_deref())
                .chain(substring_for.as_deref()),
            NonVolatile,
        ),
        Expr::Trim {
            expr,
            trim_what,
            trim_characters,
            ..
        } => all(
            &mut std::iter::once(&**expr)
                .chain(trim_what.as_deref())
                .chain(trim_characters.iter().flatten()),
            NonVolatile,
        ),
        Expr::Overlay {
            expr,
            overlay_what,
            overlay_from,
            overlay_for,
        } => all(
            &mut [&**expr, &**overlay_what, &**overlay_from]
                .into_iter()
                .chain(overlay_for.as_deref()),
            NonVolatile,
        ),
        Expr::Between {
            expr, low, high, ..
        } => all(&mut [&**expr, &**low, &**high].into_iter(), NonVolatile),
        Expr::InList { expr, list, .. } => {
            all(&mut std::iter::once(&**expr).chain(list), NonVolatile)
        }
        Expr::Like {
            expr,
            pattern,
            escape_char,
            ..
        }
        | Expr::ILike {
            expr,
            pattern,
            escape_char,
            ..
        }
        | Expr::SimilarTo {
            expr,
            pattern,
            escape_char,
            ..
        } => all(
            &mut [&**expr, &**pattern]
                .into_iter()
                .chain(escape_char.as_deref()),
            NonVolatile,
        ),
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => all(
            &mut operand
                .as_deref()
                .into_iter()
                .chain(conditions.iter().flat_map(|c| [&c.condition, &c.result]))
                .chain(else_result.as_deref()),
            NonVolatile,
        ),
        // Column references, subqueries and anything else: not something we can vouch for.
        _ => Unknown,
    }
}

fn call_volatility(f: &Function) -> Volatility {
    let parts: Vec<_> = f.name.0.iter().filter_map(|p| p.as_ident()).collect();
    let args = match &f.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Named { arg, .. }
                | FunctionArg::ExprNamed { arg, .. }
                | FunctionArg::Unnamed(arg) => match arg {
                    FunctionArgExpr::Expr(e) => volatility(e),
                    _ => Volatility::Unknown,
                },
            })
            .fold(Volatility::Constant, worst),
        FunctionArguments::None => Volatility::Constant,
        FunctionArguments::Subquery(_) => Volatility::Unknown,
    };
    let (schema, name) = match parts.as_slice() {
        [name] => (None, ident(name)),
        [.., schema, name] => (Some(ident(schema)), ident(name)),
        [] => return Volatility::Unknown,
    };
    // `ROW(1, 'a')` is a constructor, not a call.
    if schema.is_none() && name == "row" {
        return args;
    }
    let own = match schema.as_deref() {
        None | Some("pg_catalog") => function_volatility(&name),
        // Extensions often live in their own schema (`extensions.uuid_generate_v4()`): a
        // volatile name stays volatile there. A non-volatile built-in's name in another schema
        // is someone's own function (`app.now()`).
        Some(_) if VOLATILE.contains(name.as_str()) => Volatility::Volatile,
        Some(_) => Volatility::Unknown,
    };
    worst(own, worst(Volatility::NonVolatile, args))
}

#[cfg(test)]
mod tests {
    use super::{NON_VOLATILE, VOLATILE};

    #[test]
    fn function_lists_are_disjoint_lower_case_names() {
        for name in NON_VOLATILE.iter().chain(VOLATILE.iter()) {
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name:?} is not a lower-case function name"
            );
        }
        let both: Vec<_> = NON_VOLATILE.intersection(&VOLATILE).collect();
        assert!(both.is_empty(), "in both lists: {both:?}");
        assert!(NON_VOLATILE.contains("now") && VOLATILE.contains("nextval"));
    }
}
