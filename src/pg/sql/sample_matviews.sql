-- Materialized views and the table columns their query reads (the view's rewrite rule depends
-- on each column in pg_depend). Columns read through a plain view are not followed.
SELECT mn.nspname::text AS schema,
       m.relname::text AS name,
       rn.nspname::text AS source_schema,
       rc.relname::text AS source_name,
       ra.attname::text AS source_column
FROM pg_class m
JOIN pg_namespace mn ON mn.oid = m.relnamespace
JOIN pg_rewrite r ON r.ev_class = m.oid
JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass
                AND d.objid = r.oid
                AND d.refclassid = 'pg_class'::regclass
                AND d.refobjsubid > 0
JOIN pg_class rc ON rc.oid = d.refobjid AND rc.oid <> m.oid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
JOIN pg_attribute ra ON ra.attrelid = rc.oid AND ra.attnum = d.refobjsubid
WHERE m.relkind = 'm'
  AND mn.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5
