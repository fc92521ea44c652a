-- Generated columns and the columns of the same table their expression reads (the expression,
-- a pg_attrdef row, depends on them in pg_depend).
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       a.attname::text AS column,
       coalesce(array_agg(DISTINCT ra.attname::text) FILTER (WHERE ra.attname IS NOT NULL),
                ARRAY[]::text[]) AS inputs
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass
                     AND d.objid = ad.oid
                     AND d.refclassid = 'pg_class'::regclass
                     AND d.refobjid = a.attrelid
                     AND d.refobjsubid > 0
                     AND d.refobjsubid <> a.attnum
LEFT JOIN pg_attribute ra ON ra.attrelid = d.refobjid AND ra.attnum = d.refobjsubid
WHERE a.attgenerated <> ''
  AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY 1, 2, 3
ORDER BY 1, 2, 3
