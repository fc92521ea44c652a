-- Which tables the current role may read (table-level SELECT): the detector samples those and
-- reads only the names of the others. Read-only, and it cannot fail on a missing privilege, so it
-- is safe inside the sync's snapshot transaction.
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       has_table_privilege(c.oid, 'SELECT') AS readable,
       c.relkind = 'p' AND c.relispartition AS sub_partitioned
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%'
