-- Materialized views holding data on the source: the new database refreshes them (from masked
-- tables) after post-data, since a schema-only dump creates them WITH NO DATA.
SELECT schemaname::text, matviewname::text
FROM pg_matviews
WHERE ispopulated
  AND schemaname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2
