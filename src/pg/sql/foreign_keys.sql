-- Foreign keys between tables: (child, parent, constraint). A parent the profile filters would
-- leave child rows pointing nowhere, and post-data could not add the constraint.
SELECT cn.nspname::text AS child_schema, c.relname::text AS child_name,
       pn.nspname::text AS parent_schema, p.relname::text AS parent_name,
       con.conname::text AS name
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_class p ON p.oid = con.confrelid
JOIN pg_namespace pn ON pn.oid = p.relnamespace
WHERE con.contype = 'f'
  AND con.conparentid = 0
  AND cn.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, 5
