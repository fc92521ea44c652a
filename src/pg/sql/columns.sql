-- The columns of the given tables, in order. `type` is the base type for domains (what a value
-- really is, for the transformers' type checks), `format_type` spelling: `character varying(20)`.
WITH RECURSIVE domain_base(oid, base, typmod) AS (
    SELECT t.oid, t.typbasetype, t.typtypmod FROM pg_type t WHERE t.typtype = 'd'
  UNION ALL
    SELECT d.oid, t.typbasetype, t.typtypmod
    FROM domain_base d JOIN pg_type t ON t.oid = d.base
    WHERE t.typtype = 'd'
)
SELECT a.attrelid::int8 AS table_oid,
       a.attname::text AS name,
       format_type(coalesce(b.base, a.atttypid),
                   CASE WHEN b.base IS NULL THEN a.atttypmod ELSE b.typmod END) AS type,
       a.attgenerated <> '' AS generated
FROM pg_attribute a
LEFT JOIN LATERAL (
    SELECT d.base, d.typmod
    FROM domain_base d JOIN pg_type bt ON bt.oid = d.base
    WHERE d.oid = a.atttypid AND bt.typtype <> 'd'
) b ON true
WHERE a.attrelid = ANY($1::int8[]::oid[])
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
