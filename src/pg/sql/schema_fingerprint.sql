-- One line per schema object, owners and grants left out: two databases with the same lines have
-- the same schema. The sync compares source and new staging with it before the swap. System
-- schemas and other sessions' temporary schemas (pg_temp_N) are not part of a database's schema.
WITH schemas AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema')
      AND nspname NOT LIKE 'pg\_toast%'
      AND nspname NOT LIKE 'pg\_temp\_%'
),
rels AS (
    SELECT c.oid, n.nspname, c.relname, c.relkind
    FROM pg_class c JOIN schemas n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
)
SELECT line FROM (
    SELECT format('relation %I.%I kind %s', nspname, relname, relkind) AS line FROM rels
  UNION ALL
    SELECT format('column %I.%I.%I %s%s%s', r.nspname, r.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                  CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END)
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid
    WHERE a.attnum > 0 AND NOT a.attisdropped AND r.relkind <> 'S'
  UNION ALL
    SELECT format('index %I.%I %s', r.nspname, r.relname, pg_get_indexdef(i.indexrelid))
    FROM rels r JOIN pg_index i ON i.indrelid = r.oid
  UNION ALL
    SELECT format('constraint %I.%I %I %s', r.nspname, r.relname, con.conname,
                  pg_get_constraintdef(con.oid))
    FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid
  UNION ALL
    SELECT format('trigger %I.%I %I %s', r.nspname, r.relname, t.tgname,
                  CASE t.tgenabled WHEN 'D' THEN 'disabled' ELSE 'enabled' END)
    FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid
    WHERE NOT t.tgisinternal
  UNION ALL
    SELECT format('function %I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
    FROM pg_proc p JOIN schemas n ON n.oid = p.pronamespace
  UNION ALL
    SELECT format('type %I.%I %s', n.nspname, t.typname, t.typtype)
    FROM pg_type t JOIN schemas n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'm')
  UNION ALL
    SELECT format('enum %I.%I %s', n.nspname, t.typname, e.enumlabel)
    FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN schemas n ON n.oid = t.typnamespace
  UNION ALL
    SELECT format('extension %I', extname) FROM pg_extension
) lines
ORDER BY line
