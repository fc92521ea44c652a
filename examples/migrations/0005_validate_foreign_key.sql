-- A separate migration (its own transaction): VALIDATE takes only SHARE UPDATE EXCLUSIVE.
SET lock_timeout = '2s';

ALTER TABLE orders VALIDATE CONSTRAINT orders_refund_id_fkey;
