-- The server and database a connection reached: what the guards compare and the new database copies.
SELECT current_setting('server_version_num')::int4 AS version_num,
       current_database()::text AS database,
       pg_encoding_to_char(d.encoding)::text AS encoding,
       d.datcollate::text AS collate,
       d.datctype::text AS ctype
FROM pg_database d
WHERE d.datname = current_database()
