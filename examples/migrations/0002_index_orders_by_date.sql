-- Blocks every INSERT, UPDATE and DELETE on orders until the index is built.
CREATE INDEX orders_created_at_idx ON orders (created_at);
