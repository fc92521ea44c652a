SET lock_timeout = '2s';

-- Fine on PostgreSQL 11+: a constant default is stored in the catalog, no rewrite.
ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';

-- Scans every row under an ACCESS EXCLUSIVE lock.
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;

-- Rewrites the whole table: raising the scale of a numeric is not binary-coercible.
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 4);
