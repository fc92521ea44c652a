-- How many large objects the database holds (pg_largeobject_metadata is readable by everyone;
-- pg_largeobject itself is not).
SELECT count(*)::int8 AS large_objects FROM pg_largeobject_metadata
