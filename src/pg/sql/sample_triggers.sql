-- Row triggers on tables, with what the detector needs to tell which columns a trigger fills
-- from which: the function (pg_catalog.tsvector_update_trigger takes the target column and the
-- source columns as arguments, NUL-separated in tgargs) and the function's source text (for
-- PL/pgSQL, `NEW.col := ...`). Internal (constraint) triggers are left out.
SELECT n.nspname::text AS schema,
       c.relname::text AS name,
       t.tgname::text AS trigger,
       pn.nspname::text AS function_schema,
       p.proname::text AS function,
       t.tgargs AS args,
       coalesce(p.prosrc, '') AS source
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_proc p ON p.oid = t.tgfoid
JOIN pg_namespace pn ON pn.oid = p.pronamespace
WHERE NOT t.tgisinternal
  AND c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, 3
