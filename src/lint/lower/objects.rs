//! `CREATE` and `DROP` of the objects that have no op of their own (views, functions,
//! sequences, triggers, policies, ...), and `COMMENT ON`.

use sqlparser::ast::{
    CommentObject, DropBehavior, FunctionDesc, ObjectName, ObjectType, ReferentialAction,
    SchemaName, Statement as Ast,
};

use super::{bare, name, name_of, parts};
use crate::lint::ops::{Name, ObjectKind, Op};

fn drop_behavior_cascade(b: &Option<DropBehavior>) -> bool {
    matches!(b, Some(DropBehavior::Cascade))
}

fn drop_op(kind: ObjectKind, names: Vec<Name>, if_exists: bool, cascade: bool) -> Op {
    Op::Drop {
        kind,
        names,
        if_exists,
        cascade,
        concurrently: false,
        on_table: None,
    }
}

fn create_op(kind: ObjectKind, name: Name, or_replace: bool) -> Op {
    Op::Create {
        kind,
        name,
        on_table: None,
        or_replace,
    }
}

fn function_names(descs: &[FunctionDesc]) -> Vec<Name> {
    descs.iter().map(|d| name(&d.name)).collect()
}

/// `CREATE <object>` and `DROP <object>` for everything but tables, indexes, enums and domains.
pub(super) fn create_or_drop(stmt: &Ast) -> Option<Vec<Op>> {
    let op = match stmt {
        Ast::Drop {
            object_type,
            if_exists,
            names,
            cascade,
            table,
            ..
        } => Op::Drop {
            kind: match object_type {
                ObjectType::Table => ObjectKind::Table,
                ObjectType::View => ObjectKind::View,
                ObjectType::MaterializedView => ObjectKind::MaterializedView,
                ObjectType::Index => ObjectKind::Index,
                ObjectType::Schema => ObjectKind::Schema,
                ObjectType::Database => ObjectKind::Database,
                ObjectType::Role | ObjectType::User => ObjectKind::Role,
                ObjectType::Sequence => ObjectKind::Sequence,
                ObjectType::Type => ObjectKind::Type,
                _ => ObjectKind::Other,
            },
            names: names.iter().map(name).collect(),
            if_exists: *if_exists,
            cascade: *cascade,
            concurrently: false,
            on_table: table.as_ref().map(name),
        },
        Ast::DropFunction(f) => drop_op(
            ObjectKind::Function,
            function_names(&f.func_desc),
            f.if_exists,
            drop_behavior_cascade(&f.drop_behavior),
        ),
        Ast::DropProcedure {
            if_exists,
            proc_desc,
            drop_behavior,
        } => drop_op(
            ObjectKind::Procedure,
            function_names(proc_desc),
            *if_exists,
            drop_behavior_cascade(drop_behavior),
        ),
        Ast::DropDomain(d) => drop_op(
            ObjectKind::Domain,
            vec![name(&d.name)],
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::DropExtension(e) => drop_op(
            ObjectKind::Extension,
            e.names.iter().map(bare).collect(),
            e.if_exists,
            matches!(e.cascade_or_restrict, Some(ReferentialAction::Cascade)),
        ),
        Ast::DropTrigger(t) => Op::Drop {
            kind: ObjectKind::Trigger,
            names: vec![name(&t.trigger_name)],
            if_exists: t.if_exists,
            cascade: matches!(t.option, Some(ReferentialAction::Cascade)),
            concurrently: false,
            on_table: t.table_name.as_ref().map(name),
        },
        Ast::DropPolicy(p) => Op::Drop {
            kind: ObjectKind::Policy,
            names: vec![bare(&p.name)],
            if_exists: p.if_exists,
            cascade: drop_behavior_cascade(&p.drop_behavior),
            concurrently: false,
            on_table: Some(name(&p.table_name)),
        },
        Ast::DropOperatorFamily(d) => drop_op(
            ObjectKind::Other,
            d.names.iter().map(name).collect(),
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::DropOperatorClass(d) => drop_op(
            ObjectKind::Other,
            d.names.iter().map(name).collect(),
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::DropOperator(d) => drop_op(
            ObjectKind::Other,
            d.operators.iter().map(|o| name(&o.name)).collect(),
            d.if_exists,
            drop_behavior_cascade(&d.drop_behavior),
        ),
        Ast::CreateView(v) => create_op(
            if v.materialized {
                ObjectKind::MaterializedView
            } else {
                ObjectKind::View
            },
            name(&v.name),
            v.or_replace,
        ),
        Ast::CreateFunction(f) => create_op(ObjectKind::Function, name(&f.name), f.or_replace),
        Ast::CreateProcedure { name: n, .. } => create_op(ObjectKind::Procedure, name(n), false),
        Ast::CreateSequence { name: n, .. } => create_op(ObjectKind::Sequence, name(n), false),
        Ast::CreateExtension(e) => create_op(ObjectKind::Extension, bare(&e.name), false),
        Ast::CreateSchema {
            schema_name,
            or_replace,
            ..
        } => create_op(
            ObjectKind::Schema,
            match schema_name {
                SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => name(n),
                SchemaName::UnnamedAuthorization(owner) => bare(owner),
            },
            *or_replace,
        ),
        Ast::CreateTrigger(t) => Op::Create {
            kind: ObjectKind::Trigger,
            name: name(&t.name),
            on_table: Some(name(&t.table_name)),
            or_replace: t.or_replace,
        },
        Ast::CreatePolicy(p) => Op::Create {
            kind: ObjectKind::Policy,
            name: bare(&p.name),
            on_table: Some(name(&p.table_name)),
            or_replace: false,
        },
        Ast::CreateType { name: n, .. } => create_op(ObjectKind::Type, name(n), false),
        Ast::CreateDatabase {
            db_name,
            or_replace,
            ..
        } => create_op(ObjectKind::Database, name(db_name), *or_replace),
        Ast::CreateRole(r) => {
            return Some(
                r.names
                    .iter()
                    .map(|n| create_op(ObjectKind::Role, name(n), false))
                    .collect(),
            );
        }
        Ast::CreateCollation(c) => create_op(ObjectKind::Other, name(&c.name), false),
        Ast::CreateOperator(o) => create_op(ObjectKind::Other, name(&o.name), false),
        Ast::CreateOperatorFamily(o) => create_op(ObjectKind::Other, name(&o.name), false),
        Ast::CreateOperatorClass(o) => create_op(ObjectKind::Other, name(&o.name), false),
        Ast::CreateTextSearch(t) => create_op(ObjectKind::Other, name(&t.name), false),
        _ => return None,
    };
    Some(vec![op])
}

/// `COMMENT ON`. A comment on a column is lowered as one on its table: that is the relation it
/// locks (SHARE UPDATE EXCLUSIVE), and [`ObjectKind`] has no column kind.
pub(super) fn comment_on(object_type: &CommentObject, object_name: &ObjectName) -> Op {
    let kind = match object_type {
        CommentObject::Column => {
            let mut p = parts(object_name);
            p.pop();
            return Op::CommentOn {
                kind: ObjectKind::Table,
                name: name_of(&p),
            };
        }
        CommentObject::Table => ObjectKind::Table,
        CommentObject::View => ObjectKind::View,
        CommentObject::MaterializedView => ObjectKind::MaterializedView,
        CommentObject::Index => ObjectKind::Index,
        CommentObject::Sequence => ObjectKind::Sequence,
        CommentObject::Function => ObjectKind::Function,
        CommentObject::Procedure => ObjectKind::Procedure,
        CommentObject::Type => ObjectKind::Type,
        CommentObject::Domain => ObjectKind::Domain,
        CommentObject::Extension => ObjectKind::Extension,
        CommentObject::Schema => ObjectKind::Schema,
        CommentObject::Database => ObjectKind::Database,
        CommentObject::Role | CommentObject::User => ObjectKind::Role,
        CommentObject::Collation => ObjectKind::Other,
    };
    Op::CommentOn {
        kind,
        name: name(object_name),
    }
}
