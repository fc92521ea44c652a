-- The safe way to add a foreign key to a busy table: a short lock now,
-- the validation scan later without blocking writes.
SET lock_timeout = '2s';

CREATE TABLE refunds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL,
    amount numeric(12, 2) NOT NULL
);

ALTER TABLE orders ADD COLUMN refund_id bigint;

ALTER TABLE orders
    ADD CONSTRAINT orders_refund_id_fkey FOREIGN KEY (refund_id) REFERENCES refunds (id) NOT VALID;
